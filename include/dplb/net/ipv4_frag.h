// IPv4 fragmentation (RFC 791 section 3.2, RFC 815's offsets in 8-byte units): splits a packet that
// is larger than the egress MTU into fragments. Pure: the caller allocates and copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dplb/net/checksum.h"
#include "dplb/net/headers.h"

namespace dplb::net {

inline constexpr size_t kMaxIpv4Header = 60;

// Options of `ip` with the "copied" bit set, as non-first fragments carry them (RFC 791), padded
// with End-of-Options to a multiple of 4. Writes at most 40 bytes to out; returns their length.
inline size_t ipv4_copied_options(const Ipv4Hdr* ip, uint8_t* out) {
  const auto* opt = reinterpret_cast<const uint8_t*>(ip) + sizeof(Ipv4Hdr);
  size_t opt_len = ip->header_len() - sizeof(Ipv4Hdr);
  size_t n = 0;
  for (size_t i = 0; i < opt_len;) {
    uint8_t type = opt[i];
    if (type == 0) break;        // end of options
    if (type == 1) {             // no-operation: never copied
      ++i;
      continue;
    }
    if (i + 1 >= opt_len) break;
    size_t len = opt[i + 1];
    if (len < 2 || i + len > opt_len) break;  // malformed: stop copying
    if (type & 0x80) {
      std::memcpy(out + n, opt + i, len);
      n += len;
    }
    i += len;
  }
  while (n % 4) out[n++] = 0;
  return n;
}

// Calls emit(header, header_len, payload_offset, payload_len) for each fragment of the IPv4 packet
// at `ip` (its total length bytes available), so that each fragment fits in `mtu`. Headers are
// complete: length, fragment offset/MF and checksum set. Returns false (emitting nothing) when the
// MTU cannot carry even 8 bytes of payload.
template <typename Emit>
bool ipv4_fragment(const Ipv4Hdr* ip, size_t mtu, Emit&& emit) {
  size_t hlen = ip->header_len();
  size_t total = ip->total_len.host();
  size_t payload = total - hlen;
  uint16_t flags_off = ip->frag_off.host();
  size_t base_units = flags_off & kIpFragOffsetMask;  // fragmenting a fragment keeps its offset
  bool last_has_mf = (flags_off & kIpFlagMf) != 0;

  alignas(4) uint8_t first[kMaxIpv4Header];
  std::memcpy(first, ip, hlen);
  alignas(4) uint8_t other[kMaxIpv4Header];
  std::memcpy(other, ip, sizeof(Ipv4Hdr));
  size_t other_hlen = sizeof(Ipv4Hdr) + ipv4_copied_options(ip, other + sizeof(Ipv4Hdr));
  reinterpret_cast<Ipv4Hdr*>(other)->version_ihl = static_cast<uint8_t>(0x40 | (other_hlen / 4));

  if (mtu < hlen + 8 || mtu < other_hlen + 8) return false;
  for (size_t off = 0; off < payload;) {
    bool is_first = off == 0;
    uint8_t* hdr = is_first ? first : other;
    size_t h = is_first ? hlen : other_hlen;
    size_t room = (mtu - h) & ~size_t(7);
    size_t len = payload - off < room ? payload - off : room;
    bool more = off + len < payload || last_has_mf;
    auto* fh = reinterpret_cast<Ipv4Hdr*>(hdr);
    fh->total_len = Be16::from_host(static_cast<uint16_t>(h + len));
    uint16_t fo = static_cast<uint16_t>((base_units + off / 8) | (more ? kIpFlagMf : 0));
    fh->frag_off = Be16::from_host(fo);
    fh->checksum = 0;
    fh->checksum = ipv4_header_checksum(fh);
    emit(static_cast<const uint8_t*>(hdr), h, off, len);
    off += len;
  }
  return true;
}

}  // namespace dplb::net
