// route, the worker side: each worker replaces, deletes or flushes the routes main sends, in its
// own table (route_module.cc is the main side: the model and the `dpip route` operations).
#include "control/control_plane.h"
#include "control/msg_types.h"
#include "control/worker_side.h"

namespace dplb::dp {

namespace {

route::RouteSpec spec_of(const RouteMsg& r) {
  route::RouteSpec spec;
  spec.prefix = Ip4Prefix{Ip4(r.net), r.len};
  spec.metric = r.metric;
  spec.mtu = r.mtu;
  spec.src = Ip4(r.src);
  spec.scope = static_cast<route::RouteScope>(r.scope);
  for (unsigned i = 0; i < r.n_nexthops && i < 16; ++i) {
    route::Nexthop nh;
    nh.gateway = Ip4(r.nh[i].gateway);
    nh.port = r.nh[i].port;
    nh.weight = r.nh[i].weight;
    nh.onlink = r.nh[i].onlink != 0;
    spec.nexthops.push_back(nh);
  }
  return spec;
}

int on_route_upsert(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  Worker& w = worker_of(ctx);
  size_t n;
  const RouteMsg* items = records<RouteMsg>(msg, n);
  if (items == nullptr) return EINVAL;
  for (size_t i = 0; i < n; ++i)
    if (Status st = w.tables.routes.add_route(spec_of(items[i]), route::AddMode::kReplace); !st) return st.code();
  return 0;
}

int on_route_delete(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  Worker& w = worker_of(ctx);
  size_t n;
  const RouteMsg* items = records<RouteMsg>(msg, n);
  if (items == nullptr) return EINVAL;
  for (size_t i = 0; i < n; ++i) {
    route::RouteMatch match;
    match.prefix = Ip4Prefix{Ip4(items[i].net), items[i].len};
    match.metric = items[i].metric;
    match.scope = static_cast<route::RouteScope>(items[i].scope);
    if (int rc = errno_unless(w.tables.routes.del_route(match), ESRCH)) return rc;
  }
  return 0;
}

int on_route_flush(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  Worker& w = worker_of(ctx);
  PortMsg p;
  if (!msg.read(p)) return EINVAL;
  std::optional<uint16_t> port;
  if (p.port != 0xffff) port = p.port;
  auto r = w.tables.routes.flush_routes(port);
  return r ? 0 : r.status().code();
}

}  // namespace

Status register_route_worker(ctrl::Multicaster& mc) {
  return set_handlers(mc, {{kMsgRouteUpsert, on_route_upsert},
                           {kMsgRouteDelete, on_route_delete},
                           {kMsgRouteFlush, on_route_flush}});
}

}  // namespace dplb::dp
