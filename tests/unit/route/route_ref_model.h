// Reference model of the route tables for differential tests: plain vectors and maps, longest prefix
// then lowest metric by a linear scan. Written for obviousness, not speed; it models only what the
// differential test drives (ports and addresses are set up front, gateways are always reachable).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "dplb/route/route_types.h"

namespace dplb::route::testing {

struct RefRoute {
  Ip4Prefix prefix;  // normalized
  uint32_t metric = 0;
  uint16_t mtu = 0;
  Ip4 src;
  RouteScope scope = RouteScope::kGlobal;
  uint32_t flags = 0;
  std::vector<Nexthop> nexthops;

  RouteEntry entry() const { return RouteEntry{0, prefix, metric, mtu, src, scope, flags, nexthops}; }
};

struct RefPort {
  uint16_t mtu = 0;
  std::vector<Ip4Prefix> addrs;
};

class RefModel {
 public:
  std::map<uint16_t, RefPort> ports;
  std::map<uint32_t, LocalRoute> locals;  // by address
  std::vector<RefRoute> routes;           // unordered; lookups scan it

  void add_port(uint16_t port, uint16_t mtu) { ports[port].mtu = mtu; }

  // Only addresses in distinct subnets are modelled.
  void add_addr(uint16_t port, Ip4Prefix a) {
    ports[port].addrs.push_back(a);
    locals[a.addr.v] = LocalRoute{a.addr, port, kRouteLocalIn};
    if (a.len < 32) {
      push(RefRoute{Ip4Prefix{a.network(), a.len},
                    0,
                    0,
                    a.addr,
                    RouteScope::kLink,
                    kRouteForward | kRouteProtoKernel | (a.len == 0 ? uint32_t(kRouteDefault) : 0u),
                    {Nexthop{Ip4{}, port, 1, false}}});
    }
  }

  RefRoute* find(Ip4Prefix p, uint32_t metric) {
    auto it = by_identity_.find({p.addr.v, p.len, metric});
    return it == by_identity_.end() ? nullptr : &routes[it->second];
  }

  // Same errno as RouteTable::add_route for the cases the test generates (0 = success).
  int add(const RefRoute& route, AddMode mode) {
    RefRoute* existing = find(route.prefix, route.metric);
    if (existing == nullptr) {
      push(route);
      return 0;
    }
    if (mode == AddMode::kCreate) return EEXIST;
    if (mode == AddMode::kReplace) {
      *existing = route;
      return 0;
    }
    // Appended next hops join the existing route: a gateway needs a global (or kni_host) scope.
    bool link_only = existing->scope == RouteScope::kLink || existing->scope == RouteScope::kHost;
    for (const Nexthop& nh : route.nexthops) {
      if (link_only && !nh.gateway.is_zero()) return EINVAL;
    }
    std::vector<Nexthop> merged = existing->nexthops;
    for (const Nexthop& nh : route.nexthops) {
      for (const Nexthop& m : merged) {
        if (m.gateway == nh.gateway && m.port == nh.port) return EEXIST;
      }
      merged.push_back(nh);
    }
    if (merged.size() > kMaxNexthops) return EINVAL;
    existing->nexthops = merged;
    return 0;
  }

  // Deletes the lowest-metric route of the prefix (with that metric when given, but for 0).
  int del(Ip4Prefix p, std::optional<uint32_t> metric) {
    // Linux's fib_table_delete: metric 0 is no filter.
    const RefRoute* victim = metric && *metric != 0 ? find(p, *metric) : lowest_metric(p);
    if (victim == nullptr) return ESRCH;
    // Swap with the last and pop, keeping the identity index in step.
    size_t i = size_t(victim - routes.data());
    by_identity_.erase(identity(routes[i]));
    if (i + 1 != routes.size()) {
      routes[i] = std::move(routes.back());
      by_identity_[identity(routes[i])] = i;
    }
    routes.pop_back();
    return 0;
  }

  const RefRoute* lowest_metric(Ip4Prefix p) const {
    auto it = by_identity_.lower_bound({p.addr.v, p.len, 0});
    if (it == by_identity_.end() || std::get<0>(it->first) != p.addr.v || std::get<1>(it->first) != p.len) {
      return nullptr;
    }
    return &routes[it->second];
  }

  // The route a lookup must find: longest prefix, then lowest metric, by a linear scan.
  const RefRoute* lookup_linear(Ip4 a) const {
    const RefRoute* best = nullptr;
    for (const RefRoute& r : routes) {
      if (!r.prefix.contains(a)) continue;
      if (best == nullptr || r.prefix.len > best->prefix.len ||
          (r.prefix.len == best->prefix.len && r.metric < best->metric)) {
        best = &r;
      }
    }
    return best;
  }

  // The same answer through a per-(prefix, len) index, for checking many addresses of big tables.
  class Index {
   public:
    explicit Index(const RefModel& m) {
      for (const RefRoute& r : m.routes) {
        const RefRoute*& slot = best_[key(r.prefix.addr, r.prefix.len)];
        if (slot == nullptr || r.metric < slot->metric) slot = &r;
      }
    }
    const RefRoute* lookup(Ip4 a) const {
      for (int len = 32; len >= 0; --len) {
        auto it = best_.find(key(Ip4(a.v & prefix_mask(unsigned(len))), unsigned(len)));
        if (it != best_.end()) return it->second;
      }
      return nullptr;
    }

   private:
    static uint64_t key(Ip4 net, unsigned len) { return (uint64_t(net.v) << 8) | len; }
    std::unordered_map<uint64_t, const RefRoute*> best_;
  };

  // What output() must answer for `daddr` via `route` (nullptr: no route), without hints.
  std::optional<OutputResult> expected_output(Ip4 daddr, const RefRoute* route, uint32_t hash) const {
    auto local = locals.find(daddr.v);
    if (local != locals.end()) {
      return OutputResult{kNoRoute,
                          local->second.port,
                          daddr,
                          daddr,
                          ports.at(local->second.port).mtu,
                          kRouteLocal | local->second.flags};
    }
    if (route == nullptr) return std::nullopt;
    // Weighted hash-threshold over the next hops in order.
    uint32_t total = 0;
    for (const Nexthop& nh : route->nexthops) total += nh.weight;
    uint64_t point = (uint64_t(hash) * total) >> 32;
    const Nexthop* sel = &route->nexthops.back();
    uint64_t bound = 0;
    for (const Nexthop& nh : route->nexthops) {
      bound += nh.weight;
      if (point < bound) {
        sel = &nh;
        break;
      }
    }
    OutputResult out;
    out.route = 0;  // compared by identity, not id
    out.port = sel->port;
    out.next_hop = sel->gateway.is_zero() ? daddr : sel->gateway;
    out.mtu = route->mtu != 0 ? route->mtu : ports.at(sel->port).mtu;
    out.flags = route->flags;
    const std::vector<Ip4Prefix>& addrs = ports.at(sel->port).addrs;
    if (!route->src.is_zero()) {
      out.src = route->src;
    } else {
      // Linux's inet_select_addr(dev, gateway): an on-link next hop (gateway 0) takes the primary.
      auto in_subnet = std::find_if(addrs.begin(), addrs.end(), [&](const Ip4Prefix& a) {
        return !sel->gateway.is_zero() && a.contains(sel->gateway);
      });
      out.src = in_subnet != addrs.end() ? in_subnet->addr : addrs.empty() ? borrowed_src() : addrs.front().addr;
    }
    return out;
  }

  // A port without addresses borrows the primary of the first port (by id) that has one (Linux).
  Ip4 borrowed_src() const {
    for (const auto& [id, p] : ports)
      if (!p.addrs.empty()) return p.addrs.front().addr;
    return Ip4{};
  }

  std::vector<RouteEntry> listing() const {
    std::vector<RouteEntry> out;
    for (const RefRoute& r : routes) out.push_back(r.entry());
    std::sort(out.begin(), out.end(), [](const RouteEntry& a, const RouteEntry& b) {
      return std::tuple(-int(a.prefix.len), a.metric, a.prefix.addr) <
             std::tuple(-int(b.prefix.len), b.metric, b.prefix.addr);
    });
    return out;
  }

 private:
  using Identity = std::tuple<uint32_t, uint8_t, uint32_t>;  // network, length, metric
  static Identity identity(const RefRoute& r) { return {r.prefix.addr.v, r.prefix.len, r.metric}; }
  void push(const RefRoute& r) {
    by_identity_[identity(r)] = routes.size();
    routes.push_back(r);
  }
  std::map<Identity, size_t> by_identity_;  // index into routes, for the control operations
};

}  // namespace dplb::route::testing
