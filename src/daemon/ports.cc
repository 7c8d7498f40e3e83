#include "daemon/ports.h"

#include <rte_errno.h>
#include <rte_mbuf.h>

#include <cstring>

namespace dplb::dp {

namespace {

Status port_error(const std::string& name, const char* what, int rc) {
  return Status::invalid("port " + name + ": " + what + " failed: " + rte_strerror(rc < 0 ? -rc : rc));
}

}  // namespace

Mempools::~Mempools() { free_all(); }

Result<rte_mempool*> Mempools::get(int socket) {
  if (socket < 0) socket = 0;
  auto it = pools_.find(socket);
  if (it != pools_.end()) return it->second;
  std::string name = "dplb_mbuf_s" + std::to_string(socket);
  rte_mempool* mp = rte_pktmbuf_pool_create(name.c_str(), mbufs_, cache_, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
  if (mp == nullptr) {
    return Status::error(ENOMEM, "cannot create mbuf pool " + name + " (" + std::to_string(mbufs_) +
                                     " mbufs): " + rte_strerror(rte_errno) +
                                     "; raise EAL -m or lower dataplane.mbufs_per_pool");
  }
  pools_[socket] = mp;
  return mp;
}

std::vector<Mempools::Usage> Mempools::in_use() const {
  std::vector<Usage> out;
  // rte_mempool_in_use_count() is size minus (ring count + every lcore cache's length): mbufs parked
  // in a per-lcore cache are free, so no cache flush is needed for an exact count.
  for (const auto& [socket, mp] : pools_) out.push_back({mp->name, rte_mempool_in_use_count(mp), mp->size});
  return out;
}

void Mempools::free_all() {
  for (auto& [socket, mp] : pools_) rte_mempool_free(mp);
  pools_.clear();
}

conf::RuntimeFacts Ports::discover(unsigned main_lcore, const std::vector<unsigned>& worker_lcores) {
  conf::RuntimeFacts facts;
  facts.main_lcore = main_lcore;
  facts.worker_lcores = worker_lcores;
  uint16_t id;
  RTE_ETH_FOREACH_DEV(id) {
    rte_eth_dev_info info{};
    conf::RuntimeFacts::Port p;
    p.name = "dpdk" + std::to_string(id);
    if (rte_eth_dev_info_get(id, &info) == 0) {
      p.max_rx_queues = info.max_rx_queues;
      p.max_tx_queues = info.max_tx_queues;
      p.min_mtu = info.min_mtu;
      p.max_mtu = info.max_mtu;
    }
    facts.ports.push_back(p);
  }
  return facts;
}

Status Ports::configure(const conf::Plan& plan, Mempools& pools) {
  for (const conf::PortPlan& pp : plan.ports) {
    PortState ps;
    ps.id = pp.port_id;
    ps.name = pp.conf.name;
    ps.conf = pp.conf;
    uint16_t id = ps.id;
    if (int rc = rte_eth_dev_info_get(id, &ps.info); rc != 0) return port_error(ps.name, "dev_info_get", rc);
    ps.socket = rte_eth_dev_socket_id(id) < 0 ? 0 : rte_eth_dev_socket_id(id);

    rte_eth_conf ec{};
    uint16_t nrx = pp.conf.rx_queues, ntx = pp.conf.tx_queues;
    if (nrx > 1) {
      // Spread flows over the queues by their addresses and ports where the device can.
      uint64_t hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & ps.info.flow_type_rss_offloads;
      if (hf) {
        ec.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        ec.rx_adv_conf.rss_conf.rss_hf = hf;
      }
    }
    if (int rc = rte_eth_dev_configure(id, nrx, ntx, &ec); rc != 0) return port_error(ps.name, "configure", rc);
    uint16_t nb_rxd = pp.conf.rx_desc, nb_txd = pp.conf.tx_desc;
    if (int rc = rte_eth_dev_adjust_nb_rx_tx_desc(id, &nb_rxd, &nb_txd); rc != 0)
      return port_error(ps.name, "adjust descriptors", rc);
    auto pool = pools.get(ps.socket);
    if (!pool) return pool.status();
    for (uint16_t q = 0; q < nrx; ++q)
      if (int rc = rte_eth_rx_queue_setup(id, q, nb_rxd, ps.socket, nullptr, *pool); rc != 0)
        return port_error(ps.name, ("rx queue " + std::to_string(q) + " setup").c_str(), rc);
    for (uint16_t q = 0; q < ntx; ++q)
      if (int rc = rte_eth_tx_queue_setup(id, q, nb_txd, ps.socket, nullptr); rc != 0)
        return port_error(ps.name, ("tx queue " + std::to_string(q) + " setup").c_str(), rc);
    uint16_t cur_mtu = 0;
    rte_eth_dev_get_mtu(id, &cur_mtu);
    if (cur_mtu != pp.conf.mtu) {
      if (int rc = rte_eth_dev_set_mtu(id, pp.conf.mtu); rc != 0) return port_error(ps.name, "set mtu", rc);
    }
    if (pp.conf.promisc) rte_eth_promiscuous_enable(id);
    rte_ether_addr mac;
    rte_eth_macaddr_get(id, &mac);
    std::memcpy(ps.mac.b.data(), mac.addr_bytes, 6);
    ports_.push_back(std::move(ps));
  }
  return Status::ok();
}

Status Ports::start_all() {
  for (PortState& ps : ports_) {
    if (int rc = rte_eth_dev_start(ps.id); rc != 0) return port_error(ps.name, "start", rc);
    ps.started = true;
  }
  return Status::ok();
}

void Ports::stop_and_close_all() {
  for (PortState& ps : ports_) {
    if (ps.started) rte_eth_dev_stop(ps.id);
    ps.started = false;
    rte_eth_dev_close(ps.id);  // a pcap port writes out its file here
  }
}

}  // namespace dplb::dp
