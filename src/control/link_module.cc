// link: `dpip link show` and `dpip -s link show` (ethdev counters, per-worker software counters,
// drops by reason).
#include <rte_ethdev.h>

#include <cstring>

#include "control/control_plane.h"
#include "dplb/ctrl/proto.h"

namespace dplb::dp {

namespace {

proto::LinkRecord link_record(const PortState& p, const std::vector<std::unique_ptr<Worker>>& workers) {
  proto::LinkRecord r{};
  ctrl::set_fixed_string(r.ifname, p.name);
  r.ifindex = p.id;
  r.mtu = p.conf.mtu;
  r.n_rxq = p.conf.rx_queues;
  r.n_txq = p.conf.tx_queues;
  std::memcpy(r.mac, p.mac.b.data(), 6);
  ctrl::set_fixed_string(r.driver, std::string_view(p.info.driver_name ? p.info.driver_name : "").substr(0, 31));
  rte_eth_link link{};
  if (p.started) {
    r.flags |= proto::kLinkUp;
    if (rte_eth_link_get_nowait(p.id, &link) == 0 && link.link_status) {
      r.flags |= proto::kLinkLowerUp;
      r.speed_mbps = link.link_speed;
    }
  }
  if (p.conf.promisc) r.flags |= proto::kLinkPromisc;
  rte_eth_stats st{};
  if (rte_eth_stats_get(p.id, &st) == 0) {
    r.hw_ipackets = st.ipackets;
    r.hw_opackets = st.opackets;
    r.hw_ibytes = st.ibytes;
    r.hw_obytes = st.obytes;
    r.hw_imissed = st.imissed;
    r.hw_ierrors = st.ierrors;
    r.hw_oerrors = st.oerrors;
    r.hw_rx_nombuf = st.rx_nombuf;
  }
  if (!p.kni_ifname.empty()) {
    ctrl::set_fixed_string(r.kni_ifname, p.kni_ifname);
    for (const auto& w : workers) {
      const KniPortCounters& k = w->io.kni.counters[p.id];
      r.kni_rx_packets += counter_read(k.to_kernel);
      r.kni_tx_packets += counter_read(k.from_kernel);
      r.kni_dropped += counter_read(k.overflow);
    }
  }
  return r;
}

Status link_show(ControlPlane& cp, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
  proto::LinkQuery q;
  if (!ctrl::decode_pod(payload, q)) return Status::invalid("malformed link query");
  std::string_view name = ctrl::fixed_string(q.ifname);
  std::vector<const PortState*> links;
  if (name.empty()) {
    for (const PortState& p : cp.ports().all()) links.push_back(&p);
  } else {
    auto id = cp.port_by_name(name);
    if (!id) return id.status();
    for (const PortState& p : cp.ports().all())
      if (p.id == *id) links.push_back(&p);
  }
  const auto& workers = cp.workers();
  ctrl::PayloadWriter out(reply);
  out.put(proto::LinkReplyHeader{uint32_t(links.size()), uint32_t(workers.size()), uint32_t(kDropReasonCount),
                                 q.with_stats ? 1u : 0u});
  for (std::string_view reason : kDropReasonNames) {
    proto::ReasonName rn{};
    ctrl::set_fixed_string(rn.name, reason);
    out.put(rn);
  }
  for (const PortState* p : links) {
    out.put(link_record(*p, workers));
    if (!q.with_stats) continue;
    for (const auto& w : workers) {
      const PortCounters& c = w->io.stats.port[p->id];
      out.put(proto::WorkerPortStats{w->setup.index, w->setup.lcore, counter_read(c.rx_packets), counter_read(c.rx_bytes),
                                     counter_read(c.tx_packets), counter_read(c.tx_bytes),
                                     counter_read(c.tx_dropped)});
      for (const uint64_t& d : c.drops) out.put(counter_read(d));
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
