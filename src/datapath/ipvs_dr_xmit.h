// Sending a packet of a direct-routing or tunnel connection (Linux ip_vs_dr_xmit and
// ip_vs_tunnel_xmit). The real server holds the VIP and answers the client itself: nothing comes back
// through us, so there is no reply direction and no address rewrite.
//   direct routing: the IP packet unchanged (no TTL decrement: the kernel sends it as its own),
//     framed to the real server's MAC; the real server must be on-link (a route that now goes via
//     a gateway is a counted drop, ipvs_dr_not_onlink).
//   tunnel: an outer IPv4 header (IP-in-IP) from our address toward the real server, TOS, TTL and DF
//     copied from the inner packet; its 20 bytes count against the MTU: a DF packet that no longer
//     fits gets ICMP fragmentation needed with the MTU less 20.
#pragma once

#include <rte_mbuf.h>

#include "datapath/worker.h"
#include "dplb/ipvs/conn.h"
#include "dplb/ipvs/service_conf.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

// The forwarding method of a connection, kept in the data plane's byte of Conn::flags.
inline constexpr uint16_t kConnFwdShift = 8;
inline constexpr uint16_t kConnFwdMask = 0x0300;
inline uint16_t conn_fwd_flags(ipvs::FwdMethod f) { return static_cast<uint16_t>(uint16_t(f) << kConnFwdShift); }
inline ipvs::FwdMethod conn_fwd(const ipvs::Conn& c) {
  return static_cast<ipvs::FwdMethod>((c.flags & kConnFwdMask) >> kConnFwdShift);
}

// Sends m (client to VIP) to the real server of c, a direct-routing or tunnel connection; consumes m.
void ipvs_dr_xmit(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, ipvs::Conn& c);
void ipvs_tunnel_xmit(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, ipvs::Conn& c);

}  // namespace dplb::dp
