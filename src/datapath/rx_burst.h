// A receive burst on its way through the burst-wide stages (VPP's frame): the packets and what each
// stage learned about them, in arrays indexed like the packets, so a packet's data stays with it.
//
// eth_input validates the whole burst (Ethernet, then IPv4 headers), ipv4_classify looks up the
// routes of the whole burst and sorts each packet into the sub-vector that handles it; eth_input then
// hands each run of consecutive packets of one class to its stage as one sub-vector. Runs keep the
// burst's order (a packet never overtakes an earlier one on the way to TX), so every packet meets
// the tables exactly as it would alone: the verdicts and drop reasons are those of the per-packet
// path (ipv4_input).
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "datapath/limits.h"
#include "dplb/net/headers.h"
#include "dplb/route/route_types.h"

namespace dplb::dp {

enum class PathClass : uint8_t {
  gone,     // dropped, or handed to another worker: nothing left to do
  slow,     // one at a time through the per-packet stages (ARP, ICMP, the kernel, options...)
  nat,      // to a VIP, or a real server's reply: ipvs_nat_vector
  forward,  // forwarded (no virtual service concerned): ipv4_forward_vector
};

struct RxBurst {
  uint16_t port = 0;
  uint16_t n = 0;
  rte_mbuf* pkts[kBurst];
  PathClass cls[kBurst];
  net::Ipv4Hdr* ip[kBurst];            // IPv4 packets: the validated header; nullptr: ARP
  route::InputResult route[kBurst];    // IPv4 packets: route input's answer
};

// A sub-vector: the slots of a burst one stage handles, in order.
struct SubVector {
  uint16_t n = 0;
  uint8_t slot[kBurst];
};

}  // namespace dplb::dp
