// RouteTable: listing and `route get` (control path).
#include <algorithm>
#include <tuple>

#include "dplb/route/route_table.h"

namespace dplb::route {

std::optional<RouteEntry> RouteTable::route(uint32_t id) const {
  if (id >= routes_.size() || routes_[id].nh_count == 0) return std::nullopt;
  const RouteRec& r = routes_[id];
  return RouteEntry{id, Ip4Prefix{r.net, r.len}, r.metric, r.mtu, r.src, r.scope, r.flags, nexthops_of(r)};
}

std::optional<RouteEntry> RouteTable::find(Ip4Prefix prefix, uint32_t metric) const {
  uint32_t node = find_node(prefix.network(), prefix.len);
  if (node == Dir24_8::kNone) return std::nullopt;
  uint32_t id = find_route(node, metric);
  return id == kNoRoute ? std::nullopt : route(id);
}

std::optional<RouteEntry> RouteTable::match(const RouteMatch& m) const {
  uint32_t id = match_route(m);
  return id == kNoRoute ? std::nullopt : route(id);
}

std::vector<RouteEntry> RouteTable::routes() const {
  std::vector<RouteEntry> out;
  out.reserve(route_count_);
  for (uint32_t id = 0; id < routes_.size(); ++id) {
    if (std::optional<RouteEntry> e = route(id)) out.push_back(std::move(*e));
  }
  std::sort(out.begin(), out.end(), [](const RouteEntry& a, const RouteEntry& b) {
    return std::tuple(-int(a.prefix.len), a.metric, a.prefix.addr) <
           std::tuple(-int(b.prefix.len), b.metric, b.prefix.addr);
  });
  return out;
}

std::vector<LocalRoute> RouteTable::local_routes() const {
  std::vector<LocalRoute> out;
  out.reserve(local_.size());
  local_.for_each([&](uint64_t key, const LocalEntry& e) {
    out.push_back({Ip4(uint32_t(key)), e.port, e.flags});
  });
  std::sort(out.begin(), out.end(), [](const LocalRoute& a, const LocalRoute& b) { return a.addr < b.addr; });
  return out;
}

Result<OutputResult> RouteTable::get(Ip4 daddr, Ip4 saddr, int oif, uint32_t flow_hash) const {
  OutputResult out;
  if (!output(daddr, saddr, oif, flow_hash, out)) return Status::error(ENETUNREACH, "Network is unreachable");
  return out;
}

}  // namespace dplb::route
