#include "dplb/base/addr.h"

#include <charconv>
#include <cstdio>

namespace dplb {

namespace {

std::optional<unsigned> parse_decimal(std::string_view s, unsigned max) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  unsigned v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<Ip4> parse_ip4(std::string_view s) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    size_t dot = (i < 3) ? s.find('.') : s.size();
    if (dot == std::string_view::npos) return std::nullopt;
    std::string_view part = s.substr(0, dot);
    if (part.size() > 3) return std::nullopt;
    auto octet = parse_decimal(part, 255);
    if (!octet) return std::nullopt;
    v = (v << 8) | *octet;
    s = (i < 3) ? s.substr(dot + 1) : std::string_view{};
  }
  return Ip4(v);
}

std::optional<Ip4Prefix> parse_ip4_prefix(std::string_view s, int default_len) {
  size_t slash = s.find('/');
  auto addr = parse_ip4(s.substr(0, slash));
  if (!addr) return std::nullopt;
  if (slash == std::string_view::npos) {
    if (default_len < 0) return std::nullopt;
    return Ip4Prefix{*addr, static_cast<uint8_t>(default_len)};
  }
  std::string_view len_text = s.substr(slash + 1);
  if (len_text.size() > 2) return std::nullopt;
  auto len = parse_decimal(len_text, 32);
  if (!len) return std::nullopt;
  return Ip4Prefix{*addr, static_cast<uint8_t>(*len)};
}

std::optional<Mac> parse_mac(std::string_view s) {
  if (s.size() != 17) return std::nullopt;
  Mac m;
  for (int i = 0; i < 6; ++i) {
    int hi = hex_value(s[i * 3]);
    int lo = hex_value(s[i * 3 + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    if (i < 5 && s[i * 3 + 2] != ':') return std::nullopt;
    m.b[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return m;
}

std::string to_string(Ip4 a) {
  char buf[16];
  int n = std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a.v >> 24, (a.v >> 16) & 0xff, (a.v >> 8) & 0xff,
                        a.v & 0xff);
  return std::string(buf, static_cast<size_t>(n));
}

std::string to_string(const Ip4Prefix& p) { return to_string(p.addr) + "/" + std::to_string(p.len); }

std::string to_string(const Mac& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m.b[0], m.b[1], m.b[2], m.b[3], m.b[4],
                m.b[5]);
  return std::string(buf, 17);
}

}  // namespace dplb
