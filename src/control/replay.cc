// Replay: how main rebuilds a worker marked out of sync. The main side sends begin, every
// address/route/neighbour/service/timeout upsert, end; the worker side (at the end) forgets its
// configuration at begin and sweeps what the replay did not renew at end.
#include <algorithm>
#include <cstring>

#include "control/control_plane.h"
#include "control/route_msg.h"
#include "control/worker_side.h"

namespace dplb::dp {

namespace {

// Replay sends big tables in chunks so no single message is huge.
constexpr size_t kReplayChunk = 1024;

}  // namespace

void ControlPlane::replay(ctrl::ReplaySink& sink) {
  if (!sink.send(std::make_unique<ctrl::Msg>(kMsgReplayBegin))) return;
  const route::RouteTable& rt = model_.routes;
  for (const PortFacts& p : dp_.ports())
    for (const Ip4Prefix& a : rt.addrs(p.id))
      if (!sink.send(ctrl::Msg::of(kMsgAddrAdd, AddrMsg{p.id, a.len, 0, a.addr.v}))) return;

  // Routes the addresses derive but the model no longer has (the user deleted them).
  std::vector<RouteMsg> gone;
  for (const PortFacts& p : dp_.ports())
    for (const Ip4Prefix& a : rt.addrs(p.id))
      if (a.len < 32 && !has_connected_route(rt, a)) gone.push_back(connected_route_identity(a));
  if (!gone.empty() && !sink.send(std::make_unique<ctrl::Msg>(kMsgRouteDelete, encode_records(gone)))) return;

  // User routes: on-link ones first, so gateway routes find their on-link route on the worker.
  std::vector<RouteMsg> upserts = replay_routes(rt);
  for (size_t i = 0; i < upserts.size(); i += kReplayChunk) {
    std::span<const RouteMsg> chunk(upserts.data() + i, std::min(kReplayChunk, upserts.size() - i));
    if (!sink.send(std::make_unique<ctrl::Msg>(kMsgRouteUpsert, encode_records(chunk)))) return;
  }
  bool ok = true;
  model_.neigh.for_each([&](const neigh::Entry& e) {
    if (!ok) return;
    NeighMsg m{};
    m.port = e.port;
    m.addr = e.ip.v;
    std::memcpy(m.mac, e.mac.b.data(), 6);
    ok = sink.send(ctrl::Msg::of(kMsgNeighAdd, m));
  });
  if (!ok) return;
  for (const ipvs::Upsert& u : model_.ipvs.upserts()) {
    auto msg = u.is_service ? ctrl::Msg::of(kMsgSvcUpsert, SvcMsg{u.svc_id, u.service})
                            : ctrl::Msg::of(kMsgDestUpsert, DestMsg{u.svc_id, u.dest_id, u.dest});
    if (!sink.send(std::move(msg))) return;
  }
  const ipvs::ProtoTimeouts& t = model_.timeouts;
  if (!sink.send(ctrl::Msg::of(kMsgIpvsTimeouts, TimeoutsMsg{t.tcp_seconds(), t.tcpfin_seconds(), t.udp_seconds()})))
    return;
  sink.send(std::make_unique<ctrl::Msg>(kMsgReplayEnd));
}

// ---- worker side ----

namespace {

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

}  // namespace

Status register_replay_worker(ctrl::Multicaster& mc) {
  return set_handlers(mc, {{kMsgReplayBegin, on_replay_begin}, {kMsgReplayEnd, on_replay_end}});
}

}  // namespace dplb::dp
