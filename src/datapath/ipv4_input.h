// IPv4 input: validate, route, then deliver locally or forward. eth_input runs its parts burst-wide
// (ipv4_validate for the burst, then ipv4_classify); a single packet (another worker's, the kernel's)
// takes them one after the other (ipv4_input).
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "datapath/ipv4_forward.h"
#include "datapath/ipvs_icmp.h"
#include "datapath/ipvs_in_out.h"
#include "datapath/kni_path.h"
#include "datapath/local_in.h"
#include "datapath/worker.h"
#include "dplb/net/ipv4_check.h"

namespace dplb::dp {

// The out-of-line entry for one packet. `redirected`: the packet came from another worker's ring
// (it is ours to handle: no more steering).
void ipv4_input(Worker& w, uint16_t port, rte_mbuf* m, bool redirected = false);

// Header validation (RFC 1812 5.2.2, Linux ip_rcv): the header, the source and the destination.
// Returns the header, or nullptr when m was dropped. Trims Ethernet padding beyond the IP length.
[[gnu::always_inline]] inline net::Ipv4Hdr* ipv4_validate(Worker& w, rte_mbuf* m) {
  auto* ip = rte_pktmbuf_mtod_offset(m, net::Ipv4Hdr*, sizeof(net::EthHdr));
  size_t l3_len = m->data_len - sizeof(net::EthHdr);
  bool nic_checked = (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_GOOD;
  if (unlikely(!net::ipv4_plain_header_ok(ip, l3_len, nic_checked))) {
    if (auto bad = net::ipv4_check(ip, l3_len)) {
      w.drop(m, *bad);
      return nullptr;
    }
  }
  size_t total = ip->total_len.host();
  if (total < l3_len) rte_pktmbuf_trim(m, static_cast<uint16_t>(l3_len - total));

  Ip4 dst = ip->dst();
  if (unlikely(net::ipv4_source_is_martian(ip->src()))) {
    w.drop(m, DropReason::ipv4_bad_source);
    return nullptr;
  }
  if (unlikely(net::ipv4_dest_is_martian(dst))) {
    w.drop(m, DropReason::ipv4_bad_dest);
    return nullptr;
  }
  return ip;
}

// After route input: local delivery, the kernel, IPVS's replies, or forwarding.
[[gnu::always_inline]] inline void ipv4_deliver(Worker& w, uint16_t port, rte_mbuf* m, net::Ipv4Hdr* ip,
                                                const route::InputResult& r, bool redirected) {
  switch (r.verdict) {
    case route::InputVerdict::kLocal:
      local_in(w, port, m, ip, redirected);
      return;
    case route::InputVerdict::kKni:
      kni_to_kernel(w, port, m);  // the kernel's tap of the port it came in on
      return;
    case route::InputVerdict::kForward:
    case route::InputVerdict::kNoRoute:
      // A real server's reply, or an ICMP error about a connection: IPVS first.
      if (ip->proto == net::kIpProtoTcp || ip->proto == net::kIpProtoUdp) {
        if (w.tables.services.dest_count() != 0 && ipvs_out(w, m, ip, redirected)) return;
      } else if (ip->proto == net::kIpProtoIcmp) {
        if (ipvs_icmp_to_client(w, m, ip, redirected)) return;
      }
      ipv4_not_ours(w, m, ip, r);
      return;
  }
}

}  // namespace dplb::dp
