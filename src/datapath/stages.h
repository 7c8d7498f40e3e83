// The packet pipeline stages. Each stage consumes the mbuf: it passes it on, queues it for TX, or
// drops it with a named reason (Worker::drop). DESIGN.md draws the whole path.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "datapath/kni_path.h"
#include "datapath/worker.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

// One call per burst; kept out of line so profiles (callgrind --toggle-collect) have a stable
// boundary between the PMD's work and ours.
__attribute__((noinline)) void eth_input(Worker& w, uint16_t port, rte_mbuf** pkts, uint16_t n);
void arp_input(Worker& w, uint16_t port, rte_mbuf* m);
// `redirected`: the packet came from another worker's ring (it is ours to handle: no more steering).
void ipv4_input(Worker& w, uint16_t port, rte_mbuf* m, bool redirected = false);
void icmp_input(Worker& w, uint16_t port, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected);

// Route lookup for a packet we send: skips dead next hops of multipath routes, fills in the MTU.
bool route_output(Worker& w, Ip4 daddr, Ip4 saddr_hint, uint32_t flow_hash, route::OutputResult& out);
// Sends the fragments of m (IP header at offset 14, TTL already decremented) and frees m.
void send_fragments(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, uint16_t port, Ip4 next_hop, uint16_t mtu);
// Resolves next_hop on port (ARP, bounded queue), writes the Ethernet header, transmits.
// m holds the IP packet after 14 bytes reserved for the Ethernet header. The resolved case is
// inline; misses, queueing and probes go to neigh_output_slow.
void neigh_output_slow(Worker& w, rte_mbuf* m, uint16_t port, const neigh::ResolveResult& r);
inline void neigh_output(Worker& w, rte_mbuf* m, uint16_t port, Ip4 next_hop) {
  neigh::ResolveResult r = w.neigh.resolve(port, next_hop, m, w.now_ms);
  if (unlikely(r.action != neigh::Resolve::send)) {
    neigh_output_slow(w, m, port, r);
    return;
  }
  auto* eth = rte_pktmbuf_mtod(m, net::EthHdr*);
  eth->dst = r.entry->mac;
  eth->src = w.ports[port].mac;
  eth->type = Be16::from_host(net::kEtherTypeIpv4);
  w.tx(port, m);
}
// An ICMP error about `ip` (inside orig), rate-limited; does not consume orig.
void icmp_send_error(Worker& w, const rte_mbuf* orig, const net::Ipv4Hdr* ip, uint8_t type, uint8_t code,
                     uint16_t rest);

// Sends an ARP packet built from scratch out of `port`.
void arp_send(Worker& w, uint16_t port, uint16_t op, const Mac& eth_dst, Ip4 spa, const Mac& tha, Ip4 tpa);

// One of our addresses (any port): LOCALIN or KNI local route.
inline bool is_our_address(const Worker& w, Ip4 a) { return w.routes.is_local_addr(a); }

// The directed broadcast of one of our subnets (RFC 1812 5.3.7: never a valid source).
inline bool is_our_subnet_broadcast(const Worker& w, Ip4 a) { return w.routes.is_subnet_broadcast(a); }

// A source that no packet arriving from outside may carry: one of our own addresses, or the
// broadcast address of one of our subnets (Linux calls both martian sources).
inline bool is_spoofed_source(const Worker& w, Ip4 src) {
  return is_our_address(w, src) || is_our_subnet_broadcast(w, src);
}

}  // namespace dplb::dp
