// Sending a NAT'd packet (Linux ip_vs_nat_xmit): output route from the connection's cache, MTU
// check (DF: ICMP fragmentation needed with the MTU), TTL, rewrite, neighbour output.
#pragma once

#include "../worker.h"
#include "dplb/ipvs/conn.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

enum class NatDir : uint8_t { to_server, to_client };

// Rewrites (DNAT to the real server, or SNAT to the VIP) and sends m; consumes it.
void ipvs_xmit(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, uint8_t* l4, ipvs::Conn& c, NatDir dir);

// The next hop, port and MTU toward the server or the client, from the cache or a fresh lookup.
bool ipvs_route(Worker& w, ipvs::Conn& c, NatDir dir, uint16_t& port, Ip4& next_hop, uint16_t& mtu);

}  // namespace dplb::dp
