// A worker lcore's context: everything it touches per packet, owned by it alone and passed by
// reference (no hidden globals). The main lcore only reads its counters and talks to it by messages.
#pragma once

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <atomic>
#include <cstdint>

#include "dp_limits.h"
#include "dplb/base/addr.h"
#include "dplb/base/token_bucket.h"
#include "dplb/neigh/neigh_table.h"
#include "worker_stats.h"

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
  // Temporary address list until the route tables take over local delivery.
  static constexpr int kMaxAddrs = 16;
  Ip4Prefix addrs[kMaxAddrs];
  int n_addrs = 0;
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
};

class Worker final : public neigh::Sink {
 public:
  Worker(unsigned index, unsigned lcore, const WorkerSettings& settings, rte_mempool* pool);
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The poll loop; returns when `stop` becomes true, after flushing its TX buffers.
  void run(const std::atomic<bool>& stop);

  // Packet helpers used by the pipeline stages.
  void drop(rte_mbuf* m, DropReason reason) {
    count_drop(m->port, reason);
    rte_pktmbuf_free(m);
  }
  void count_drop(uint16_t port, DropReason reason) {
    counter_add(stats.port[port < kMaxPorts ? port : 0].drops[static_cast<size_t>(reason)]);
  }
  // An mbuf for a packet we originate on `port` (ARP, ICMP), or nullptr (counted as no_mbuf).
  rte_mbuf* alloc(uint16_t port) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    if (unlikely(m == nullptr)) {
      count_drop(port, DropReason::no_mbuf);
      return nullptr;
    }
    m->port = port;
    return m;
  }
  void tx(uint16_t port, rte_mbuf* m);
  void tx_flush(uint16_t port);
  void tx_flush_all();

  // neigh::Sink: resolution outcomes for queued packets, and ARP requests to send.
  void send_queued(const neigh::Entry& e, void* pkt) override;
  void drop_queued(const neigh::Entry& e, void* pkt) override;
  void send_request(const neigh::Entry& e, bool unicast) override;

  unsigned index;
  unsigned lcore;
  WorkerSettings settings;
  rte_mempool* pool;

  uint16_t n_rx = 0;
  RxQueueRef rx[kMaxRxPerWorker];
  TxBuffer txb[kMaxPorts];
  PortView ports[kMaxPorts];
  WorkerStats stats;
  neigh::NeighTable neigh;
  TokenBucket icmp_limit;

  uint32_t garp_ports = 0;  // ports this worker announces our addresses on when it starts

  uint64_t now_tsc = 0;
  uint64_t now_ms = 0;
  uint64_t tsc_per_ms = 1;

 private:
  void poll_once(uint16_t& received);
  void send_gratuitous_arps();
};

}  // namespace dplb::dp
