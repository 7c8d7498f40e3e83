// Output route lookup for a packet we send (NAT'd, or one we originate).
#pragma once

#include <cstdint>

#include "datapath/worker.h"

namespace dplb::dp {

// Skips dead next hops of multipath routes, fills in the MTU.
bool route_output(Worker& w, Ip4 daddr, Ip4 saddr_hint, uint32_t flow_hash, route::OutputResult& out);

}  // namespace dplb::dp
