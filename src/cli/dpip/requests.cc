#include "cli/dpip/requests.h"

#include <cstring>

#include "dplb/ctrl/wire.h"

namespace dplb::dpip {

size_t max_routes_per_request() { return ctrl::kMaxRequestPayload / sizeof(proto::RouteRecord); }

proto::IfFilter make_if_filter(const DevArgs& a) {
  proto::IfFilter f{};
  ctrl::set_fixed_string(f.ifname, a.dev);  // the parser bounds names to kIfNameSize - 1
  return f;
}

proto::LinkQuery make_link_query(const DevArgs& a, bool with_stats) {
  proto::LinkQuery q{};
  ctrl::set_fixed_string(q.ifname, a.dev);
  q.with_stats = with_stats ? 1 : 0;
  return q;
}

proto::AddrRecord make_addr_record(const AddrArgs& a) {
  proto::AddrRecord r{};
  ctrl::set_fixed_string(r.ifname, a.dev);
  r.addr = a.prefix.addr.v;
  r.prefixlen = a.prefix.len;
  // ip's default_scope(): host for loopback addresses, global otherwise.
  r.scope = a.scope ? *a.scope : (a.prefix.addr.is_loopback() ? proto::kScopeHost : proto::kScopeGlobal);
  return r;
}

proto::NeighRecord make_neigh_record(const NeighArgs& a, bool add) {
  proto::NeighRecord r{};
  ctrl::set_fixed_string(r.ifname, a.dev);
  r.addr = a.addr.v;
  if (a.lladdr) std::memcpy(r.mac, a.lladdr->b.data(), sizeof r.mac);
  r.state = add ? 6 : 0;  // neigh::State permanent
  return r;
}

proto::RouteRecord make_route_record(const RouteArgs& a, Verb verb) {
  proto::RouteRecord r{};
  r.dst = a.dst.addr.v;
  r.dst_len = a.dst.len;
  r.mode = verb == Verb::kReplace  ? proto::kRouteAddReplace
           : verb == Verb::kChange ? proto::kRouteAddChange
           : verb == Verb::kAppend ? proto::kRouteAddAppend
                                   : proto::kRouteAddCreate;
  bool any_gateway = false;
  r.n_nexthops = static_cast<uint8_t>(a.nexthops.size());  // the parser allows at most kMaxNexthops
  for (size_t i = 0; i < a.nexthops.size(); ++i) {
    const NexthopArgs& in = a.nexthops[i];
    proto::NexthopRecord& nh = r.nh[i];
    ctrl::set_fixed_string(nh.ifname, in.dev);
    nh.gateway = in.via ? in.via->v : 0;
    nh.weight = in.weight;
    nh.flags = in.onlink ? proto::kNexthopOnlink : 0;
    any_gateway = any_gateway || in.via.has_value();
  }
  if (!a.multipath && !a.nexthops.empty()) {
    if (!a.nexthops[0].dev.empty()) r.has |= proto::kRouteHasDev;
    if (a.nexthops[0].via) r.has |= proto::kRouteHasVia;
  }
  if (a.metric) {
    r.has |= proto::kRouteHasMetric;
    r.metric = *a.metric;
  }
  if (a.mtu) {
    r.has |= proto::kRouteHasMtu;
    r.mtu = *a.mtu;
  }
  if (a.src) {
    r.has |= proto::kRouteHasSrc;
    r.src = a.src->v;
  }
  if (a.kni) r.flags |= proto::kRouteFlagKni;
  if (a.scope) {
    r.has |= proto::kRouteHasScope;
    r.scope = *a.scope;
  } else {
    // ip's default when adding: a route without a gateway is scope link, one with a gateway global.
    r.scope =
        (verb != Verb::kDel && !any_gateway && !a.nexthops.empty()) ? proto::kScopeLink : proto::kScopeGlobal;
  }
  return r;
}

proto::RouteFilter make_route_filter(const RouteSelector& s) {
  proto::RouteFilter r{};
  switch (s.table) {
    case RouteTable::kMain: r.flags = proto::kRouteFlagForward; break;
    case RouteTable::kLocal: r.flags = proto::kRouteFlagLocal; break;
    case RouteTable::kAll: r.flags = proto::kRouteFlagForward | proto::kRouteFlagLocal; break;
  }
  if (!s.dev.empty() || s.via) r.n_nexthops = 1;
  if (!s.dev.empty()) {
    r.has |= proto::kRouteHasDev;
    ctrl::set_fixed_string(r.nh[0].ifname, s.dev);
  }
  if (s.via) {
    r.has |= proto::kRouteHasVia;
    r.nh[0].gateway = s.via->v;
  }
  if (s.prefix) {
    r.has |= proto::kRouteHasPrefix;
    r.dst = s.prefix->addr.v;
    r.dst_len = s.prefix->len;
    r.mode = s.prefix_match == RouteSelector::PrefixMatch::kRoot    ? proto::kRoutePrefixRoot
             : s.prefix_match == RouteSelector::PrefixMatch::kMatch ? proto::kRoutePrefixMatch
                                                                    : proto::kRoutePrefixExact;
  }
  return r;
}

proto::RouteGetQuery make_route_get_query(const RouteGetArgs& a) {
  proto::RouteGetQuery q{};
  q.dst = a.dst.v;
  q.src = a.from ? a.from->v : 0;
  ctrl::set_fixed_string(q.oif, a.oif);
  return q;
}

uint32_t route_change_op(Verb verb) { return verb == Verb::kDel ? proto::kOpRouteDel : proto::kOpRouteAdd; }

std::optional<Request> command_request(const Command& c) {
  using ctrl::Kind;
  auto request = [](Kind kind, uint32_t op, std::vector<uint8_t> payload, std::string dev, bool show) {
    return Request{kind, op, std::move(payload), std::move(dev), show};
  };
  if (c.verb == Verb::kHelp || c.verb == Verb::kVersion || c.verb == Verb::kBatch) return std::nullopt;
  switch (c.object) {
    case Object::kLink: {
      const auto& a = std::get<DevArgs>(c.args);
      const bool with_stats = c.options.stats > 0 || c.options.verbose;
      return request(Kind::kGet, proto::kOpLinkShow, ctrl::encode_pod(make_link_query(a, with_stats)), a.dev, true);
    }
    case Object::kAddr:
      switch (c.verb) {
        case Verb::kShow:
        case Verb::kFlush: {
          const auto& a = std::get<DevArgs>(c.args);
          const bool show = c.verb == Verb::kShow;
          return request(show ? Kind::kGet : Kind::kSet, show ? proto::kOpAddrShow : proto::kOpAddrFlush,
                         ctrl::encode_pod(make_if_filter(a)), a.dev, show);
        }
        case Verb::kAdd:
        case Verb::kDel: {
          const auto& a = std::get<AddrArgs>(c.args);
          return request(Kind::kSet, c.verb == Verb::kAdd ? proto::kOpAddrAdd : proto::kOpAddrDel,
                         ctrl::encode_pod(make_addr_record(a)), a.dev, false);
        }
        default: return std::nullopt;
      }
      break;
    case Object::kNeigh:
      switch (c.verb) {
        case Verb::kShow:
        case Verb::kFlush: {
          const auto& a = std::get<DevArgs>(c.args);
          const bool show = c.verb == Verb::kShow;
          return request(show ? Kind::kGet : Kind::kSet, show ? proto::kOpNeighShow : proto::kOpNeighFlush,
                         ctrl::encode_pod(make_if_filter(a)), a.dev, show);
        }
        case Verb::kAdd:
        case Verb::kDel: {
          const auto& a = std::get<NeighArgs>(c.args);
          return request(Kind::kSet, c.verb == Verb::kAdd ? proto::kOpNeighAdd : proto::kOpNeighDel,
                         ctrl::encode_pod(make_neigh_record(a, c.verb == Verb::kAdd)), a.dev, false);
        }
        default: return std::nullopt;
      }
      break;
    case Object::kRoute:
      switch (c.verb) {
        case Verb::kShow:
        case Verb::kFlush: {
          const auto& s = std::get<RouteSelector>(c.args);
          const bool show = c.verb == Verb::kShow;
          return request(show ? Kind::kGet : Kind::kSet, show ? proto::kOpRouteShow : proto::kOpRouteFlush,
                         ctrl::encode_pod(make_route_filter(s)), s.dev, show);
        }
        case Verb::kGet: {
          const auto& q = std::get<RouteGetArgs>(c.args);
          return request(Kind::kGet, proto::kOpRouteGet, ctrl::encode_pod(make_route_get_query(q)), q.oif, false);
        }
        default: {
          std::vector<proto::RouteRecord> one{make_route_record(std::get<RouteArgs>(c.args), c.verb)};
          std::string dev(ctrl::fixed_string(one[0].nh[0].ifname));
          return request(Kind::kSet, route_change_op(c.verb), encode_routes(one, 0, 1), std::move(dev), false);
        }
      }
      break;
    case Object::kSync: return request(Kind::kGet, proto::kOpSyncShow, {}, "", true);
    case Object::kNone: break;
  }
  return std::nullopt;
}

std::vector<uint8_t> encode_routes(const std::vector<proto::RouteRecord>& records, size_t first,
                                   size_t last) {
  std::vector<uint8_t> out;
  ctrl::PayloadWriter w(out, ctrl::kMaxRequestPayload);
  w.put_array(std::span<const proto::RouteRecord>(records.data() + first, last - first));
  return out;
}

}  // namespace dplb::dpip
