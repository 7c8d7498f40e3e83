// RouteTable: keeps the AddressTable, the Rib and the Fib consistent (control path).
#include "dplb/route/route_table.h"

#include <algorithm>

namespace dplb::route {

namespace {

bool is_local_scope(RouteScope s) { return s == RouteScope::kHost || s == RouteScope::kKniHost; }

uint32_t connected_route_flags(uint8_t len) {
  return kRouteForward | kRouteProtoKernel | (len == 0 ? uint32_t(kRouteDefault) : 0u);
}

// Rib prefix ids are Fib entry ids.
static_assert(Rib::kNoPrefix == Fib::kNone && Rib::kMaxPrefixes == Fib::kMaxIds);

}  // namespace

RouteTable::RouteTable() = default;

// ---- ports

Status RouteTable::set_port(uint16_t port, uint16_t mtu) {
  bool existed = addrs_.has_port(port);
  Result<bool> changed = addrs_.set_port(port, mtu);
  if (!changed) return changed.status();
  if (!*changed) return Status::ok();
  if (existed) refresh_fib_nodes(port);  // cached single-path MTUs
  ++generation_;
  return Status::ok();
}

Status RouteTable::remove_port(uint16_t port) {
  if (!has_port(port)) return Status::error(ENODEV, "No such device");
  if (Result<size_t> r = flush_addrs(port); !r) return r.status();
  if (Result<size_t> r = flush_routes(port); !r) return r.status();
  addrs_.remove_port(port);
  ++generation_;
  return Status::ok();
}

// ---- addresses

Status RouteTable::add_addr(uint16_t port, Ip4Prefix prefix) {
  Ip4 borrowed = addrs_.borrowed_src();
  Result<bool> sources_changed = addrs_.add_addr(port, prefix);
  if (!sources_changed) return sources_changed.status();
  refresh_sources(port, *sources_changed, borrowed);
  if (prefix.len < 32) {
    Ip4 net = prefix.network();
    uint32_t id = rib_.find_prefix(net, prefix.len);
    if (id == Rib::kNoPrefix || rib_.find_route(id, 0) == kNoRoute) {
      apply(rib_.insert(net, prefix.len, 0, 0, prefix.addr, RouteScope::kLink,
                        connected_route_flags(prefix.len), {Nexthop{Ip4{}, port, 1, false}}));
    }
  }
  ++generation_;
  return Status::ok();
}

Status RouteTable::del_addr(uint16_t port, Ip4Prefix prefix) {
  Ip4 borrowed = addrs_.borrowed_src();
  Result<bool> sources_changed = addrs_.del_addr(port, prefix);
  if (!sources_changed) return sources_changed.status();
  refresh_sources(port, *sources_changed, borrowed);
  Ip4 ip = prefix.addr;
  if (prefix.len < 32) {
    // The subnet's proto-kernel route on this port stays while another address of the port covers the
    // subnet (its source moves to that address); otherwise it goes, and another port's address in the
    // same subnet may bring its own.
    Ip4 net = prefix.network();
    uint32_t prefix_id = rib_.find_prefix(net, prefix.len);
    uint32_t id = prefix_id == Rib::kNoPrefix ? kNoRoute : rib_.find_route(prefix_id, 0);
    if (id != kNoRoute) {
      const Rib::Route& r = rib_.at(id);
      const Nexthop& nh = *rib_.nexthops(r);
      if ((r.flags & kRouteProtoKernel) && r.nh_count == 1 && nh.port == port && nh.gateway.is_zero()) {
        if (std::optional<Ip4> other = addrs_.addr_in_subnet(port, net, prefix.len)) {
          if (r.src == ip) apply(rib_.replace(id, r.mtu, *other, r.scope, r.flags, rib_.nexthops_of(r)));
        } else {
          apply(rib_.erase(id));
          ensure_connected_route(net, prefix.len);
        }
      }
    }
  }
  remove_routes_with_src(ip);
  if (addrs_.addrs(port).empty()) remove_routes_of_disabled_port(port);
  ++generation_;
  return Status::ok();
}

// Linux's fib_disable_ip when a device loses its last address: every next hop on it is dead, and
// routes left with no live next hop are flushed (on-link and gateway alike). A multipath route
// keeping a next hop elsewhere stays, whole (dplb has no per-next-hop dead flag: is_dead() and the
// neighbour table skip it per packet).
void RouteTable::remove_routes_of_disabled_port(uint16_t port) {
  for (uint32_t id : rib_.routes_via_port(port)) {
    const Rib::Route& r = rib_.at(id);
    const Nexthop* nh = rib_.nexthops(r);
    if (std::all_of(nh, nh + r.nh_count, [&](const Nexthop& n) { return n.port == port; })) apply(rib_.erase(id));
  }
}

Result<size_t> RouteTable::flush_addrs(uint16_t port) {
  if (!has_port(port)) return Status::error(ENODEV, "No such device");
  size_t count = addrs_.addrs(port).size();
  while (!addrs_.addrs(port).empty()) {
    Ip4Prefix last = addrs_.addrs(port).back();
    if (Status s = del_addr(port, last); !s) return s;
  }
  return count;
}

// Cached sources follow the port's candidates; when the address ports without one borrow changed,
// every node may be on such a port.
void RouteTable::refresh_sources(uint16_t port, bool port_changed, Ip4 borrowed_before) {
  if (addrs_.borrowed_src() != borrowed_before) {
    refresh_fib_nodes(std::nullopt);
  } else if (port_changed) {
    refresh_fib_nodes(port);
  }
}

void RouteTable::ensure_connected_route(Ip4 net, uint8_t len) {
  uint32_t id = rib_.find_prefix(net, len);
  if (id != Rib::kNoPrefix && rib_.find_route(id, 0) != kNoRoute) return;
  for (size_t port = 0; port < addrs_.port_limit(); ++port) {
    std::optional<Ip4> addr = addrs_.addr_in_subnet(static_cast<uint16_t>(port), net, len);
    if (!addr) continue;
    apply(rib_.insert(net, len, 0, 0, *addr, RouteScope::kLink, connected_route_flags(len),
                      {Nexthop{Ip4{}, static_cast<uint16_t>(port), 1, false}}));
    return;
  }
}

void RouteTable::remove_routes_with_src(Ip4 src) {
  if (!rib_.names_src(src) || addrs_.port_of_addr(src)) return;
  for (uint32_t id : rib_.routes_with_src(src)) apply(rib_.erase(id));
}

// ---- routes

Status RouteTable::add_route(const RouteSpec& spec, AddMode mode) {
  if (spec.prefix.len > 32) return Status::invalid("Invalid prefix length");
  if (spec.nexthops.empty()) return Status::invalid("Nexthop device required");
  if (spec.nexthops.size() > kMaxNexthops) return Status::invalid("Too many nexthops (at most 16)");
  if (spec.mtu != 0 && spec.mtu < kMinMtu) return Status::invalid("Invalid MTU (minimum 68)");
  bool has_gateway = std::any_of(spec.nexthops.begin(), spec.nexthops.end(),
                                 [](const Nexthop& nh) { return !nh.gateway.is_zero(); });
  RouteScope scope = spec.scope.value_or(has_gateway ? RouteScope::kGlobal : RouteScope::kLink);
  if (is_local_scope(scope) && spec.prefix.len == 32) {
    if (Status s = addrs_.add_local_route(spec.prefix.network(), spec, scope, mode); !s) return s;
  } else {
    Result<RibChange> change = rib_.add(spec, scope, mode, addrs_);
    if (!change) return change.status();
    apply(*change);
  }
  ++generation_;
  return Status::ok();
}

Status RouteTable::del_route(const RouteMatch& match) {
  if (match.prefix.len > 32) return Status::invalid("Invalid prefix length");
  if (match.prefix.len == 32 && match.scope && is_local_scope(*match.scope)) {
    if (Status s = addrs_.del_local_route(match); !s) return s;
  } else {
    Result<RibChange> change = rib_.del(match);
    if (!change) return change.status();
    apply(*change);
  }
  ++generation_;
  return Status::ok();
}

Result<size_t> RouteTable::flush_routes(std::optional<uint16_t> port) {
  if (port && !has_port(*port)) return Status::error(ENODEV, "No such device");
  size_t removed = 0;
  if (!port) {
    // Everything goes: reset the tables instead of unwinding the DIR-24-8 route by route.
    removed = rib_.clear();
    fib_.clear();
  } else {
    std::vector<uint32_t> victims = rib_.routes_via_port(*port);
    for (uint32_t id : victims) apply(rib_.erase(id));
    removed = victims.size();
  }
  if (removed != 0) ++generation_;
  return removed;
}

Result<OutputResult> RouteTable::get(Ip4 daddr, Ip4 saddr, int oif, uint32_t flow_hash) const {
  OutputResult out;
  // ip_route_output_key_hash_rcu: a given source must be a usable address of ours.
  if (!saddr.is_zero()) {
    if (saddr.is_multicast() || saddr.is_limited_broadcast() || (saddr.v >> 24) == 0)
      return Status::invalid("Invalid argument");
    if (!addrs_.port_of_addr(saddr)) return Status::error(ENETUNREACH, "Network is unreachable");
  }
  // Linux's local table holds a broadcast route for each subnet address (scope link, src the
  // address), and it is looked up before the main table. Only `route get` answers it: the data
  // path never forwards to a subnet broadcast (ipv4_forward drops it).
  if (!addrs_.is_local_addr(daddr) && addrs_.is_subnet_broadcast(daddr)) {
    std::optional<AddressTable::BroadcastOwner> b =
        addrs_.broadcast_owner(daddr, oif >= 0 && oif < kAnyPort ? uint16_t(oif) : kAnyPort);
    if (b) {
      out.route = kNoRoute;
      out.port = b->port;
      out.next_hop = daddr;
      out.src = addrs_.select_src(saddr, b->addr, b->port, Ip4{});
      out.mtu = addrs_.mtu(b->port);
      out.flags = kRouteBroadcast;
      return out;
    }
  }
  // With an output interface, Linux's local route of an address on another port does not match (its
  // next hop is that port): the address is routed out of `oif` like any other.
  const AddressTable::LocalEntry* local = addrs_.find_local(daddr);
  if (local != nullptr && oif >= 0 && oif != local->port && size_t(oif) < addrs_.port_limit() &&
      addrs_.has_port(uint16_t(oif))) {
    auto never_dead = [](uint16_t, Ip4) { return false; };
    output_oif(daddr, saddr, uint16_t(oif), flow_hash, out, never_dead);
    return out;
  }
  if (!output(daddr, saddr, oif, flow_hash, out)) return Status::error(ENETUNREACH, "Network is unreachable");
  // A secondary address's local route has the subnet's primary as source in Linux. Only route get
  // shows it: output() keeps the destination itself (traffic to ourselves never leaves).
  if ((out.flags & kRouteLocal) && out.src == daddr) out.src = addrs_.subnet_primary(out.port, daddr);
  return out;
}

// ---- Rib → Fib

void RouteTable::apply(const RibChange& change) {
  switch (change.kind) {
    case RibChange::kNone:
      return;
    case RibChange::kAdded:
      fib_.add_prefix(change.prefix, change.net, change.len);
      refresh_fib_node(change.prefix);
      return;
    case RibChange::kBestChanged:
      refresh_fib_node(change.prefix);
      return;
    case RibChange::kRemoved: {
      std::optional<Dir24_8::Parent> covering;
      if (std::optional<Rib::Covering> c = rib_.covering(change.net, change.len)) {
        covering = Dir24_8::Parent{c->prefix, c->len};
      }
      fib_.remove_prefix(change.prefix, change.net, change.len, covering);
      return;
    }
  }
}

void RouteTable::refresh_fib_node(uint32_t prefix) {
  uint32_t id = rib_.best(prefix);
  const Rib::Route& r = rib_.at(id);
  const Nexthop& first = *rib_.nexthops(r);
  FibNode n;
  n.route = id;
  n.flags = r.flags;
  n.gateway = first.gateway;
  n.port = first.port;
  n.nh_count = r.nh_count;
  // A single next hop fixes the source (unless the route names one): as in Linux it depends on the
  // next hop's port and gateway only (the primary for an on-link one), never on the destination.
  n.src_known = !r.src.is_zero() || r.nh_count == 1;
  n.src = !r.src.is_zero() ? r.src : n.src_known ? addrs_.port_src(first.port, first.gateway) : Ip4{};
  n.total_weight = r.total_weight;
  n.nh_index = r.nh_index;
  n.mtu = r.mtu != 0 ? r.mtu : (r.nh_count == 1 ? addrs_.mtu(first.port) : uint16_t(0));
  fib_.set(prefix, n);
}

void RouteTable::refresh_fib_nodes(std::optional<uint16_t> port) {
  for (uint32_t prefix = 0; prefix < rib_.prefix_limit(); ++prefix) {
    if (rib_.best(prefix) != kNoRoute && (!port || fib_.node(prefix).port == *port)) refresh_fib_node(prefix);
  }
}

}  // namespace dplb::route
