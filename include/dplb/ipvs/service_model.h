// The main lcore's model of the IPVS configuration: ipvsadm's operations with ipvsadm's errors, on a
// ServiceTable whose ids main allocates. Each successful operation tells the caller which id(s) to put
// in the control message (upsert_service / upsert_dest / remove_*), and upserts() lists everything
// needed to rebuild a worker's table from scratch with the same ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dplb/base/status.h"
#include "dplb/ipvs/service_conf.h"
#include "dplb/ipvs/service_table.h"

namespace dplb::ipvs {

// Lowest free id first, so ids stay small and an identical history gives identical ids.
class IdAllocator {
 public:
  explicit IdAllocator(uint32_t capacity);
  Result<uint32_t> allocate();
  void release(uint32_t id);
  bool in_use(uint32_t id) const;
  void clear();
  uint32_t capacity() const { return capacity_; }
  uint32_t used() const { return used_; }

 private:
  uint32_t capacity_;
  uint32_t used_ = 0;
  std::vector<uint64_t> words_;  // bit set = allocated
};

// A service as ipvsadm states it: the scheduler by name (unknown names are ENOENT).
struct ServiceSpec {
  ServiceKey key;
  std::string sched = "wlc";
  uint32_t flags = 0;
  uint32_t persist_seconds = 0;  // -p; 0: not persistent
  uint8_t persist_prefix = 32;   // -M as a prefix length
};

// A real server as ipvsadm states it: the weight as given, so a bad one can be refused (EINVAL).
struct DestSpec {
  Ip4 addr;
  uint16_t port = 0;
  int64_t weight = 1;
  FwdMethod fwd = FwdMethod::masq;
};

// One upsert of a replay, in an order a fresh table accepts (each service before its dests).
struct Upsert {
  bool is_service = true;
  uint32_t svc_id = 0;
  uint32_t dest_id = 0;  // dests only
  ServiceConf service;   // services only
  DestConf dest;         // dests only
};

class IpvsModel {
 public:
  explicit IpvsModel(const TableLimits& limits = {});

  // ipvsadm -A / -E / -D. Errors: EEXIST "Service already exists", ESRCH "No such service",
  // ENOENT "Scheduler not found", EINVAL (bad protocol, address, port or flags), ENOSPC (table full).
  // Each returns the service id concerned.
  Result<uint32_t> add_service(const ServiceSpec& spec);
  Result<uint32_t> edit_service(const ServiceSpec& spec);
  Result<uint32_t> delete_service(const ServiceKey& key);  // its dests go with it

  // ipvsadm -a / -e / -d. Errors: ESRCH "No such service", EEXIST "Destination already exists",
  // ENOENT "No such destination", EINVAL (weight outside 0..65535, zero address or port), ENOSPC.
  // Each returns the dest id concerned.
  Result<uint32_t> add_dest(const ServiceKey& key, const DestSpec& spec);
  Result<uint32_t> edit_dest(const ServiceKey& key, const DestSpec& spec);
  Result<uint32_t> delete_dest(const ServiceKey& key, Ip4 addr, uint16_t port);

  void clear();  // ipvsadm -C

  int32_t find_service(const ServiceKey& key) const {
    return table_.find(key.proto, key.vip, key.vport);
  }
  const ServiceTable& table() const { return table_; }
  uint64_t digest() const { return table_.digest(); }

  // Every service and dest as upserts, services first (in id order), then dests (in id order).
  std::vector<Upsert> upserts() const;

 private:
  Result<uint32_t> require_service(const ServiceKey& key) const;
  static Status check_key(const ServiceKey& key);
  static Status check_dest(const DestSpec& spec);
  // A real server shared by services must have one owner rule for its replies: all of them
  // non-persistent, or all persistent under the same netmask (see ServiceTable::persist_mask_out).
  Status check_shared_real_server(uint32_t svc_id, const ServiceConf& svc, Ip4 addr, uint16_t port) const;
  Status check_shared_real_servers(uint32_t svc_id, const ServiceConf& svc) const;

  ServiceTable table_;
  IdAllocator service_ids_;
  IdAllocator dest_ids_;
};

}  // namespace dplb::ipvs
