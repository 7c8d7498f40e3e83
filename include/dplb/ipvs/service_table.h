// ServiceTable: the IPVS virtual services and real servers of one lcore. The daemon keeps one per
// worker plus one in the main lcore's model; main chooses the ids (slots) and every table applies the
// same upserts, so all of them are identical and a replay reproduces them exactly.
//
// Memory is allocated once at construction (slots, indexes, counters), so counters never move while
// main reads them; scheduler tables (sh, mh, rr/wrr lists) are rebuilt on the control path.
// Only the owning lcore calls anything here, except the *_counters() readers, which main may call
// concurrently.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dplb/base/status.h"
#include "dplb/ipvs/key_index.h"
#include "dplb/ipvs/sched.h"
#include "dplb/ipvs/service_conf.h"
#include "dplb/ipvs/service_stats.h"

namespace dplb::ipvs {

struct TableLimits {
  uint32_t services = 4096;   // at most 65536 (a service id fits 16 bits of an index key)
  uint32_t dests = 65536;
  uint32_t mh_table_size = MhSched::kDefaultTableSize;  // rounded up to a prime
};

class ServiceTable {
 public:
  explicit ServiceTable(const TableLimits& limits = {});

  // ---- Control path: idempotent upserts keyed by main's ids ----
  // The message is authoritative: an entry that conflicts with it (same key under another id, or this
  // id holding another key) is removed first, so an out-of-sync table converges.
  // Changing an existing dest's weight keeps its counters and its connections' references.
  Status upsert_service(uint32_t svc_id, const ServiceConf& conf);
  Status remove_service(uint32_t svc_id);  // and its dests; removing a missing id is a no-op
  Status upsert_dest(uint32_t svc_id, uint32_t dest_id, const DestConf& conf);
  Status remove_dest(uint32_t dest_id);
  void clear();

  // Replay without losing what did not change: begin_sync() marks every entry stale, the replayed
  // upserts refresh the ones still configured (counters and connection references intact), and
  // end_sync() removes the rest. Returns how many services + dests it removed.
  void begin_sync();
  size_t end_sync();

  // Zero the totals (not the connection gauges) of one service and its dests, or of everything.
  void zero_counters(uint32_t svc_id);
  void zero_counters();

  // ---- Hot path (per packet): no allocation, no locks ----
  int32_t find(uint8_t proto, Ip4 vip, uint16_t vport) const {
    uint32_t id = services_index_.find(ServiceKey{proto, vip, vport}.packed());
    return id == KeyIndex::kNone ? -1 : int32_t(id);
  }
  // Any service on this address (other ports of a VIP go to the kernel).
  bool is_vip(Ip4 addr) const { return vips_.contains(addr.v); }
  // A real server of some service of this protocol (to steer its replies to the owner worker).
  bool is_real_server(uint8_t proto, Ip4 addr, uint16_t port) const {
    return real_servers_.contains(real_server_key(proto, addr, port));
  }

  // The netmask under which a client's address names its owner (persistence: every connection of a
  // client to a persistent service lives with its template on one worker), for a packet to a
  // service, and for a real server's reply; 0 when no persistent service is concerned.
  // Both false (one test) while no service is persistent.
  bool persist_mask_in(uint8_t proto, Ip4 vip, uint16_t vport, uint32_t& mask) const {
    if (persistent_services_ == 0) return false;
    int32_t svc = find(proto, vip, vport);
    if (svc < 0 || !services_[svc].conf.persistent()) return false;
    mask = services_[svc].conf.persist_mask();
    return true;
  }
  bool persist_mask_out(uint8_t proto, Ip4 rs, uint16_t rport, uint32_t& mask) const {
    if (persistent_services_ == 0) return false;
    uint32_t prefix = persist_masks_.find(real_server_key(proto, rs, rport));
    if (prefix == KeyIndex::kNone) return false;
    mask = prefix == 0 ? 0 : ~0u << (32 - prefix);
    return true;
  }

  // A new connection's dest: its slot, or kNoDest when no dest is available. `svc_id` must come from
  // find(). O(1) for rr, wrr, sh, mh; O(dests) for lc, wlc.
  int32_t schedule(uint32_t svc_id, Ip4 caddr, uint16_t cport) {
    return services_[svc_id].sched.pick(caddr, cport, dest_counters_.data());
  }

  DestRef dest_ref(uint32_t dest_id) const { return DestRef{dest_id, dests_[dest_id].generation}; }
  bool is_current(DestRef ref) const {
    return ref.id < dests_.size() && dests_[ref.id].generation == ref.generation && (ref.generation & 1) != 0;
  }
  const DestConf& dest_conf(uint32_t dest_id) const { return dests_[dest_id].conf; }
  uint32_t dest_service(uint32_t dest_id) const { return dests_[dest_id].svc_id; }

  // Connection events from the connection table; ignored when the dest is gone (stale reference).
  void on_conn_new(DestRef ref, bool is_active) {
    if (!is_current(ref)) return;
    for (CounterBlock* b : blocks(ref)) {
      counter_add(b->c.conns, 1);
      counter_add(is_active ? b->c.active_conns : b->c.inactive_conns, 1);
    }
  }
  void on_conn_state(DestRef ref, bool was_active, bool is_active) {
    if (was_active == is_active || !is_current(ref)) return;
    for (CounterBlock* b : blocks(ref)) {
      counter_sub(was_active ? b->c.active_conns : b->c.inactive_conns, 1);
      counter_add(is_active ? b->c.active_conns : b->c.inactive_conns, 1);
    }
  }
  void on_conn_gone(DestRef ref, bool was_active) {
    if (!is_current(ref)) return;
    for (CounterBlock* b : blocks(ref)) counter_sub(was_active ? b->c.active_conns : b->c.inactive_conns, 1);
  }
  // Per packet: both blocks' addresses are taken before the first store (the relaxed atomic stores
  // would otherwise make the compiler reload the vectors between them), and the two-element loop
  // is written out.
  void count_in(DestRef ref, uint32_t bytes) {
    if (!is_current(ref)) return;
    auto [dest, svc] = blocks(ref);
    counter_add(dest->c.inpkts, 1);
    counter_add(dest->c.inbytes, bytes);
    counter_add(svc->c.inpkts, 1);
    counter_add(svc->c.inbytes, bytes);
  }
  void count_out(DestRef ref, uint32_t bytes) {
    if (!is_current(ref)) return;
    auto [dest, svc] = blocks(ref);
    counter_add(dest->c.outpkts, 1);
    counter_add(dest->c.outbytes, bytes);
    counter_add(svc->c.outpkts, 1);
    counter_add(svc->c.outbytes, bytes);
  }

  // ---- Readers (main may call these while the owner runs) ----
  IpvsCounters service_counters(uint32_t svc_id) const { return read_counters(service_counters_[svc_id]); }
  IpvsCounters dest_counters(uint32_t dest_id) const { return read_counters(dest_counters_[dest_id]); }

  // ---- Introspection (owner or main's model) ----
  bool has_service(uint32_t svc_id) const { return svc_id < services_.size() && services_[svc_id].in_use; }
  bool has_dest(uint32_t dest_id) const { return dest_id < dests_.size() && dests_[dest_id].in_use; }
  const ServiceConf& service_conf(uint32_t svc_id) const { return services_[svc_id].conf; }
  const Scheduler& scheduler(uint32_t svc_id) const { return services_[svc_id].sched; }
  // A service's dest ids in list order (by address, port).
  std::vector<uint32_t> service_dests(uint32_t svc_id) const;
  std::vector<uint32_t> service_ids() const;  // in id order
  // The dest id of (service, address, port), or -1.
  int32_t find_dest(uint32_t svc_id, Ip4 addr, uint16_t port) const {
    uint32_t id = dest_index_.find(dest_key(svc_id, addr, port));
    return id == KeyIndex::kNone ? -1 : int32_t(id);
  }
  size_t service_count() const { return services_index_.size(); }
  size_t dest_count() const { return dest_index_.size(); }
  uint32_t service_capacity() const { return uint32_t(services_.size()); }
  uint32_t dest_capacity() const { return uint32_t(dests_.size()); }
  uint32_t mh_table_size() const { return mh_table_size_; }

  // Order-independent digest of the configuration (ids and confs, not counters): equal tables have
  // equal digests whatever order the upserts came in. Maintained incrementally.
  uint64_t digest() const { return digest_; }

 private:
  struct ServiceSlot {
    ServiceConf conf;
    bool in_use = false;
    bool stale = false;
    Scheduler sched;
  };
  struct DestSlot {
    DestConf conf;
    uint32_t svc_id = 0;
    uint32_t generation = 0;  // odd while in use: a reference to a free slot can never match
    bool in_use = false;
    bool stale = false;
  };

  static uint64_t real_server_key(uint8_t proto, Ip4 addr, uint16_t port) {
    return (uint64_t(proto) << 48) | (uint64_t(addr.v) << 16) | port;
  }
  static uint64_t dest_key(uint32_t svc_id, Ip4 addr, uint16_t port) {
    return (uint64_t(svc_id) << 48) | (uint64_t(addr.v) << 16) | port;
  }
  static uint64_t service_hash(uint32_t svc_id, const ServiceConf& c);
  static uint64_t dest_hash(uint32_t dest_id, uint32_t svc_id, const DestConf& c);

  std::array<CounterBlock*, 2> blocks(DestRef ref) {
    return {&dest_counters_[ref.id], &service_counters_[dests_[ref.id].svc_id]};
  }
  SchedDest sched_dest(uint32_t dest_id) const {
    const DestConf& c = dests_[dest_id].conf;
    return SchedDest{dest_id, c.addr, c.port, c.weight};
  }
  void remove_service_slot(uint32_t svc_id);
  void remove_dest_slot(uint32_t dest_id, bool update_sched);
  // The persistent services' real servers, for persist_mask_out (a real server may serve several).
  void persist_ref(const ServiceConf& svc, Ip4 addr, uint16_t port, bool add);
  void set_persist_refs(uint32_t svc_id, bool add);

  std::vector<ServiceSlot> services_;
  std::vector<DestSlot> dests_;
  std::vector<CounterBlock> service_counters_;
  std::vector<CounterBlock> dest_counters_;
  KeyIndex services_index_;  // ServiceKey::packed() -> svc id
  KeyIndex vips_;            // VIP -> number of services on it
  KeyIndex real_servers_;    // (proto, addr, port) -> number of dests
  KeyIndex dest_index_;      // (svc id, addr, port) -> dest id
  KeyIndex persistent_rs_;   // (proto, addr, port) -> number of persistent services' dests on it
  KeyIndex persist_masks_;   // (proto, addr, port) -> their netmask's prefix (one: IpvsModel refuses two)
  uint32_t persistent_services_ = 0;
  uint32_t mh_table_size_;
  uint64_t digest_ = 0;
};

}  // namespace dplb::ipvs
