#include "datapath/worker.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include <ctime>

#include <cstring>

#include "control/msg_types.h"
#include "datapath/ipvs_persist.h"
#include "datapath/stages.h"
#include "dplb/net/arp.h"

namespace dplb::dp {

Worker::Worker(unsigned index_, unsigned lcore_, const WorkerSettings& settings_, rte_mempool* pool_)
    : setup{.index = index_, .lcore = lcore_, .settings = settings_, .pool = pool_} {
  uint64_t hz = rte_get_tsc_hz();
  setup.tsc_per_ms = hz / 1000 ? hz / 1000 : 1;
  uint64_t rate = setup.settings.icmp_rate_per_sec;
  io.icmp_limit.configure(rate, rate, hz);
  tables.routes.prefer_huge_pages();  // looked up per packet: worth the 2 MiB granularity
}

Worker::~Worker() {
  // Packets still waiting for ARP or in a redirect ring go back to their pool (mbuf accounting
  // at exit must be zero).
  for (uint16_t p = 0; p < kMaxPorts; ++p) tables.neigh.flush_port(p, *this, true);
  for (rte_ring* r : setup.redirect_from) {
    if (r == nullptr) continue;
    void* m;
    while (rte_ring_sc_dequeue(r, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
  }
  tx_flush_all();
}

Ip4 Worker::source_toward(uint16_t port, Ip4 peer) const {
  const auto& addrs = tables.routes.addrs(port);
  for (const Ip4Prefix& a : addrs)
    if (a.contains(peer)) return a.addr;
  return addrs.empty() ? Ip4() : addrs.front().addr;
}

void Worker::announce_addresses(uint16_t port) {
  if (!tables.polling || !(setup.garp_ports & (1u << port))) return;
  for (const Ip4Prefix& a : tables.routes.addrs(port))
    arp_send(*this, port, net::kArpOpRequest, Mac::broadcast(), a.addr, Mac{}, a.addr);
  tx_flush(port);
}

void Worker::announce_address(uint16_t port, Ip4 addr) {
  if (!tables.polling || !(setup.garp_ports & (1u << port))) return;
  arp_send(*this, port, net::kArpOpRequest, Mac::broadcast(), addr, Mac{}, addr);
  tx_flush(port);
}

void Worker::start_polling() {
  tables.polling = true;
  for (uint16_t p = 0; p < kMaxPorts; ++p)
    if (tables.ports[p].present) announce_addresses(p);
}

void Worker::tx_flush(uint16_t port) {
  TxBuffer& b = io.txb[port];
  if (b.count == 0) return;
  uint16_t sent = rte_eth_tx_burst(port, b.queue, b.pkts, b.count);
  uint64_t bytes = 0;
  for (uint16_t i = 0; i < sent; ++i) bytes += b.pkts[i]->pkt_len;
  PortCounters& pc = io.stats.port[port];
  counter_add(pc.tx_packets, sent);
  counter_add(pc.tx_bytes, bytes);
  if (unlikely(sent < b.count)) {
    uint16_t unsent = static_cast<uint16_t>(b.count - sent);
    counter_add(pc.tx_dropped, unsent);
    counter_add(pc.drops[static_cast<size_t>(DropReason::tx_full)], unsent);
    rte_pktmbuf_free_bulk(b.pkts + sent, unsent);
  }
  b.count = 0;
}

void Worker::tx_flush_all() {
  kni_flush_all(*this);
  for (uint16_t p = 0; p < kMaxPorts; ++p)
    if (io.txb[p].count) tx_flush(p);
}

void Worker::send_queued(const neigh::Entry& e, void* pkt) {
  auto* m = static_cast<rte_mbuf*>(pkt);
  auto* eth = rte_pktmbuf_mtod(m, net::EthHdr*);
  eth->dst = e.mac;
  eth->src = tables.ports[e.port].mac;
  eth->type = Be16::from_host(net::kEtherTypeIpv4);
  tx(e.port, m);
}

void Worker::drop_queued(const neigh::Entry&, void* pkt) {
  drop(static_cast<rte_mbuf*>(pkt), DropReason::neigh_failed);
}

void Worker::send_request(const neigh::Entry& e, bool unicast) {
  Ip4 src = source_toward(e.port, e.ip);
  arp_send(*this, e.port, net::kArpOpRequest, unicast ? e.mac : Mac::broadcast(), src, Mac{}, e.ip);
}

void Worker::answered(const neigh::Entry& e) { state_changed(e); }

void Worker::state_changed(const neigh::Entry& e) {
  // Replies to our ARP requests land on whichever queue the NIC picks: teach the others via main.
  if (e.state != neigh::State::reachable || tables.applying_remote_neigh || setup.control == nullptr) return;
  NeighMsg ev{};
  ev.port = e.port;
  ev.addr = e.ip.v;
  std::memcpy(ev.mac, e.mac.b.data(), 6);
  setup.control->post_event(setup.index, kEventNeighLearned, &ev, sizeof ev);
}

void Worker::poll_once(uint16_t& received) {
  rte_mbuf* pkts[kBurst];
  received = 0;
  if (unlikely(!tables.polling)) return;
  for (uint16_t i = 0; i < setup.n_rx; ++i) {
    uint16_t n = rte_eth_rx_burst(setup.rx[i].port, setup.rx[i].queue, pkts, kBurst);
    if (n) {
      eth_input(*this, setup.rx[i].port, pkts, n);
      received = static_cast<uint16_t>(received + n);
    }
  }
  received = static_cast<uint16_t>(received + kni_poll(*this));  // frames the kernel sends
}

uint16_t Worker::poll_redirects() {
  rte_mbuf* pkts[kBurst];
  uint16_t total = 0;
  for (uint32_t j = 0; j < setup.n_workers; ++j) {
    rte_ring* r = setup.redirect_from[j];
    if (r == nullptr) continue;
    unsigned n = rte_ring_sc_dequeue_burst(r, reinterpret_cast<void**>(pkts), kBurst, nullptr);
    for (unsigned i = 0; i < n; ++i) ipv4_input(*this, pkts[i]->port, pkts[i], true);
    total = static_cast<uint16_t>(total + n);
  }
  return total;
}

void Worker::expire_connections() {
  // Bounded work per tick: a mass expiry is spread over several iterations.
  tables.conns->run_timers(io.now_tick, 1024, [this](ipvs::Conn& c) {
    if (c.flags & kConnFlagTemplate) return persist_template_expired(*this, c);
    if (c.flags & kConnFlagPersistent) persist_child_gone(*this, c);
    tables.services.on_conn_gone(ipvs::DestRef{c.dest_id, c.dest_gen}, !(c.flags & ipvs::kConnFlagInactive));
    counter_add(io.stats.conns_expired);
    return ipvs::ExpireAction::kDestroy;
  });
}

void Worker::run(const std::atomic<bool>& stop) {
  uint64_t last_drain = rte_rdtsc();
  uint64_t last_timer_ms = 0;
  uint32_t idle = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    io.now_tsc = rte_rdtsc();
    io.now_ms = io.now_tsc / setup.tsc_per_ms;
    uint16_t received;
    poll_once(received);
    if (setup.n_workers > 1) received = static_cast<uint16_t>(received + poll_redirects());
    counter_add(io.stats.loops);
    // Bounded per iteration: control cannot starve packets, packets cannot starve control.
    if (size_t n = setup.control->drain(setup.index, setup.settings.msg_burst, this)) {
      counter_add(io.stats.ctrl_messages, n);
      received = 1;  // stay awake: more messages are likely to follow
    }

    if (io.now_tsc - last_drain >= setup.settings.tx_drain_tsc) {
      tx_flush_all();
      last_drain = io.now_tsc;
    }
    if (io.now_ms != last_timer_ms) {
      last_timer_ms = io.now_ms;
      tables.neigh.run_timers(io.now_ms, *this);
      io.now_tick = static_cast<ipvs::Tick>(io.now_ms / (1000 / ipvs::kTicksPerSecond));
      expire_connections();
    }
    if (received) {
      idle = 0;
      counter_add(io.stats.busy_polls);
    } else if (setup.settings.idle_backoff && ++idle > setup.settings.idle_polls) {
      // Nothing to do for a while: give the CPU back (tests and demos share cores with us).
      tx_flush_all();
      counter_add(io.stats.idle_sleeps);
      timespec ts{0, static_cast<long>(setup.settings.idle_sleep_us) * 1000};
      nanosleep(&ts, nullptr);
    }
  }
  tx_flush_all();
}

}  // namespace dplb::dp
