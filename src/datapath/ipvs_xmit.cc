// Sending a NAT'd packet: the route cache's refill and the unusual outcomes (see ipvs_xmit.h).
#include "datapath/ipvs_xmit.h"

#include "datapath/conn_route.h"
#include "datapath/icmp_error.h"
#include "datapath/route_output.h"
#include "datapath/send_fragments.h"
#include "dplb/ipvs/nat.h"
#include "dplb/net/flow_hash.h"
#include "dplb/net/icmp.h"
#include "dplb/net/ipv4_ttl.h"

namespace dplb::dp {

bool ipvs_route_slow(Worker& w, ipvs::Conn& c, NatDir dir, uint16_t& port, Ip4& next_hop, uint16_t& mtu) {
  ConnRoute cr = ConnRoute::load(c);
  auto gen = static_cast<uint32_t>(w.tables.routes.generation());
  bool to_server = dir == NatDir::to_server;
  route::OutputResult out;
  Ip4 dst = to_server ? c.raddr : c.caddr;
  if (!route_output(w, dst, Ip4(), conn_flow_hash(c), out) || (out.flags & (route::kRouteLocal | route::kRouteKni))) return false;
  if (cr.generation != gen) cr = ConnRoute{gen, 0, 0, 0, 0};  // the table changed: both directions stale
  if (to_server) {
    cr.nh_in = out.next_hop.v;
    cr.mtu_in = out.mtu;
    ConnRoute::set_port_in(c, static_cast<uint8_t>(out.port));
  } else {
    cr.nh_out = out.next_hop.v;
    cr.mtu_out = out.mtu;
    ConnRoute::set_port_out(c, static_cast<uint8_t>(out.port));
  }
  cr.store(c);
  port = out.port;
  next_hop = out.next_hop;
  mtu = out.mtu;
  return true;
}

void ipvs_xmit_slow(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, uint8_t* l4, ipvs::Conn& c, NatDir dir, bool routed,
                    uint16_t port, Ip4 next_hop, uint16_t mtu) {
  if (!routed) {
    icmp_send_error(w, m, ip, net::kIcmpDestUnreach, net::kIcmpCodeHostUnreach, 0);
    w.drop(m, DropReason::ipv4_no_route);
    return;
  }
  uint16_t total = ip->total_len.host();
  if (total > mtu && (ip->frag_off.host() & net::kIpFlagDf)) {
    icmp_send_error(w, m, ip, net::kIcmpDestUnreach, net::kIcmpCodeFragNeeded, mtu);
    w.drop(m, DropReason::ipv4_frag_needed);
    return;
  }
  if (ip->ttl <= 1) {
    icmp_send_error(w, m, ip, net::kIcmpTimeExceeded, 0, 0);
    w.drop(m, DropReason::ipv4_ttl_exceeded);
    return;
  }
  nat_rewrite_counted(w, ip, l4, c, dir, total);
  send_fragments(w, m, ip, port, next_hop, mtu);  // larger than the MTU without DF
}

}  // namespace dplb::dp
