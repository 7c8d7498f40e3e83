// Sending a NAT'd packet (Linux ip_vs_nat_xmit; direct routing and tunnel: ipvs_dr_xmit.h): output route from the connection's cache, MTU
// check (DF: ICMP fragmentation needed with the MTU), TTL, rewrite, neighbour output.
#pragma once

#include "datapath/conn_route.h"
#include "datapath/ipvs_dr_xmit.h"
#include "datapath/neigh_output.h"
#include "datapath/worker.h"
#include "dplb/ipvs/conn.h"
#include "dplb/ipvs/nat.h"
#include "dplb/net/headers.h"
#include "dplb/net/ipv4_ttl.h"

namespace dplb::dp {

enum class NatDir : uint8_t { to_server, to_client };

// The next hop, port and MTU toward the server or the client: from the connection's cache while
// the route table is unchanged (inline), else a fresh lookup that refills the cache.
bool ipvs_route_slow(Worker& w, ipvs::Conn& c, NatDir dir, uint16_t& port, Ip4& next_hop, uint16_t& mtu);
inline bool ipvs_route(Worker& w, ipvs::Conn& c, NatDir dir, uint16_t& port, Ip4& next_hop, uint16_t& mtu) {
  ConnRoute cr = ConnRoute::load(c);
  bool to_server = dir == NatDir::to_server;
  uint32_t cached = to_server ? cr.nh_in : cr.nh_out;
  if (likely(cr.generation == static_cast<uint32_t>(w.tables.routes.generation()) && cached != 0)) {
    port = to_server ? ConnRoute::port_in(c) : ConnRoute::port_out(c);
    next_hop = Ip4(cached);
    mtu = to_server ? cr.mtu_in : cr.mtu_out;
    return true;
  }
  return ipvs_route_slow(w, c, dir, port, next_hop, mtu);
}

// The unusual outcomes of ipvs_xmit: no route, DF and too big, TTL expiring, fragmentation.
void ipvs_xmit_slow(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, uint8_t* l4, ipvs::Conn& c, NatDir dir, bool routed,
                    uint16_t port, Ip4 next_hop, uint16_t mtu);

// Counts the packet for its real server and service, rewrites it (DNAT to the real server, or SNAT
// to the VIP) and decrements the TTL.
inline void nat_rewrite_counted(Worker& w, net::Ipv4Hdr* ip, uint8_t* l4, const ipvs::Conn& c, NatDir dir,
                                uint16_t total) {
  ipvs::DestRef ref{c.dest_id, c.dest_gen};
  if (dir == NatDir::to_server) {
    w.tables.services.count_in(ref, total);
    ipvs::nat_rewrite_dst(ip, l4, c.raddr, c.rport, true);
  } else {
    w.tables.services.count_out(ref, total);
    ipvs::nat_rewrite_src(ip, l4, c.vaddr, c.vport, true);
  }
}

// Rewrites (DNAT to the real server, or SNAT to the VIP) and sends m; consumes it. Inlined into
// both callers: the call would cost as much as the route-cache check.
[[gnu::always_inline]] inline void ipvs_xmit(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, uint8_t* l4, ipvs::Conn& c, NatDir dir) {
  if (unlikely(c.flags & kConnFwdMask) && dir == NatDir::to_server) {  // direct routing, tunnel
    if (conn_fwd(c) == ipvs::FwdMethod::droute) {
      ipvs_dr_xmit(w, m, ip, c);
    } else {
      ipvs_tunnel_xmit(w, m, ip, c);
    }
    return;
  }
  uint16_t port, mtu;
  Ip4 next_hop;
  bool routed = ipvs_route(w, c, dir, port, next_hop, mtu);
  uint16_t total = ip->total_len.host();
  if (unlikely(!routed || total > mtu || ip->ttl <= 1)) {
    ipvs_xmit_slow(w, m, ip, l4, c, dir, routed, port, next_hop, mtu);
    return;
  }
  nat_rewrite_counted(w, ip, l4, c, dir, total);
  neigh_output(w, m, port, next_hop);
}

}  // namespace dplb::dp
