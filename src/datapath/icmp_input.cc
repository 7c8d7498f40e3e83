// ICMP addressed to us: answer echo requests (rate-limited); everything else is not ours to handle
// (to the kernel or dropped, by the port's unclaimed policy).
#include "datapath/icmp_input.h"

#include "dplb/net/icmp.h"

#include "datapath/ipvs_icmp.h"
#include "datapath/local_in.h"

namespace dplb::dp {

void icmp_input(Worker& w, uint16_t port, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected) {
  size_t icmp_len = ip->total_len.host() - ip->header_len();
  if (icmp_len < sizeof(net::IcmpHdr)) {
    w.drop(m, DropReason::icmp_too_short);
    return;
  }
  auto* icmp = reinterpret_cast<net::IcmpHdr*>(reinterpret_cast<uint8_t*>(ip) + ip->header_len());
  if (!net::icmp_checksum_ok(icmp, icmp_len)) {
    w.drop(m, DropReason::icmp_bad_checksum);
    return;
  }
  if (icmp->type == net::kIcmpDestUnreach || icmp->type == net::kIcmpTimeExceeded || icmp->type == 4) {
    // An error about a reply we sent from a VIP: it belongs to the real server.
    if (ipvs_icmp_to_server(w, m, ip, redirected)) return;
  }
  if (icmp->type != net::kIcmpEchoRequest || icmp->code != 0) {
    // Errors about the kernel's own connections, replies to its pings...: the kernel's business.
    local_unclaimed(w, port, m, DropReason::icmp_unhandled);
    return;
  }
  if (!w.io.icmp_limit.take(w.io.now_tsc)) {
    w.drop(m, DropReason::icmp_rate_limited);
    return;
  }
  net::icmp_echo_to_reply(ip, icmp);
  // Answer the sender on its own link address: no ARP round trip needed for a reply.
  auto* eth = rte_pktmbuf_mtod(m, net::EthHdr*);
  eth->dst = eth->src;
  eth->src = w.tables.ports[port].mac;
  w.tx(port, m);
}

}  // namespace dplb::dp
