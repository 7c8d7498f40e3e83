// What dplb's IPVS tables should hold for a keepalived.conf in a given health, and the ipvsadm
// operations that turn one such table into another. The checker applies diff(live, wanted) whenever
// health or the file changes and after dplb restarts, so a reload touches only what differs:
// unchanged services and real servers (and their connections) are left alone.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/ipvs/service_conf.h"
#include "dplb/keepalived/keepalived_conf.h"

namespace dplb::healthcheck {

struct TargetDest {
  Ip4 addr;
  uint16_t port = 0;
  uint16_t weight = 0;
  ipvs::FwdMethod fwd = ipvs::FwdMethod::masq;  // the real server's lb_kind
  friend bool operator==(const TargetDest&, const TargetDest&) = default;
};

// persistence_timeout / persistence_granularity (ipvsadm -p / -M); netmask 0: none given (/32).
struct Persistence {
  uint32_t seconds = 0;  // 0: not persistent
  uint32_t netmask = 0;
  friend bool operator==(const Persistence&, const Persistence&) = default;
};

struct TargetService {
  ipvs::ServiceKey key;
  ipvs::SchedKind sched = ipvs::kDefaultSched;
  Persistence persist;
  std::map<uint64_t, TargetDest> dests;  // by dest_id()
  friend bool operator==(const TargetService&, const TargetService&) = default;
};

using Target = std::map<uint64_t, TargetService>;  // by ServiceKey::packed()

constexpr uint64_t dest_id(Ip4 addr, uint16_t port) { return (uint64_t(addr.v) << 16) | port; }

// Why a virtual server (or a real server of it) cannot be applied by dplb, or empty when it can:
// dplb has no full-NAT yet.
std::string unsupported_reason(const keepalived::VirtualServer& vs);
std::string unsupported_reason(const keepalived::VirtualServer& vs, const keepalived::RealServer& rs);

// One "FILE:LINE: ..." line per virtual server or real server that is skipped or applied in part.
std::vector<std::string> unsupported_report(const keepalived::KeepalivedConf& conf);

// The health the target is built from.
struct HealthView {
  std::function<bool(size_t vs, size_t rs)> alive;
  std::function<bool(size_t vs)> quorum_up;  // false: the sorry_server (if any) is added
  // A MISC_CHECK's dynamic weight (misc_dynamic); empty function or none: the configured weight.
  std::function<std::optional<uint16_t>(size_t vs, size_t rs)> weight;
};

// Supported virtual servers only; each address of a group is its own service.
Target build_target(const keepalived::KeepalivedConf& conf, const HealthView& health);

enum class OpKind : uint8_t { add_service, edit_service, del_service, add_dest, edit_dest, del_dest };

struct IpvsOp {
  OpKind kind = OpKind::add_service;
  ipvs::ServiceKey key;
  ipvs::SchedKind sched = ipvs::kDefaultSched;  // add/edit service
  TargetDest dest;                              // dest ops
  Persistence persist;                          // add/edit service
  friend bool operator==(const IpvsOp&, const IpvsOp&) = default;
};

// In the order to send: services added or edited, dests deleted, added and edited, then services
// deleted (their dests go with them).
std::vector<IpvsOp> diff_targets(const Target& from, const Target& to);

// ipvsadm's form, for logs and tests: "-a -t 10.0.0.1:80 -r 10.0.0.11:80 -m -w 2".
std::string to_string(const IpvsOp& op);

}  // namespace dplb::healthcheck
