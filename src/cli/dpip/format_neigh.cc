// neigh show.
#include "cli/dpip/format.h"
#include "cli/dpip/format_common.h"
#include "dplb/ctrl/wire.h"

namespace dplb::dpip {
namespace {

// INCOMPLETE and FAILED entries have no link-layer address to show.
bool has_lladdr(uint8_t state) { return state != 1 && state != 5 && state != 0; }

}  // namespace

const char* neigh_state_name(uint8_t state) {
  switch (state) {
    case 1: return "INCOMPLETE";
    case 2: return "REACHABLE";
    case 3: return "STALE";
    case 4: return "PROBE";
    case 5: return "FAILED";
    case 6: return "PERMANENT";
    default: return "NONE";
  }
}

std::string format_neighs(const std::vector<proto::NeighRecord>& neighs, const DevArgs& filter,
                          const GlobalOptions& o) {
  const bool show_dev = filter.dev.empty();
  if (o.json) {
    JsonWriter j(o.pretty);
    j.begin_array();
    for (const auto& n : neighs) {
      j.begin_object();
      j.member("dst", fmt::ip(n.addr));
      if (show_dev) j.member("dev", ctrl::fixed_string(n.ifname));
      if (has_lladdr(n.state)) j.member("lladdr", fmt::mac(n.mac));
      j.key("state");
      j.begin_array();
      j.value(neigh_state_name(n.state));
      j.end_array();
      j.end_object();
    }
    j.end_array();
    return fmt::finish(j);
  }
  std::string out;
  for (const auto& n : neighs) {
    out += fmt::ip(n.addr) + " ";
    if (show_dev) out += "dev " + std::string(ctrl::fixed_string(n.ifname)) + " ";
    if (has_lladdr(n.state)) out += "lladdr " + fmt::mac(n.mac) + " ";
    out += std::string(neigh_state_name(n.state)) + " \n";
  }
  return out;
}

}  // namespace dplb::dpip
