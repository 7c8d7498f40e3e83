#include "datapath/kni_path.h"

#include <rte_ethdev.h>

#include "datapath/worker.h"

namespace dplb::dp {

void kni_to_kernel(Worker& w, uint16_t port, rte_mbuf* m) {
  KniTxBuffer& b = w.io.kni.txb[port];
  if (unlikely(b.tap == kNoTap)) {
    w.drop(m, DropReason::kni_unavailable);
    return;
  }
  b.pkts[b.count++] = m;
  if (b.count >= kBurst) kni_flush(w, port);
}

void kni_copy_to_kernel(Worker& w, uint16_t port, const rte_mbuf* m) {
  if (w.io.kni.txb[port].tap == kNoTap) return;
  rte_mbuf* c = rte_pktmbuf_copy(m, w.setup.pool, 0, UINT32_MAX);
  if (unlikely(c == nullptr)) {
    w.count_drop(port, DropReason::no_mbuf);
    return;
  }
  c->port = port;
  kni_to_kernel(w, port, c);
}

void kni_flush(Worker& w, uint16_t port) {
  KniTxBuffer& b = w.io.kni.txb[port];
  if (b.count == 0) return;
  // The tap writes to a non-blocking tun queue: a full kernel backlog shows up as a short count.
  uint16_t sent = rte_eth_tx_burst(b.tap, b.queue, b.pkts, b.count);
  KniPortCounters& c = w.io.kni.counters[port];
  counter_add(c.to_kernel, sent);
  if (unlikely(sent < b.count)) {
    uint16_t unsent = static_cast<uint16_t>(b.count - sent);
    counter_add(c.overflow, unsent);
    counter_add(w.io.stats.port[port].drops[static_cast<size_t>(DropReason::kni_overflow)], unsent);
    rte_pktmbuf_free_bulk(b.pkts + sent, unsent);
  }
  b.count = 0;
}

void kni_flush_all(Worker& w) {
  for (uint16_t p = 0; p < kMaxPorts; ++p)
    if (w.io.kni.txb[p].count) kni_flush(w, p);
}

uint16_t kni_poll(Worker& w) {
  uint16_t total = 0;
  rte_mbuf* pkts[kBurst];
  for (uint16_t i = 0; i < w.io.kni.n_rx; ++i) {
    const KniRxRef& r = w.io.kni.rx[i];
    // An empty tap queue costs no system call: the tap driver reads only after the kernel's SIGIO.
    for (uint16_t q = 0; q < r.queues; ++q) {
      uint16_t n = rte_eth_rx_burst(r.tap, q, pkts, kBurst);
      if (n == 0) continue;
      counter_add(w.io.kni.counters[r.port].from_kernel, n);
      for (uint16_t j = 0; j < n; ++j) {
        pkts[j]->port = r.port;
        w.tx(r.port, pkts[j]);
      }
      total = static_cast<uint16_t>(total + n);
    }
  }
  return total;
}

}  // namespace dplb::dp
