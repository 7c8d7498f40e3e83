// ICMP: answer echo requests in place and build error messages (RFC 792, RFC 1812 4.3.2.3).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "dplb/net/checksum.h"
#include "dplb/net/headers.h"

namespace dplb::net {

inline constexpr uint8_t kDefaultTtl = 64;
inline constexpr uint8_t kTosInternetControl = 0xc0;  // IPTOS_PREC_INTERNETCONTROL, as Linux uses
inline constexpr size_t kIcmpErrorMaxLen = 576;       // RFC 1812: error plus quote fits in 576 bytes

inline bool icmp_checksum_ok(const void* icmp, size_t len) {
  return csum_fold(csum_add_bytes(icmp, len)) == 0xffff;
}

// Rewrites an echo request (IPv4 header + ICMP, already validated) into its reply in place:
// addresses swapped, TTL 64, type 0, checksums updated. The IP header keeps its length (options
// are rejected before we get here).
inline void icmp_echo_to_reply(Ipv4Hdr* ip, IcmpHdr* icmp) {
  Be32 requester = ip->saddr;
  ip->saddr = ip->daddr;
  ip->daddr = requester;
  ip->ttl = kDefaultTtl;
  ip->frag_off = Be16::from_host(0);
  ip->checksum = 0;
  ip->checksum = ipv4_header_checksum(ip);
  uint16_t old_word;
  std::memcpy(&old_word, icmp, 2);
  icmp->type = kIcmpEchoReply;
  icmp->code = 0;
  uint16_t new_word;
  std::memcpy(&new_word, icmp, 2);
  icmp->checksum = csum_update16(icmp->checksum, old_word, new_word);
}

// Builds an ICMP error about `orig` (its IPv4 packet, `orig_len` bytes available) into `out`
// (capacity kIcmpErrorMaxLen): IPv4 header from `src` to the original source, ICMP header with
// `rest` in its second word (the next-hop MTU for frag-needed), then as much of the original
// packet as fits in 576 bytes, as Linux's icmp_send does. Returns the IPv4 packet length.
inline size_t icmp_build_error(uint8_t* out, const Ipv4Hdr* orig, size_t orig_len, uint8_t type, uint8_t code,
                               uint16_t rest, Ip4 src, uint16_t ip_id) {
  constexpr size_t kHeaders = sizeof(Ipv4Hdr) + sizeof(IcmpHdr);
  size_t quote = std::min({orig_len, size_t(orig->total_len.host()), kIcmpErrorMaxLen - kHeaders});
  auto* ip = reinterpret_cast<Ipv4Hdr*>(out);
  ip->version_ihl = 0x45;
  ip->tos = kTosInternetControl;
  ip->total_len = Be16::from_host(static_cast<uint16_t>(kHeaders + quote));
  ip->id = Be16::from_host(ip_id);
  ip->frag_off = Be16::from_host(0);
  ip->ttl = kDefaultTtl;
  ip->proto = kIpProtoIcmp;
  ip->checksum = 0;
  ip->saddr = Be32::from_host(src.v);
  ip->daddr = orig->saddr;
  ip->checksum = ipv4_header_checksum(ip);
  auto* icmp = reinterpret_cast<IcmpHdr*>(out + sizeof(Ipv4Hdr));
  icmp->type = type;
  icmp->code = code;
  icmp->checksum = 0;
  icmp->id = Be16::from_host(0);
  icmp->seq = Be16::from_host(rest);
  std::memcpy(out + kHeaders, orig, quote);
  icmp->checksum = csum_finish(csum_add_bytes(icmp, sizeof(IcmpHdr) + quote));
  return kHeaders + quote;
}

// RFC 1812 4.3.2.7: never send an ICMP error about an ICMP error, a non-initial fragment, or a
// packet whose source is not a unicast host address.
inline bool icmp_error_allowed(const Ipv4Hdr* orig, size_t orig_len) {
  if ((orig->frag_off.host() & kIpFragOffsetMask) != 0) return false;
  Ip4 src = orig->src();
  if (src.is_zero() || src.is_multicast() || src.is_limited_broadcast() || src.is_loopback()) return false;
  if (orig->dst().is_multicast() || orig->dst().is_limited_broadcast()) return false;
  if (orig->proto == kIpProtoIcmp) {
    size_t hlen = orig->header_len();
    if (orig_len < hlen + 1) return false;
    uint8_t type = reinterpret_cast<const uint8_t*>(orig)[hlen];
    // Only queries (echo, timestamp, info...) may draw an error; errors and unknown types not.
    return type == kIcmpEchoRequest || type == kIcmpEchoReply || type == 13 || type == 14;
  }
  return true;
}

}  // namespace dplb::net
