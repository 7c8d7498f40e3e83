// A worker lcore's context: everything it touches per packet, owned by it alone and passed by
// reference (no hidden globals). The main lcore only reads its counters and talks to it by messages.
// Its state is grouped by who writes it: `setup` (before launch, then constant), `tables` (control-
// message handlers) and `io` (the packet path and the poll loop).
#pragma once

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <memory>

#include "datapath/limits.h"
#include "dplb/base/addr.h"
#include "dplb/base/token_bucket.h"
#include "dplb/ctrl/multicast.h"
#include "dplb/ipvs/conn_table.h"
#include "dplb/ipvs/service_table.h"
#include "dplb/ipvs/tcp_state.h"
#include "dplb/neigh/neigh_table.h"
#include "dplb/route/route_table.h"
#include "datapath/kni_worker.h"
#include "datapath/worker_stats.h"

namespace dplb::dp {

struct RxQueueRef {
  uint16_t port;
  uint16_t queue;
};

// What a worker knows of a port (copied at start, changed only by control messages).
struct PortView {
  bool present = false;
  bool promisc = false;
  uint16_t mtu = 1500;
  Mac mac;
};

struct TxBuffer {
  bool enabled = false;
  uint16_t queue = 0;
  uint16_t count = 0;
  rte_mbuf* pkts[kTxBufferCap];
};

struct WorkerSettings {
  bool forwarding = false;
  bool idle_backoff = true;
  uint32_t idle_polls = 256;
  uint32_t idle_sleep_us = 100;
  uint64_t tx_drain_tsc = 0;   // TSC cycles between drains of partial TX buffers
  uint32_t msg_burst = 32;
  uint32_t icmp_rate_per_sec = 1000;
  uint32_t conn_capacity = 1u << 20;
  uint32_t conn_prefetch_min = 16384;  // see eth_input: the burst prefetch pass from this table size
};

// Written before launch (Daemon::build_workers, ControlPlane, KniTaps), constant afterwards.
struct WorkerSetup {
  unsigned index = 0;
  unsigned lcore = 0;
  WorkerSettings settings;
  rte_mempool* pool = nullptr;
  uint16_t n_rx = 0;
  RxQueueRef rx[kMaxRxPerWorker];
  // Connections are owned by one worker, chosen from the client's address and port; packets that
  // land elsewhere travel to the owner over these single-producer single-consumer rings.
  uint32_t n_workers = 1;
  rte_ring* redirect_to[kMaxWorkers] = {};
  rte_ring* redirect_from[kMaxWorkers] = {};
  ctrl::Multicaster* control = nullptr;
  uint32_t garp_ports = 0;  // ports this worker announces our addresses on when it starts
  uint64_t tsc_per_ms = 1;
};

// Filled before launch, then configured only by control-message handlers (run on this lcore between
// bursts: no locks). The packet path updates their dynamic state (connections, learned neighbours,
// counters), never their configuration.
struct WorkerTables {
  PortView ports[kMaxPorts];
  neigh::NeighTable neigh;
  route::RouteTable routes;
  ipvs::ServiceTable services;
  std::unique_ptr<ipvs::ConnTable> conns;
  ipvs::ProtoTimeouts timeouts = ipvs::ProtoTimeouts::defaults();
  bool polling = false;                // ports started (kMsgStart received)
  bool applying_remote_neigh = false;  // applying a neighbour taught by main: do not echo it back
};

// The neighbour the previous forwarded packet of the current receive burst was sent to
// (neigh_output_forward): a burst's packets mostly share a few next hops, and a repeat needs no
// hash probe. Kept only while eth_input runs a burst: between bursts timers and control messages
// age, remove and move entries; inside one, whatever may change the table (ARP input, the slow
// path) forgets it.
struct LastNeighbour {
  const neigh::Entry* entry = nullptr;  // nullptr: none yet
  uint16_t port = 0;
  Ip4 next_hop;
  bool in_burst = false;  // remember a neighbour only inside eth_input's burst
};

// Written by the packet path and the poll loop; main only reads the counters (counter_read).
struct WorkerIo {
  TxBuffer txb[kMaxPorts];
  LastNeighbour last_neigh;
  WorkerStats stats;
  KniWorker kni;  // exception path: tap TX buffers and counters (its taps are set before launch)
  TokenBucket icmp_limit;
  uint16_t next_ip_id = 0;  // IP ids of packets we originate
  uint64_t now_tsc = 0;
  uint64_t now_ms = 0;
  ipvs::Tick now_tick = 0;  // connection timers: 10 ms ticks
};

class Worker final : public neigh::Sink {
 public:
  Worker(unsigned index, unsigned lcore, const WorkerSettings& settings, rte_mempool* pool);
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The poll loop; returns when `stop` becomes true, after flushing its TX buffers. Until the
  // kMsgStart message it only handles control messages (ports are not started yet).
  void run(const std::atomic<bool>& stop);
  // kMsgStart: ports are up; announce our addresses and begin polling.
  void start_polling();

  // Packet helpers used by the pipeline stages.
  void drop(rte_mbuf* m, DropReason reason) {
    count_drop(m->port, reason);
    rte_pktmbuf_free(m);
  }
  void count_drop(uint16_t port, DropReason reason) {
    counter_add(io.stats.port[port < kMaxPorts ? port : 0].drops[static_cast<size_t>(reason)]);
  }
  // An mbuf for a packet we originate on `port` (ARP, ICMP), or nullptr (counted as no_mbuf).
  rte_mbuf* alloc(uint16_t port) {
    rte_mbuf* m = rte_pktmbuf_alloc(setup.pool);
    if (unlikely(m == nullptr)) {
      count_drop(port, DropReason::no_mbuf);
      return nullptr;
    }
    m->port = port;
    return m;
  }
  // Queues m for TX on port (flushed when a burst is full, or by the drain timer).
  void tx(uint16_t port, rte_mbuf* m) {
    TxBuffer& b = io.txb[port];
    if (unlikely(!b.enabled)) {
      drop(m, DropReason::no_tx_queue);
      return;
    }
    b.pkts[b.count++] = m;
    if (b.count >= kBurst) tx_flush(port);
  }
  void tx_flush(uint16_t port);
  void tx_flush_all();

  // neigh::Sink: resolution outcomes for queued packets, and ARP requests to send.
  void send_queued(const neigh::Entry& e, void* pkt) override;
  void drop_queued(const neigh::Entry& e, void* pkt) override;
  void send_request(const neigh::Entry& e, bool unicast) override;
  void state_changed(const neigh::Entry& e) override;
  void answered(const neigh::Entry& e) override;

  // Our address on `port` to speak from toward `peer`: same subnet first, else the primary, else 0.
  Ip4 source_toward(uint16_t port, Ip4 peer) const;
  // Gratuitous ARP for every address of `port` (only the port's designated worker sends them).
  void announce_addresses(uint16_t port);
  // Gratuitous ARP for one new address: adding the n-th address must not re-announce the other n-1.
  void announce_address(uint16_t port, Ip4 addr);

  WorkerSetup setup;
  WorkerTables tables;
  WorkerIo io;

 private:
  void poll_once(uint16_t& received);
  uint16_t poll_redirects();
  void expire_connections();
};

}  // namespace dplb::dp
