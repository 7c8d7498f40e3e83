// ARP (RFC 826) for Ethernet/IPv4: classify a received packet and build requests and replies.
#pragma once

#include <cstddef>
#include <cstring>

#include "dplb/net/headers.h"

namespace dplb::net {

// A well-formed Ethernet/IPv4 ARP request or reply, or nullptr.
inline const ArpHdr* arp_parse(const void* l3, size_t l3_len) {
  if (l3_len < sizeof(ArpHdr)) return nullptr;
  const auto* arp = static_cast<const ArpHdr*>(l3);
  if (arp->htype.host() != 1 || arp->ptype.host() != kEtherTypeIpv4 || arp->hlen != 6 || arp->plen != 4)
    return nullptr;
  uint16_t op = arp->op.host();
  if (op != kArpOpRequest && op != kArpOpReply) return nullptr;
  return arp;
}

// Writes a complete ARP frame (Ethernet header + ARP, padded to 60 bytes) into `out`
// (at least kEthMinFrame bytes) and returns its length.
inline size_t arp_build(uint8_t* out, uint16_t op, const Mac& eth_dst, const Mac& sha, Ip4 spa,
                        const Mac& tha, Ip4 tpa) {
  std::memset(out, 0, kEthMinFrame);
  auto* eth = reinterpret_cast<EthHdr*>(out);
  eth->dst = eth_dst;
  eth->src = sha;
  eth->type = Be16::from_host(kEtherTypeArp);
  auto* arp = reinterpret_cast<ArpHdr*>(out + sizeof(EthHdr));
  arp->htype = Be16::from_host(1);
  arp->ptype = Be16::from_host(kEtherTypeIpv4);
  arp->hlen = 6;
  arp->plen = 4;
  arp->op = Be16::from_host(op);
  arp->sha = sha;
  arp->spa = Be32::from_host(spa.v);
  arp->tha = tha;
  arp->tpa = Be32::from_host(tpa.v);
  return kEthMinFrame;
}

// Turns a received request for `our_ip` into the reply in place (same buffer, same length): the
// cheapest answer, as the request frame is already at least 42 bytes.
inline void arp_request_to_reply(EthHdr* eth, ArpHdr* arp, const Mac& our_mac) {
  eth->dst = arp->sha;
  eth->src = our_mac;
  arp->op = Be16::from_host(kArpOpReply);
  Be32 requested = arp->tpa;
  arp->tha = arp->sha;
  arp->tpa = arp->spa;
  arp->sha = our_mac;
  arp->spa = requested;
}

}  // namespace dplb::net
