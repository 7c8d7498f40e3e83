// Internet checksum (RFC 1071) and incremental update (RFC 1624 eqn. 3). One's-complement sums
// are byte-order neutral, so raw network-order words go in and the raw field comes out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dplb/net/headers.h"

namespace dplb::net {

// Sum of 16-bit words in memory order; an odd trailing byte is padded with zero.
inline uint64_t csum_add_bytes(const void* data, size_t len, uint64_t sum = 0) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (len >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    sum += (w & 0xffffffffu) + (w >> 32);
    p += 8;
    len -= 8;
  }
  while (len >= 2) {
    uint16_t w;
    std::memcpy(&w, p, 2);
    sum += w;
    p += 2;
    len -= 2;
  }
  if (len) {
    uint8_t tail[2] = {*p, 0};
    uint16_t w;
    std::memcpy(&w, tail, 2);
    sum += w;
  }
  return sum;
}

// 64-bit one's-complement sum folded to 16 bits (end-around carries at each step).
inline uint16_t csum_fold(uint64_t sum) {
  auto lo = static_cast<uint32_t>(sum);
  uint32_t s = lo + static_cast<uint32_t>(sum >> 32);
  s += (s < lo);                       // carry out of the 32-bit add wraps around
  s = (s & 0xffffu) + (s >> 16);       // at most 0x1fffe
  s = (s & 0xffffu) + (s >> 16);
  return static_cast<uint16_t>(s);
}

// Checksum field value (raw) for the given bytes, with the checksum field itself zeroed by the caller.
inline uint16_t csum_finish(uint64_t sum) { return static_cast<uint16_t>(~csum_fold(sum)); }

// Sum of a 20-byte header without options: five 32-bit words.
inline uint64_t ipv4_base_header_sum(const Ipv4Hdr* ip) {
  uint32_t w[5];
  std::memcpy(w, ip, sizeof w);
  return uint64_t(w[0]) + w[1] + w[2] + w[3] + w[4];
}

inline uint16_t ipv4_header_checksum(const Ipv4Hdr* ip) {
  uint64_t sum = csum_add_bytes(ip, ip->header_len());
  sum -= ip->checksum;  // exclude the stored field
  return csum_finish(sum);
}

// True when the header (including its stored checksum) sums to 0xffff.
inline bool ipv4_header_checksum_ok(const Ipv4Hdr* ip) {
  uint64_t sum = ip->header_len() == sizeof(Ipv4Hdr) ? ipv4_base_header_sum(ip) : csum_add_bytes(ip, ip->header_len());
  return csum_fold(sum) == 0xffff;
}

// Pseudo-header sum for TCP/UDP over IPv4 (raw words).
inline uint64_t ipv4_pseudo_sum(const Ipv4Hdr* ip, uint16_t l4_len) {
  uint64_t sum = uint64_t(ip->saddr.raw & 0xffff) + (ip->saddr.raw >> 16) + (ip->daddr.raw & 0xffff) +
                 (ip->daddr.raw >> 16);
  sum += Be16::from_host(ip->proto).raw;
  sum += Be16::from_host(l4_len).raw;
  return sum;
}

// Full TCP/UDP checksum of l4 (with its checksum field zeroed by the caller).
inline uint16_t l4_checksum(const Ipv4Hdr* ip, const void* l4, uint16_t l4_len) {
  return csum_finish(csum_add_bytes(l4, l4_len, ipv4_pseudo_sum(ip, l4_len)));
}

// What replacing a 32-bit field (raw values) adds to a one's-complement sum of raw 16-bit words.
inline uint32_t csum_delta32(uint32_t old_raw, uint32_t new_raw) {
  return uint32_t(static_cast<uint16_t>(~old_raw)) + static_cast<uint16_t>(~(old_raw >> 16)) + (new_raw & 0xffff) +
         (new_raw >> 16);
}
inline uint32_t csum_delta16(uint16_t old_raw, uint16_t new_raw) {
  return uint32_t(static_cast<uint16_t>(~old_raw)) + new_raw;
}
// A checksum field after changes whose deltas add up to `delta` (below 2^20): RFC 1624 eqn. 3, one fold.
inline uint16_t csum_apply(uint16_t check, uint32_t delta) {
  uint32_t s = static_cast<uint16_t>(~check) + delta;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s);
}
// The delta of a TTL decrement on the raw (TTL, protocol) word, TTL >= 1: ~w + (w - 1) = 0xfffe on a
// little-endian host, where the TTL byte is the low half of the raw word.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "kTtlDecrementDelta assumes a little-endian host");
inline constexpr uint32_t kTtlDecrementDelta = 0xfffe;

// RFC 1624: HC' = ~(~HC + ~m + m'), for a 16-bit and a 32-bit field change.
inline uint16_t csum_update16(uint16_t check, uint16_t old_raw, uint16_t new_raw) {
  return csum_apply(check, csum_delta16(old_raw, new_raw));
}
inline uint16_t csum_update32(uint16_t check, uint32_t old_raw, uint32_t new_raw) {
  return csum_apply(check, csum_delta32(old_raw, new_raw));
}

}  // namespace dplb::net
