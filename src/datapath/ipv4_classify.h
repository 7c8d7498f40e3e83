// Route input for a whole receive burst, and the sub-vector each IPv4 packet joins (rx_burst.h).
#pragma once

#include "datapath/rx_burst.h"
#include "datapath/worker.h"

namespace dplb::dp {

// For every validated IPv4 packet of b (cls slow with a header): its route input, and its class:
// nat (to a VIP port of a virtual service, or a real server's reply), forward (not ours, no
// virtual service concerned), or slow (everything else, handled by ipv4_deliver one at a time).
void ipv4_classify(Worker& w, RxBurst& b);

}  // namespace dplb::dp
