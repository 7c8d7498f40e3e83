// A flow's hash from its addresses, protocol and ports: picks one next hop of a multipath route
// for every packet of the flow (RFC 2992). CRC32C (SSE4.2) where available.
#pragma once

#include <cstdint>
#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

#include "dplb/net/headers.h"

namespace dplb::net {

inline uint32_t mix_flow(uint64_t a, uint64_t b) {
#if defined(__SSE4_2__)
  return static_cast<uint32_t>(_mm_crc32_u64(_mm_crc32_u64(0x9e3779b9u, a), b));
#else
  uint64_t x = (a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xbf58476d1ce4e5b9ull;
  return static_cast<uint32_t>(x ^ (x >> 31) ^ (x >> 47));
#endif
}

// `l3_len` bytes are available from the IP header; ports are used when present and unfragmented.
inline uint32_t ipv4_flow_hash(const Ipv4Hdr* ip, size_t l3_len) {
  uint64_t addrs = (uint64_t(ip->saddr.raw) << 32) | ip->daddr.raw;
  uint64_t rest = ip->proto;
  size_t hlen = ip->header_len();
  if ((ip->proto == kIpProtoTcp || ip->proto == kIpProtoUdp) && !ip->is_fragment() && l3_len >= hlen + 4) {
    uint32_t ports;
    __builtin_memcpy(&ports, reinterpret_cast<const uint8_t*>(ip) + hlen, 4);
    rest |= uint64_t(ports) << 8;
  }
  return mix_flow(addrs, rest);
}

}  // namespace dplb::net
