// IPVS NAT in the data plane (Linux ip_vs_in / ip_vs_out): packets to a virtual service are
// scheduled or matched to their connection and DNATed to the real server (ipvs_xmit sends them);
// replies are matched by their own tuple and SNATed back to the VIP.
#pragma once

#include <rte_mbuf.h>

#include "datapath/conn_hash_hint.h"
#include "datapath/worker.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

// A TCP/UDP packet to one of our addresses. True when IPVS took it (forwarded, queued, redirected
// or dropped); false when it is not for a virtual service (the caller goes on). `hint`: m's
// connection hash when eth_input computed it.
bool ipvs_in(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected, ConnHashHint hint);
// A packet not addressed to us: a real server's reply? Same contract.
bool ipvs_out(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected, ConnHashHint hint);

}  // namespace dplb::dp
