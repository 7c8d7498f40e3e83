#include "control/worker_handlers.h"

#include <cstring>

#include "datapath/worker.h"
#include "control/msg_types.h"

namespace dplb::dp {

namespace {

Worker& worker_of(void* ctx) { return *static_cast<Worker*>(ctx); }

// Ignores "already so" outcomes: the handler's job is the end state, not the transition.
int errno_unless(const Status& st, int ok_code) {
  return (st.is_ok() || st.code() == ok_code) ? 0 : st.code();
}

template <typename T>
const T* records(const ctrl::Msg& msg, size_t& count) {
  count = msg.payload.size() / sizeof(T);
  if (msg.payload.size() % sizeof(T) != 0) return nullptr;
  return reinterpret_cast<const T*>(msg.payload.data());
}

int on_digest(void* ctx, const ctrl::Msg&, uint64_t* value) {
  Worker& w = worker_of(ctx);
  *value = config_digest(w.tables.routes, w.tables.neigh, w.tables.services, w.tables.timeouts);
  return 0;
}

int on_replay_begin(void* ctx, const ctrl::Msg&, uint64_t*) {
  Worker& w = worker_of(ctx);
  // Services are synced in place (connections keep their dest references); routes are rebuilt.
  w.tables.services.begin_sync();
  w.tables.timeouts = ipvs::ProtoTimeouts::defaults();
  w.tables.routes = route::RouteTable();
  w.tables.routes.prefer_huge_pages();
  for (uint16_t p = 0; p < kMaxPorts; ++p) {
    if (!w.tables.ports[p].present) continue;
    w.tables.neigh.flush_port(p, w, true);
    if (Status st = w.tables.routes.set_port(p, w.tables.ports[p].mtu); !st) return st.code();
  }
  return 0;
}

int on_replay_end(void* ctx, const ctrl::Msg&, uint64_t*) {
  worker_of(ctx).tables.services.end_sync();
  return 0;
}

int on_addr(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  Worker& w = worker_of(ctx);
  AddrMsg a;
  if (!msg.read(a) || a.port >= kMaxPorts) return EINVAL;
  Ip4Prefix prefix{Ip4(a.addr), a.len};
  if (msg.type == kMsgAddrAdd) {
    if (int rc = errno_unless(w.tables.routes.add_addr(a.port, prefix), EEXIST)) return rc;
    w.announce_address(a.port, prefix.addr);
    return 0;
  }
  return errno_unless(w.tables.routes.del_addr(a.port, prefix), EADDRNOTAVAIL);
}

int on_neigh(void* ctx, const ctrl::Msg& msg, uint64_t* value) {
  Worker& w = worker_of(ctx);
  NeighMsg n;
  if (!msg.read(n) || n.port >= kMaxPorts) return EINVAL;
  Mac mac;
  std::memcpy(mac.b.data(), n.mac, 6);
  if (msg.type == kMsgNeighAdd) return errno_unless(w.tables.neigh.add_permanent(n.port, Ip4(n.addr), mac, w, w.io.now_ms), 0);
  Status st = w.tables.neigh.remove(n.port, Ip4(n.addr), w);
  *value = st.is_ok() ? 1 : 0;  // main reports ENOENT when no worker had it
  return errno_unless(st, ENOENT);
}

int on_neigh_flush(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  Worker& w = worker_of(ctx);
  PortMsg p;
  if (!msg.read(p) || p.port >= kMaxPorts) return EINVAL;
  w.tables.neigh.flush_port(p.port, w, p.include_permanent != 0);
  return 0;
}

int on_neigh_learned(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  Worker& w = worker_of(ctx);
  size_t n;
  const NeighMsg* items = records<NeighMsg>(msg, n);
  if (items == nullptr) return EINVAL;
  w.tables.applying_remote_neigh = true;
  for (size_t i = 0; i < n; ++i) {
    if (items[i].port >= kMaxPorts) continue;
    Mac mac;
    std::memcpy(mac.b.data(), items[i].mac, 6);
    w.tables.neigh.confirm(items[i].port, Ip4(items[i].addr), mac, w.io.now_ms, true, w);
  }
  w.tables.applying_remote_neigh = false;
  return 0;
}

int on_neigh_dump(void* ctx, const ctrl::Msg& msg, uint64_t* value) {
  Worker& w = worker_of(ctx);
  // The attachment is main's, shared read-only in type only: each worker writes its own slot.
  auto* dump = static_cast<NeighDump*>(const_cast<void*>(msg.attachment.get()));
  if (dump == nullptr || w.setup.index >= dump->per_worker.size()) return EINVAL;
  auto& out = dump->per_worker[w.setup.index];
  w.tables.neigh.for_each([&](const neigh::Entry& e) { out.push_back({e.port, e.ip, e.mac, e.state, e.updated_ms}); });
  *value = out.size();
  return 0;
}

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

int on_start(void* ctx, const ctrl::Msg&, uint64_t*) {
  worker_of(ctx).start_polling();
  return 0;
}

}  // namespace

uint64_t config_digest(const route::RouteTable& routes, const neigh::NeighTable& neigh,
                       const ipvs::ServiceTable& services, const ipvs::ProtoTimeouts& timeouts) {
  // Rotate before combining so equal sub-digests cannot cancel out.
  auto rot = [](uint64_t x, int r) { return (x << r) | (x >> (64 - r)); };
  uint64_t t = (uint64_t(timeouts.tcp_seconds()) << 40) ^ (uint64_t(timeouts.tcpfin_seconds()) << 20) ^
               timeouts.udp_seconds();
  return routes.digest() ^ rot(neigh.digest(), 17) ^ rot(services.digest(), 31) ^ rot(t * 0x9e3779b97f4a7c15ull, 47);
}

Status register_worker_handlers(ctrl::Multicaster& mc) {
  struct {
    MsgType type;
    ctrl::MsgHandler handler;
  } table[] = {
      {kMsgDigest, on_digest},           {kMsgReplayBegin, on_replay_begin},   {kMsgReplayEnd, on_replay_end},
      {kMsgAddrAdd, on_addr},            {kMsgAddrDel, on_addr},               {kMsgNeighAdd, on_neigh},
      {kMsgNeighDel, on_neigh},          {kMsgNeighFlush, on_neigh_flush},     {kMsgNeighLearned, on_neigh_learned},
      {kMsgNeighDump, on_neigh_dump},    {kMsgRouteUpsert, on_route_upsert},   {kMsgRouteDelete, on_route_delete},
      {kMsgRouteFlush, on_route_flush},  {kMsgStart, on_start},
  };
  for (const auto& t : table)
    if (Status st = mc.set_handler(t.type, t.handler); !st) return st;
  return register_ipvs_handlers(mc);
}

}  // namespace dplb::dp
