#include "daemon/lcore_data_plane.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_version.h>

#include <cstring>

namespace dplb::dp {

LcoreDataPlane::LcoreDataPlane(const Ports& ports, std::vector<std::unique_ptr<Worker>>& workers,
                               const Mempools& pools)
    : ports_(ports), workers_(workers), pools_(pools) {
  for (const PortState& p : ports_.all()) facts_.push_back(PortFacts{p.id, p.name, p.conf.mtu, p.conf.addresses});
}

WorkerId LcoreDataPlane::worker_id(size_t worker) const {
  const Worker& w = *workers_.at(worker);
  return WorkerId{w.setup.index, w.setup.lcore};
}

Status LcoreDataPlane::attach(ctrl::Multicaster& mc) {
  for (auto& w : workers_) {
    w->setup.control = &mc;
    for (const PortFacts& p : facts_)
      if (Status st = w->tables.routes.set_port(p.id, p.mtu); !st) return st;
  }
  return Status::ok();
}

ipvs::IpvsCounters LcoreDataPlane::service_counters(size_t worker, uint32_t service_id) const {
  return workers_.at(worker)->tables.services.service_counters(service_id);
}

ipvs::IpvsCounters LcoreDataPlane::dest_counters(size_t worker, uint32_t dest_id) const {
  return workers_.at(worker)->tables.services.dest_counters(dest_id);
}

WorkerPortCounters LcoreDataPlane::port_counters(size_t worker, uint16_t port) const {
  return read_port_counters(workers_.at(worker)->io.stats.port[port]);
}

uint32_t LcoreDataPlane::conn_capacity() const {
  return workers_.empty() ? 0 : workers_[0]->tables.conns->capacity();
}

proto::LinkRecord LcoreDataPlane::link_record(uint16_t port) const {
  proto::LinkRecord r{};
  const PortState* found = nullptr;
  for (const PortState& p : ports_.all())
    if (p.id == port) found = &p;
  if (found == nullptr) return r;
  const PortState& p = *found;
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
    for (const auto& w : workers_) {
      const KniPortCounters& k = w->io.kni.counters[p.id];
      r.kni_rx_packets += counter_read(k.to_kernel);
      r.kni_tx_packets += counter_read(k.from_kernel);
      r.kni_dropped += counter_read(k.overflow);
    }
  }
  return r;
}

WorkerGauges LcoreDataPlane::worker_gauges(size_t worker) const {
  const Worker& w = *workers_.at(worker);
  WorkerGauges g;
  g.polls = counter_read(w.io.stats.loops);
  g.busy_polls = counter_read(w.io.stats.busy_polls);
  if (w.tables.conns) {
    g.conns = w.tables.conns->size_for_reader();
    g.conn_capacity = w.tables.conns->capacity();
  }
  g.neighbours = w.tables.neigh.size_for_reader();
  return g;
}

std::vector<MbufPoolGauge> LcoreDataPlane::mbuf_pools() const {
  std::vector<MbufPoolGauge> out;
  for (const Mempools::Usage& u : pools_.in_use()) out.push_back({u.name, u.size, u.size - u.in_use});
  return out;
}

std::string LcoreDataPlane::dpdk_version() const { return rte_version(); }

uint64_t LcoreDataPlane::now_ms() const { return rte_rdtsc() / (rte_get_tsc_hz() / 1000); }

}  // namespace dplb::dp
