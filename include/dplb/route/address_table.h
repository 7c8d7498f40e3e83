// Interface addresses of one lcore's route tables: ports with their MTU, per-port address lists (the
// first is the primary), the local /32 routes (LOCALIN or KNI) and the subnet broadcasts, with the
// source-selection helpers the lookups use.
//
// It knows nothing of net routes: RouteTable adds the on-link route an address brings and refreshes
// the FIB's cached sources when add_addr/del_addr say the port's source candidates changed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/base/status.h"
#include "dplb/route/flat_map.h"
#include "dplb/route/route_types.h"

namespace dplb::route {

class AddressTable {
 public:
  struct LocalEntry {
    uint32_t flags = 0;  // kRouteLocalIn or kRouteKni
    uint16_t port = 0;
  };

  // ---- ports: ids with their MTU (68..65535); port id 0xffff is reserved.
  // True when the port is new or its MTU changed (false: already so).
  Result<bool> set_port(uint16_t port, uint16_t mtu);
  // Forgets the port and its local routes; its addresses must have been deleted first.
  void remove_port(uint16_t port);
  bool has_port(uint16_t port) const { return port < ports_.size() && ports_[port].present; }
  std::optional<uint16_t> port_mtu(uint16_t port) const;
  // The MTU of a known port (hot path: no check).
  uint16_t mtu(uint16_t port) const noexcept { return ports_[port].mtu; }
  // One past the highest port id ever set: bound for loops over ports.
  size_t port_limit() const { return ports_.size(); }

  // ---- addresses. add_addr also adds the address's LOCALIN local route; del_addr removes it (when
  // it is still this port's LOCALIN route). Both return true when the port's source candidates (its
  // primary or its subnets) changed, so sources cached from them must be recomputed.
  Result<bool> add_addr(uint16_t port, Ip4Prefix prefix);
  Result<bool> del_addr(uint16_t port, Ip4Prefix prefix);
  const std::vector<Ip4Prefix>& addrs(uint16_t port) const;
  std::optional<uint16_t> port_of_addr(Ip4 addr) const;
  // The first address of `port` (in list order) whose subnet is exactly (net, len).
  std::optional<Ip4> addr_in_subnet(uint16_t port, Ip4 net, uint8_t len) const;

  // ---- local routes: a hash of /32 addresses.
  // A user route of scope host (LOCALIN) or kni_host (KNI) on a /32.
  Status add_local_route(Ip4 addr, const RouteSpec& spec, RouteScope scope, AddMode mode);
  Status del_local_route(const RouteMatch& match);
  const LocalEntry* find_local(Ip4 a) const noexcept { return local_.find(a.v); }
  // One of our addresses (a local route, LOCALIN or KNI).
  bool is_local_addr(Ip4 a) const noexcept { return local_.find(a.v) != nullptr; }
  // One of our addresses that may be a source (LOCALIN).
  bool is_our_addr(Ip4 a) const noexcept {
    const LocalEntry* l = local_.find(a.v);
    return l != nullptr && (l->flags & kRouteLocalIn);
  }
  std::vector<LocalRoute> local_routes() const;  // by address
  size_t local_count() const { return local_.size(); }

  // The directed broadcast address of one of our subnets (an address shorter than /31): never a
  // valid source (RFC 1812 5.3.7), not forwarded as a destination.
  bool is_subnet_broadcast(Ip4 a) const noexcept {
    if ((a.v & 3u) != 3u) return false;  // every broadcast of a /30 or shorter ends in two 1 bits
    for (uint32_t b : broadcasts_)
      if (b == a.v) return true;
    return false;
  }

  // The port and address whose subnet's broadcast is `a`: where Linux's local table puts that
  // broadcast route (control path: route get, gateway checks). Only `port` when it is not kAnyPort;
  // among several, the address added first (Linux appends the later ones' routes behind it).
  struct BroadcastOwner {
    uint16_t port;
    Ip4 addr;
  };
  std::optional<BroadcastOwner> broadcast_owner(Ip4 a, uint16_t port = kAnyPort) const;
  // The primary of `addr`'s subnet on `port`: the first address there with the same prefix length
  // and network (Linux makes the later ones secondaries, and their local routes take the primary as
  // source). `addr` itself when it is the primary or not an address of the port (control path).
  Ip4 subnet_primary(uint16_t port, Ip4 addr) const;

  // ---- source selection (hot path).
  // The hint when it is ours, else the route's source, else port_src() for the next hop's gateway.
  Ip4 select_src(Ip4 hint, Ip4 route_src, uint16_t port, Ip4 gateway) const noexcept {
    if (!hint.is_zero() && is_our_addr(hint)) return hint;
    if (!route_src.is_zero()) return route_src;
    return port_src(port, gateway);
  }
  // Linux's inet_select_addr(dev, gateway): the port's first address whose subnet holds the
  // gateway, else its primary address, else 0. An on-link next hop passes gateway 0 and so gets the
  // primary, whatever the destination: Linux computes the source once per next hop (nhc_saddr), not
  // per destination, so an on-link route to 172.16.77.0/24 leaves from the primary even when another
  // address of the port is in 172.16.0.0/16.
  Ip4 port_src(uint16_t port, Ip4 gateway) const noexcept {
    const PortInfo& p = ports_[port];
    if (!gateway.is_zero()) {
      for (const Ip4Prefix& a : p.subnets) {
        if (a.contains(gateway)) return a.addr;
      }
    }
    return p.addrs.empty() ? borrowed_src_ : p.addrs.front().addr;
  }
  // What a port without addresses borrows (Linux's inet_select_addr, no_in_dev): the primary of the
  // first port, by id, that has one; 0 when no port has an address.
  Ip4 borrowed_src() const noexcept { return borrowed_src_; }

  // Its share of RouteTable's digest: one hash per port, address and local route.
  uint64_t digest() const { return digest_; }

 private:
  struct PortInfo {
    bool present = false;
    uint16_t mtu = 0;
    std::vector<Ip4Prefix> addrs;    // in order, the first is the primary
    std::vector<Ip4Prefix> subnets;  // those below /32, in order: where sources are looked up
  };

  void set_local(Ip4 addr, LocalEntry e);
  void erase_local(Ip4 addr);
  void rebuild_broadcasts();
  void update_borrowed_src();
  static bool same_subnet(const Ip4Prefix& a, const Ip4Prefix& b);
  static bool is_secondary(const std::vector<Ip4Prefix>& list, size_t index);
  Result<bool> del_primary_promoting(uint16_t port, Ip4Prefix prefix);
  static uint64_t port_hash(uint16_t port, uint16_t mtu);
  uint64_t addr_hash(uint16_t port, Ip4Prefix addr) const;

  FlatMap64<LocalEntry, 3> local_;  // address → local route; sparse: most lookups miss
  FlatMap64<uint16_t> addr_owner_;  // address → the port it is assigned to
  std::vector<PortInfo> ports_;
  std::vector<uint32_t> broadcasts_;  // subnet broadcasts of every port's addresses below /31
  Ip4 borrowed_src_;                  // see borrowed_src()
  struct SubnetAddr {
    uint16_t port;
    Ip4Prefix addr;
  };
  std::vector<SubnetAddr> subnets_in_order_;  // every port's addresses below /32, in order added
  uint64_t digest_ = 0;
};

}  // namespace dplb::route
