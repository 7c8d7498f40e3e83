// Forwarding table of one lcore: what the worker reads per packet. A DIR-24-8 maps an address to the
// id of its longest installed prefix, and each prefix id has one FibNode, the hot data of its best
// route. Like DPDK's fib beside rte_rib, it is derived from the Rib (prefix ids are the Rib's) and
// written only by RouteTable; the lookups neither allocate, lock nor throw.
//
// Multipath next hops and the ports' MTUs and sources are not copied here: the lookups read them from
// the Rib's next-hop pool and the AddressTable, passed in by the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/route/address_table.h"
#include "dplb/route/dir24_8.h"
#include "dplb/route/route_types.h"

namespace dplb::route {

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
  uint32_t nh_index = 0;   // into the Rib's next-hop pool
};

class Fib {
 public:
  static constexpr uint32_t kNone = Dir24_8::kNone;
  static constexpr uint32_t kMaxIds = Dir24_8::kMaxIds;

  // ---- updates (control path), by prefix id.
  // Installs (net, len) as `id`; set() gives it its best route.
  void add_prefix(uint32_t id, Ip4 net, uint8_t len);
  // Uninstalls (net, len); its addresses fall back to `covering` (the longest prefix covering it).
  void remove_prefix(uint32_t id, Ip4 net, uint8_t len, std::optional<Dir24_8::Parent> covering);
  void set(uint32_t id, const FibNode& node) { nodes_[id] = node; }
  void clear();
  const FibNode& node(uint32_t id) const noexcept { return nodes_[id]; }
  // One past the highest id installed: bound for loops over nodes.
  size_t size() const { return nodes_.size(); }
  // Backs the DIR-24-8 with huge pages (see Dir24_8::prefer_huge_pages).
  void prefer_huge_pages() { dir_.prefer_huge_pages(); }

  // ---- lookups (per packet).
  // Id of the longest installed prefix covering daddr, or kNone.
  uint32_t lookup(Ip4 daddr) const noexcept { return dir_.lookup(daddr); }
  // The best route id for daddr, or kNoRoute.
  uint32_t route_of(Ip4 daddr) const noexcept {
    uint32_t id = dir_.lookup(daddr);
    return id == kNone ? kNoRoute : nodes_[id].route;
  }
  // Input verdict from the net routes alone: kForward, kKni or kNoRoute.
  InputResult input(Ip4 daddr) const noexcept {
    uint32_t id = dir_.lookup(daddr);
    if (id == kNone) return {};
    const FibNode& n = nodes_[id];
    return {(n.flags & kRouteKni) ? InputVerdict::kKni : InputVerdict::kForward, n.port, n.route, id};
  }
  // Route, next hop, MTU and source for a packet to daddr; false when no prefix covers it.
  template <typename IsDead>
  bool output(Ip4 daddr, Ip4 saddr_hint, uint32_t flow_hash, OutputResult& out, IsDead& is_dead,
              const Nexthop* pool, const AddressTable& ifs) const;
  // Egress of a packet being forwarded, from the entry input() found: no lookup, no source.
  template <typename FlowHash, typename IsDead>
  void forward_output(const InputResult& in, Ip4 daddr, FlowHash& flow_hash, OutputResult& out,
                      IsDead& is_dead, const Nexthop* pool, const AddressTable& ifs) const {
    egress(nodes_[in.fib_node], daddr, flow_hash, out, is_dead, pool, ifs);
    out.src = Ip4{};
  }
  // Route, flags, port, next hop and MTU from an entry (multipath: flow_hash() picks).
  template <typename FlowHash, typename IsDead>
  void egress(const FibNode& n, Ip4 daddr, FlowHash& flow_hash, OutputResult& out, IsDead& is_dead,
              const Nexthop* pool, const AddressTable& ifs) const;

  // Burst pipelines, two stages ahead of a lookup: start loading daddr's tbl24 entry; later, once it
  // is in cache, the entry it names. Both only warm the caches.
  void prefetch(Ip4 daddr) const noexcept { dir_.prefetch(daddr); }
  void prefetch_node(Ip4 daddr) const noexcept {
    uint32_t id = dir_.lookup(daddr);
    if (id != kNone) __builtin_prefetch(&nodes_[id]);
  }

  // Hash-threshold selection among `count` next hops (only those on `only_port` when >= 0).
  template <typename IsDead>
  static unsigned pick_nexthop(const Nexthop* nh, unsigned count, uint32_t total_weight, uint32_t hash,
                               Ip4 daddr, int only_port, IsDead& is_dead);
  static Ip4 nexthop_addr(const Nexthop& nh, Ip4 daddr) { return nh.gateway.is_zero() ? daddr : nh.gateway; }

 private:
  Dir24_8 dir_;
  std::vector<FibNode> nodes_;
};

// ---------------------------------------------------------------------------------------------------
// Hot path.

template <typename FlowHash, typename IsDead>
void Fib::egress(const FibNode& n, Ip4 daddr, FlowHash& flow_hash, OutputResult& out, IsDead& is_dead,
                 const Nexthop* pool, const AddressTable& ifs) const {
  out.route = n.route;
  out.flags = n.flags;
  if (n.nh_count == 1) {
    out.port = n.port;
    out.next_hop = n.gateway.is_zero() ? daddr : n.gateway;
    out.mtu = n.mtu;
  } else {
    const Nexthop* nh = &pool[n.nh_index];
    const Nexthop& sel = nh[pick_nexthop(nh, n.nh_count, n.total_weight, flow_hash(), daddr, -1, is_dead)];
    out.port = sel.port;
    out.next_hop = nexthop_addr(sel, daddr);
    out.mtu = n.mtu != 0 ? n.mtu : ifs.mtu(sel.port);
  }
}

template <typename IsDead>
bool Fib::output(Ip4 daddr, Ip4 saddr_hint, uint32_t flow_hash, OutputResult& out, IsDead& is_dead,
                 const Nexthop* pool, const AddressTable& ifs) const {
  uint32_t id = dir_.lookup(daddr);
  if (id == kNone) return false;
  const FibNode& n = nodes_[id];
  auto given_hash = [flow_hash] { return flow_hash; };
  egress(n, daddr, given_hash, out, is_dead, pool, ifs);
  if (!saddr_hint.is_zero() && ifs.is_our_addr(saddr_hint)) {
    out.src = saddr_hint;
  } else {
    // Only multipath routes without a src get here: the chosen next hop's gateway (0 when on-link)
    // picks the source.
    out.src = n.src_known ? n.src : ifs.port_src(out.port, out.next_hop == daddr ? Ip4{} : out.next_hop);
  }
  return true;
}

// Hash-threshold selection (RFC 2992, Linux's fib_select_multipath): the hash picks a point in the
// total weight; a dead next hop passes its share to the next live one, so other flows do not move.
template <typename IsDead>
unsigned Fib::pick_nexthop(const Nexthop* nh, unsigned count, uint32_t total_weight, uint32_t hash, Ip4 daddr,
                           int only_port, IsDead& is_dead) {
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

}  // namespace dplb::route
