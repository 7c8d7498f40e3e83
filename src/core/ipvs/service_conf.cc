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
