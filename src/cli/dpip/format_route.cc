// route show and route get, in ip's field order (print_route in iproute2's ip/iproute.c).
#include "cli/dpip/format.h"
#include "cli/dpip/format_common.h"
#include "dplb/ctrl/wire.h"

namespace dplb::dpip {
namespace {

bool in_local_table(const proto::RouteRecord& r) { return (r.flags & proto::kRouteFlagLocal) != 0; }

// "kni" for routes whose traffic goes to the kernel, "local" for our addresses; nullptr = unicast.
const char* route_type(const proto::RouteRecord& r) {
  if (r.flags & proto::kRouteFlagBroadcast) return "broadcast";
  if (r.flags & proto::kRouteFlagKni) return "kni";
  if (r.flags & proto::kRouteFlagLocal) return "local";
  return nullptr;
}

// kni_host is scope host marked kni on the wire.
std::string route_scope_name(const proto::RouteRecord& r) {
  if (r.scope == proto::kScopeHost && (r.flags & proto::kRouteFlagKni)) return "kni_host";
  return scope_name(r.scope);
}

std::string dst_text(const proto::RouteRecord& r) {
  if (r.dst_len == 0 && r.dst == 0) return "default";
  if (r.dst_len == 32) return fmt::ip(r.dst);
  return fmt::ip(r.dst) + "/" + std::to_string(r.dst_len);
}

std::string_view dev_of(const proto::NexthopRecord& nh) { return ctrl::fixed_string(nh.ifname); }

std::vector<const char*> nexthop_flags(uint8_t flags) {
  std::vector<const char*> f;
  if (flags & proto::kNexthopDead) f.push_back("dead");
  if (flags & proto::kNexthopOnlink) f.push_back("onlink");
  return f;
}

void route_text(std::string& out, const proto::RouteRecord& r, const RouteSelector& sel) {
  const bool single = r.n_nexthops == 1;
  if (const char* type = route_type(r)) out += std::string(type) + " ";
  out += dst_text(r) + " ";
  if (single && r.nh[0].gateway != 0 && !sel.via) out += "via " + fmt::ip(r.nh[0].gateway) + " ";
  if (single && !dev_of(r.nh[0]).empty() && sel.dev.empty())
    out += "dev " + std::string(dev_of(r.nh[0])) + " ";
  if (sel.table == RouteTable::kAll && in_local_table(r)) out += "table local ";
  if (route_is_kernel(r)) out += "proto kernel ";
  if (r.scope != proto::kScopeGlobal) out += "scope " + route_scope_name(r) + " ";
  if (r.src != 0) out += "src " + fmt::ip(r.src) + " ";
  if (r.metric != 0) out += "metric " + std::to_string(r.metric) + " ";
  if (single)
    for (const char* f : nexthop_flags(r.nh[0].flags)) out += std::string(f) + " ";
  if (r.mtu != 0) out += "mtu " + std::to_string(r.mtu) + " ";
  if (r.n_nexthops > 1) {
    for (unsigned i = 0; i < r.n_nexthops; ++i) {
      const proto::NexthopRecord& nh = r.nh[i];
      out += "\n\tnexthop ";
      if (nh.gateway != 0) out += "via " + fmt::ip(nh.gateway) + " ";
      if (!dev_of(nh).empty()) out += "dev " + std::string(dev_of(nh)) + " ";
      out += "weight " + std::to_string(nh.weight) + " ";
      for (const char* f : nexthop_flags(nh.flags)) out += std::string(f) + " ";
    }
  }
  out += "\n";
}

void flags_json(JsonWriter& j, uint8_t flags) {
  j.key("flags");
  j.begin_array();
  for (const char* f : nexthop_flags(flags)) j.value(f);
  j.end_array();
}

void mtu_json(JsonWriter& j, uint32_t mtu) {
  j.key("metrics");
  j.begin_array();
  j.begin_object();
  j.member("mtu", mtu);
  j.end_object();
  j.end_array();
}

void route_json(JsonWriter& j, const proto::RouteRecord& r, const RouteSelector& sel) {
  const bool single = r.n_nexthops == 1;
  j.begin_object();
  if (const char* type = route_type(r)) j.member("type", type);
  j.member("dst", dst_text(r));
  if (single && r.nh[0].gateway != 0 && !sel.via) j.member("gateway", fmt::ip(r.nh[0].gateway));
  if (single && !dev_of(r.nh[0]).empty() && sel.dev.empty()) j.member("dev", dev_of(r.nh[0]));
  if (sel.table == RouteTable::kAll && in_local_table(r)) j.member("table", "local");
  if (route_is_kernel(r)) j.member("protocol", "kernel");
  if (r.scope != proto::kScopeGlobal) j.member("scope", route_scope_name(r));
  if (r.src != 0) j.member("prefsrc", fmt::ip(r.src));
  if (r.metric != 0) j.member("metric", r.metric);
  flags_json(j, single ? r.nh[0].flags : 0);
  if (r.mtu != 0) mtu_json(j, r.mtu);
  if (r.n_nexthops > 1) {
    j.key("nexthops");
    j.begin_array();
    for (unsigned i = 0; i < r.n_nexthops; ++i) {
      const proto::NexthopRecord& nh = r.nh[i];
      j.begin_object();
      if (nh.gateway != 0) j.member("gateway", fmt::ip(nh.gateway));
      if (!dev_of(nh).empty()) j.member("dev", dev_of(nh));
      j.member("weight", uint32_t{nh.weight});
      flags_json(j, nh.flags);
      j.end_object();
    }
    j.end_array();
  }
  j.end_object();
}

}  // namespace

bool route_in_table(const proto::RouteRecord& r, RouteTable table) {
  switch (table) {
    case RouteTable::kAll: return true;
    case RouteTable::kLocal: return in_local_table(r);
    case RouteTable::kMain: return !in_local_table(r);
  }
  return false;
}

bool route_is_kernel(const proto::RouteRecord& r) { return (r.flags & proto::kRouteFlagProtoKernel) != 0; }

std::string format_routes(const std::vector<proto::RouteRecord>& routes, const RouteSelector& sel,
                          const GlobalOptions& o) {
  if (o.json) {
    JsonWriter j(o.pretty);
    j.begin_array();
    for (const auto& r : routes)
      if (route_in_table(r, sel.table)) route_json(j, r, sel);
    j.end_array();
    return fmt::finish(j);
  }
  std::string out;
  for (const auto& r : routes)
    if (route_in_table(r, sel.table)) route_text(out, r, sel);
  return out;
}

// ip route get: the cloned route, then "    cache" with <local> for our addresses and the MTU when
// the route sets one. ip's "uid 0" is left out (the daemon has no socket owner to report).
std::string format_route_get(const proto::RouteGetReply& g, const RouteGetArgs& q, const GlobalOptions& o) {
  const char* type = route_type(g.route);
  const bool local =
      (g.route.flags & proto::kRouteFlagLocal) != 0 && (g.route.flags & proto::kRouteFlagKni) == 0;
  const bool broadcast = (g.route.flags & proto::kRouteFlagBroadcast) != 0;
  const bool via = (g.flags & proto::kRouteGetGateway) || (g.next_hop != 0 && g.next_hop != q.dst.v);
  std::string_view dev = ctrl::fixed_string(g.dev);
  const bool show_mtu = g.route.mtu != 0 && g.mtu != 0;
  if (o.json) {
    JsonWriter j(o.pretty);
    j.begin_array();
    j.begin_object();
    if (type) j.member("type", type);
    j.member("dst", fmt::ip(q.dst.v));
    if (q.from) j.member("from", fmt::ip(q.from->v));
    if (via) j.member("gateway", fmt::ip(g.next_hop));
    if (!dev.empty()) j.member("dev", dev);
    if (!q.from && g.src != 0) j.member("prefsrc", fmt::ip(g.src));
    j.key("flags");
    j.begin_array();
    j.end_array();
    j.key("cache");
    j.begin_array();
    if (local || broadcast) j.value("local");
    if (broadcast) j.value("brd");
    j.end_array();
    if (show_mtu) mtu_json(j, g.mtu);
    j.end_object();
    j.end_array();
    return fmt::finish(j);
  }
  std::string out;
  if (type) out += std::string(type) + " ";
  out += fmt::ip(q.dst.v) + " ";
  if (q.from) out += "from " + fmt::ip(q.from->v) + " ";
  if (via) out += "via " + fmt::ip(g.next_hop) + " ";
  if (!dev.empty()) out += "dev " + std::string(dev) + " ";
  if (!q.from && g.src != 0) out += "src " + fmt::ip(g.src) + " ";
  out += "\n    cache ";
  if (local) out += "<local> ";
  if (broadcast) out += "<local,brd> ";
  if (show_mtu) out += "mtu " + std::to_string(g.mtu) + " ";
  out += "\n";
  return out;
}

}  // namespace dplb::dpip
