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
// Writes the Ethernet header toward a resolved neighbour and queues m for TX on port.
inline void neigh_send(Worker& w, rte_mbuf* m, uint16_t port, const neigh::Entry& e) {
  auto* eth = rte_pktmbuf_mtod(m, net::EthHdr*);
  eth->dst = e.mac;
  eth->src = w.tables.ports[port].mac;
  eth->type = Be16::from_host(net::kEtherTypeIpv4);
  w.tx(port, m);
}

// m holds the IP packet after 14 bytes reserved for the Ethernet header. The resolved case is
// inline (every packet we send passes here).
inline void neigh_output(Worker& w, rte_mbuf* m, uint16_t port, Ip4 next_hop) {
  neigh::ResolveResult r = w.tables.neigh.resolve(port, next_hop, m, w.io.now_ms);
  if (unlikely(r.action != neigh::Resolve::send)) {
    neigh_output_slow(w, m, port, r);
    return;
  }
  neigh_send(w, m, port, *r.entry);
}

// neigh_output for forwarded packets: a burst's packets mostly go to a few gateways in runs, so
// a repeat of the previous packet's (port, next hop) reuses its entry (Worker::io.last_neigh)
// without a hash probe. Not for NAT: there the next hop is the real server or the client, a
// different one for nearly every packet, and the check only adds (measured: +7 instructions).
inline void neigh_output_forward(Worker& w, rte_mbuf* m, uint16_t port, Ip4 next_hop) {
  LastNeighbour& last = w.io.last_neigh;
  if (last.entry != nullptr && last.next_hop == next_hop && last.port == port) {
    neigh_send(w, m, port, *last.entry);
    return;
  }
  neigh::ResolveResult r = w.tables.neigh.resolve(port, next_hop, m, w.io.now_ms);
  if (unlikely(r.action != neigh::Resolve::send)) {
    last.entry = nullptr;  // the slow path may add, change or move entries
    neigh_output_slow(w, m, port, r);
    return;
  }
  if (last.in_burst) {
    last.entry = r.entry;
    last.port = port;
    last.next_hop = next_hop;
  }
  neigh_send(w, m, port, *r.entry);
}

}  // namespace dplb::dp
