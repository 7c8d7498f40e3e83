// ARP input: answer requests for our addresses, learn the senders of ARP aimed at us.
#include "datapath/arp_input.h"

#include "dplb/net/arp.h"

#include "datapath/kni_path.h"
#include "datapath/our_addresses.h"

namespace dplb::dp {

void arp_input(Worker& w, uint16_t port, rte_mbuf* m) {
  w.io.last_neigh.entry = nullptr;  // confirming a neighbour may change the table
  auto* eth = rte_pktmbuf_mtod(m, net::EthHdr*);
  auto* arp = const_cast<net::ArpHdr*>(
      net::arp_parse(eth + 1, m->data_len - sizeof(net::EthHdr)));
  if (arp == nullptr) {
    w.drop(m, DropReason::arp_malformed);
    return;
  }
  // The kernel keeps its own neighbour table and answers for addresses only it has: it sees every
  // ARP too (a copy: ours may become our reply below).
  kni_copy_to_kernel(w, port, m);
  const PortView& pv = w.tables.ports[port];
  Ip4 spa(arp->spa.host());
  Ip4 tpa(arp->tpa.host());
  bool sender_ok = !spa.is_zero() && !spa.is_multicast() && !spa.is_limited_broadcast() &&
                   !arp->sha.is_multicast() && !arp->sha.is_zero();
  // Answer only for addresses of the receiving port (arp_ignore=1, as load balancers configure
  // Linux): a VIP on one side must not be announced on the other.
  route::InputResult target = w.tables.routes.input(tpa, port);
  bool for_us = target.verdict != route::InputVerdict::kNoRoute &&
                target.verdict != route::InputVerdict::kForward && target.port == port;
  if (!for_us) {
    // Linux refreshes an existing entry from any ARP it sees (gratuitous ARP), creates none.
    if (sender_ok) w.tables.neigh.confirm(port, spa, arp->sha, w.io.now_ms, false, w);
    w.drop(m, DropReason::arp_not_ours);
    return;
  }
  if (is_our_address(w, spa)) {  // someone claims our address: conflict or spoof, never learn it
    w.drop(m, DropReason::arp_bad_sender);
    return;
  }
  const bool reply = arp->op.host() == net::kArpOpReply;
  if (sender_ok) w.tables.neigh.confirm(port, spa, arp->sha, w.io.now_ms, true, w, reply);
  if (reply) {
    rte_pktmbuf_free(m);  // a reply to us: consumed by learning
    return;
  }
  if (spa.is_zero() && !arp->sha.is_multicast()) {
    // RFC 5227 probe (sender 0.0.0.0): answer so the prober sees the conflict.
  } else if (!sender_ok) {
    w.drop(m, DropReason::arp_bad_sender);
    return;
  }
  net::arp_request_to_reply(eth, arp, pv.mac);
  w.tx(port, m);
}

void arp_send(Worker& w, uint16_t port, uint16_t op, const Mac& eth_dst, Ip4 spa, const Mac& tha, Ip4 tpa) {
  rte_mbuf* m = w.alloc(port);
  if (m == nullptr) return;
  auto* data = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, net::kEthMinFrame));
  net::arp_build(data, op, eth_dst, w.tables.ports[port].mac, spa, tha, tpa);
  w.tx(port, m);
}

}  // namespace dplb::dp
