// ARP input (answer for our addresses, learn neighbours) and the ARP packets we originate.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "datapath/worker.h"

namespace dplb::dp {

void arp_input(Worker& w, uint16_t port, rte_mbuf* m);
// Sends an ARP packet built from scratch out of `port`.
void arp_send(Worker& w, uint16_t port, uint16_t op, const Mac& eth_dst, Ip4 spa, const Mac& tha, Ip4 tpa);

}  // namespace dplb::dp
