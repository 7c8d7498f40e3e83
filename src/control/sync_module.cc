// sync: are all workers identical to the model? Each worker reports the digest of its
// configuration tables (the worker side, at the end); a disagreeing one is marked out of sync and
// replayed (replay.cc).
#include "control/control_plane.h"
#include "control/worker_side.h"
#include "dplb/ctrl/proto.h"

namespace dplb::dp {

namespace {

// The configuration digest every worker and the model compute the same way.
uint64_t config_digest(const route::RouteTable& routes, const neigh::NeighTable& neigh,
                       const ipvs::ServiceTable& services, const ipvs::ProtoTimeouts& timeouts) {
  // Rotate before combining so equal sub-digests cannot cancel out.
  auto rot = [](uint64_t x, int r) { return (x << r) | (x >> (64 - r)); };
  uint64_t t = (uint64_t(timeouts.tcp_seconds()) << 40) ^ (uint64_t(timeouts.tcpfin_seconds()) << 20) ^
               timeouts.udp_seconds();
  return routes.digest() ^ rot(neigh.digest(), 17) ^ rot(services.digest(), 31) ^ rot(t * 0x9e3779b97f4a7c15ull, 47);
}

Status sync_show(ControlPlane& cp, std::vector<uint8_t>& reply) {
  const Model& m = cp.model();
  uint64_t model = config_digest(m.routes, m.neigh, m.ipvs.table(), m.timeouts);
  ctrl::ConsistencyReport rep =
      cp.multicaster().check_consistency(kMsgDigest, model, std::chrono::milliseconds(2000));
  ctrl::PayloadWriter out(reply);
  const DataPlane& dp = cp.data_plane();
  bool all = rep.all_agree() && cp.multicaster().all_in_sync();
  out.put(proto::SyncReply{model, uint32_t(dp.worker_count()), all ? 1u : 0u});
  for (size_t i = 0; i < dp.worker_count(); ++i) {
    proto::SyncWorker s{};
    s.worker = dp.worker_id(i).index;
    s.lcore = dp.worker_id(i).lcore;
    s.digest = i < rep.digests.size() ? rep.digests[i] : 0;
    s.in_sync = (i < rep.workers.size() && rep.workers[i] == ctrl::DigestVerdict::kAgree &&
                 cp.multicaster().in_sync(i)) ? 1 : 0;
    out.put(s);
  }
  return out.ok() ? Status::ok() : Status::error(EMSGSIZE, "sync reply too large");
}

// ---- worker side ----

int on_digest(void* ctx, const ctrl::Msg&, uint64_t* value) {
  Worker& w = worker_of(ctx);
  *value = config_digest(w.tables.routes, w.tables.neigh, w.tables.services, w.tables.timeouts);
  return 0;
}

}  // namespace

Status register_sync_worker(ctrl::Multicaster& mc) { return mc.set_handler(kMsgDigest, on_digest); }

Status register_sync_module(ControlPlane& cp) {
  ctrl::Module m;
  m.name = "sync";
  m.get = proto::kSyncGetOps;
  m.handler = [&cp](ctrl::Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
    if (kind == ctrl::Kind::kGet && op == proto::kOpSyncShow) {
      if (!payload.empty()) return Status::invalid("malformed sync request: unexpected payload");
      return sync_show(cp, reply);
    }
    return Status::error(EOPNOTSUPP, "unknown sync operation " + std::to_string(op));
  };
  return cp.registry().add(std::move(m));
}

}  // namespace dplb::dp
