// IPv4 forwarding (RFC 1812 5.2-5.3, in Linux ip_forward's order): TTL check, route, MTU check
// (DF: ICMP fragmentation needed with the MTU; else fragment), TTL decrement with an incremental
// checksum, then neighbour output. Inline in its callers (the burst stage, one packet's ipv4_input):
// a call per forwarded packet costs about as much as the TTL update.
#pragma once

#include <rte_mbuf.h>

#include "datapath/icmp_error.h"
#include "datapath/kni_path.h"
#include "datapath/neigh_output.h"
#include "datapath/our_addresses.h"
#include "datapath/rx_burst.h"
#include "datapath/send_fragments.h"
#include "datapath/worker.h"
#include "dplb/net/flow_hash.h"
#include "dplb/net/icmp.h"
#include "dplb/net/ipv4_ttl.h"

namespace dplb::dp {

// Forwards a packet not addressed to us (forwarding enabled).
// `in` is route input's result for the packet (kForward, kKni or kNoRoute).
[[gnu::always_inline]] inline void ipv4_forward(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, const route::InputResult& in) {
  // A packet "from" us or from one of our subnets' broadcast that arrives from outside is spoofed: as
  // Linux (martian source), never forward it, and send no ICMP about it.
  if (unlikely(is_spoofed_source(w, ip->src()))) {
    w.drop(m, DropReason::ipv4_bad_source);
    return;
  }
  // A directed broadcast to one of our subnets: not forwarded (Linux's bc_forwarding = 0), or we
  // would ARP for the broadcast address and send it to whoever answers.
  if (unlikely(is_our_subnet_broadcast(w, ip->dst()))) {
    w.drop(m, DropReason::ipv4_bad_dest);
    return;
  }
  if (ip->ttl <= 1) {
    icmp_send_error(w, m, ip, net::kIcmpTimeExceeded, 0, 0);
    w.drop(m, DropReason::ipv4_ttl_exceeded);
    return;
  }
  if (unlikely(in.verdict == route::InputVerdict::kNoRoute)) {
    icmp_send_error(w, m, ip, net::kIcmpDestUnreach, net::kIcmpCodeNetUnreach, 0);
    w.drop(m, DropReason::ipv4_no_route);
    return;
  }
  route::OutputResult out;
  size_t l3_len = m->data_len - sizeof(net::EthHdr);
  w.tables.routes.forward_output(in, ip->dst(), [ip, l3_len] { return net::ipv4_flow_hash(ip, l3_len); }, out,
                          [&w](uint16_t port, Ip4 nh) { return w.tables.neigh.is_dead(port, nh); });
  if (out.mtu == 0) out.mtu = w.tables.ports[out.port].mtu;
  if (unlikely(out.flags & route::kRouteKni)) {
    kni_to_kernel(w, m->port, m);  // unchanged (TTL too): the kernel routes it itself
    return;
  }
  if (unlikely(out.flags & route::kRouteLocal)) {  // not reached: input() saw no local route for it
    w.drop(m, DropReason::l4_unhandled);
    return;
  }
  size_t total = ip->total_len.host();
  if (unlikely(total > out.mtu)) {
    if (ip->frag_off.host() & net::kIpFlagDf) {
      icmp_send_error(w, m, ip, net::kIcmpDestUnreach, net::kIcmpCodeFragNeeded, out.mtu);
      w.drop(m, DropReason::ipv4_frag_needed);
      return;
    }
    net::ipv4_decrement_ttl(ip);
    send_fragments(w, m, ip, out.port, out.next_hop, out.mtu);
    return;
  }
  net::ipv4_decrement_ttl(ip);
  neigh_output_forward(w, m, out.port, out.next_hop);
}

// A packet no virtual service claims and not addressed to us: forwarded when forwarding is on (a
// missing route is answered there), else dropped quietly.
[[gnu::always_inline]] inline void ipv4_not_ours(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip,
                                                 const route::InputResult& r) {
  if (!w.setup.settings.forwarding) {
    w.drop(m, DropReason::ipv4_not_local);
    return;
  }
  ipv4_forward(w, m, ip, r);
}

// The burst stage: the forward sub-vector of a receive burst, each packet through ipv4_not_ours.
void ipv4_forward_vector(Worker& w, RxBurst& b, const SubVector& sv);

}  // namespace dplb::dp
