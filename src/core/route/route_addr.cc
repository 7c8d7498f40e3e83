// RouteTable: ports and addresses, with the local and on-link routes an address brings (control path).
#include <algorithm>
#include <string>

#include "digest.h"
#include "dplb/route/route_table.h"

namespace dplb::route {

namespace {

const std::vector<Ip4Prefix> kNoAddrs;

bool same_subnet(const Ip4Prefix& a, Ip4 net, uint8_t len) { return a.len == len && a.network() == net; }

}  // namespace

// ---- ports

Status RouteTable::set_port(uint16_t port, uint16_t mtu) {
  if (port == kAnyPort) return Status::invalid("Invalid port id 65535");
  if (mtu < kMinMtu) return Status::invalid("Invalid MTU (minimum 68)");
  if (port >= ports_.size()) ports_.resize(size_t(port) + 1);
  PortInfo& p = ports_[port];
  if (p.present && p.mtu == mtu) return Status::ok();
  bool existed = p.present;
  if (existed) digest_ -= port_hash(port, p.mtu);
  p.present = true;
  p.mtu = mtu;
  digest_ += port_hash(port, p.mtu);
  if (existed) refresh_nodes(port);
  ++generation_;
  return Status::ok();
}

Status RouteTable::remove_port(uint16_t port) {
  if (!has_port(port)) return Status::error(ENODEV, "No such device");
  if (Result<size_t> r = flush_addrs(port); !r) return r.status();
  if (Result<size_t> r = flush_routes(port); !r) return r.status();
  std::vector<uint32_t> locals;
  local_.for_each([&](uint64_t key, const LocalEntry& e) {
    if (e.port == port) locals.push_back(uint32_t(key));
  });
  for (uint32_t a : locals) erase_local(Ip4(a));
  digest_ -= port_hash(port, ports_[port].mtu);
  ports_[port] = PortInfo{};
  ++generation_;
  return Status::ok();
}

std::optional<uint16_t> RouteTable::port_mtu(uint16_t port) const {
  if (!has_port(port)) return std::nullopt;
  return ports_[port].mtu;
}

const std::vector<Ip4Prefix>& RouteTable::addrs(uint16_t port) const {
  return has_port(port) ? ports_[port].addrs : kNoAddrs;
}

uint64_t RouteTable::port_hash(uint16_t port, uint16_t mtu) {
  return DigestHasher(DigestTag::kPort).add(port).add(mtu).value();
}

// An address's place in the list matters where it changes behaviour: being the primary, and the order
// of the subnets (below /32) sources are looked up in. Hashing only that keeps a /32 (a VIP) cheap to
// add and delete among many.
uint64_t RouteTable::addr_hash(uint16_t port, Ip4Prefix addr) const {
  const PortInfo& p = ports_[port];
  bool primary = !p.addrs.empty() && p.addrs.front() == addr;
  uint64_t rank = ~uint64_t(0);
  if (addr.len < 32) rank = uint64_t(std::find(p.subnets.begin(), p.subnets.end(), addr) - p.subnets.begin());
  return DigestHasher(DigestTag::kAddr)
      .add(port)
      .add(addr.addr.v)
      .add(addr.len)
      .add(primary)
      .add(rank)
      .value();
}

// ---- addresses

std::optional<uint16_t> RouteTable::port_of_addr(Ip4 addr) const {
  const uint16_t* port = addr_owner_.find(addr.v);
  return port ? std::optional<uint16_t>(*port) : std::nullopt;
}

Status RouteTable::add_addr(uint16_t port, Ip4Prefix prefix) {
  if (!has_port(port)) return Status::error(ENODEV, "No such device");
  if (prefix.len > 32) return Status::invalid("Invalid prefix length");
  Ip4 ip = prefix.addr;
  if (ip.is_zero() || ip.is_multicast() || ip.is_limited_broadcast() || ip.is_loopback()) {
    return Status::invalid("Invalid address " + to_string(ip));
  }
  if (std::optional<uint16_t> owner = port_of_addr(ip)) {
    if (*owner == port) return Status::error(EEXIST, "File exists");
    return Status::error(EEXIST, to_string(ip) + " is already assigned to port " + std::to_string(*owner));
  }
  PortInfo& p = ports_[port];
  p.addrs.push_back(prefix);
  if (prefix.len < 32) p.subnets.push_back(prefix);
  digest_ += addr_hash(port, prefix);
  addr_owner_.insert_or_assign(ip.v, port);
  // Cached sources come from the port's subnets, else its primary: a further /32 (a VIP, say)
  // changes neither.
  if (prefix.len < 32 || p.addrs.size() == 1) refresh_nodes(port);
  set_local(ip, {kRouteLocalIn, port});
  if (prefix.len < 32) {
    Ip4 net = prefix.network();
    uint32_t node = find_node(net, prefix.len);
    if (node == Dir24_8::kNone || find_route(node, 0) == kNoRoute) {
      uint32_t flags = kRouteForward | kRouteProtoKernel | (prefix.len == 0 ? uint32_t(kRouteDefault) : 0u);
      insert_route(net, prefix.len, 0, 0, ip, RouteScope::kLink, flags, {Nexthop{Ip4{}, port, 1, false}});
    }
  }
  rebuild_broadcasts();
  ++generation_;
  return Status::ok();
}

void RouteTable::rebuild_broadcasts() {
  broadcasts_.clear();
  for (const PortInfo& p : ports_)
    for (const Ip4Prefix& a : p.subnets)
      if (a.len < 31) broadcasts_.push_back(a.broadcast().v);
}

Status RouteTable::del_addr(uint16_t port, Ip4Prefix prefix) {
  if (!has_port(port)) return Status::error(ENODEV, "No such device");
  PortInfo& p = ports_[port];
  std::vector<Ip4Prefix>& list = p.addrs;
  auto it = std::find(list.begin(), list.end(), prefix);
  if (it == list.end()) return Status::error(EADDRNOTAVAIL, "Cannot assign requested address");
  Ip4 ip = prefix.addr;
  size_t index = size_t(it - list.begin());
  // Addresses whose hashed place changes: the next primary, and the subnets after this one.
  std::vector<Ip4Prefix> moved;
  if (index == 0 && list.size() > 1) moved.push_back(list[1]);
  auto subnet = std::find(p.subnets.begin(), p.subnets.end(), prefix);
  if (subnet != p.subnets.end()) moved.insert(moved.end(), subnet + 1, p.subnets.end());
  digest_ -= addr_hash(port, prefix);
  for (const Ip4Prefix& a : moved) digest_ -= addr_hash(port, a);
  list.erase(it);
  if (subnet != p.subnets.end()) p.subnets.erase(subnet);
  for (const Ip4Prefix& a : moved) digest_ += addr_hash(port, a);
  addr_owner_.erase(ip.v);
  if (prefix.len < 32 || index == 0) refresh_nodes(port);

  const LocalEntry* local = local_.find(ip.v);
  if (local != nullptr && local->port == port && local->flags == kRouteLocalIn) erase_local(ip);

  if (prefix.len < 32) {
    // The subnet's proto-kernel route on this port stays while another address of the port covers the
    // subnet (its source moves to that address); otherwise it goes, and another port's address in the
    // same subnet may bring its own.
    Ip4 net = prefix.network();
    uint32_t node = find_node(net, prefix.len);
    uint32_t id = node == Dir24_8::kNone ? kNoRoute : find_route(node, 0);
    if (id != kNoRoute) {
      const RouteRec& r = routes_[id];
      const Nexthop& nh = nh_pool_[r.nh_index];
      if ((r.flags & kRouteProtoKernel) && r.nh_count == 1 && nh.port == port && nh.gateway.is_zero()) {
        auto other = std::find_if(p.subnets.begin(), p.subnets.end(),
                                  [&](const Ip4Prefix& a) { return same_subnet(a, net, prefix.len); });
        if (other != p.subnets.end()) {
          if (r.src == ip) update_route(id, r.mtu, other->addr, r.scope, r.flags, nexthops_of(r));
        } else {
          erase_route(id);
          ensure_connected_route(net, prefix.len);
        }
      }
    }
  }
  remove_routes_with_src(ip);
  rebuild_broadcasts();
  ++generation_;
  return Status::ok();
}

Result<size_t> RouteTable::flush_addrs(uint16_t port) {
  if (!has_port(port)) return Status::error(ENODEV, "No such device");
  size_t count = ports_[port].addrs.size();
  while (!ports_[port].addrs.empty()) {
    Ip4Prefix last = ports_[port].addrs.back();
    if (Status s = del_addr(port, last); !s) return s;
  }
  return count;
}

// Adds the proto-kernel route of (net, len) for the first port (lowest id) having an address in that
// subnet, unless a route of that identity (metric 0) exists.
void RouteTable::ensure_connected_route(Ip4 net, uint8_t len) {
  uint32_t node = find_node(net, len);
  if (node != Dir24_8::kNone && find_route(node, 0) != kNoRoute) return;
  for (size_t port = 0; port < ports_.size(); ++port) {
    for (const Ip4Prefix& a : ports_[port].subnets) {
      if (!same_subnet(a, net, len)) continue;
      uint32_t flags = kRouteForward | kRouteProtoKernel | (len == 0 ? uint32_t(kRouteDefault) : 0u);
      insert_route(net, len, 0, 0, a.addr, RouteScope::kLink, flags,
                   {Nexthop{Ip4{}, static_cast<uint16_t>(port), 1, false}});
      return;
    }
  }
}

// Linux's fib_sync_down_addr: routes whose preferred source is no longer ours are removed.
void RouteTable::remove_routes_with_src(Ip4 src) {
  if (src_refs_.find(src.v) == nullptr || port_of_addr(src)) return;
  std::vector<uint32_t> victims;
  for (uint32_t id = 0; id < routes_.size(); ++id) {
    if (routes_[id].nh_count != 0 && routes_[id].src == src) victims.push_back(id);
  }
  for (uint32_t id : victims) erase_route(id);
}

}  // namespace dplb::route
