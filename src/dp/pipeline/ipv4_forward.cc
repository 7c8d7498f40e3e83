// IPv4 forwarding (RFC 1812 5.2-5.3, in Linux ip_forward's order): TTL check, route, MTU check
// (DF: ICMP fragmentation needed with the MTU; else fragment), TTL decrement with an incremental
// checksum, then neighbour output.
#include "dplb/net/flow_hash.h"
#include "dplb/net/icmp.h"
#include "dplb/net/ipv4_frag.h"
#include "dplb/net/ipv4_ttl.h"

#include "pipeline.h"

namespace dplb::dp {

void send_fragments(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, uint16_t port, Ip4 next_hop, uint16_t mtu) {
  const uint8_t* payload = reinterpret_cast<const uint8_t*>(ip) + ip->header_len();
  bool ok = net::ipv4_fragment(ip, mtu, [&](const uint8_t* hdr, size_t hlen, size_t off, size_t len) {
    rte_mbuf* f = w.alloc(port);
    if (f == nullptr) return;
    auto* buf = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(f, static_cast<uint16_t>(sizeof(net::EthHdr) + hlen + len)));
    if (buf == nullptr) {
      w.drop(f, DropReason::ipv4_frag_failed);
      return;
    }
    std::memcpy(buf + sizeof(net::EthHdr), hdr, hlen);
    std::memcpy(buf + sizeof(net::EthHdr) + hlen, payload + off, len);
    neigh_output(w, f, port, next_hop);
  });
  if (!ok) {
    w.drop(m, DropReason::ipv4_frag_failed);
    return;
  }
  rte_pktmbuf_free(m);  // consumed: its fragments carry it on
}

void ipv4_forward(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip) {
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
  size_t l3_len = m->data_len - sizeof(net::EthHdr);
  route::OutputResult out;
  if (unlikely(!route_output(w, ip->dst(), Ip4(), net::ipv4_flow_hash(ip, l3_len), out))) {
    icmp_send_error(w, m, ip, net::kIcmpDestUnreach, net::kIcmpCodeNetUnreach, 0);
    w.drop(m, DropReason::ipv4_no_route);
    return;
  }
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
  neigh_output(w, m, out.port, out.next_hop);
}

}  // namespace dplb::dp
