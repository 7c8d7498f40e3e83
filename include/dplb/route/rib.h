// Routing information base of one lcore: the net routes by prefix, each prefix listing its routes by
// ascending metric, with their attributes and next hops (what `dpip route show` lists). It owns the
// add/del/replace/append/flush/match semantics of net routes; the FIB is derived from it.
//
// Like rte_rib under DPDK's fib, it is the control plane's view: every change returns a RibChange
// telling which prefix's best route the FIB must reinstall, and prefix ids double as FIB entry ids.
// It reads the AddressTable only to validate (ports, local gateways, preferred sources).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/base/status.h"
#include "dplb/route/address_table.h"
#include "dplb/route/flat_map.h"
#include "dplb/route/route_types.h"

namespace dplb::route {

// What a RIB change means for the FIB (at most one prefix changes per call).
struct RibChange {
  enum Kind : uint8_t {
    kNone,         // the prefix's best route is unchanged
    kAdded,        // the prefix is new: install it, then its best route
    kBestChanged,  // reinstall the prefix's best route
    kRemoved,      // the prefix's last route went: uninstall it
  };
  Kind kind = kNone;
  uint32_t prefix = 0;  // prefix id
  Ip4 net;
  uint8_t len = 0;
};

class Rib {
 public:
  static constexpr uint32_t kNoPrefix = 0xffffffffu;
  static constexpr uint32_t kMaxPrefixes = 1u << 24;  // prefix ids are 0..kMaxPrefixes-1

  // A route as stored: nh_count 0 marks a free slot.
  struct Route {
    Ip4 net;
    uint8_t len = 0;
    RouteScope scope = RouteScope::kGlobal;
    uint8_t nh_count = 0;
    uint32_t metric = 0;
    Ip4 src;
    uint16_t mtu = 0;
    uint16_t total_weight = 0;
    uint32_t flags = 0;
    uint32_t nh_index = 0;     // into the next-hop pool
    uint32_t prefix = 0;       // its prefix id
    uint32_t next = kNoRoute;  // next route of the prefix, by ascending metric
  };
  // The longest prefix strictly covering another.
  struct Covering {
    uint32_t prefix;
    uint8_t len;
  };

  // ---- user operations (validated against `ifs`). `scope` is the spec's, defaulted by the caller.
  Result<RibChange> add(const RouteSpec& spec, RouteScope scope, AddMode mode, const AddressTable& ifs);
  // Removes the route match() names; ESRCH when there is none.
  Result<RibChange> del(const RouteMatch& match);
  // Removes every route; returns how many.
  size_t clear();
  // Routes with a next hop on `port`, whose preferred source is `src`: the victims of flushes.
  std::vector<uint32_t> routes_via_port(uint16_t port) const;
  std::vector<uint32_t> routes_with_src(Ip4 src) const;

  // ---- raw changes (no validation): derived routes and the coordinator's flushes.
  RibChange insert(Ip4 net, uint8_t len, uint32_t metric, uint16_t mtu, Ip4 src, RouteScope scope,
                   uint32_t flags, const std::vector<Nexthop>& nexthops);
  RibChange replace(uint32_t id, uint16_t mtu, Ip4 src, RouteScope scope, uint32_t flags,
                    const std::vector<Nexthop>& nexthops);
  RibChange erase(uint32_t id);

  // ---- queries.
  // Prefix id of exactly (net, len), or kNoPrefix.
  uint32_t find_prefix(Ip4 net, unsigned len) const noexcept {
    const uint32_t* n = prefix_ids_.find(prefix_key(net, len));
    return n ? *n : kNoPrefix;
  }
  // The prefix's best (lowest-metric) route, kNoRoute for a free prefix id.
  uint32_t best(uint32_t prefix) const noexcept { return prefixes_[prefix].head; }
  // One past the highest prefix id in use: bound for loops over prefixes.
  size_t prefix_limit() const { return prefixes_.size(); }
  // The route of this metric on the prefix, or kNoRoute.
  uint32_t find_route(uint32_t prefix, uint32_t metric) const;
  // The lowest-metric route of exactly the match's prefix passing every given filter, or kNoRoute.
  uint32_t match_route(const RouteMatch& match) const;
  const Route& at(uint32_t id) const noexcept { return routes_[id]; }
  const Nexthop* nexthops(const Route& r) const noexcept { return &nh_pool_[r.nh_index]; }
  std::vector<Nexthop> nexthops_of(const Route& r) const;
  // The pool FIB entries index into (FibNode::nh_index).
  const Nexthop* nexthop_pool() const noexcept { return nh_pool_.data(); }
  std::optional<Covering> covering(Ip4 net, unsigned len) const;
  // The port of the most specific on-link route (non-KNI) covering `gateway` whose scope is
  // narrower than `scope` (the new route's) and at least link, restricted to `port` unless it is
  // kAnyPort.
  std::optional<uint16_t> onlink_port_for(Ip4 gateway, uint16_t port, RouteScope scope) const;
  bool names_src(Ip4 src) const { return src_refs_.find(src.v) != nullptr; }
  // Calls f(id, route) for the routes of every prefix covering `addr`, longest prefix first, then
  // by metric, until f returns true; returns whether one did.
  template <typename F>
  bool for_each_covering(Ip4 addr, F&& f) const;
  size_t size() const { return route_count_; }

  // ---- listing.
  std::optional<RouteEntry> route(uint32_t id) const;
  std::optional<RouteEntry> find(Ip4Prefix prefix, uint32_t metric) const;
  std::optional<RouteEntry> match(const RouteMatch& m) const;
  // `dpip route show` order: longest prefix first, then metric, then prefix value.
  std::vector<RouteEntry> routes() const;

  // Its share of RouteTable's digest: one hash per route.
  uint64_t digest() const { return digest_; }

 private:
  struct PrefixInfo {
    Ip4 net;
    uint8_t len = 0;
    uint32_t head = kNoRoute;  // routes of this prefix by ascending metric, linked by Route::next
  };

  static constexpr uint64_t prefix_key(Ip4 net, unsigned len) { return (uint64_t(net.v) << 8) | len; }
  Status validate_nexthops(const RouteSpec& spec, RouteScope scope, const AddressTable& ifs,
                           std::vector<Nexthop>& out) const;
  bool full() const { return free_prefixes_.empty() && prefixes_.size() >= kMaxPrefixes; }
  uint32_t alloc_nexthops(const std::vector<Nexthop>& nexthops);
  void free_nexthops(uint32_t index, unsigned count);
  void src_ref(Ip4 src, int delta);
  uint64_t route_hash(const Route& r) const;

  std::vector<PrefixInfo> prefixes_;
  std::vector<uint32_t> free_prefixes_;
  std::vector<Route> routes_;
  std::vector<uint32_t> free_routes_;
  std::vector<Nexthop> nh_pool_;
  std::array<std::vector<uint32_t>, kMaxNexthops + 1> free_nh_;  // freed nh_pool_ runs by length
  FlatMap64<uint32_t> prefix_ids_;                               // prefix_key → prefix id
  FlatMap64<uint32_t> src_refs_;  // preferred source → number of routes naming it
  std::array<uint32_t, 33> prefixes_per_len_{};
  uint64_t len_mask_ = 0;  // bit l set when some prefix of length l exists
  size_t route_count_ = 0;
  uint64_t digest_ = 0;
};

template <typename F>
bool Rib::for_each_covering(Ip4 addr, F&& f) const {
  for (uint64_t lens = len_mask_; lens != 0;) {
    unsigned len = 63 - unsigned(__builtin_clzll(lens));
    lens &= ~(uint64_t(1) << len);
    uint32_t prefix = find_prefix(Ip4(addr.v & prefix_mask(len)), len);
    if (prefix == kNoPrefix) continue;
    for (uint32_t id = prefixes_[prefix].head; id != kNoRoute; id = routes_[id].next) {
      if (f(id, routes_[id])) return true;
    }
  }
  return false;
}

}  // namespace dplb::route
