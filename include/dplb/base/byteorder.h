// Network byte order helpers; wire structs keep big-endian fields as Be16/Be32 so a
// missing conversion is a compile error rather than a silent bug.
#pragma once

#include <cstdint>

namespace dplb {

constexpr uint16_t bswap16(uint16_t v) { return static_cast<uint16_t>((v << 8) | (v >> 8)); }
constexpr uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }

constexpr uint16_t hton16(uint16_t v) { return bswap16(v); }
constexpr uint16_t ntoh16(uint16_t v) { return bswap16(v); }
constexpr uint32_t hton32(uint32_t v) { return bswap32(v); }
constexpr uint32_t ntoh32(uint32_t v) { return bswap32(v); }

// Packed (alignment 1): they live at any offset inside packed wire headers (an IPv4 address at
// offset 26 of a frame), and calling host() on a misaligned 4-byte-aligned object would be
// undefined behaviour (UBSan reports it; the pipeline fuzzer found it).
struct __attribute__((packed)) Be16 {
  uint16_t raw;  // as on the wire
  constexpr uint16_t host() const { return ntoh16(raw); }
  static constexpr Be16 from_host(uint16_t v) { return Be16{hton16(v)}; }
  friend constexpr bool operator==(Be16 a, Be16 b) { return a.raw == b.raw; }
};

struct __attribute__((packed)) Be32 {
  uint32_t raw;  // as on the wire
  constexpr uint32_t host() const { return ntoh32(raw); }
  static constexpr Be32 from_host(uint32_t v) { return Be32{hton32(v)}; }
  friend constexpr bool operator==(Be32 a, Be32 b) { return a.raw == b.raw; }
};

static_assert(sizeof(Be16) == 2 && sizeof(Be32) == 4);
static_assert(alignof(Be16) == 1 && alignof(Be32) == 1);

}  // namespace dplb
