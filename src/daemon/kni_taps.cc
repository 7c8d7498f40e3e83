#include "daemon/kni_taps.h"

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <cstring>

#include "daemon/log.h"

namespace dplb::dp {

namespace {

Status tap_error(const kni::TapPlan& t, const char* what, int rc) {
  return Status::invalid("kni " + t.ifname + " for port " + t.port_name + ": " + what +
                         " failed: " + rte_strerror(rc < 0 ? -rc : rc));
}

}  // namespace

Status KniTaps::create(const conf::Plan& plan, Ports& ports, Mempools& pools) {
  std::vector<Mac> macs;
  std::vector<int> sockets;
  for (const conf::PortPlan& pp : plan.ports) {
    Mac m{};
    int socket = 0;
    for (const PortState& ps : ports.all()) {
      if (ps.id == pp.port_id) {
        m = ps.mac;
        socket = ps.socket;
      }
    }
    macs.push_back(m);
    sockets.push_back(socket);
  }
  auto kp = kni::make_kni_plan(plan, macs, kMaxQueues);
  if (!kp) return kp.status();
  for (const auto& w : kp->warnings) spdlog::warn("{}", w);
  for (const kni::TapPlan& tp : kp->taps) {
    int socket = 0;
    for (size_t i = 0; i < plan.ports.size(); ++i)
      if (plan.ports[i].port_id == tp.port_id) socket = sockets[i];
    taps_.push_back(Tap{tp, 0, false, false});
    if (Status st = setup(taps_.back(), socket, pools); !st) return st;
    for (PortState& ps : ports.all())
      if (ps.id == tp.port_id) ps.kni_ifname = tp.ifname;
  }
  return Status::ok();
}

Status KniTaps::setup(Tap& t, int socket, Mempools& pools) {
  const kni::TapPlan& p = t.plan;
  if (int rc = rte_vdev_init(p.vdev_name.c_str(), p.devargs.c_str()); rc != 0)
    return tap_error(p, "creating the tap (rte_vdev_init)", rc);
  if (int rc = rte_eth_dev_get_port_by_name(p.vdev_name.c_str(), &t.id); rc != 0) {
    rte_vdev_uninit(p.vdev_name.c_str());
    return tap_error(p, "finding the tap's ethdev", rc);
  }
  t.configured = true;  // from here on stop_and_close_all() cleans it up
  rte_eth_dev_info info{};
  if (int rc = rte_eth_dev_info_get(t.id, &info); rc != 0) return tap_error(p, "dev_info_get", rc);
  if (info.max_rx_queues < p.queues || info.max_tx_queues < p.queues)
    return Status::invalid("kni " + p.ifname + ": " + std::to_string(p.queues) +
                           " workers need as many tap queues, the tap has " +
                           std::to_string(info.max_tx_queues));
  rte_eth_conf ec{};
  // Frames longer than one mbuf (jumbo MTU) arrive as a chain instead of being cut.
  ec.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER & info.rx_offload_capa;
  if (int rc = rte_eth_dev_configure(t.id, p.queues, p.queues, &ec); rc != 0)
    return tap_error(p, "configure", rc);
  auto pool = pools.get(socket);
  if (!pool) return pool.status();
  for (uint16_t q = 0; q < p.queues; ++q) {
    if (int rc = rte_eth_rx_queue_setup(t.id, q, kRxDesc, socket, nullptr, *pool); rc != 0)
      return tap_error(p, "rx queue setup", rc);
    if (int rc = rte_eth_tx_queue_setup(t.id, q, kBurst, socket, nullptr); rc != 0)
      return tap_error(p, "tx queue setup", rc);
  }
  if (int rc = rte_eth_dev_set_mtu(t.id, p.mtu); rc != 0) return tap_error(p, "set mtu", rc);
  rte_ether_addr mac;
  if (rte_eth_macaddr_get(t.id, &mac) != 0 || std::memcmp(mac.addr_bytes, p.mac.b.data(), 6) != 0)
    return tap_error(p, "taking the port's MAC", EINVAL);
  return Status::ok();
}

void KniTaps::attach(Worker& w) const {
  for (const Tap& t : taps_) {
    uint16_t port = t.plan.port_id;
    if (port >= kMaxPorts || w.setup.index >= t.plan.queues) continue;
    KniTxBuffer& b = w.io.kni.txb[port];
    b.tap = t.id;
    b.queue = static_cast<uint16_t>(w.setup.index);
    b.count = 0;
    w.io.kni.unclaimed_to_kernel[port] = t.plan.unclaimed == kni::UnclaimedAction::kKernel;
    if (t.plan.poller && *t.plan.poller == w.setup.index && w.io.kni.n_rx < kMaxPorts)
      w.io.kni.rx[w.io.kni.n_rx++] = KniRxRef{t.id, port, t.plan.queues};
  }
}

Status KniTaps::start_all() {
  for (Tap& t : taps_) {
    // Starting the tap brings the kernel interface up.
    if (int rc = rte_eth_dev_start(t.id); rc != 0) return tap_error(t.plan, "start", rc);
    t.started = true;
    spdlog::info("kni {} (ethdev {}) for {}: mac {} mtu {} queues {} read by worker {}, unclaimed: {}",
                 t.plan.ifname, t.id, t.plan.port_name, to_string(t.plan.mac), t.plan.mtu, t.plan.queues,
                 t.plan.poller ? std::to_string(*t.plan.poller) : std::string("none"),
                 t.plan.unclaimed == kni::UnclaimedAction::kKernel ? "kernel" : "drop");
  }
  return Status::ok();
}

void KniTaps::stop_and_close_all() {
  for (Tap& t : taps_) {
    if (!t.configured) continue;
    if (t.started) rte_eth_dev_stop(t.id);
    t.started = false;
    rte_eth_dev_close(t.id);  // closes the tun queues (the interface goes away) and frees the RX mbufs
    rte_vdev_uninit(t.plan.vdev_name.c_str());
    t.configured = false;
  }
}

}  // namespace dplb::dp
