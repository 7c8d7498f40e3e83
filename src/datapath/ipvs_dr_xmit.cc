// Direct routing and IP-in-IP tunnel transmit (see ipvs_dr_xmit.h).
#include "datapath/ipvs_dr_xmit.h"

#include "datapath/conn_route.h"
#include "datapath/icmp_error.h"
#include "datapath/ipvs_xmit.h"
#include "datapath/neigh_output.h"
#include "datapath/route_output.h"
#include "datapath/send_fragments.h"
#include "dplb/net/checksum.h"
#include "dplb/net/icmp.h"

namespace dplb::dp {

namespace {
constexpr uint8_t kIpProtoIpip = 4;
constexpr uint16_t kOuterLen = sizeof(net::Ipv4Hdr);

// The route toward a tunnel's real server and the outer source, cached in the connection like
// ipvs_route's (a one-way connection has no reply route: the source takes its place, ConnRoute::nh_out).
// As Linux's do_output_route4 in connect mode, the source is the route's own.
bool tunnel_route(Worker& w, ipvs::Conn& c, uint16_t& port, Ip4& next_hop, uint16_t& mtu, Ip4& src) {
  ConnRoute cr = ConnRoute::load(c);
  auto gen = static_cast<uint32_t>(w.tables.routes.generation());
  if (likely(cr.generation == gen && cr.nh_in != 0)) {
    port = ConnRoute::port_in(c);
    next_hop = Ip4(cr.nh_in);
    mtu = cr.mtu_in;
    src = Ip4(cr.nh_out);
    return true;
  }
  route::OutputResult out;
  if (!route_output(w, c.raddr, Ip4(), conn_flow_hash(c), out) || (out.flags & (route::kRouteLocal | route::kRouteKni)) ||
      out.src.is_zero())
    return false;
  ConnRoute{gen, out.next_hop.v, out.src.v, out.mtu, 0}.store(c);
  ConnRoute::set_port_in(c, static_cast<uint8_t>(out.port));
  port = out.port;
  next_hop = out.next_hop;
  mtu = out.mtu;
  src = out.src;
  return true;
}

void no_route(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip) {
  icmp_send_error(w, m, ip, net::kIcmpDestUnreach, net::kIcmpCodeHostUnreach, 0);
  w.drop(m, DropReason::ipv4_no_route);
}

void frag_needed(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, uint16_t mtu) {
  icmp_send_error(w, m, ip, net::kIcmpDestUnreach, net::kIcmpCodeFragNeeded, mtu);
  w.drop(m, DropReason::ipv4_frag_needed);
}

bool dont_fragment(const net::Ipv4Hdr* ip) { return ip->frag_off.host() & net::kIpFlagDf; }
}  // namespace

void ipvs_dr_xmit(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, ipvs::Conn& c) {
  uint16_t port, mtu;
  Ip4 next_hop;
  if (!ipvs_route(w, c, NatDir::to_server, port, next_hop, mtu)) {
    no_route(w, m, ip);
    return;
  }
  if (unlikely(next_hop != c.raddr)) {  // checked at configuration; a route added since goes via a gateway
    w.drop(m, DropReason::ipvs_dr_not_onlink);
    return;
  }
  uint16_t total = ip->total_len.host();
  if (unlikely(total > mtu)) {
    if (dont_fragment(ip)) {
      frag_needed(w, m, ip, mtu);
      return;
    }
    w.tables.services.count_in(ipvs::DestRef{c.dest_id, c.dest_gen}, total);
    send_fragments(w, m, ip, port, next_hop, mtu);
    return;
  }
  w.tables.services.count_in(ipvs::DestRef{c.dest_id, c.dest_gen}, total);
  neigh_output(w, m, port, next_hop);
}

void ipvs_tunnel_xmit(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, ipvs::Conn& c) {
  uint16_t port, mtu;
  Ip4 next_hop, src;
  if (!tunnel_route(w, c, port, next_hop, mtu, src)) {
    no_route(w, m, ip);
    return;
  }
  uint16_t total = ip->total_len.host();
  bool df = dont_fragment(ip);
  if (unlikely(total + kOuterLen > mtu) && df) {
    frag_needed(w, m, ip, static_cast<uint16_t>(mtu - kOuterLen));
    return;
  }
  if (unlikely(rte_pktmbuf_headroom(m) < kOuterLen)) {
    w.drop(m, DropReason::ipvs_tunnel_no_room);
    return;
  }
  w.tables.services.count_in(ipvs::DestRef{c.dest_id, c.dest_gen}, total);
  rte_pktmbuf_prepend(m, kOuterLen);  // the Ethernet header moves with it; neigh_output rewrites it
  auto* outer = rte_pktmbuf_mtod_offset(m, net::Ipv4Hdr*, sizeof(net::EthHdr));
  const net::Ipv4Hdr* inner = reinterpret_cast<net::Ipv4Hdr*>(reinterpret_cast<uint8_t*>(outer) + kOuterLen);
  outer->version_ihl = 0x45;
  outer->tos = inner->tos;
  outer->total_len = Be16::from_host(static_cast<uint16_t>(total + kOuterLen));
  outer->id = Be16::from_host(w.io.next_ip_id++);
  outer->frag_off = Be16::from_host(df ? net::kIpFlagDf : 0);
  outer->ttl = inner->ttl;
  outer->proto = kIpProtoIpip;
  outer->checksum = 0;
  outer->saddr = Be32::from_host(src.v);
  outer->daddr = Be32::from_host(c.raddr.v);
  outer->checksum = net::csum_finish(net::ipv4_base_header_sum(outer));  // 20 bytes, no options
  if (unlikely(total + kOuterLen > mtu)) {  // without DF: the outer packet is fragmented
    send_fragments(w, m, outer, port, next_hop, mtu);
    return;
  }
  neigh_output(w, m, port, next_hop);
}

}  // namespace dplb::dp
