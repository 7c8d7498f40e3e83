#include "dplb/ipvs/service_conf.h"

#include <array>
#include <utility>

namespace dplb::ipvs {
namespace {

constexpr std::array<std::pair<SchedKind, std::string_view>, 6> kSchedNames{{
    {SchedKind::rr, "rr"},
    {SchedKind::wrr, "wrr"},
    {SchedKind::lc, "lc"},
    {SchedKind::wlc, "wlc"},
    {SchedKind::sh, "sh"},
    {SchedKind::mh, "mh"},
}};

}  // namespace

std::string_view proto_name(uint8_t proto) {
  switch (proto) {
    case kProtoTcp: return "TCP";
    case kProtoUdp: return "UDP";
    default: return "?";
  }
}

std::string_view fwd_name(FwdMethod f) {
  switch (f) {
    case FwdMethod::masq: return "Masq";
    case FwdMethod::tunnel: return "Tunnel";
    case FwdMethod::droute: return "Route";
  }
  return "?";
}

std::string_view fwd_option(FwdMethod f) {
  switch (f) {
    case FwdMethod::masq: return "-m";
    case FwdMethod::tunnel: return "-i";
    case FwdMethod::droute: return "-g";
  }
  return "-g";
}

std::optional<FwdMethod> fwd_from_wire(uint32_t fwd) {
  switch (fwd) {
    case uint32_t(FwdMethod::masq): return FwdMethod::masq;
    case uint32_t(FwdMethod::tunnel): return FwdMethod::tunnel;
    case uint32_t(FwdMethod::droute): return FwdMethod::droute;
    default: return std::nullopt;  // 1: local (IPVS's own host), not something a data plane does
  }
}

std::string_view sched_name(SchedKind kind) {
  for (const auto& [k, name] : kSchedNames) {
    if (k == kind) return name;
  }
  return "?";
}

std::optional<SchedKind> parse_sched(std::string_view name) {
  for (const auto& [k, n] : kSchedNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

}  // namespace dplb::ipvs
