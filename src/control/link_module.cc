// link: `dpip link show` and `dpip -s link show` (ethdev counters, per-worker software counters,
// drops by reason). Main side only: it reads counters, it changes nothing on the workers.
#include "control/control_plane.h"
#include "dplb/ctrl/proto.h"

namespace dplb::dp {

namespace {

Status link_show(ControlPlane& cp, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
  proto::LinkQuery q;
  if (!ctrl::decode_pod(payload, q)) return Status::invalid("malformed link query");
  std::string_view name = ctrl::fixed_string(q.ifname);
  const DataPlane& dp = cp.data_plane();
  std::vector<uint16_t> links;
  if (name.empty()) {
    for (const PortFacts& p : dp.ports()) links.push_back(p.id);
  } else {
    auto id = cp.port_by_name(name);
    if (!id) return id.status();
    links.push_back(*id);
  }
  ctrl::PayloadWriter out(reply);
  out.put(proto::LinkReplyHeader{proto::kLinkReplyLayout, uint32_t(links.size()), uint32_t(dp.worker_count()),
                                 uint32_t(kDropReasonCount), q.with_stats ? 1u : 0u, 0});
  for (std::string_view reason : kDropReasonNames) {
    proto::ReasonName rn{};
    ctrl::set_fixed_string(rn.name, reason);
    out.put(rn);
  }
  for (uint16_t port : links) {
    out.put(dp.link_record(port));
    if (!q.with_stats) continue;
    for (size_t w = 0; w < dp.worker_count(); ++w) {
      const WorkerPortCounters c = dp.port_counters(w, port);
      const WorkerId id = dp.worker_id(w);
      out.put(proto::WorkerPortStats{id.index, id.lcore, c.rx_packets, c.rx_bytes, c.tx_packets, c.tx_bytes,
                                     c.tx_dropped, c.redirected});
      for (const uint64_t& d : c.drops) out.put(d);
    }
  }
  if (!out.ok()) return Status::error(EMSGSIZE, "link reply too large");
  return Status::ok();
}

}  // namespace

Status register_link_module(ControlPlane& cp) {
  ctrl::Module m;
  m.name = "link";
  m.get = proto::kLinkGetOps;
  m.set = proto::kLinkSetOps;
  m.handler = [&cp](ctrl::Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
    if (kind == ctrl::Kind::kGet && op == proto::kOpLinkShow) return link_show(cp, payload, reply);
    return Status::error(EOPNOTSUPP, "unknown link operation " + std::to_string(op));
  };
  return cp.registry().add(std::move(m));
}

}  // namespace dplb::dp
