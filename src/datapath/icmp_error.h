// ICMP errors we originate about a packet we could not deliver.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "datapath/worker.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

// An ICMP error about `ip` (inside orig), rate-limited; does not consume orig.
void icmp_send_error(Worker& w, const rte_mbuf* orig, const net::Ipv4Hdr* ip, uint8_t type, uint8_t code,
                     uint16_t rest);

}  // namespace dplb::dp
