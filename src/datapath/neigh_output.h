// Neighbour output: the last step before TX. Resolves next_hop on port (ARP, bounded queue),
// writes the Ethernet header, transmits.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "datapath/worker.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

// Misses, queueing and probes.
void neigh_output_slow(Worker& w, rte_mbuf* m, uint16_t port, const neigh::ResolveResult& r);
// m holds the IP packet after 14 bytes reserved for the Ethernet header. The resolved case is
// inline (every packet we send passes here).
inline void neigh_output(Worker& w, rte_mbuf* m, uint16_t port, Ip4 next_hop) {
  neigh::ResolveResult r = w.tables.neigh.resolve(port, next_hop, m, w.io.now_ms);
  if (unlikely(r.action != neigh::Resolve::send)) {
    neigh_output_slow(w, m, port, r);
    return;
  }
  auto* eth = rte_pktmbuf_mtod(m, net::EthHdr*);
  eth->dst = r.entry->mac;
  eth->src = w.tables.ports[port].mac;
  eth->type = Be16::from_host(net::kEtherTypeIpv4);
  w.tx(port, m);
}

}  // namespace dplb::dp
