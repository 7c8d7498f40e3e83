// ICMP addressed to us: echo replies; errors about connections go to IPVS.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "datapath/worker.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

void icmp_input(Worker& w, uint16_t port, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected);

}  // namespace dplb::dp
