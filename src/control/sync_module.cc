// sync: are all workers identical to the model? Each worker reports the digest of its
// configuration tables; a disagreeing one is marked out of sync and replayed.
#include "control/control_plane.h"
#include "dplb/ctrl/proto.h"

namespace dplb::dp {

namespace {

Status sync_show(ControlPlane& cp, std::vector<uint8_t>& reply) {
  uint64_t model = cp.model_digest();
  ctrl::ConsistencyReport rep =
      cp.multicaster().check_consistency(kMsgDigest, model, std::chrono::milliseconds(2000));
  ctrl::PayloadWriter out(reply);
  const auto& workers = cp.workers();
  bool all = rep.all_agree() && cp.multicaster().all_in_sync();
  out.put(proto::SyncReply{model, uint32_t(workers.size()), all ? 1u : 0u});
  for (size_t i = 0; i < workers.size(); ++i) {
    proto::SyncWorker s{};
    s.worker = workers[i]->setup.index;
    s.lcore = workers[i]->setup.lcore;
    s.digest = i < rep.digests.size() ? rep.digests[i] : 0;
    s.in_sync = (i < rep.workers.size() && rep.workers[i] == ctrl::DigestVerdict::kAgree &&
                 cp.multicaster().in_sync(i)) ? 1 : 0;
    out.put(s);
  }
  return out.ok() ? Status::ok() : Status::error(EMSGSIZE, "sync reply too large");
}

}  // namespace

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
