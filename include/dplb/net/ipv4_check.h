// IPv4 input validation (RFC 1812 5.2.2): the checks every received packet passes before routing.
#pragma once

#include <cstddef>
#include <optional>

#include "dplb/net/checksum.h"
#include "dplb/net/headers.h"
#include "dplb/stats/drop_reason.h"

namespace dplb::net {

// `l3_len` is the number of bytes available from the IP header to the end of the frame.
// Returns the drop reason, or nullopt when the header is acceptable. Does not check TTL for
// forwarding (that is ipv4_forward's job) but rejects TTL 0 on arrival.
inline std::optional<DropReason> ipv4_check(const Ipv4Hdr* ip, size_t l3_len) {
  if (l3_len < sizeof(Ipv4Hdr)) return DropReason::ipv4_too_short;
  if (ip->version() != 4) return DropReason::ipv4_bad_version;
  size_t hlen = ip->header_len();
  if (hlen < sizeof(Ipv4Hdr) || hlen > l3_len) return DropReason::ipv4_bad_ihl;
  size_t total = ip->total_len.host();
  if (total < hlen || total > l3_len) return DropReason::ipv4_bad_total_len;
  if (!ipv4_header_checksum_ok(ip)) return DropReason::ipv4_bad_checksum;
  if (ip->ttl == 0) return DropReason::ipv4_ttl_zero;
  return std::nullopt;
}

// The common case in one pass: a 20-byte IPv4 header, the total length within the frame, TTL
// non-zero and a good checksum (not recomputed when the NIC verified it). False means "look closer":
// ipv4_check() then accepts the packet (options) or names the reason to drop it.
inline bool ipv4_plain_header_ok(const Ipv4Hdr* ip, size_t l3_len, bool checksum_verified) {
  if (l3_len < sizeof(Ipv4Hdr) || ip->version_ihl != 0x45 || ip->ttl == 0) return false;
  size_t total = ip->total_len.host();
  if (total < sizeof(Ipv4Hdr) || total > l3_len) return false;
  return checksum_verified || csum_fold(ipv4_base_header_sum(ip)) == 0xffff;
}

// First octets no special address starts with: 1-126 and 128-223 (not 0, loopback, multicast, 240+).
inline bool ipv4_is_plain_unicast_octet(Ip4 a) {
  uint32_t octet = a.v >> 24;
  return octet - 1u < 126u || octet - 128u < 96u;
}

// Addresses no host may use as source or destination (RFC 1812 5.3.7 martians, Linux's
// ip_route_input_slow): multicast, 240.0.0.0/4 (reserved, with the limited broadcast), loopback and
// 0.0.0.0/8 ("this network"; 0.0.0.0 is allowed only for DHCP-like traffic we do not handle).
// Every first octet these start with fails ipv4_is_plain_unicast_octet, so the common path pays one
// compare.
inline bool ipv4_source_is_martian(Ip4 src) {
  if (ipv4_is_plain_unicast_octet(src)) return false;
  return src.is_multicast() || (src.v >> 28) == 0xf || src.is_loopback() || (src.v >> 24) == 0;
}
// Destinations not routed: the same ranges but for 255.255.255.255, which is a broadcast too (and
// as such not ours to route either): the caller drops both with ipv4_bad_dest.
inline bool ipv4_dest_is_martian(Ip4 dst) { return ipv4_source_is_martian(dst); }

}  // namespace dplb::net
