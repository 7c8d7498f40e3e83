// The packet pipeline stages. Each stage consumes the mbuf: it passes it on, queues it for TX, or
// drops it with a named reason (Worker::drop). DESIGN.md draws the whole path.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "../worker.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

void eth_input(Worker& w, uint16_t port, rte_mbuf** pkts, uint16_t n);
void arp_input(Worker& w, uint16_t port, rte_mbuf* m);
void ipv4_input(Worker& w, uint16_t port, rte_mbuf* m);
void local_in(Worker& w, uint16_t port, rte_mbuf* m, net::Ipv4Hdr* ip);
void icmp_input(Worker& w, uint16_t port, rte_mbuf* m, net::Ipv4Hdr* ip);

// Sends an ARP packet built from scratch out of `port`.
void arp_send(Worker& w, uint16_t port, uint16_t op, const Mac& eth_dst, Ip4 spa, const Mac& tha, Ip4 tpa);

// One of our addresses (any port): LOCALIN or KNI local route.
inline bool is_our_address(const Worker& w, Ip4 a) {
  route::InputVerdict v = w.routes.input(a, 0).verdict;
  return v == route::InputVerdict::kLocal || v == route::InputVerdict::kKni;
}

}  // namespace dplb::dp
