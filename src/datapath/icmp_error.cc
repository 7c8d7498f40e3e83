// ICMP errors we originate (time exceeded, unreachable, fragmentation needed), rate-limited per
// worker, routed back to the offending packet's source like any locally generated packet.
#include "datapath/icmp_error.h"

#include "dplb/net/icmp.h"

#include "datapath/neigh_output.h"
#include "datapath/route_output.h"

namespace dplb::dp {

void icmp_send_error(Worker& w, const rte_mbuf* orig, const net::Ipv4Hdr* ip, uint8_t type, uint8_t code,
                     uint16_t rest) {
  size_t l3_len = rte_pktmbuf_data_len(orig) - sizeof(net::EthHdr);
  if (!net::icmp_error_allowed(ip, l3_len)) return;
  if (!w.io.icmp_limit.take(w.io.now_tsc)) {
    w.count_drop(orig->port, DropReason::icmp_rate_limited);
    return;
  }
  route::OutputResult out;
  // As Linux's icmp_send: about a packet addressed to us (a VIP...), speak from that address; the
  // route table takes the hint only when it is one of ours.
  if (!route_output(w, ip->src(), ip->dst(), 0, out) || (out.flags & route::kRouteLocal) || out.src.is_zero()) return;
  rte_mbuf* m = w.alloc(out.port);
  if (m == nullptr) return;
  auto* buf = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, sizeof(net::EthHdr) + net::kIcmpErrorMaxLen));
  if (buf == nullptr) {
    w.drop(m, DropReason::no_mbuf);
    return;
  }
  size_t len = net::icmp_build_error(buf + sizeof(net::EthHdr), ip, l3_len, type, code, rest, out.src,
                                     w.io.next_ip_id++);
  rte_pktmbuf_trim(m, static_cast<uint16_t>(net::kIcmpErrorMaxLen - len));
  neigh_output(w, m, out.port, out.next_hop);
}

}  // namespace dplb::dp
