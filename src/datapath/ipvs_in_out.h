// IPVS NAT in the data plane (Linux ip_vs_in / ip_vs_out): packets to a virtual service are
// scheduled or matched to their connection and DNATed to the real server (ipvs_xmit sends them);
// replies are matched by their own tuple and SNATed back to the VIP.
#pragma once

#include <rte_mbuf.h>

#include "datapath/rx_burst.h"
#include "datapath/worker.h"
#include "dplb/ipvs/conn.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

// The TCP/UDP header of a validated IPv4 packet.
struct L4View {
  uint8_t* l4;
  uint16_t sport;
  uint16_t dport;
  uint8_t tcp_flags;
};

// Fills v when the whole TCP/UDP header of a validated, unfragmented IPv4 packet is there.
inline bool l4_view(net::Ipv4Hdr* ip, L4View& v) {
  size_t hlen = ip->header_len();
  size_t l4_len = ip->total_len.host() - hlen;
  bool tcp = ip->proto == net::kIpProtoTcp;
  if (l4_len < (tcp ? sizeof(net::TcpHdr) : sizeof(net::UdpHdr))) return false;
  v.l4 = reinterpret_cast<uint8_t*>(ip) + hlen;
  v.sport = uint16_t(v.l4[0] << 8 | v.l4[1]);
  v.dport = uint16_t(v.l4[2] << 8 | v.l4[3]);
  v.tcp_flags = tcp ? reinterpret_cast<net::TcpHdr*>(v.l4)->flags : 0;
  return true;
}

// A TCP/UDP packet not addressed to us that may be a real server's reply (ipvs_out's checks before
// its connection lookup): unfragmented, its header all there, from a real server's address and port.
inline bool is_real_server_reply(const Worker& w, net::Ipv4Hdr* ip, L4View& v) {
  if (ip->is_fragment() || !l4_view(ip, v) || v.dport == 0) return false;  // (port 0: templates)
  return w.tables.services.is_real_server(ip->proto, ip->src(), v.sport);
}

// A TCP/UDP packet to one of our addresses. True when IPVS took it (forwarded, queued, redirected
// or dropped); false when it is not for a virtual service (the caller goes on). One
// packet at a time (another worker's, and the slow class of a burst); bursts use ipvs_nat_vector.
bool ipvs_in(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected);
// A packet not addressed to us: a real server's reply? Same contract.
bool ipvs_out(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected);

// The burst stage: the nat sub-vector of a receive burst (ipv4_classify put there the packets to a
// virtual service's VIP whose headers local_in accepts, and the real servers' replies). Each packet
// ends as ipvs_in / ipvs_out would have left it; the steps run across the sub-vector: tuples,
// handover to owners and hashes, then the connection lookups (`prefetch`: loading index buckets and
// connections ahead, for tables larger than the caches), then state and transmit in order.
void ipvs_nat_vector(Worker& w, RxBurst& b, const SubVector& sv, bool prefetch);

}  // namespace dplb::dp
