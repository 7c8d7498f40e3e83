// One lcore's IPv4 route tables: ports with their addresses, local routes (a hash of /32 host
// addresses) and net routes (a DIR-24-8 over prefix nodes, each listing its routes by metric).
//
// The daemon keeps one instance per worker lcore, updated by control messages, and one on the main
// lcore as the model. The class is self-contained and deterministic: the same operation sequence gives
// the same tables and the same digest. Control operations (add/del/set/flush, listing) may allocate and
// return Status; the lookups input() and output() run per packet and neither allocate, lock nor throw.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/base/status.h"
#include "dplb/route/dir24_8.h"
#include "dplb/route/flat_map.h"
#include "dplb/route/route_types.h"

namespace dplb::route {

class RouteTable {
 public:
  RouteTable();
  RouteTable(RouteTable&&) noexcept = default;
  RouteTable& operator=(RouteTable&&) noexcept = default;
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;

  // ---- ports: ids the tables know, with their MTU (68..65535); port id 0xffff is reserved.
  Status set_port(uint16_t port, uint16_t mtu);
  // Also removes the port's addresses, its local routes and every net route with a next hop on it.
  Status remove_port(uint16_t port);
  bool has_port(uint16_t port) const { return port < ports_.size() && ports_[port].present; }
  std::optional<uint16_t> port_mtu(uint16_t port) const;

  // ---- addresses: per port an ordered list, the first is the primary. An address (by its IP) may be
  // on one port only. Adding one also adds its LOCALIN /32 local route and (below /32) the on-link
  // "proto kernel" route of its subnet (metric 0, scope link, src = the address), unless a route of
  // that identity already exists. del_addr takes the same prefix (IP and length).
  Status add_addr(uint16_t port, Ip4Prefix prefix);
  Status del_addr(uint16_t port, Ip4Prefix prefix);
  Result<size_t> flush_addrs(uint16_t port);
  const std::vector<Ip4Prefix>& addrs(uint16_t port) const;

  // ---- routes. A /32 with scope host or kni_host is a local route (LOCALIN or KNI); anything else
  // is a net route of identity (prefix, len, metric).
  Status add_route(const RouteSpec& spec, AddMode mode = AddMode::kCreate);
  Status del_route(const RouteMatch& match);
  // Removes net routes (only those with a next hop on `port`, when given) and returns how many.
  Result<size_t> flush_routes(std::optional<uint16_t> port = std::nullopt);

  // ---- data plane lookups.
  InputResult input(Ip4 daddr, uint16_t in_port) const noexcept;

  // Chooses route, next hop, source and MTU for a packet to `daddr`; false when there is no route.
  // `is_dead(port, next_hop)` lets the caller skip unusable next hops of a multipath route.
  template <typename IsDead>
  bool output(Ip4 daddr, Ip4 saddr_hint, int oif_hint, uint32_t flow_hash, OutputResult& out,
              IsDead&& is_dead) const;
  bool output(Ip4 daddr, Ip4 saddr_hint, int oif_hint, uint32_t flow_hash, OutputResult& out) const {
    return output(daddr, saddr_hint, oif_hint, flow_hash, out, [](uint16_t, Ip4) { return false; });
  }

  // Egress of a packet being forwarded, from the FIB entry input() found for it (kForward or kKni)
  // in the same packet's processing: no second lookup, no source selection (the packet has one).
  // flow_hash() is called only for a multipath route.
  template <typename FlowHash, typename IsDead>
  void forward_output(const InputResult& in, Ip4 daddr, FlowHash&& flow_hash, OutputResult& out,
                      IsDead&& is_dead) const;
  // One of our addresses (a local route, LOCALIN or KNI): the local hash only, no FIB probe.
  bool is_local_addr(Ip4 a) const noexcept { return local_.find(a.v) != nullptr; }
  // The directed broadcast address of one of our subnets (an address shorter than /31): never a
  // valid source (RFC 1812 5.3.7), not forwarded as a destination.
  bool is_subnet_broadcast(Ip4 a) const noexcept {
    if ((a.v & 3u) != 3u) return false;  // every broadcast of a /30 or shorter ends in two 1 bits
    for (uint32_t b : broadcasts_)
      if (b == a.v) return true;
    return false;
  }

  // Burst pipelines, two stages ahead of input(): start loading daddr's tbl24 entry; later, once it
  // is in cache, the FIB entry it names. Both only warm the caches.
  void prefetch_input(Ip4 daddr) const noexcept { fib_.prefetch(daddr); }
  void prefetch_fib_entry(Ip4 daddr) const noexcept {
    uint32_t node = fib_.lookup(daddr);
    if (node != Dir24_8::kNone) __builtin_prefetch(&nodes_[node]);
  }
  // The data plane's tables: back the FIB with huge pages (see Dir24_8::prefer_huge_pages).
  void prefer_huge_pages() { fib_.prefer_huge_pages(); }

  // Net route lookup only (longest prefix, lowest metric): route id or kNoRoute.
  uint32_t lookup(Ip4 daddr) const noexcept {
    uint32_t node = fib_.lookup(daddr);
    return node == Dir24_8::kNone ? kNoRoute : nodes_[node].route;
  }

  // Bumped by every change; a consumer caching a lookup result rechecks it against this.
  uint64_t generation() const { return generation_; }
  // Order-independent digest of ports, addresses, local and net routes (maintained incrementally).
  uint64_t digest() const { return digest_; }

  // ---- control-path queries.
  // Net routes in `dpip route show` order: longest prefix first, then metric, then prefix value.
  std::vector<RouteEntry> routes() const;
  std::vector<LocalRoute> local_routes() const;  // by address
  std::optional<RouteEntry> route(uint32_t id) const;
  // The net route of this identity (prefix normalized, metric), if any.
  std::optional<RouteEntry> find(Ip4Prefix prefix, uint32_t metric) const;
  // The net route del_route(match) would remove (not for local-scope matches), if any.
  std::optional<RouteEntry> match(const RouteMatch& m) const;
  // `ip route get`: the output decision for an address, ENETUNREACH when there is none.
  Result<OutputResult> get(Ip4 daddr, Ip4 saddr = {}, int oif = -1, uint32_t flow_hash = 0) const;
  size_t route_count() const { return route_count_; }
  size_t local_count() const { return local_.size(); }

 private:
  // Hot data of the best (lowest-metric) route of one prefix: a lookup reads this one line.
  struct alignas(32) FibNode {
    uint32_t route = kNoRoute;
    uint32_t flags = 0;
    Ip4 gateway;        // first next hop
    Ip4 src;            // source when src_known: the route's, or chosen for its single gateway
    uint16_t port = 0;  // first next hop
    uint16_t mtu = 0;   // route MTU, else the port's when single-path; 0 = read the chosen port's
    uint16_t total_weight = 0;
    uint8_t nh_count = 0;
    bool src_known = false;  // else the source depends on the destination or the chosen next hop
    uint32_t nh_index = 0;   // into nh_pool_
  };
  struct NodeInfo {
    Ip4 net;
    uint8_t len = 0;
    uint32_t head = kNoRoute;  // routes of this prefix by ascending metric, linked by RouteRec::next
  };
  struct RouteRec {
    Ip4 net;
    uint8_t len = 0;
    RouteScope scope = RouteScope::kGlobal;
    uint8_t nh_count = 0;  // 0 = free slot
    uint32_t metric = 0;
    Ip4 src;
    uint16_t mtu = 0;
    uint16_t total_weight = 0;
    uint32_t flags = 0;
    uint32_t nh_index = 0;
    uint32_t node = 0;
    uint32_t next = kNoRoute;
  };
  struct LocalEntry {
    uint32_t flags = 0;
    uint16_t port = 0;
  };
  struct PortInfo {
    bool present = false;
    uint16_t mtu = 0;
    std::vector<Ip4Prefix> addrs;    // in order, the first is the primary
    std::vector<Ip4Prefix> subnets;  // those below /32, in order: where sources are looked up
  };

  static constexpr uint64_t prefix_key(Ip4 net, unsigned len) { return (uint64_t(net.v) << 8) | len; }
  static Ip4 nexthop_addr(const Nexthop& nh, Ip4 daddr) { return nh.gateway.is_zero() ? daddr : nh.gateway; }

  // hot-path helpers
  bool is_our_addr(Ip4 a) const noexcept {
    const LocalEntry* l = local_.find(a.v);
    return l != nullptr && (l->flags & kRouteLocalIn);
  }
  Ip4 select_src(Ip4 hint, Ip4 route_src, uint16_t port, Ip4 next_hop) const noexcept;
  // The port's address whose subnet holds next_hop, else its primary address, else 0.
  Ip4 port_src(uint16_t port, Ip4 next_hop) const noexcept;
  template <typename IsDead>
  static unsigned pick_nexthop(const Nexthop* nh, unsigned count, uint32_t total_weight, uint32_t hash,
                               Ip4 daddr, int only_port, IsDead& is_dead);
  // Route, flags, port, next hop and MTU from a FIB entry (multipath: flow_hash() picks).
  template <typename FlowHash, typename IsDead>
  void egress_from_node(const FibNode& n, Ip4 daddr, FlowHash& flow_hash, OutputResult& out,
                        IsDead& is_dead) const;
  template <typename IsDead>
  bool output_oif(Ip4 daddr, Ip4 saddr_hint, uint16_t oif, uint32_t flow_hash, OutputResult& out,
                  IsDead& is_dead) const;
  // Node of exactly (net, len), or Dir24_8::kNone.
  uint32_t find_node(Ip4 net, unsigned len) const noexcept {
    const uint32_t* n = prefix_nodes_.find(prefix_key(net, len));
    return n ? *n : Dir24_8::kNone;
  }

  // control-path helpers (route_table.cc)
  Status validate_nexthops(const RouteSpec& spec, RouteScope scope, std::vector<Nexthop>& out) const;
  Status add_local_route(Ip4 addr, const RouteSpec& spec, RouteScope scope, AddMode mode);
  Status del_local_route(const RouteMatch& match);
  uint32_t match_route(const RouteMatch& match) const;
  uint32_t find_route(uint32_t node, uint32_t metric) const;
  std::optional<uint16_t> onlink_port_for(Ip4 gateway, uint16_t port) const;
  uint32_t insert_route(Ip4 net, uint8_t len, uint32_t metric, uint16_t mtu, Ip4 src, RouteScope scope,
                        uint32_t flags, const std::vector<Nexthop>& nexthops);
  void update_route(uint32_t id, uint16_t mtu, Ip4 src, RouteScope scope, uint32_t flags,
                    const std::vector<Nexthop>& nexthops);
  void erase_route(uint32_t id);
  void refresh_node(uint32_t node);
  void refresh_nodes(std::optional<uint16_t> port);  // all nodes, or those whose first next hop is on port
  std::optional<Dir24_8::Parent> parent_of(Ip4 net, unsigned len) const;
  uint32_t alloc_nexthops(const std::vector<Nexthop>& nexthops);
  void free_nexthops(uint32_t index, unsigned count);
  std::vector<Nexthop> nexthops_of(const RouteRec& r) const;
  void src_ref(Ip4 src, int delta);
  uint64_t route_hash(const RouteRec& r) const;
  void set_local(Ip4 addr, LocalEntry e);
  void rebuild_broadcasts();
  void erase_local(Ip4 addr);
  // address helpers (route_addr.cc)
  std::optional<uint16_t> port_of_addr(Ip4 addr) const;
  void ensure_connected_route(Ip4 net, uint8_t len);
  void remove_routes_with_src(Ip4 src);
  static uint64_t port_hash(uint16_t port, uint16_t mtu);
  uint64_t addr_hash(uint16_t port, Ip4Prefix addr) const;

  Dir24_8 fib_;
  std::vector<FibNode> nodes_;
  std::vector<NodeInfo> node_info_;
  std::vector<uint32_t> free_nodes_;
  std::vector<RouteRec> routes_;
  std::vector<uint32_t> free_routes_;
  std::vector<Nexthop> nh_pool_;
  std::array<std::vector<uint32_t>, kMaxNexthops + 1> free_nh_;  // freed nh_pool_ runs by length
  FlatMap64<uint32_t> prefix_nodes_;                             // prefix_key → node
  FlatMap64<LocalEntry, 3> local_;  // address → local route; sparse: most lookups miss
  FlatMap64<uint32_t> src_refs_;    // preferred source → number of net routes naming it
  FlatMap64<uint16_t> addr_owner_;  // address → the port it is assigned to
  std::vector<PortInfo> ports_;
  std::vector<uint32_t> broadcasts_;  // subnet broadcasts of every port's addresses below /31
  std::array<uint32_t, 33> nodes_per_len_{};
  uint64_t len_mask_ = 0;  // bit l set when some prefix of length l exists
  size_t route_count_ = 0;
  uint64_t generation_ = 0;
  uint64_t digest_ = 0;
};

// ---------------------------------------------------------------------------------------------------
// Hot path.

inline InputResult RouteTable::input(Ip4 daddr, uint16_t /*in_port*/) const noexcept {
  // Weak host model: an address of any port is local; the caller compares the returned port.
  if (const LocalEntry* l = local_.find(daddr.v)) {
    return {(l->flags & kRouteKni) ? InputVerdict::kKni : InputVerdict::kLocal, l->port, kNoRoute};
  }
  uint32_t node = fib_.lookup(daddr);
  if (node == Dir24_8::kNone) return {};
  const FibNode& n = nodes_[node];
  return {(n.flags & kRouteKni) ? InputVerdict::kKni : InputVerdict::kForward, n.port, n.route, node};
}

template <typename FlowHash, typename IsDead>
void RouteTable::forward_output(const InputResult& in, Ip4 daddr, FlowHash&& flow_hash, OutputResult& out,
                                IsDead&& is_dead) const {
  egress_from_node(nodes_[in.fib_node], daddr, flow_hash, out, is_dead);
  out.src = Ip4{};
}

template <typename FlowHash, typename IsDead>
void RouteTable::egress_from_node(const FibNode& n, Ip4 daddr, FlowHash& flow_hash, OutputResult& out,
                                  IsDead& is_dead) const {
  out.route = n.route;
  out.flags = n.flags;
  if (n.nh_count == 1) {
    out.port = n.port;
    out.next_hop = n.gateway.is_zero() ? daddr : n.gateway;
    out.mtu = n.mtu;
  } else {
    const Nexthop* nh = &nh_pool_[n.nh_index];
    const Nexthop& sel = nh[pick_nexthop(nh, n.nh_count, n.total_weight, flow_hash(), daddr, -1, is_dead)];
    out.port = sel.port;
    out.next_hop = nexthop_addr(sel, daddr);
    out.mtu = n.mtu != 0 ? n.mtu : ports_[sel.port].mtu;
  }
}

inline Ip4 RouteTable::select_src(Ip4 hint, Ip4 route_src, uint16_t port, Ip4 next_hop) const noexcept {
  if (!hint.is_zero() && is_our_addr(hint)) return hint;
  if (!route_src.is_zero()) return route_src;
  return port_src(port, next_hop);
}

inline Ip4 RouteTable::port_src(uint16_t port, Ip4 next_hop) const noexcept {
  const PortInfo& p = ports_[port];
  for (const Ip4Prefix& a : p.subnets) {
    if (a.contains(next_hop)) return a.addr;
  }
  return p.addrs.empty() ? Ip4{} : p.addrs.front().addr;
}

// Hash-threshold selection (RFC 2992, Linux's fib_select_multipath): the hash picks a point in the
// total weight; a dead next hop passes its share to the next live one, so other flows do not move.
template <typename IsDead>
unsigned RouteTable::pick_nexthop(const Nexthop* nh, unsigned count, uint32_t total_weight, uint32_t hash,
                                  Ip4 daddr, int only_port, IsDead& is_dead) {
  auto eligible = [&](unsigned i) { return only_port < 0 || nh[i].port == only_port; };
  if (only_port >= 0) {
    total_weight = 0;
    for (unsigned i = 0; i < count; ++i) total_weight += eligible(i) ? nh[i].weight : 0;
  }
  uint32_t point = uint32_t((uint64_t(hash) * total_weight) >> 32);
  unsigned chosen = 0;
  uint32_t bound = 0;
  for (unsigned i = 0; i < count; ++i) {
    if (!eligible(i)) continue;
    bound += nh[i].weight;
    if (point < bound) {
      chosen = i;
      break;
    }
  }
  for (unsigned k = 0; k < count; ++k) {
    unsigned i = chosen + k < count ? chosen + k : chosen + k - count;
    if (eligible(i) && !is_dead(nh[i].port, nexthop_addr(nh[i], daddr))) return i;
  }
  return chosen;
}

template <typename IsDead>
bool RouteTable::output(Ip4 daddr, Ip4 saddr_hint, int oif_hint, uint32_t flow_hash, OutputResult& out,
                        IsDead&& is_dead) const {
  if (const LocalEntry* l = local_.find(daddr.v)) {
    // Looped back by the caller; like the kernel, the source defaults to the destination.
    out.route = kNoRoute;
    out.port = l->port;
    out.next_hop = daddr;
    out.src = (!saddr_hint.is_zero() && is_our_addr(saddr_hint)) ? saddr_hint : daddr;
    out.mtu = ports_[l->port].mtu;
    out.flags = kRouteLocal | l->flags;
    return true;
  }
  if (oif_hint >= 0) {
    if (oif_hint >= int(ports_.size()) || !ports_[size_t(oif_hint)].present) return false;
    return output_oif(daddr, saddr_hint, uint16_t(oif_hint), flow_hash, out, is_dead);
  }
  uint32_t node = fib_.lookup(daddr);
  if (node == Dir24_8::kNone) return false;
  const FibNode& n = nodes_[node];
  auto given_hash = [flow_hash] { return flow_hash; };
  egress_from_node(n, daddr, given_hash, out, is_dead);
  if (!saddr_hint.is_zero() && is_our_addr(saddr_hint)) {
    out.src = saddr_hint;
  } else {
    out.src = n.src_known ? n.src : port_src(out.port, out.next_hop);
  }
  return true;
}

// Slow path for a given output interface: the longest prefix, then lowest metric, route having a next
// hop on `oif`; without one the destination is assumed on-link on `oif`, as Linux does.
template <typename IsDead>
bool RouteTable::output_oif(Ip4 daddr, Ip4 saddr_hint, uint16_t oif, uint32_t flow_hash, OutputResult& out,
                            IsDead& is_dead) const {
  for (uint64_t lens = len_mask_; lens != 0;) {
    unsigned len = 63 - unsigned(__builtin_clzll(lens));
    lens &= ~(uint64_t(1) << len);
    uint32_t node = find_node(Ip4(daddr.v & prefix_mask(len)), len);
    if (node == Dir24_8::kNone) continue;
    for (uint32_t id = node_info_[node].head; id != kNoRoute; id = routes_[id].next) {
      const RouteRec& r = routes_[id];
      const Nexthop* nh = &nh_pool_[r.nh_index];
      bool has_oif = false;
      for (unsigned i = 0; i < r.nh_count; ++i) has_oif |= nh[i].port == oif;
      if (!has_oif) continue;
      const Nexthop& sel = nh[pick_nexthop(nh, r.nh_count, r.total_weight, flow_hash, daddr, oif, is_dead)];
      out.route = id;
      out.flags = r.flags;
      out.port = oif;
      out.next_hop = nexthop_addr(sel, daddr);
      out.mtu = r.mtu != 0 ? r.mtu : ports_[oif].mtu;
      out.src = select_src(saddr_hint, r.src, oif, out.next_hop);
      return true;
    }
  }
  out.route = kNoRoute;
  out.flags = 0;
  out.port = oif;
  out.next_hop = daddr;
  out.mtu = ports_[oif].mtu;
  out.src = select_src(saddr_hint, Ip4{}, oif, daddr);
  return true;
}

}  // namespace dplb::route
