// Ethernet input: accept frames for us, classify by EtherType.
#include <rte_prefetch.h>

#include "pipeline.h"

namespace dplb::dp {

namespace {
constexpr int kPrefetchAhead = 3;
}

void eth_input(Worker& w, uint16_t port, rte_mbuf** pkts, uint16_t n) {
  PortCounters& pc = w.stats.port[port];
  uint64_t bytes = 0;
  for (uint16_t i = 0; i < n && i < kPrefetchAhead; ++i) rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
  const PortView& pv = w.ports[port];
  for (uint16_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + kPrefetchAhead], void*));
    rte_mbuf* m = pkts[i];
    bytes += m->pkt_len;
    m->port = port;
    if (unlikely(m->data_len < sizeof(net::EthHdr))) {
      w.drop(m, DropReason::eth_too_short);
      continue;
    }
    // A giant (longer than the MTU we announced) or a chained frame: the pipeline reads headers and
    // lengths from the first buffer only and would answer a giant with a reply too big for the link.
    if (unlikely(m->pkt_len != m->data_len || m->data_len > pv.mtu + sizeof(net::EthHdr))) {
      w.drop(m, DropReason::eth_too_long);
      continue;
    }
    const auto* eth = rte_pktmbuf_mtod(m, const net::EthHdr*);
    if (unlikely(eth->dst != pv.mac) && !pv.promisc && !eth->dst.is_broadcast()) {
      w.drop(m, DropReason::eth_not_for_us);
      continue;
    }
    if (unlikely(eth->src.is_multicast())) {
      w.drop(m, DropReason::eth_bad_source);
      continue;
    }
    uint16_t type = eth->type.host();
    if (likely(type == net::kEtherTypeIpv4)) {
      ipv4_input(w, port, m);
    } else if (type == net::kEtherTypeArp) {
      arp_input(w, port, m);
    } else {
      w.drop(m, DropReason::eth_unknown_type);
    }
  }
  counter_add(pc.rx_packets, n);
  counter_add(pc.rx_bytes, bytes);
}

}  // namespace dplb::dp
