// RouteTable: net and local route maintenance (control path). Ports and addresses: route_addr.cc;
// listing and digests: route_query.cc.
#include "dplb/route/route_table.h"

#include <algorithm>
#include <string>

#include "digest.h"

namespace dplb::route {

namespace {

bool same_nexthop(const Nexthop& a, const Nexthop& b) { return a.gateway == b.gateway && a.port == b.port; }

bool is_local_scope(RouteScope s) { return s == RouteScope::kHost || s == RouteScope::kKniHost; }

}  // namespace

RouteTable::RouteTable() = default;

// ---- add

Status RouteTable::add_route(const RouteSpec& spec, AddMode mode) {
  if (spec.prefix.len > 32) return Status::invalid("Invalid prefix length");
  if (spec.nexthops.empty()) return Status::invalid("Nexthop device required");
  if (spec.nexthops.size() > kMaxNexthops) return Status::invalid("Too many nexthops (at most 16)");
  if (spec.mtu != 0 && spec.mtu < kMinMtu) return Status::invalid("Invalid MTU (minimum 68)");
  bool has_gateway = std::any_of(spec.nexthops.begin(), spec.nexthops.end(),
                                 [](const Nexthop& nh) { return !nh.gateway.is_zero(); });
  RouteScope scope = spec.scope.value_or(has_gateway ? RouteScope::kGlobal : RouteScope::kLink);
  Ip4 net = spec.prefix.network();
  uint8_t len = spec.prefix.len;
  if (is_local_scope(scope) && len == 32) return add_local_route(net, spec, scope, mode);

  if (!spec.src.is_zero() && !is_our_addr(spec.src)) return Status::invalid("Invalid prefsrc address");
  uint32_t node = find_node(net, len);
  uint32_t existing = node == Dir24_8::kNone ? kNoRoute : find_route(node, spec.metric);
  // Appended next hops join a route of the existing scope: they must be valid for it.
  RouteScope nh_scope = (mode == AddMode::kAppend && existing != kNoRoute) ? routes_[existing].scope : scope;
  std::vector<Nexthop> nexthops;
  if (Status s = validate_nexthops(spec, nh_scope, nexthops); !s) return s;
  uint32_t flags = scope == RouteScope::kKniHost ? kRouteKni : kRouteForward;
  if (len == 0) flags |= kRouteDefault;

  if (existing == kNoRoute) {
    if (node == Dir24_8::kNone && free_nodes_.empty() && nodes_.size() >= Dir24_8::kMaxIds) {
      return Status::error(ENOSPC, "Route table full");
    }
    insert_route(net, len, spec.metric, spec.mtu, spec.src, scope, flags, nexthops);
  } else if (mode == AddMode::kCreate) {
    return Status::error(EEXIST, "File exists");
  } else if (mode == AddMode::kReplace) {
    update_route(existing, spec.mtu, spec.src, scope, flags, nexthops);
  } else {
    // Append: the route keeps its attributes and gains the next hops.
    const RouteRec& r = routes_[existing];
    std::vector<Nexthop> merged = nexthops_of(r);
    for (const Nexthop& nh : nexthops) {
      if (std::any_of(merged.begin(), merged.end(), [&](const Nexthop& m) { return same_nexthop(m, nh); })) {
        return Status::error(EEXIST, "File exists");
      }
      merged.push_back(nh);
    }
    if (merged.size() > kMaxNexthops) return Status::invalid("Too many nexthops (at most 16)");
    update_route(existing, r.mtu, r.src, r.scope, r.flags, merged);
  }
  ++generation_;
  return Status::ok();
}

Status RouteTable::validate_nexthops(const RouteSpec& spec, RouteScope scope,
                                     std::vector<Nexthop>& out) const {
  out.clear();
  for (const Nexthop& nh : spec.nexthops) {
    if (nh.weight == 0 || nh.weight > kMaxWeight) return Status::invalid("Invalid nexthop weight (1..256)");
    if (nh.port != kAnyPort && !has_port(nh.port)) return Status::error(ENODEV, "No such device");
    Nexthop r = nh;
    if (nh.gateway.is_zero()) {
      if (nh.port == kAnyPort) return Status::invalid("Nexthop device required");
      r.onlink = false;  // meaningless without a gateway: normalized so equal routes compare equal
    } else {
      if (scope == RouteScope::kLink || scope == RouteScope::kHost) {
        return Status::invalid("Nexthop has invalid scope");
      }
      Ip4 gw = nh.gateway;
      if (gw.is_multicast() || gw.is_limited_broadcast() || gw.is_loopback() || (gw.v >> 24) == 0 ||
          local_.find(gw.v) != nullptr) {
        return Status::invalid("Nexthop has invalid gateway");
      }
      if (nh.onlink) {
        if (nh.port == kAnyPort) return Status::invalid("Nexthop device required for onlink");
      } else {
        std::optional<uint16_t> port = onlink_port_for(gw, nh.port);
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

// The port of the most specific on-link (no gateway) route covering `gateway`, restricted to `port`
// unless it is kAnyPort: Linux's fib_check_nh lookup at link scope.
std::optional<uint16_t> RouteTable::onlink_port_for(Ip4 gateway, uint16_t port) const {
  for (uint64_t lens = len_mask_; lens != 0;) {
    unsigned len = 63 - unsigned(__builtin_clzll(lens));
    lens &= ~(uint64_t(1) << len);
    uint32_t node = find_node(Ip4(gateway.v & prefix_mask(len)), len);
    if (node == Dir24_8::kNone) continue;
    for (uint32_t id = node_info_[node].head; id != kNoRoute; id = routes_[id].next) {
      const RouteRec& r = routes_[id];
      if (r.flags & kRouteKni) continue;
      for (unsigned i = 0; i < r.nh_count; ++i) {
        const Nexthop& nh = nh_pool_[r.nh_index + i];
        if (nh.gateway.is_zero() && (port == kAnyPort || nh.port == port)) return nh.port;
      }
    }
  }
  return std::nullopt;
}

Status RouteTable::add_local_route(Ip4 addr, const RouteSpec& spec, RouteScope scope, AddMode mode) {
  const Nexthop& nh = spec.nexthops.front();
  if (spec.nexthops.size() != 1 || nh.port == kAnyPort || !nh.gateway.is_zero()) {
    return Status::invalid("Local route needs one device and no gateway");
  }
  if (!has_port(nh.port)) return Status::error(ENODEV, "No such device");
  if (local_.find(addr.v) != nullptr && mode != AddMode::kReplace)
    return Status::error(EEXIST, "File exists");
  set_local(addr, {scope == RouteScope::kKniHost ? uint32_t(kRouteKni) : uint32_t(kRouteLocalIn), nh.port});
  ++generation_;
  return Status::ok();
}

// ---- delete

Status RouteTable::del_route(const RouteMatch& match) {
  if (match.prefix.len > 32) return Status::invalid("Invalid prefix length");
  if (match.prefix.len == 32 && match.scope && is_local_scope(*match.scope)) return del_local_route(match);
  uint32_t id = match_route(match);
  if (id == kNoRoute) return Status::error(ESRCH, "No such process");
  erase_route(id);
  ++generation_;
  return Status::ok();
}

// The lowest-metric net route of exactly the match's prefix passing every given filter.
uint32_t RouteTable::match_route(const RouteMatch& match) const {
  if (match.prefix.len > 32) return kNoRoute;
  uint32_t node = find_node(match.prefix.network(), match.prefix.len);
  if (node == Dir24_8::kNone) return kNoRoute;
  for (uint32_t id = node_info_[node].head; id != kNoRoute; id = routes_[id].next) {
    const RouteRec& r = routes_[id];
    if (match.metric && r.metric != *match.metric) continue;
    if (match.scope && r.scope != *match.scope) continue;
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

Status RouteTable::del_local_route(const RouteMatch& match) {
  Ip4 addr = match.prefix.addr;
  const LocalEntry* l = local_.find(addr.v);
  uint32_t want = *match.scope == RouteScope::kKniHost ? kRouteKni : kRouteLocalIn;
  if (l == nullptr || !(l->flags & want) || (match.port && l->port != *match.port) ||
      (match.via && !match.via->is_zero())) {
    return Status::error(ESRCH, "No such process");
  }
  erase_local(addr);
  ++generation_;
  return Status::ok();
}

Result<size_t> RouteTable::flush_routes(std::optional<uint16_t> port) {
  if (port && !has_port(*port)) return Status::error(ENODEV, "No such device");
  size_t removed = 0;
  if (!port) {
    // Everything goes: reset the structures instead of unwinding the DIR-24-8 route by route.
    removed = route_count_;
    for (uint32_t id = 0; id < routes_.size(); ++id) {
      if (routes_[id].nh_count != 0) digest_ -= route_hash(routes_[id]);
    }
    fib_.clear();
    nodes_.clear();
    node_info_.clear();
    free_nodes_.clear();
    routes_.clear();
    free_routes_.clear();
    nh_pool_.clear();
    for (auto& f : free_nh_) f.clear();
    prefix_nodes_.clear();
    src_refs_.clear();
    nodes_per_len_.fill(0);
    len_mask_ = 0;
    route_count_ = 0;
  } else {
    std::vector<uint32_t> victims;
    for (uint32_t id = 0; id < routes_.size(); ++id) {
      const RouteRec& r = routes_[id];
      const Nexthop* nh = &nh_pool_[r.nh_index];
      if (r.nh_count != 0 &&
          std::any_of(nh, nh + r.nh_count, [&](const Nexthop& n) { return n.port == *port; })) {
        victims.push_back(id);
      }
    }
    for (uint32_t id : victims) erase_route(id);
    removed = victims.size();
  }
  if (removed != 0) ++generation_;
  return removed;
}

// ---- route storage

uint32_t RouteTable::find_route(uint32_t node, uint32_t metric) const {
  for (uint32_t id = node_info_[node].head; id != kNoRoute; id = routes_[id].next) {
    if (routes_[id].metric == metric) return id;
    if (routes_[id].metric > metric) break;
  }
  return kNoRoute;
}

uint32_t RouteTable::insert_route(Ip4 net, uint8_t len, uint32_t metric, uint16_t mtu, Ip4 src,
                                  RouteScope scope, uint32_t flags, const std::vector<Nexthop>& nexthops) {
  uint32_t node = find_node(net, len);
  if (node == Dir24_8::kNone) {
    if (!free_nodes_.empty()) {
      node = free_nodes_.back();
      free_nodes_.pop_back();
    } else {
      node = static_cast<uint32_t>(nodes_.size());
      nodes_.emplace_back();
      node_info_.emplace_back();
    }
    node_info_[node] = NodeInfo{net, len, kNoRoute};
    prefix_nodes_.insert_or_assign(prefix_key(net, len), node);
    if (nodes_per_len_[len]++ == 0) len_mask_ |= uint64_t(1) << len;
    fib_.insert(net, len, node);
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
  RouteRec& r = routes_[id];
  r = RouteRec{};
  r.net = net;
  r.len = len;
  r.scope = scope;
  r.nh_count = static_cast<uint8_t>(nexthops.size());
  r.metric = metric;
  r.src = src;
  r.mtu = mtu;
  r.flags = flags;
  r.nh_index = nh_index;
  r.node = node;
  for (const Nexthop& nh : nexthops) r.total_weight = uint16_t(r.total_weight + nh.weight);
  // Identity is (prefix, len, metric), so metrics within a node are distinct: keep them ascending.
  uint32_t* link = &node_info_[node].head;
  while (*link != kNoRoute && routes_[*link].metric < metric) link = &routes_[*link].next;
  r.next = *link;
  *link = id;
  if (node_info_[node].head == id) refresh_node(node);
  ++route_count_;
  src_ref(src, +1);
  digest_ += route_hash(r);
  return id;
}

void RouteTable::update_route(uint32_t id, uint16_t mtu, Ip4 src, RouteScope scope, uint32_t flags,
                              const std::vector<Nexthop>& nexthops) {
  RouteRec& r = routes_[id];
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
  if (node_info_[r.node].head == id) refresh_node(r.node);
}

void RouteTable::erase_route(uint32_t id) {
  RouteRec& r = routes_[id];
  uint32_t node = r.node;
  digest_ -= route_hash(r);
  src_ref(r.src, -1);
  bool was_head = node_info_[node].head == id;
  uint32_t* link = &node_info_[node].head;
  while (*link != id) link = &routes_[*link].next;
  *link = r.next;
  free_nexthops(r.nh_index, r.nh_count);
  Ip4 net = r.net;
  uint8_t len = r.len;
  r = RouteRec{};  // nh_count 0 marks the slot free
  free_routes_.push_back(id);
  --route_count_;
  if (node_info_[node].head == kNoRoute) {
    fib_.remove(net, len, node, parent_of(net, len));
    prefix_nodes_.erase(prefix_key(net, len));
    nodes_[node] = FibNode{};
    node_info_[node] = NodeInfo{};
    free_nodes_.push_back(node);
    if (--nodes_per_len_[len] == 0) len_mask_ &= ~(uint64_t(1) << len);
  } else if (was_head) {
    refresh_node(node);
  }
}

std::optional<Dir24_8::Parent> RouteTable::parent_of(Ip4 net, unsigned len) const {
  for (unsigned l = len; l-- > 0;) {
    if (!(len_mask_ & (uint64_t(1) << l))) continue;
    uint32_t node = find_node(Ip4(net.v & prefix_mask(l)), l);
    if (node != Dir24_8::kNone) return Dir24_8::Parent{node, static_cast<uint8_t>(l)};
  }
  return std::nullopt;
}

void RouteTable::refresh_node(uint32_t node) {
  const RouteRec& r = routes_[node_info_[node].head];
  const Nexthop& first = nh_pool_[r.nh_index];
  FibNode& n = nodes_[node];
  n.route = node_info_[node].head;
  n.flags = r.flags;
  n.gateway = first.gateway;
  n.port = first.port;
  n.nh_count = r.nh_count;
  // A single gateway fixes the source (unless the route names one); an on-link next hop is the
  // destination itself, so its source is chosen per lookup.
  n.src_known = !r.src.is_zero() || (r.nh_count == 1 && !first.gateway.is_zero());
  n.src = !r.src.is_zero() ? r.src : n.src_known ? port_src(first.port, first.gateway) : Ip4{};
  n.total_weight = r.total_weight;
  n.nh_index = r.nh_index;
  n.mtu = r.mtu != 0 ? r.mtu : (r.nh_count == 1 ? ports_[first.port].mtu : uint16_t(0));
}

void RouteTable::refresh_nodes(std::optional<uint16_t> port) {
  for (uint32_t node = 0; node < nodes_.size(); ++node) {
    if (node_info_[node].head != kNoRoute && (!port || nodes_[node].port == *port)) refresh_node(node);
  }
}

uint32_t RouteTable::alloc_nexthops(const std::vector<Nexthop>& nexthops) {
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

void RouteTable::free_nexthops(uint32_t index, unsigned count) { free_nh_[count].push_back(index); }

std::vector<Nexthop> RouteTable::nexthops_of(const RouteRec& r) const {
  return {nh_pool_.begin() + r.nh_index, nh_pool_.begin() + r.nh_index + r.nh_count};
}

void RouteTable::src_ref(Ip4 src, int delta) {
  if (src.is_zero()) return;
  uint32_t* n = src_refs_.find(src.v);
  uint32_t count = (n ? *n : 0) + uint32_t(delta);
  if (count == 0) {
    src_refs_.erase(src.v);
  } else {
    src_refs_.insert_or_assign(src.v, count);
  }
}

void RouteTable::set_local(Ip4 addr, LocalEntry e) {
  if (const LocalEntry* old = local_.find(addr.v)) {
    digest_ -= DigestHasher(DigestTag::kLocal).add(addr.v).add(old->port).add(old->flags).value();
  }
  local_.insert_or_assign(addr.v, e);
  digest_ += DigestHasher(DigestTag::kLocal).add(addr.v).add(e.port).add(e.flags).value();
}

void RouteTable::erase_local(Ip4 addr) {
  if (const LocalEntry* old = local_.find(addr.v)) {
    digest_ -= DigestHasher(DigestTag::kLocal).add(addr.v).add(old->port).add(old->flags).value();
    local_.erase(addr.v);
  }
}

uint64_t RouteTable::route_hash(const RouteRec& r) const {
  DigestHasher h(DigestTag::kRoute);
  h.add(r.net.v).add(r.len).add(r.metric).add(r.mtu).add(r.src.v).add(uint64_t(r.scope)).add(r.flags);
  for (unsigned i = 0; i < r.nh_count; ++i) {
    const Nexthop& nh = nh_pool_[r.nh_index + i];
    h.add(nh.gateway.v).add(nh.port).add(nh.weight).add(nh.onlink);
  }
  return h.value();
}

}  // namespace dplb::route
