// route, the main side: `dpip route add|del|replace|append|flush|show|get`. Changes are applied to
// the model in order (a batch stops at the first failure), then the resulting routes go to every
// worker in one message, so 100,000 routes load in a few hundred requests. route_worker.cc applies
// them on the workers.
#include <algorithm>
#include <cstring>

#include "control/control_plane.h"
#include "dplb/ctrl/proto.h"
#include "control/route_msg.h"

namespace dplb::dp {

namespace {

// The wire's scope byte is Linux's; kni_host is kScopeHost with kRouteFlagKni (see proto.h).
std::optional<route::RouteScope> scope_of(uint8_t s, uint32_t flags) {
  switch (s) {
    case proto::kScopeGlobal: return route::RouteScope::kGlobal;
    case proto::kScopeSite: return route::RouteScope::kSite;
    case proto::kScopeLink: return route::RouteScope::kLink;
    case proto::kScopeHost:
      return (flags & proto::kRouteFlagKni) ? route::RouteScope::kKniHost : route::RouteScope::kHost;
  }
  return std::nullopt;
}

uint8_t proto_scope(route::RouteScope s) {
  switch (s) {
    case route::RouteScope::kGlobal: return proto::kScopeGlobal;
    case route::RouteScope::kSite: return proto::kScopeSite;
    case route::RouteScope::kLink: return proto::kScopeLink;
    case route::RouteScope::kHost: return proto::kScopeHost;
    case route::RouteScope::kKniHost: return proto::kScopeHost;  // with kRouteFlagKni
  }
  return proto::kScopeGlobal;
}

bool is_local(const route::RouteSpec& spec) {
  return spec.prefix.len == 32 && spec.scope &&
         (*spec.scope == route::RouteScope::kHost || *spec.scope == route::RouteScope::kKniHost);
}

Result<route::RouteSpec> spec_of(ControlPlane& cp, const proto::RouteRecord& r) {
  if (r.dst_len > 32) return Status::invalid("Invalid prefix length");
  if (r.n_nexthops == 0 || r.n_nexthops > proto::kMaxNexthops)
    return Status::invalid(r.n_nexthops == 0 ? "Nexthop device required" : "Too many nexthops (at most 16)");
  route::RouteSpec spec;
  spec.prefix = Ip4Prefix{Ip4(r.dst), r.dst_len};
  if (r.has & proto::kRouteHasMetric) spec.metric = r.metric;
  if (r.has & proto::kRouteHasMtu) {
    if (r.mtu > 65535) return Status::invalid("Invalid MTU");
    spec.mtu = static_cast<uint16_t>(r.mtu);
  }
  if (r.has & proto::kRouteHasSrc) spec.src = Ip4(r.src);
  if (r.has & proto::kRouteHasScope) {
    spec.scope = scope_of(r.scope, r.flags);
    if (!spec.scope) return Status::invalid("Invalid scope");
  }
  for (unsigned i = 0; i < r.n_nexthops; ++i) {
    const proto::NexthopRecord& n = r.nh[i];
    route::Nexthop nh;
    nh.gateway = Ip4(n.gateway);
    nh.weight = n.weight == 0 ? 1 : n.weight;
    nh.onlink = (n.flags & proto::kNexthopOnlink) != 0;
    if (std::string_view dev = ctrl::fixed_string(n.ifname); !dev.empty()) {
      auto port = cp.port_by_name(dev);
      if (!port) return port.status();
      nh.port = *port;
    }
    spec.nexthops.push_back(nh);
  }
  return spec;
}

Result<route::RouteMatch> match_of(ControlPlane& cp, const proto::RouteRecord& r) {
  if (r.dst_len > 32) return Status::invalid("Invalid prefix length");
  route::RouteMatch m;
  m.prefix = Ip4Prefix{Ip4(r.dst), r.dst_len};
  if (r.has & proto::kRouteHasMetric) m.metric = r.metric;
  if (r.has & proto::kRouteHasScope) {
    m.scope = scope_of(r.scope, r.flags);
    if (!m.scope) return Status::invalid("Invalid scope");
  }
  if (r.has & proto::kRouteHasDev) {
    auto port = cp.port_by_name(ctrl::fixed_string(r.nh[0].ifname));
    if (!port) return port.status();
    m.port = *port;
  }
  if (r.has & proto::kRouteHasVia) m.via = Ip4(r.nh[0].gateway);
  if (r.has & proto::kRouteHasSrc) m.src = Ip4(r.src);
  if (r.has & proto::kRouteHasMtu) m.mtu = static_cast<uint16_t>(std::min<uint32_t>(r.mtu, 0xffff));
  return m;
}

Result<std::vector<proto::RouteRecord>> decode_batch(std::span<const uint8_t> payload) {
  if (payload.empty() || payload.size() % sizeof(proto::RouteRecord) != 0)
    return Status::invalid("malformed route batch");
  std::vector<proto::RouteRecord> recs(payload.size() / sizeof(proto::RouteRecord));
  std::memcpy(recs.data(), payload.data(), payload.size());
  return recs;
}

// Applies the records to the model in order, collecting the worker messages; stops at a failure.
template <typename Apply>
Status run_batch(ControlPlane& cp, std::span<const uint8_t> payload, MsgType type, std::vector<uint8_t>& reply,
                 Apply&& apply) {
  auto recs = decode_batch(payload);
  if (!recs) return recs.status();
  proto::BatchResult result{};
  std::vector<RouteMsg> msgs;
  msgs.reserve(recs->size());
  for (const proto::RouteRecord& r : *recs) {
    Status st = apply(r, msgs);
    if (!st) {
      result.error = st.code();
      ctrl::set_fixed_string(result.message, st.message().substr(0, sizeof result.message - 1));
      break;
    }
    ++result.applied;
  }
  if (!msgs.empty()) {
    if (Status st = cp.broadcast(std::make_unique<ctrl::Msg>(type, encode_records(msgs))); !st) return st;
  }
  reply = ctrl::encode_pod(result);
  return Status::ok();
}

Status route_add(ControlPlane& cp, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
  route::RouteTable& rt = cp.model().routes;
  return run_batch(cp, payload, kMsgRouteUpsert, reply, [&](const proto::RouteRecord& r, std::vector<RouteMsg>& out) {
    auto spec = spec_of(cp, r);
    if (!spec) return spec.status();
    if (r.mode > proto::kRouteAddChange) return Status::invalid("Invalid route add mode");
    if (Status st = rt.add_route(*spec, static_cast<route::AddMode>(r.mode)); !st) return st;
    if (is_local(*spec)) {
      uint32_t flags = *spec->scope == route::RouteScope::kKniHost ? route::kRouteKni : route::kRouteLocalIn;
      out.push_back(to_route_msg(route::LocalRoute{spec->prefix.addr, spec->nexthops[0].port, flags}));
    } else if (auto e = rt.find(spec->prefix, spec->metric)) {
      out.push_back(to_route_msg(*e));  // the whole route after the change: workers replace theirs
    }
    return Status::ok();
  });
}

Status route_del(ControlPlane& cp, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
  route::RouteTable& rt = cp.model().routes;
  return run_batch(cp, payload, kMsgRouteDelete, reply, [&](const proto::RouteRecord& r, std::vector<RouteMsg>& out) {
    auto m = match_of(cp, r);
    if (!m) return m.status();
    RouteMsg identity{};
    bool local = m->prefix.len == 32 && m->scope &&
                 (*m->scope == route::RouteScope::kHost || *m->scope == route::RouteScope::kKniHost);
    if (local) {
      identity.net = m->prefix.addr.v;
      identity.len = 32;
      identity.scope = static_cast<uint8_t>(*m->scope);
    } else if (auto e = rt.match(*m)) {
      identity = to_route_msg(*e);
    }
    if (Status st = rt.del_route(*m); !st) return st;
    out.push_back(identity);
    return Status::ok();
  });
}

Status route_flush(ControlPlane& cp, std::span<const uint8_t> payload) {
  proto::RouteFilter f;
  if (!ctrl::decode_pod(payload, f)) return Status::invalid("malformed route filter");
  std::optional<uint16_t> port;
  if (f.has & proto::kRouteHasDev) {
    auto p = cp.port_by_name(ctrl::fixed_string(f.nh[0].ifname));
    if (!p) return p.status();
    port = *p;
  }
  auto removed = cp.model().routes.flush_routes(port);
  if (!removed) return removed.status();
  return cp.broadcast(ctrl::Msg::of(kMsgRouteFlush, PortMsg{port ? *port : uint16_t(0xffff), 0, 0}));
}

proto::RouteRecord record_of(ControlPlane& cp, const route::RouteEntry& e) {
  proto::RouteRecord r{};
  r.dst = e.prefix.network().v;
  r.dst_len = e.prefix.len;
  r.scope = proto_scope(e.scope);
  r.metric = e.metric;
  r.mtu = e.mtu;
  r.src = e.src.v;
  r.has = proto::kRouteHasMetric | proto::kRouteHasScope | (e.src.is_zero() ? 0 : proto::kRouteHasSrc) |
          (e.mtu ? proto::kRouteHasMtu : 0);
  if (e.flags & route::kRouteForward) r.flags |= proto::kRouteFlagForward;
  if (e.flags & route::kRouteKni) r.flags |= proto::kRouteFlagKni;
  if (e.flags & route::kRouteDefault) r.flags |= proto::kRouteFlagDefault;
  if (e.flags & route::kRouteProtoKernel) r.flags |= proto::kRouteFlagProtoKernel;
  r.n_nexthops = static_cast<uint8_t>(std::min<size_t>(e.nexthops.size(), proto::kMaxNexthops));
  for (unsigned i = 0; i < r.n_nexthops; ++i) {
    const route::Nexthop& nh = e.nexthops[i];
    ctrl::set_fixed_string(r.nh[i].ifname, cp.port_name(nh.port));
    r.nh[i].gateway = nh.gateway.v;
    r.nh[i].weight = nh.weight;
    r.nh[i].flags = nh.onlink ? proto::kNexthopOnlink : 0;
  }
  return r;
}

proto::RouteRecord record_of(ControlPlane& cp, const route::LocalRoute& l) {
  proto::RouteRecord r{};
  r.dst = l.addr.v;
  r.dst_len = 32;
  r.scope = proto::kScopeHost;  // kni_host: with kRouteFlagKni, set below
  r.src = l.addr.v;
  r.has = proto::kRouteHasScope | proto::kRouteHasSrc;
  r.flags = proto::kRouteFlagLocal | ((l.flags & route::kRouteKni) ? proto::kRouteFlagKni : 0);
  // An address's own local route is "proto kernel", as iproute2 shows it.
  if (cp.model().routes.has_port(l.port))
    for (const Ip4Prefix& a : cp.model().routes.addrs(l.port))
      if (a.addr == l.addr) r.flags |= proto::kRouteFlagProtoKernel;
  r.n_nexthops = 1;
  ctrl::set_fixed_string(r.nh[0].ifname, cp.port_name(l.port));
  r.nh[0].weight = 1;
  return r;
}

// iproute2's filter_nlmsg: exact is the prefix itself, root the subtree under it, match the
// prefixes covering it.
bool prefix_selected(uint8_t mode, Ip4Prefix filter, Ip4Prefix route) {
  switch (mode) {
    case proto::kRoutePrefixRoot: return route.len >= filter.len && filter.contains(route.addr);
    case proto::kRoutePrefixMatch: return route.len <= filter.len && route.contains(filter.addr);
    default: return route.len == filter.len && route.network() == filter.network();
  }
}

Status route_show(ControlPlane& cp, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
  proto::RouteFilter f{};
  if (!payload.empty() && !ctrl::decode_pod(payload, f)) return Status::invalid("malformed route filter");
  std::optional<uint16_t> dev;
  if (f.has & proto::kRouteHasDev) {
    auto p = cp.port_by_name(ctrl::fixed_string(f.nh[0].ifname));
    if (!p) return p.status();
    dev = *p;
  }
  Ip4Prefix within{Ip4(f.dst), f.dst_len};
  auto wanted = [&](const Ip4Prefix& p, const std::vector<uint16_t>& ports, const std::vector<Ip4>& gws) {
    if ((f.has & proto::kRouteHasPrefix) && !prefix_selected(f.mode, within, p)) return false;
    if (dev && std::find(ports.begin(), ports.end(), *dev) == ports.end()) return false;
    if ((f.has & proto::kRouteHasVia) && std::find(gws.begin(), gws.end(), Ip4(f.nh[0].gateway)) == gws.end())
      return false;
    return true;
  };
  bool main_table = (f.flags & proto::kRouteFlagForward) || !(f.flags & proto::kRouteFlagLocal);
  ctrl::PayloadWriter out(reply);
  if (f.flags & proto::kRouteFlagLocal) {
    for (const route::LocalRoute& l : cp.model().routes.local_routes())
      if (wanted(Ip4Prefix{l.addr, 32}, {l.port}, {})) out.put(record_of(cp, l));
  }
  if (main_table) {
    for (const route::RouteEntry& e : cp.model().routes.routes()) {
      std::vector<uint16_t> ports;
      std::vector<Ip4> gws;
      for (const route::Nexthop& nh : e.nexthops) {
        ports.push_back(nh.port);
        gws.push_back(nh.gateway);
      }
      if (wanted(e.prefix, ports, gws)) out.put(record_of(cp, e));
    }
  }
  return out.ok() ? Status::ok() : Status::error(EMSGSIZE, "route list too large");
}

Status route_get(ControlPlane& cp, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
  proto::RouteGetQuery q;
  if (!ctrl::decode_pod(payload, q)) return Status::invalid("malformed route get");
  int oif = -1;
  if (std::string_view dev = ctrl::fixed_string(q.oif); !dev.empty()) {
    auto p = cp.port_by_name(dev);
    if (!p) return p.status();
    oif = *p;
  }
  const route::RouteTable& rt = cp.model().routes;
  auto r = rt.get(Ip4(q.dst), Ip4(q.src), oif);
  if (!r) return Status::error(ENETUNREACH, "Network is unreachable");
  proto::RouteGetReply g{};
  if (r->route != route::kNoRoute) {
    if (auto e = rt.route(r->route)) {
      g.route = record_of(cp, *e);
      for (const route::Nexthop& nh : e->nexthops)
        if (nh.port == r->port && !nh.gateway.is_zero() && nh.gateway == r->next_hop) g.flags |= proto::kRouteGetGateway;
    }
  } else if (r->flags & route::kRouteBroadcast) {
    g.route.dst = q.dst;
    g.route.dst_len = 32;
    g.route.flags = proto::kRouteFlagBroadcast;
  } else if (r->flags & route::kRouteLocal) {
    g.route = record_of(cp, route::LocalRoute{Ip4(q.dst), r->port, r->flags & ~route::kRouteLocal});
  }
  ctrl::set_fixed_string(g.dev, cp.port_name(r->port));
  g.next_hop = r->next_hop.v;
  g.src = r->src.v;
  g.mtu = r->mtu;
  reply = ctrl::encode_pod(g);
  return Status::ok();
}

}  // namespace

Status register_route_module(ControlPlane& cp) {
  ctrl::Module m;
  m.name = "route";
  m.get = proto::kRouteGetOps;
  m.set = proto::kRouteSetOps;
  m.handler = [&cp](ctrl::Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
    if (kind == ctrl::Kind::kGet) {
      if (op == proto::kOpRouteShow) return route_show(cp, payload, reply);
      if (op == proto::kOpRouteGet) return route_get(cp, payload, reply);
    } else {
      switch (op) {
        case proto::kOpRouteAdd: return route_add(cp, payload, reply);
        case proto::kOpRouteDel: return route_del(cp, payload, reply);
        case proto::kOpRouteFlush: return route_flush(cp, payload);
      }
    }
    return Status::error(EOPNOTSUPP, "unknown route operation " + std::to_string(op));
  };
  return cp.registry().add(std::move(m));
}

}  // namespace dplb::dp
