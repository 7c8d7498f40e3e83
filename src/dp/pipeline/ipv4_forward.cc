// IPv4 forwarding (RFC 1812 5.2-5.3, in Linux ip_forward's order): TTL check, route, MTU check
// (DF: ICMP fragmentation needed with the MTU; else fragment), TTL decrement with an incremental
// checksum, then neighbour output.
#include "dplb/net/flow_hash.h"
#include "dplb/net/icmp.h"
#include "dplb/net/ipv4_frag.h"

#include "pipeline.h"

namespace dplb::dp {

namespace {

void decrement_ttl(net::Ipv4Hdr* ip) {
  uint16_t old_word, new_word;
  std::memcpy(&old_word, &ip->ttl, 2);  // ttl and proto form one 16-bit word
  --ip->ttl;
  std::memcpy(&new_word, &ip->ttl, 2);
  ip->checksum = net::csum_update16(ip->checksum, old_word, new_word);
}

// Sends the fragments of m (IP header at offset 14) and frees m.
void forward_fragments(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, const route::OutputResult& out) {
  const uint8_t* payload = reinterpret_cast<const uint8_t*>(ip) + ip->header_len();
  bool ok = net::ipv4_fragment(ip, out.mtu, [&](const uint8_t* hdr, size_t hlen, size_t off, size_t len) {
    rte_mbuf* f = w.alloc(out.port);
    if (f == nullptr) return;
    auto* buf = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(f, static_cast<uint16_t>(sizeof(net::EthHdr) + hlen + len)));
    if (buf == nullptr) {
      w.drop(f, DropReason::ipv4_frag_failed);
      return;
    }
    std::memcpy(buf + sizeof(net::EthHdr), hdr, hlen);
    std::memcpy(buf + sizeof(net::EthHdr) + hlen, payload + off, len);
    neigh_output(w, f, out.port, out.next_hop);
  });
  if (!ok) {
    w.drop(m, DropReason::ipv4_frag_failed);
    return;
  }
  rte_pktmbuf_free(m);  // consumed: its fragments carry it on
}

}  // namespace

void ipv4_forward(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip) {
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
  if (unlikely(out.flags & (route::kRouteKni | route::kRouteLocal))) {
    w.drop(m, DropReason::l4_unhandled);  // exception path: not built yet
    return;
  }
  size_t total = ip->total_len.host();
  if (unlikely(total > out.mtu)) {
    if (ip->frag_off.host() & net::kIpFlagDf) {
      icmp_send_error(w, m, ip, net::kIcmpDestUnreach, net::kIcmpCodeFragNeeded, out.mtu);
      w.drop(m, DropReason::ipv4_frag_needed);
      return;
    }
    decrement_ttl(ip);
    forward_fragments(w, m, ip, out);
    return;
  }
  decrement_ttl(ip);
  neigh_output(w, m, out.port, out.next_hop);
}

}  // namespace dplb::dp
