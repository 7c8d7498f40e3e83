// Local delivery: a packet addressed to one of our addresses goes to ICMP, the virtual services,
// else the kernel (KNI) or a counted drop.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "datapath/icmp_input.h"
#include "datapath/ipvs_in_out.h"
#include "datapath/our_addresses.h"
#include "datapath/worker.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

// Local traffic no data-plane module claims: to the kernel when the port has a tap and its policy is
// "kernel", else dropped with `reason`. Consumes m.
void local_unclaimed(Worker& w, uint16_t port, rte_mbuf* m, DropReason reason);

// Delivery to us: ICMP, the virtual services, else the kernel (KNI) or a counted drop. Inline: one
// call per packet less on the NAT path.
[[gnu::always_inline]] inline void local_in(Worker& w, uint16_t port, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected) {
  // A source that is one of our own addresses (or a subnet broadcast of ours) is spoofed. Checked
  // here for everything but TCP/UDP, which IPVS checks when it opens a connection (so established
  // flows skip the extra lookup).
  bool transport = ip->proto == net::kIpProtoTcp || ip->proto == net::kIpProtoUdp;
  if (unlikely(!transport && is_spoofed_source(w, ip->src()))) {
    w.drop(m, DropReason::ipv4_bad_source);
    return;
  }
  if (unlikely(ip->header_len() != sizeof(net::Ipv4Hdr))) {
    w.drop(m, DropReason::ipv4_options);
    return;
  }
  if (unlikely(ip->is_fragment())) {
    w.drop(m, DropReason::ipv4_fragment);
    return;
  }
  switch (ip->proto) {
    case net::kIpProtoIcmp:
      icmp_input(w, port, m, ip, redirected);
      return;
    case net::kIpProtoTcp:
    case net::kIpProtoUdp:
      if (ipvs_in(w, m, ip, redirected)) return;
      if (unlikely(is_spoofed_source(w, ip->src()))) {
        w.drop(m, DropReason::ipv4_bad_source);
        return;
      }
      local_unclaimed(w, port, m, DropReason::l4_unhandled);  // not a virtual service
      return;
    default:
      local_unclaimed(w, port, m, DropReason::l4_unhandled);
      return;
  }
}

}  // namespace dplb::dp
