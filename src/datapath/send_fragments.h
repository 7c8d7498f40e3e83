// Fragmenting a forwarded or NAT'd packet larger than the egress MTU (no DF).
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "datapath/worker.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

// Sends the fragments of m (IP header at offset 14, TTL already decremented) and frees m.
void send_fragments(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, uint16_t port, Ip4 next_hop, uint16_t mtu);

}  // namespace dplb::dp
