// AddressTable: ports, addresses and local routes (control path).
#include "dplb/route/address_table.h"

#include <algorithm>
#include <string>

#include "digest.h"

namespace dplb::route {

namespace {

const std::vector<Ip4Prefix> kNoAddrs;

uint64_t local_hash(Ip4 addr, const AddressTable::LocalEntry& e) {
  return DigestHasher(DigestTag::kLocal).add(addr.v).add(e.port).add(e.flags).value();
}

}  // namespace

// ---- ports

Result<bool> AddressTable::set_port(uint16_t port, uint16_t mtu) {
  if (port == kAnyPort) return Status::invalid("Invalid port id 65535");
  if (mtu < kMinMtu) return Status::invalid("Invalid MTU (minimum 68)");
  if (port >= ports_.size()) ports_.resize(size_t(port) + 1);
  PortInfo& p = ports_[port];
  if (p.present && p.mtu == mtu) return false;
  if (p.present) digest_ -= port_hash(port, p.mtu);
  p.present = true;
  p.mtu = mtu;
  digest_ += port_hash(port, p.mtu);
  return true;
}

void AddressTable::remove_port(uint16_t port) {
  std::vector<uint32_t> locals;
  local_.for_each([&](uint64_t key, const LocalEntry& e) {
    if (e.port == port) locals.push_back(uint32_t(key));
  });
  for (uint32_t a : locals) erase_local(Ip4(a));
  digest_ -= port_hash(port, ports_[port].mtu);
  ports_[port] = PortInfo{};
  std::erase_if(subnets_in_order_, [&](const SubnetAddr& s) { return s.port == port; });
}

std::optional<uint16_t> AddressTable::port_mtu(uint16_t port) const {
  if (!has_port(port)) return std::nullopt;
  return ports_[port].mtu;
}

uint64_t AddressTable::port_hash(uint16_t port, uint16_t mtu) {
  return DigestHasher(DigestTag::kPort).add(port).add(mtu).value();
}

// ---- addresses

const std::vector<Ip4Prefix>& AddressTable::addrs(uint16_t port) const {
  return has_port(port) ? ports_[port].addrs : kNoAddrs;
}

std::optional<uint16_t> AddressTable::port_of_addr(Ip4 addr) const {
  const uint16_t* port = addr_owner_.find(addr.v);
  return port ? std::optional<uint16_t>(*port) : std::nullopt;
}

std::optional<Ip4> AddressTable::addr_in_subnet(uint16_t port, Ip4 net, uint8_t len) const {
  if (!has_port(port)) return std::nullopt;
  for (const Ip4Prefix& a : ports_[port].subnets) {
    if (a.len == len && a.network() == net) return a.addr;
  }
  return std::nullopt;
}

// An address's place in the list matters where it changes behaviour: being the primary, and the order
// of the subnets (below /32) sources are looked up in. Hashing only that keeps a /32 (a VIP) cheap to
// add and delete among many.
uint64_t AddressTable::addr_hash(uint16_t port, Ip4Prefix addr) const {
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

Result<bool> AddressTable::add_addr(uint16_t port, Ip4Prefix prefix) {
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
  if (prefix.len < 32) {
    p.subnets.push_back(prefix);
    subnets_in_order_.push_back({port, prefix});
  }
  digest_ += addr_hash(port, prefix);
  addr_owner_.insert_or_assign(ip.v, port);
  set_local(ip, {kRouteLocalIn, port});
  rebuild_broadcasts();
  update_borrowed_src();
  // Sources come from the port's subnets, else its primary: a further /32 (a VIP, say) changes neither.
  return prefix.len < 32 || p.addrs.size() == 1;
}

Result<bool> AddressTable::del_addr(uint16_t port, Ip4Prefix prefix) {
  if (!has_port(port)) return Status::error(ENODEV, "No such device");
  PortInfo& p = ports_[port];
  std::vector<Ip4Prefix>& list = p.addrs;
  auto it = std::find(list.begin(), list.end(), prefix);
  if (it == list.end()) return Status::error(EADDRNOTAVAIL, "Cannot assign requested address");
  Ip4 ip = prefix.addr;
  size_t index = size_t(it - list.begin());
  if (prefix.len < 32 && !is_secondary(list, index) &&
      std::any_of(it + 1, list.end(), [&](const Ip4Prefix& a) { return same_subnet(a, prefix); })) {
    return del_primary_promoting(port, prefix);
  }
  // Addresses whose hashed place changes: the next primary, and the subnets after this one.
  std::vector<Ip4Prefix> moved;
  if (index == 0 && list.size() > 1) moved.push_back(list[1]);
  auto subnet = std::find(p.subnets.begin(), p.subnets.end(), prefix);
  if (subnet != p.subnets.end()) moved.insert(moved.end(), subnet + 1, p.subnets.end());
  digest_ -= addr_hash(port, prefix);
  for (const Ip4Prefix& a : moved) digest_ -= addr_hash(port, a);
  list.erase(it);
  if (subnet != p.subnets.end()) p.subnets.erase(subnet);
  std::erase_if(subnets_in_order_, [&](const SubnetAddr& s) { return s.port == port && s.addr == prefix; });
  for (const Ip4Prefix& a : moved) digest_ += addr_hash(port, a);
  addr_owner_.erase(ip.v);
  const LocalEntry* local = local_.find(ip.v);
  if (local != nullptr && local->port == port && local->flags == kRouteLocalIn) erase_local(ip);
  rebuild_broadcasts();
  update_borrowed_src();
  return prefix.len < 32 || index == 0;
}

// Linux's secondaries: an address whose subnet (network and length) an earlier one of the port has.
bool AddressTable::same_subnet(const Ip4Prefix& a, const Ip4Prefix& b) {
  return a.len == b.len && a.network() == b.network();
}

bool AddressTable::is_secondary(const std::vector<Ip4Prefix>& list, size_t index) {
  return std::any_of(list.begin(), list.begin() + ptrdiff_t(index),
                     [&](const Ip4Prefix& a) { return same_subnet(a, list[index]); });
}

// A primary with secondaries goes: as Linux with promote_secondaries (__inet_del_ifa), its first
// secondary becomes a primary, placed after the last remaining primary (Linux keeps primaries before
// secondaries). Rare, so the port's whole share of the digest is recomputed.
Result<bool> AddressTable::del_primary_promoting(uint16_t port, Ip4Prefix prefix) {
  PortInfo& p = ports_[port];
  for (const Ip4Prefix& a : p.addrs) digest_ -= addr_hash(port, a);
  p.addrs.erase(std::find(p.addrs.begin(), p.addrs.end(), prefix));
  auto promoted = std::find_if(p.addrs.begin(), p.addrs.end(), [&](const Ip4Prefix& a) { return same_subnet(a, prefix); });
  Ip4Prefix moving = *promoted;
  p.addrs.erase(promoted);
  size_t after = 0;
  for (size_t i = 0; i < p.addrs.size(); ++i)
    if (!is_secondary(p.addrs, i)) after = i + 1;
  p.addrs.insert(p.addrs.begin() + ptrdiff_t(after), moving);
  p.subnets.clear();
  for (const Ip4Prefix& a : p.addrs)
    if (a.len < 32) p.subnets.push_back(a);
  for (const Ip4Prefix& a : p.addrs) digest_ += addr_hash(port, a);
  std::erase_if(subnets_in_order_, [&](const SubnetAddr& s) { return s.port == port && s.addr == prefix; });
  addr_owner_.erase(prefix.addr.v);
  const LocalEntry* local = local_.find(prefix.addr.v);
  if (local != nullptr && local->port == port && local->flags == kRouteLocalIn) erase_local(prefix.addr);
  rebuild_broadcasts();
  update_borrowed_src();
  return true;
}

std::optional<AddressTable::BroadcastOwner> AddressTable::broadcast_owner(Ip4 a, uint16_t only) const {
  for (const SubnetAddr& s : subnets_in_order_) {
    if (only != kAnyPort && s.port != only) continue;
    if (s.addr.len < 31 && s.addr.broadcast() == a) return BroadcastOwner{s.port, s.addr.addr};
  }
  return std::nullopt;
}

Ip4 AddressTable::subnet_primary(uint16_t port, Ip4 addr) const {
  if (!has_port(port)) return addr;
  const std::vector<Ip4Prefix>& list = ports_[port].addrs;
  auto self = std::find_if(list.begin(), list.end(), [&](const Ip4Prefix& a) { return a.addr == addr; });
  if (self == list.end()) return addr;
  for (auto a = list.begin(); a != self; ++a)
    if (a->len == self->len && a->network() == self->network()) return a->addr;
  return addr;
}

void AddressTable::update_borrowed_src() {
  borrowed_src_ = Ip4{};
  for (const PortInfo& p : ports_) {
    if (!p.addrs.empty()) {
      borrowed_src_ = p.addrs.front().addr;
      return;
    }
  }
}

void AddressTable::rebuild_broadcasts() {
  broadcasts_.clear();
  for (const PortInfo& p : ports_)
    for (const Ip4Prefix& a : p.subnets)
      if (a.len < 31) broadcasts_.push_back(a.broadcast().v);
}

// ---- local routes

Status AddressTable::add_local_route(Ip4 addr, const RouteSpec& spec, RouteScope scope, AddMode mode) {
  const Nexthop& nh = spec.nexthops.front();
  if (spec.nexthops.size() != 1 || nh.port == kAnyPort || !nh.gateway.is_zero()) {
    return Status::invalid("Local route needs one device and no gateway");
  }
  if (!has_port(nh.port)) return Status::error(ENODEV, "No such device");
  const bool exists = local_.find(addr.v) != nullptr;
  if (!exists && mode == AddMode::kChange) return Status::error(ENOENT, "No such file or directory");
  if (exists && mode != AddMode::kReplace && mode != AddMode::kChange) return Status::error(EEXIST, "File exists");
  set_local(addr, {scope == RouteScope::kKniHost ? uint32_t(kRouteKni) : uint32_t(kRouteLocalIn), nh.port});
  return Status::ok();
}

Status AddressTable::del_local_route(const RouteMatch& match) {
  Ip4 addr = match.prefix.addr;
  const LocalEntry* l = local_.find(addr.v);
  uint32_t want = *match.scope == RouteScope::kKniHost ? kRouteKni : kRouteLocalIn;
  if (l == nullptr || !(l->flags & want) || (match.port && l->port != *match.port) ||
      (match.via && !match.via->is_zero())) {
    return Status::error(ESRCH, "No such process");
  }
  erase_local(addr);
  return Status::ok();
}

std::vector<LocalRoute> AddressTable::local_routes() const {
  std::vector<LocalRoute> out;
  out.reserve(local_.size());
  local_.for_each([&](uint64_t key, const LocalEntry& e) {
    out.push_back({Ip4(uint32_t(key)), e.port, e.flags});
  });
  std::sort(out.begin(), out.end(), [](const LocalRoute& a, const LocalRoute& b) { return a.addr < b.addr; });
  return out;
}

void AddressTable::set_local(Ip4 addr, LocalEntry e) {
  if (const LocalEntry* old = local_.find(addr.v)) digest_ -= local_hash(addr, *old);
  local_.insert_or_assign(addr.v, e);
  digest_ += local_hash(addr, e);
}

void AddressTable::erase_local(Ip4 addr) {
  if (const LocalEntry* old = local_.find(addr.v)) {
    digest_ -= local_hash(addr, *old);
    local_.erase(addr.v);
  }
}

}  // namespace dplb::route
