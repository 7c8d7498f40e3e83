// Ethernet input: the first stage, one call per received burst.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "datapath/worker.h"

namespace dplb::dp {

// Kept out of line so profiles (callgrind --toggle-collect) have a stable boundary between the
// PMD's work and ours.
__attribute__((noinline)) void eth_input(Worker& w, uint16_t port, rte_mbuf** pkts, uint16_t n);

}  // namespace dplb::dp
