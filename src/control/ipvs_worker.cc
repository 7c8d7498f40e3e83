// ipvs, the worker side: services, real servers, timeouts, counters, and the connection listing for
// `ipvsadm -Lc`, applied to each worker's own tables (ipvs_module.cc is the main side).
#include <cstring>

#include "control/control_plane.h"
#include "control/msg_types.h"
#include "control/worker_side.h"
#include "dplb/ctrl/proto_ipvs.h"
#include "dplb/ipvs/tcp_state.h"

namespace dplb::dp {

namespace {

int on_svc_upsert(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  SvcMsg m;
  if (!msg.read(m)) return EINVAL;
  return code_of(worker_of(ctx).tables.services.upsert_service(m.svc_id, m.conf));
}

int on_svc_remove(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  IdMsg m;
  if (!msg.read(m)) return EINVAL;
  return code_of(worker_of(ctx).tables.services.remove_service(m.id));
}

int on_dest_upsert(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  DestMsg m;
  if (!msg.read(m)) return EINVAL;
  return code_of(worker_of(ctx).tables.services.upsert_dest(m.svc_id, m.dest_id, m.conf));
}

int on_dest_remove(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  IdMsg m;
  if (!msg.read(m)) return EINVAL;
  return code_of(worker_of(ctx).tables.services.remove_dest(m.id));
}

int on_clear(void* ctx, const ctrl::Msg&, uint64_t*) {
  worker_of(ctx).tables.services.clear();
  return 0;
}

int on_zero(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  IdMsg m;
  if (!msg.read(m)) return EINVAL;
  Worker& w = worker_of(ctx);
  if (m.id == kAllIds) {
    w.tables.services.zero_counters();
  } else if (w.tables.services.has_service(m.id)) {
    w.tables.services.zero_counters(m.id);
  }
  return 0;
}

int on_timeouts(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  TimeoutsMsg m;
  if (!msg.read(m)) return EINVAL;
  return code_of(worker_of(ctx).tables.timeouts.set(m.tcp, m.tcp_fin, m.udp));
}

int on_conn_dump(void* ctx, const ctrl::Msg& msg, uint64_t* value) {
  Worker& w = worker_of(ctx);
  auto* dump = static_cast<ConnDump*>(const_cast<void*>(msg.attachment.get()));
  if (dump == nullptr || w.setup.index >= dump->per_worker.size()) return EINVAL;
  auto& out = dump->per_worker[w.setup.index];
  ipvs::Tick now = w.io.now_tick;
  *value = w.tables.conns->visit(dump->cursor, dump->max_scan, [&](const ipvs::Conn& c) {
    if (out.size() >= dump->max_records) return;
    proto::ConnRecord r{};
    r.proto = c.proto;
    std::string_view state = c.proto == net::kIpProtoTcp
                                 ? ipvs::tcp_state_name(static_cast<ipvs::TcpState>(c.state))
                                 : ipvs::kUdpStateName;
    std::memcpy(r.state, state.data(), std::min(state.size(), sizeof r.state - 1));
    r.caddr = c.caddr.v;
    r.vaddr = c.vaddr.v;
    r.daddr = c.raddr.v;
    r.cport = c.cport;
    r.vport = c.vport;
    r.dport = c.rport;
    r.worker = static_cast<uint16_t>(w.setup.index);
    int32_t left = static_cast<int32_t>(c.expires - now);
    r.expires_ms = left > 0 ? uint32_t(left) * (1000 / ipvs::kTicksPerSecond) : 0;
    out.push_back(r);
  });
  return 0;
}

}  // namespace

Status register_ipvs_worker(ctrl::Multicaster& mc) {
  return set_handlers(mc, {{kMsgSvcUpsert, on_svc_upsert},
                           {kMsgSvcRemove, on_svc_remove},
                           {kMsgDestUpsert, on_dest_upsert},
                           {kMsgDestRemove, on_dest_remove},
                           {kMsgIpvsClear, on_clear},
                           {kMsgIpvsZero, on_zero},
                           {kMsgIpvsTimeouts, on_timeouts},
                           {kMsgConnDump, on_conn_dump}});
}

}  // namespace dplb::dp
