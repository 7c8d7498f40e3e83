// Rib: net route semantics and storage (control path).
#include "dplb/route/rib.h"

#include <algorithm>
#include <tuple>

#include "digest.h"

namespace dplb::route {

namespace {

bool same_nexthop(const Nexthop& a, const Nexthop& b) { return a.gateway == b.gateway && a.port == b.port; }

}  // namespace

// ---- user operations

Result<RibChange> Rib::add(const RouteSpec& spec, RouteScope scope, AddMode mode, const AddressTable& ifs) {
  if (!spec.src.is_zero() && !ifs.is_our_addr(spec.src)) return Status::invalid("Invalid prefsrc address");
  Ip4 net = spec.prefix.network();
  uint8_t len = spec.prefix.len;
  uint32_t prefix = find_prefix(net, len);
  uint32_t existing = prefix == kNoPrefix ? kNoRoute : find_route(prefix, spec.metric);
  // Appended next hops join a route of the existing scope: they must be valid for it.
  RouteScope nh_scope = (mode == AddMode::kAppend && existing != kNoRoute) ? routes_[existing].scope : scope;
  std::vector<Nexthop> nexthops;
  if (Status s = validate_nexthops(spec, nh_scope, ifs, nexthops); !s) return s;
  uint32_t flags = scope == RouteScope::kKniHost ? kRouteKni : kRouteForward;
  if (len == 0) flags |= kRouteDefault;

  if (existing == kNoRoute) {
    if (mode == AddMode::kChange) return Status::error(ENOENT, "No such file or directory");
    if (prefix == kNoPrefix && full()) return Status::error(ENOSPC, "Route table full");
    return insert(net, len, spec.metric, spec.mtu, spec.src, scope, flags, nexthops);
  }
  if (mode == AddMode::kCreate) return Status::error(EEXIST, "File exists");
  if (mode == AddMode::kReplace || mode == AddMode::kChange) return replace(existing, spec.mtu, spec.src, scope, flags, nexthops);
  // Append: the route keeps its attributes and gains the next hops.
  const Route& r = routes_[existing];
  std::vector<Nexthop> merged = nexthops_of(r);
  for (const Nexthop& nh : nexthops) {
    if (std::any_of(merged.begin(), merged.end(), [&](const Nexthop& m) { return same_nexthop(m, nh); })) {
      return Status::error(EEXIST, "File exists");
    }
    merged.push_back(nh);
  }
  if (merged.size() > kMaxNexthops) return Status::invalid("Too many nexthops (at most 16)");
  return replace(existing, r.mtu, r.src, r.scope, r.flags, merged);
}

Status Rib::validate_nexthops(const RouteSpec& spec, RouteScope scope, const AddressTable& ifs,
                              std::vector<Nexthop>& out) const {
  out.clear();
  for (const Nexthop& nh : spec.nexthops) {
    if (nh.weight == 0 || nh.weight > kMaxWeight) return Status::invalid("Invalid nexthop weight (1..256)");
    if (nh.port != kAnyPort && !ifs.has_port(nh.port)) return Status::error(ENODEV, "No such device");
    Nexthop r = nh;
    if (nh.gateway.is_zero()) {
      if (nh.port == kAnyPort) return Status::invalid("Nexthop device required");
      r.onlink = false;  // meaningless without a gateway: normalized so equal routes compare equal
    } else {
      if (scope == RouteScope::kLink || scope == RouteScope::kHost) {
        return Status::invalid("Nexthop has invalid scope");
      }
      Ip4 gw = nh.gateway;
      // A subnet broadcast is a broadcast route in Linux's local table: not a unicast next hop, when
      // that route is on the next hop's port (or no port is given: the local table is looked at first).
      bool broadcast = ifs.is_subnet_broadcast(gw) && ifs.broadcast_owner(gw, nh.port).has_value();
      if (gw.is_multicast() || gw.is_limited_broadcast() || gw.is_loopback() || (gw.v >> 24) == 0 ||
          ifs.is_local_addr(gw) || broadcast) {
        return Status::invalid("Nexthop has invalid gateway");
      }
      if (nh.onlink) {
        if (nh.port == kAnyPort) return Status::invalid("Nexthop device required for onlink");
      } else {
        // A kni_host route is dplb's: its gateway resolves as a global route's would.
        RouteScope lookup = scope == RouteScope::kKniHost ? RouteScope::kGlobal : scope;
        std::optional<uint16_t> port = onlink_port_for(gw, nh.port, lookup);
        if (!port) return Status::error(ENETUNREACH, "Nexthop has invalid gateway");
        r.port = *port;
      }
    }
    if (std::any_of(out.begin(), out.end(), [&](const Nexthop& o) { return same_nexthop(o, r); })) {
      return Status::invalid("Duplicate nexthop");
    }
    out.push_back(r);
  }
  return Status::ok();
}

// Linux's fib_check_nh_v4_gw: a lookup of the gateway at the route's scope + 1, raised to link
// scope, so only routes of scope link or host count, for global and site routes alike. A route of a
// wider scope without a gateway (`45.60.0.0/16 dev dpdk0 scope global`, or `scope site`) does not
// make its addresses reachable next hops; the search goes on to shorter prefixes.
std::optional<uint16_t> Rib::onlink_port_for(Ip4 gateway, uint16_t port, RouteScope scope) const {
  const unsigned min_scope = std::max(unsigned(scope) + 1, unsigned(RouteScope::kLink));
  std::optional<uint16_t> found;
  for_each_covering(gateway, [&](uint32_t, const Route& r) {
    if (r.flags & kRouteKni) return false;
    if (unsigned(r.scope) < min_scope) return false;
    for (unsigned i = 0; i < r.nh_count; ++i) {
      const Nexthop& nh = nh_pool_[r.nh_index + i];
      if (nh.gateway.is_zero() && (port == kAnyPort || nh.port == port)) {
        found = nh.port;
        return true;
      }
    }
    return false;
  });
  return found;
}

Result<RibChange> Rib::del(const RouteMatch& match) {
  uint32_t id = match_route(match);
  if (id == kNoRoute) return Status::error(ESRCH, "No such process");
  return erase(id);
}

uint32_t Rib::match_route(const RouteMatch& match) const {
  if (match.prefix.len > 32) return kNoRoute;
  uint32_t prefix = find_prefix(match.prefix.network(), match.prefix.len);
  if (prefix == kNoPrefix) return kNoRoute;
  for (uint32_t id = prefixes_[prefix].head; id != kNoRoute; id = routes_[id].next) {
    const Route& r = routes_[id];
    // Metric 0 matches any (the routes are walked lowest metric first, so a metric-0 route still wins).
    if (match.metric && *match.metric != 0 && r.metric != *match.metric) continue;
    if (match.scope && r.scope != *match.scope) continue;
    if (match.src && r.src != *match.src) continue;
    if (match.mtu && r.mtu != *match.mtu) continue;
    const Nexthop* nh = &nh_pool_[r.nh_index];
    const Nexthop* end = nh + r.nh_count;
    if (match.port && std::none_of(nh, end, [&](const Nexthop& n) { return n.port == *match.port; }))
      continue;
    if (match.via && std::none_of(nh, end, [&](const Nexthop& n) { return n.gateway == *match.via; }))
      continue;
    return id;
  }
  return kNoRoute;
}

size_t Rib::clear() {
  size_t removed = route_count_;
  for (const Route& r : routes_) {
    if (r.nh_count != 0) digest_ -= route_hash(r);
  }
  prefixes_.clear();
  free_prefixes_.clear();
  routes_.clear();
  free_routes_.clear();
  nh_pool_.clear();
  for (auto& f : free_nh_) f.clear();
  prefix_ids_.clear();
  src_refs_.clear();
  prefixes_per_len_.fill(0);
  len_mask_ = 0;
  route_count_ = 0;
  return removed;
}

std::vector<uint32_t> Rib::routes_via_port(uint16_t port) const {
  std::vector<uint32_t> ids;
  for (uint32_t id = 0; id < routes_.size(); ++id) {
    const Route& r = routes_[id];
    const Nexthop* nh = &nh_pool_[r.nh_index];
    auto on_port = [&](const Nexthop& n) { return n.port == port; };
    if (r.nh_count != 0 && std::any_of(nh, nh + r.nh_count, on_port)) ids.push_back(id);
  }
  return ids;
}

std::vector<uint32_t> Rib::routes_with_src(Ip4 src) const {
  std::vector<uint32_t> ids;
  for (uint32_t id = 0; id < routes_.size(); ++id) {
    if (routes_[id].nh_count != 0 && routes_[id].src == src) ids.push_back(id);
  }
  return ids;
}

// ---- storage

uint32_t Rib::find_route(uint32_t prefix, uint32_t metric) const {
  for (uint32_t id = prefixes_[prefix].head; id != kNoRoute; id = routes_[id].next) {
    if (routes_[id].metric == metric) return id;
    if (routes_[id].metric > metric) break;
  }
  return kNoRoute;
}

RibChange Rib::insert(Ip4 net, uint8_t len, uint32_t metric, uint16_t mtu, Ip4 src, RouteScope scope,
                      uint32_t flags, const std::vector<Nexthop>& nexthops) {
  RibChange change{RibChange::kNone, find_prefix(net, len), net, len};
  if (change.prefix == kNoPrefix) {
    change.kind = RibChange::kAdded;
    if (!free_prefixes_.empty()) {
      change.prefix = free_prefixes_.back();
      free_prefixes_.pop_back();
    } else {
      change.prefix = static_cast<uint32_t>(prefixes_.size());
      prefixes_.emplace_back();
    }
    prefixes_[change.prefix] = PrefixInfo{net, len, kNoRoute};
    prefix_ids_.insert_or_assign(prefix_key(net, len), change.prefix);
    if (prefixes_per_len_[len]++ == 0) len_mask_ |= uint64_t(1) << len;
  }
  uint32_t id;
  if (!free_routes_.empty()) {
    id = free_routes_.back();
    free_routes_.pop_back();
  } else {
    id = static_cast<uint32_t>(routes_.size());
    routes_.emplace_back();
  }
  uint32_t nh_index = alloc_nexthops(nexthops);
  Route& r = routes_[id];
  r = Route{};
  r.net = net;
  r.len = len;
  r.scope = scope;
  r.nh_count = static_cast<uint8_t>(nexthops.size());
  r.metric = metric;
  r.src = src;
  r.mtu = mtu;
  r.flags = flags;
  r.nh_index = nh_index;
  r.prefix = change.prefix;
  for (const Nexthop& nh : nexthops) r.total_weight = uint16_t(r.total_weight + nh.weight);
  // Identity is (prefix, len, metric), so metrics within a prefix are distinct: keep them ascending.
  uint32_t* link = &prefixes_[change.prefix].head;
  while (*link != kNoRoute && routes_[*link].metric < metric) link = &routes_[*link].next;
  r.next = *link;
  *link = id;
  if (change.kind == RibChange::kNone && prefixes_[change.prefix].head == id) {
    change.kind = RibChange::kBestChanged;
  }
  ++route_count_;
  src_ref(src, +1);
  digest_ += route_hash(r);
  return change;
}

RibChange Rib::replace(uint32_t id, uint16_t mtu, Ip4 src, RouteScope scope, uint32_t flags,
                       const std::vector<Nexthop>& nexthops) {
  Route& r = routes_[id];
  digest_ -= route_hash(r);
  src_ref(r.src, -1);
  free_nexthops(r.nh_index, r.nh_count);
  r.nh_index = alloc_nexthops(nexthops);
  r.nh_count = static_cast<uint8_t>(nexthops.size());
  r.total_weight = 0;
  for (const Nexthop& nh : nexthops) r.total_weight = uint16_t(r.total_weight + nh.weight);
  r.mtu = mtu;
  r.src = src;
  r.scope = scope;
  r.flags = flags;
  src_ref(r.src, +1);
  digest_ += route_hash(r);
  bool best = prefixes_[r.prefix].head == id;
  return RibChange{best ? RibChange::kBestChanged : RibChange::kNone, r.prefix, r.net, r.len};
}

RibChange Rib::erase(uint32_t id) {
  Route& r = routes_[id];
  RibChange change{RibChange::kNone, r.prefix, r.net, r.len};
  PrefixInfo& p = prefixes_[r.prefix];
  digest_ -= route_hash(r);
  src_ref(r.src, -1);
  bool was_best = p.head == id;
  uint32_t* link = &p.head;
  while (*link != id) link = &routes_[*link].next;
  *link = r.next;
  free_nexthops(r.nh_index, r.nh_count);
  r = Route{};  // nh_count 0 marks the slot free
  free_routes_.push_back(id);
  --route_count_;
  if (p.head == kNoRoute) {
    change.kind = RibChange::kRemoved;
    prefix_ids_.erase(prefix_key(change.net, change.len));
    p = PrefixInfo{};
    free_prefixes_.push_back(change.prefix);
    if (--prefixes_per_len_[change.len] == 0) len_mask_ &= ~(uint64_t(1) << change.len);
  } else if (was_best) {
    change.kind = RibChange::kBestChanged;
  }
  return change;
}

std::optional<Rib::Covering> Rib::covering(Ip4 net, unsigned len) const {
  for (unsigned l = len; l-- > 0;) {
    if (!(len_mask_ & (uint64_t(1) << l))) continue;
    uint32_t prefix = find_prefix(Ip4(net.v & prefix_mask(l)), l);
    if (prefix != kNoPrefix) return Covering{prefix, static_cast<uint8_t>(l)};
  }
  return std::nullopt;
}

uint32_t Rib::alloc_nexthops(const std::vector<Nexthop>& nexthops) {
  std::vector<uint32_t>& free_list = free_nh_[nexthops.size()];
  uint32_t index;
  if (!free_list.empty()) {
    index = free_list.back();
    free_list.pop_back();
  } else {
    index = static_cast<uint32_t>(nh_pool_.size());
    nh_pool_.resize(nh_pool_.size() + nexthops.size());
  }
  std::copy(nexthops.begin(), nexthops.end(), nh_pool_.begin() + index);
  return index;
}

void Rib::free_nexthops(uint32_t index, unsigned count) { free_nh_[count].push_back(index); }

std::vector<Nexthop> Rib::nexthops_of(const Route& r) const {
  return {nh_pool_.begin() + r.nh_index, nh_pool_.begin() + r.nh_index + r.nh_count};
}

void Rib::src_ref(Ip4 src, int delta) {
  if (src.is_zero()) return;
  uint32_t* n = src_refs_.find(src.v);
  uint32_t count = (n ? *n : 0) + uint32_t(delta);
  if (count == 0) {
    src_refs_.erase(src.v);
  } else {
    src_refs_.insert_or_assign(src.v, count);
  }
}

uint64_t Rib::route_hash(const Route& r) const {
  DigestHasher h(DigestTag::kRoute);
  h.add(r.net.v).add(r.len).add(r.metric).add(r.mtu).add(r.src.v).add(uint64_t(r.scope)).add(r.flags);
  for (unsigned i = 0; i < r.nh_count; ++i) {
    const Nexthop& nh = nh_pool_[r.nh_index + i];
    h.add(nh.gateway.v).add(nh.port).add(nh.weight).add(nh.onlink);
  }
  return h.value();
}

// ---- listing

std::optional<RouteEntry> Rib::route(uint32_t id) const {
  if (id >= routes_.size() || routes_[id].nh_count == 0) return std::nullopt;
  const Route& r = routes_[id];
  return RouteEntry{id, Ip4Prefix{r.net, r.len}, r.metric, r.mtu, r.src, r.scope, r.flags, nexthops_of(r)};
}

std::optional<RouteEntry> Rib::find(Ip4Prefix prefix, uint32_t metric) const {
  uint32_t p = find_prefix(prefix.network(), prefix.len);
  if (p == kNoPrefix) return std::nullopt;
  uint32_t id = find_route(p, metric);
  return id == kNoRoute ? std::nullopt : route(id);
}

std::optional<RouteEntry> Rib::match(const RouteMatch& m) const {
  uint32_t id = match_route(m);
  return id == kNoRoute ? std::nullopt : route(id);
}

std::vector<RouteEntry> Rib::routes() const {
  std::vector<RouteEntry> out;
  out.reserve(route_count_);
  for (uint32_t id = 0; id < routes_.size(); ++id) {
    if (std::optional<RouteEntry> e = route(id)) out.push_back(std::move(*e));
  }
  std::sort(out.begin(), out.end(), [](const RouteEntry& a, const RouteEntry& b) {
    return std::tuple(-int(a.prefix.len), a.metric, a.prefix.addr) <
           std::tuple(-int(b.prefix.len), b.metric, b.prefix.addr);
  });
  return out;
}

}  // namespace dplb::route
