// ICMP errors about IPVS connections (Linux ip_vs_in_icmp / ip_vs_out_icmp).
#pragma once

#include <rte_mbuf.h>

#include "datapath/worker.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

// ICMP errors about connections: to the client (arriving for forwarding) or to the real server
// (arriving for a VIP). True when IPVS took the packet; false when it is about no connection of
// ours (the caller goes on).
bool ipvs_icmp_to_client(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected);
bool ipvs_icmp_to_server(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected);

}  // namespace dplb::dp
