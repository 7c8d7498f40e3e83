#include "cli/dpip/format_common.h"

#include <cinttypes>
#include <cstdio>
#include <vector>

#include "cli/dpip/format.h"
#include "dplb/base/addr.h"
#include "dplb/ctrl/wire.h"

namespace dplb::dpip {

std::string scope_name(uint8_t scope) {
  switch (scope) {
    case proto::kScopeGlobal: return "global";
    case proto::kScopeLink: return "link";
    case proto::kScopeHost: return "host";
    case proto::kScopeSite: return "site";
    case 255: return "nowhere";
    default: return std::to_string(scope);
  }
}

namespace fmt {

std::string ip(uint32_t host_order) { return to_string(Ip4(host_order)); }

std::string mac(const uint8_t (&m)[6]) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return buf;
}

std::string hex64(uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64, v);
  return buf;
}

namespace {

// ip's print_link_flags order for an Ethernet device; NO-CARRIER when up without carrier.
std::vector<const char*> link_flags(const proto::LinkRecord& r) {
  std::vector<const char*> f;
  bool up = (r.flags & proto::kLinkUp) != 0;
  bool lower_up = (r.flags & proto::kLinkLowerUp) != 0;
  if (up && !lower_up) f.push_back("NO-CARRIER");
  f.push_back("BROADCAST");
  f.push_back("MULTICAST");
  if (r.flags & proto::kLinkPromisc) f.push_back("PROMISC");
  if (up) f.push_back("UP");
  if (lower_up) f.push_back("LOWER_UP");
  return f;
}

const char* operstate(const proto::LinkRecord& r) {
  return (r.flags & proto::kLinkUp) && (r.flags & proto::kLinkLowerUp) ? "UP" : "DOWN";
}

}  // namespace

void link_head_text(std::string& out, const proto::LinkRecord& r, bool with_mode) {
  out += std::to_string(uint64_t(r.ifindex) + 1) + ": " + std::string(ctrl::fixed_string(r.ifname)) + ": <";
  auto flags = link_flags(r);
  for (size_t i = 0; i < flags.size(); ++i) {
    if (i > 0) out += ',';
    out += flags[i];
  }
  out += "> mtu " + std::to_string(r.mtu) + " state " + operstate(r);
  if (with_mode) out += " mode DEFAULT";
  out += "\n    link/ether " + mac(r.mac) + " brd ff:ff:ff:ff:ff:ff\n";
}

void link_head_json(JsonWriter& j, const proto::LinkRecord& r, bool with_mode) {
  j.member("ifindex", uint64_t(r.ifindex) + 1);
  j.member("ifname", ctrl::fixed_string(r.ifname));
  j.key("flags");
  j.begin_array();
  for (const char* f : link_flags(r)) j.value(f);
  j.end_array();
  j.member("mtu", r.mtu);
  j.member("operstate", operstate(r));
  if (with_mode) j.member("linkmode", "DEFAULT");
  j.member("link_type", "ether");
  j.member("address", mac(r.mac));
  j.member("broadcast", "ff:ff:ff:ff:ff:ff");
}

}  // namespace fmt
}  // namespace dplb::dpip
