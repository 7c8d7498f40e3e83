// One lcore's IPv4 route tables: ports with their addresses, local routes (a hash of /32 host
// addresses) and net routes (a DIR-24-8 over prefix nodes, each listing its routes by metric).
//
// Three parts, one job each: AddressTable (ports, addresses, local routes), Rib (net routes by prefix,
// what `route show` lists) and Fib (what a packet's lookup reads). RouteTable keeps them consistent:
// an address brings its local and on-link routes, a route change goes to the Rib and then the Fib.
//
// The daemon keeps one instance per worker lcore, updated by control messages, and one on the main
// lcore as the model. The class is self-contained and deterministic: the same operation sequence gives
// the same tables and the same digest. Control operations (add/del/set/flush, listing) may allocate and
// return Status; the lookups input() and output() run per packet and neither allocate, lock nor throw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/base/status.h"
#include "dplb/route/address_table.h"
#include "dplb/route/fib.h"
#include "dplb/route/rib.h"
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
  bool has_port(uint16_t port) const { return addrs_.has_port(port); }
  std::optional<uint16_t> port_mtu(uint16_t port) const { return addrs_.port_mtu(port); }

  // ---- addresses: per port an ordered list, the first is the primary. An address (by its IP) may be
  // on one port only. Adding one also adds its LOCALIN /32 local route and (below /32) the on-link
  // "proto kernel" route of its subnet (metric 0, scope link, src = the address), unless a route of
  // that identity already exists. del_addr takes the same prefix (IP and length).
  Status add_addr(uint16_t port, Ip4Prefix prefix);
  Status del_addr(uint16_t port, Ip4Prefix prefix);
  Result<size_t> flush_addrs(uint16_t port);
  const std::vector<Ip4Prefix>& addrs(uint16_t port) const { return addrs_.addrs(port); }

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
                      IsDead&& is_dead) const {
    fib_.forward_output(in, daddr, flow_hash, out, is_dead, rib_.nexthop_pool(), addrs_);
  }
  // One of our addresses (a local route, LOCALIN or KNI): the local hash only, no FIB probe.
  bool is_local_addr(Ip4 a) const noexcept { return addrs_.is_local_addr(a); }
  // The directed broadcast address of one of our subnets (an address shorter than /31): never a
  // valid source (RFC 1812 5.3.7), not forwarded as a destination.
  bool is_subnet_broadcast(Ip4 a) const noexcept { return addrs_.is_subnet_broadcast(a); }

  // Burst pipelines, two stages ahead of input(): start loading daddr's tbl24 entry; later, once it
  // is in cache, the FIB entry it names. Both only warm the caches.
  void prefetch_input(Ip4 daddr) const noexcept { fib_.prefetch(daddr); }
  void prefetch_fib_entry(Ip4 daddr) const noexcept { fib_.prefetch_node(daddr); }
  // The data plane's tables: back the FIB with huge pages (see Dir24_8::prefer_huge_pages).
  void prefer_huge_pages() { fib_.prefer_huge_pages(); }

  // Net route lookup only (longest prefix, lowest metric): route id or kNoRoute.
  uint32_t lookup(Ip4 daddr) const noexcept { return fib_.route_of(daddr); }

  // Bumped by every change; a consumer caching a lookup result rechecks it against this.
  uint64_t generation() const { return generation_; }
  // Order-independent digest of ports, addresses, local and net routes (maintained incrementally).
  uint64_t digest() const { return addrs_.digest() + rib_.digest(); }

  // ---- control-path queries.
  // Net routes in `dpip route show` order: longest prefix first, then metric, then prefix value.
  std::vector<RouteEntry> routes() const { return rib_.routes(); }
  std::vector<LocalRoute> local_routes() const { return addrs_.local_routes(); }  // by address
  std::optional<RouteEntry> route(uint32_t id) const { return rib_.route(id); }
  // The net route of this identity (prefix normalized, metric), if any.
  std::optional<RouteEntry> find(Ip4Prefix prefix, uint32_t metric) const {
    return rib_.find(prefix, metric);
  }
  // The net route del_route(match) would remove (not for local-scope matches), if any.
  std::optional<RouteEntry> match(const RouteMatch& m) const { return rib_.match(m); }
  // `ip route get`: the output decision for an address, ENETUNREACH when there is none.
  Result<OutputResult> get(Ip4 daddr, Ip4 saddr = {}, int oif = -1, uint32_t flow_hash = 0) const;
  size_t route_count() const { return rib_.size(); }
  size_t local_count() const { return addrs_.local_count(); }

  // The three parts, read-only.
  const AddressTable& address_table() const { return addrs_; }
  const Rib& rib() const { return rib_; }
  const Fib& fib() const { return fib_; }

 private:
  // Brings the Fib in line with one Rib change.
  void apply(const RibChange& change);
  // Reinstalls a prefix's best route in the Fib (its source and MTU come from the AddressTable).
  void refresh_fib_node(uint32_t prefix);
  // All installed prefixes, or those whose first next hop is on `port`.
  void refresh_fib_nodes(std::optional<uint16_t> port);
  // After an address change on `port`: refreshes its nodes, or all when the borrowed source moved.
  void refresh_sources(uint16_t port, bool port_changed, Ip4 borrowed_before);
  // Adds the proto-kernel route of (net, len) for the first port (lowest id) having an address in
  // that subnet, unless a route of that identity (metric 0) exists.
  void ensure_connected_route(Ip4 net, uint8_t len);
  // Linux's fib_sync_down_addr: routes whose preferred source is no longer ours are removed.
  void remove_routes_with_src(Ip4 src);
  // Linux's fib_disable_ip: the port lost its last address; routes only through it are removed.
  void remove_routes_of_disabled_port(uint16_t port);
  template <typename IsDead>
  bool output_oif(Ip4 daddr, Ip4 saddr_hint, uint16_t oif, uint32_t flow_hash, OutputResult& out,
                  IsDead& is_dead) const;

  Fib fib_;
  AddressTable addrs_;
  Rib rib_;
  uint64_t generation_ = 0;
};

// ---------------------------------------------------------------------------------------------------
// Hot path.

inline InputResult RouteTable::input(Ip4 daddr, uint16_t /*in_port*/) const noexcept {
  // Weak host model: an address of any port is local; the caller compares the returned port.
  if (const AddressTable::LocalEntry* l = addrs_.find_local(daddr)) {
    return {(l->flags & kRouteKni) ? InputVerdict::kKni : InputVerdict::kLocal, l->port, kNoRoute};
  }
  return fib_.input(daddr);
}

template <typename IsDead>
bool RouteTable::output(Ip4 daddr, Ip4 saddr_hint, int oif_hint, uint32_t flow_hash, OutputResult& out,
                        IsDead&& is_dead) const {
  if (const AddressTable::LocalEntry* l = addrs_.find_local(daddr)) {
    // Looped back by the caller; like the kernel, the source defaults to the destination.
    out.route = kNoRoute;
    out.port = l->port;
    out.next_hop = daddr;
    out.src = (!saddr_hint.is_zero() && addrs_.is_our_addr(saddr_hint)) ? saddr_hint : daddr;
    out.mtu = addrs_.mtu(l->port);
    out.flags = kRouteLocal | l->flags;
    return true;
  }
  if (oif_hint >= 0) {
    if (oif_hint >= int(addrs_.port_limit()) || !addrs_.has_port(uint16_t(oif_hint))) return false;
    return output_oif(daddr, saddr_hint, uint16_t(oif_hint), flow_hash, out, is_dead);
  }
  return fib_.output(daddr, saddr_hint, flow_hash, out, is_dead, rib_.nexthop_pool(), addrs_);
}

// Slow path for a given output interface: the longest prefix, then lowest metric, route having a next
// hop on `oif`; without one the destination is assumed on-link on `oif`, as Linux does.
template <typename IsDead>
bool RouteTable::output_oif(Ip4 daddr, Ip4 saddr_hint, uint16_t oif, uint32_t flow_hash, OutputResult& out,
                            IsDead& is_dead) const {
  bool found = rib_.for_each_covering(daddr, [&](uint32_t id, const Rib::Route& r) {
    const Nexthop* nh = rib_.nexthops(r);
    bool has_oif = false;
    for (unsigned i = 0; i < r.nh_count; ++i) has_oif |= nh[i].port == oif;
    if (!has_oif) return false;
    unsigned chosen = Fib::pick_nexthop(nh, r.nh_count, r.total_weight, flow_hash, daddr, oif, is_dead);
    const Nexthop& sel = nh[chosen];
    out.route = id;
    out.flags = r.flags;
    out.port = oif;
    out.next_hop = Fib::nexthop_addr(sel, daddr);
    out.mtu = r.mtu != 0 ? r.mtu : addrs_.mtu(oif);
    out.src = addrs_.select_src(saddr_hint, r.src, oif, sel.gateway);
    return true;
  });
  if (found) return true;
  out.route = kNoRoute;
  out.flags = 0;
  out.port = oif;
  out.next_hop = daddr;
  out.mtu = addrs_.mtu(oif);
  out.src = addrs_.select_src(saddr_hint, Ip4{}, oif, Ip4{});  // Linux: inet_select_addr(dev, 0, link)
  return true;
}

}  // namespace dplb::route
