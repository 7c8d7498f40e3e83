// IPVS NAT rewrite of a TCP/UDP packet in place: DNAT on the way in (VIP:vport → RS:rport as the
// destination), SNAT on the way out (RS:rport → VIP:vport as the source). Checksums are updated
// incrementally (RFC 1624): the IPv4 header checksum for the address, the TCP/UDP checksum for the
// pseudo-header address and the port. Per packet: inline, no allocation, no branches on length.
#pragma once

#include <cstdint>
#include <cstring>

#include "dplb/base/addr.h"
#include "dplb/net/checksum.h"
#include "dplb/net/headers.h"

namespace dplb::ipvs {

// Offset of the checksum field in the L4 header, or 0 for protocols without one we handle.
constexpr size_t l4_checksum_offset(uint8_t proto) {
  return proto == net::kIpProtoTcp ? offsetof(net::TcpHdr, checksum)
         : proto == net::kIpProtoUdp ? offsetof(net::UdpHdr, checksum)
                                     : 0;
}

// Updates a TCP/UDP checksum stored at `field` by `delta` (net::csum_delta32 + net::csum_delta16 of the
// changed fields). A UDP checksum of 0 means "none" and stays 0; a UDP result of 0 is sent as 0xffff
// (RFC 768).
inline void l4_checksum_adjust(uint8_t proto, uint8_t* field, uint32_t delta) {
  uint16_t check;
  std::memcpy(&check, field, 2);
  if (proto == net::kIpProtoUdp && check == 0) return;
  check = net::csum_apply(check, delta);
  if (proto == net::kIpProtoUdp && check == 0) check = 0xffff;
  std::memcpy(field, &check, 2);
}

namespace detail {
// The address fields by position: the header is packed, so no reference to a member is taken.
inline uint8_t* ip_addr_field(net::Ipv4Hdr* ip, bool src) {
  return reinterpret_cast<uint8_t*>(ip) + (src ? offsetof(net::Ipv4Hdr, saddr) : offsetof(net::Ipv4Hdr, daddr));
}
inline uint32_t load_raw32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline void store_raw32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

// Rewrites the source (src = true) or destination address and port of a TCP/UDP packet, and
// decrements the TTL (>= 1) when asked: one delta for the address serves both checksums, and the
// header checksum takes the address and the TTL in one update.
inline void nat_rewrite(net::Ipv4Hdr* ip, uint8_t* l4, bool src, Ip4 addr, uint16_t port, bool decrement_ttl) {
  uint8_t* ip_field = ip_addr_field(ip, src);
  uint32_t old_addr = load_raw32(ip_field);
  uint32_t new_addr = Be32::from_host(addr.v).raw;
  uint16_t new_port = Be16::from_host(port).raw;
  uint32_t addr_delta = net::csum_delta32(old_addr, new_addr);

  if (decrement_ttl) --ip->ttl;
  ip->checksum = net::csum_apply(ip->checksum, addr_delta + (decrement_ttl ? net::kTtlDecrementDelta : 0));
  store_raw32(ip_field, new_addr);
  size_t check_off = l4_checksum_offset(ip->proto);
  if (check_off == 0) return;  // not TCP/UDP: no ports to rewrite
  uint8_t* port_field = l4 + (src ? 0 : 2);  // TCP and UDP both start with sport, dport
  uint16_t old_port;
  std::memcpy(&old_port, port_field, 2);
  std::memcpy(port_field, &new_port, 2);
  l4_checksum_adjust(ip->proto, l4 + check_off, addr_delta + net::csum_delta16(old_port, new_port));
}
}  // namespace detail

// Preconditions (checked by the caller's parsing): ip->proto is TCP or UDP, the packet is not a
// non-first fragment, and `l4` points at its complete TCP (20 bytes) or UDP (8 bytes) header.
// DNAT: the destination becomes the real server.
// With decrement_ttl the TTL (>= 1) goes down by one in the same header checksum update.
inline void nat_rewrite_dst(net::Ipv4Hdr* ip, void* l4, Ip4 addr, uint16_t port, bool decrement_ttl = false) {
  detail::nat_rewrite(ip, static_cast<uint8_t*>(l4), false, addr, port, decrement_ttl);
}
// SNAT: the source becomes the virtual service.
inline void nat_rewrite_src(net::Ipv4Hdr* ip, void* l4, Ip4 addr, uint16_t port, bool decrement_ttl = false) {
  detail::nat_rewrite(ip, static_cast<uint8_t*>(l4), true, addr, port, decrement_ttl);
}

}  // namespace dplb::ipvs
