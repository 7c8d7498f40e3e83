// IPv4 addresses, prefixes and MAC addresses: parse and format in the usual text forms.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dplb {

// IPv4 address held in host byte order (tables compare and mask it as an integer).
struct Ip4 {
  uint32_t v = 0;
  constexpr Ip4() = default;
  constexpr explicit Ip4(uint32_t host_order) : v(host_order) {}
  static constexpr Ip4 of(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return Ip4((uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | d);
  }
  constexpr bool is_zero() const { return v == 0; }
  constexpr bool is_multicast() const { return (v >> 28) == 0xe; }
  constexpr bool is_limited_broadcast() const { return v == 0xffffffffu; }
  constexpr bool is_loopback() const { return (v >> 24) == 127; }
  friend constexpr auto operator<=>(Ip4, Ip4) = default;
};

constexpr uint32_t prefix_mask(unsigned len) { return len == 0 ? 0 : ~uint32_t(0) << (32 - len); }

struct Ip4Prefix {
  Ip4 addr;          // may have host bits set (an interface address keeps them)
  uint8_t len = 32;
  constexpr Ip4 network() const { return Ip4(addr.v & prefix_mask(len)); }
  constexpr Ip4 broadcast() const { return Ip4(addr.v | ~prefix_mask(len)); }
  constexpr bool contains(Ip4 a) const { return ((a.v ^ addr.v) & prefix_mask(len)) == 0; }
  friend constexpr auto operator<=>(const Ip4Prefix&, const Ip4Prefix&) = default;
};

struct __attribute__((packed)) Mac {  // packed: embedded in packed wire headers
  std::array<uint8_t, 6> b{};
  static constexpr Mac broadcast() { return Mac{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
  constexpr bool is_zero() const { return (b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0; }
  constexpr bool is_broadcast() const { return (b[0] & b[1] & b[2] & b[3] & b[4] & b[5]) == 0xff; }
  constexpr bool is_multicast() const { return (b[0] & 1) != 0; }
  friend constexpr auto operator<=>(const Mac&, const Mac&) = default;
  // Six bytes compared as two loads (the defaulted == would call memcmp per packet).
  friend bool operator==(const Mac& x, const Mac& y) {
    uint32_t x4, y4;
    uint16_t x2, y2;
    __builtin_memcpy(&x4, x.b.data(), 4);
    __builtin_memcpy(&y4, y.b.data(), 4);
    __builtin_memcpy(&x2, x.b.data() + 4, 2);
    __builtin_memcpy(&y2, y.b.data() + 4, 2);
    return ((x4 ^ y4) | uint32_t(x2 ^ y2)) == 0;
  }
};

// Strict dotted quad: four decimal octets, no leading '+', no spaces.
std::optional<Ip4> parse_ip4(std::string_view s);
// "a.b.c.d/len"; without "/len" the length is `default_len` (or rejected when default_len < 0).
std::optional<Ip4Prefix> parse_ip4_prefix(std::string_view s, int default_len = -1);
// "aa:bb:cc:dd:ee:ff" (hex digits, either case).
std::optional<Mac> parse_mac(std::string_view s);

std::string to_string(Ip4 a);
std::string to_string(const Ip4Prefix& p);
std::string to_string(const Mac& m);

}  // namespace dplb
