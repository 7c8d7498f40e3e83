// Fragmenting a forwarded or NAT'd packet larger than the egress MTU (no DF); the forwarding
// itself is inline in ipv4_forward.h.
#include "datapath/send_fragments.h"

#include <cstring>

#include "dplb/net/ipv4_frag.h"

#include "datapath/neigh_output.h"

namespace dplb::dp {

void send_fragments(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, uint16_t port, Ip4 next_hop, uint16_t mtu) {
  const uint8_t* payload = reinterpret_cast<const uint8_t*>(ip) + ip->header_len();
  bool ok = net::ipv4_fragment(ip, mtu, [&](const uint8_t* hdr, size_t hlen, size_t off, size_t len) {
    rte_mbuf* f = w.alloc(port);
    if (f == nullptr) return;
    auto* buf = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(f, static_cast<uint16_t>(sizeof(net::EthHdr) + hlen + len)));
    if (buf == nullptr) {
      w.drop(f, DropReason::ipv4_frag_failed);
      return;
    }
    std::memcpy(buf + sizeof(net::EthHdr), hdr, hlen);
    std::memcpy(buf + sizeof(net::EthHdr) + hlen, payload + off, len);
    neigh_output(w, f, port, next_hop);
  });
  if (!ok) {
    w.drop(m, DropReason::ipv4_frag_failed);
    return;
  }
  rte_pktmbuf_free(m);  // consumed: its fragments carry it on
}

}  // namespace dplb::dp
