#include "control/route_msg.h"

#include <algorithm>

namespace dplb::dp {

RouteMsg to_route_msg(const route::RouteEntry& e) {
  RouteMsg m{};
  m.net = e.prefix.network().v;
  m.len = e.prefix.len;
  m.scope = static_cast<uint8_t>(e.scope);
  m.metric = e.metric;
  m.src = e.src.v;
  m.mtu = e.mtu;
  m.n_nexthops = static_cast<uint8_t>(std::min<size_t>(e.nexthops.size(), 16));
  for (unsigned i = 0; i < m.n_nexthops; ++i) {
    m.nh[i].gateway = e.nexthops[i].gateway.v;
    m.nh[i].port = e.nexthops[i].port;
    m.nh[i].weight = e.nexthops[i].weight;
    m.nh[i].onlink = e.nexthops[i].onlink;
  }
  return m;
}

RouteMsg to_route_msg(const route::LocalRoute& l) {
  RouteMsg m{};
  m.net = l.addr.v;
  m.len = 32;
  m.scope = static_cast<uint8_t>((l.flags & route::kRouteKni) ? route::RouteScope::kKniHost : route::RouteScope::kHost);
  m.n_nexthops = 1;
  m.nh[0].port = l.port;
  m.nh[0].weight = 1;
  return m;
}

RouteMsg connected_route_identity(const Ip4Prefix& addr) {
  RouteMsg m{};
  m.net = addr.network().v;
  m.len = addr.len;
  m.scope = static_cast<uint8_t>(route::RouteScope::kLink);
  return m;
}

bool has_connected_route(const route::RouteTable& rt, const Ip4Prefix& addr) {
  // Linear in the table, but only run by a replay (rare, off the packet path).
  for (const route::RouteEntry& e : rt.routes())
    if (e.prefix.network() == addr.network() && e.prefix.len == addr.len && e.metric == 0) return true;
  return false;
}

std::vector<RouteMsg> replay_routes(const route::RouteTable& rt) {
  std::vector<RouteMsg> out;
  for (const route::LocalRoute& l : rt.local_routes()) {
    bool from_address = false;
    if (rt.has_port(l.port))
      for (const Ip4Prefix& a : rt.addrs(l.port)) from_address |= (a.addr == l.addr);
    if (!from_address) out.push_back(to_route_msg(l));
  }
  std::vector<RouteMsg> gateway_routes;
  for (const route::RouteEntry& e : rt.routes()) {
    if (e.flags & route::kRouteProtoKernel) continue;  // re-derived by the addresses
    bool any_gateway = std::any_of(e.nexthops.begin(), e.nexthops.end(),
                                   [](const route::Nexthop& nh) { return !nh.gateway.is_zero(); });
    (any_gateway ? gateway_routes : out).push_back(to_route_msg(e));
  }
  out.insert(out.end(), gateway_routes.begin(), gateway_routes.end());
  return out;
}

}  // namespace dplb::dp
