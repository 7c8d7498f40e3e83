// Questions about our own addresses that several stages ask (input, forwarding, IPVS, ARP).
#pragma once

#include "datapath/worker.h"

namespace dplb::dp {

// One of our addresses (any port): LOCALIN or KNI local route.
inline bool is_our_address(const Worker& w, Ip4 a) { return w.tables.routes.is_local_addr(a); }

// The directed broadcast of one of our subnets (RFC 1812 5.3.7: never a valid source).
inline bool is_our_subnet_broadcast(const Worker& w, Ip4 a) { return w.tables.routes.is_subnet_broadcast(a); }

// A source that no packet arriving from outside may carry: one of our own addresses, or the
// broadcast address of one of our subnets (Linux calls both martian sources).
inline bool is_spoofed_source(const Worker& w, Ip4 src) {
  return is_our_address(w, src) || is_our_subnet_broadcast(w, src);
}

}  // namespace dplb::dp
