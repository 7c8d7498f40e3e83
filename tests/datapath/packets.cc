#include "packets.h"

namespace dplb::dp::fixture {

namespace {

constexpr size_t kEthLen = 14;
constexpr size_t kIpLen = 20;

void put16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
void put32(Bytes& b, uint32_t v) {
  put16(b, uint16_t(v >> 16));
  put16(b, uint16_t(v));
}
void put_mac(Bytes& b, const Mac& m) { b.insert(b.end(), m.b.begin(), m.b.end()); }
void set16(Bytes& b, size_t at, uint16_t v) {
  b[at] = uint8_t(v >> 8);
  b[at + 1] = uint8_t(v);
}

Bytes ethernet(const L2& l2, uint16_t type, const Bytes& payload) {
  Bytes f;
  put_mac(f, l2.dst);
  put_mac(f, l2.src);
  put16(f, type);
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

// The TCP/UDP pseudo-header's sum (RFC 793, RFC 768).
uint32_t pseudo_header_sum(const L3& l3, uint8_t proto, size_t l4_len) {
  return (l3.src.v >> 16) + (l3.src.v & 0xffff) + (l3.dst.v >> 16) + (l3.dst.v & 0xffff) + proto +
         uint32_t(l4_len);
}

}  // namespace

uint16_t internet_checksum(const uint8_t* data, size_t len, uint32_t initial) {
  uint64_t sum = initial;
  for (size_t i = 0; i + 1 < len; i += 2) sum += uint32_t(data[i]) << 8 | data[i + 1];
  if (len & 1) sum += uint32_t(data[len - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

Bytes ipv4_packet(const L3& l3, uint8_t proto, const Bytes& l4) {
  Bytes p;
  p.push_back(0x45);
  p.push_back(l3.tos);
  put16(p, uint16_t(kIpLen + l4.size()));
  put16(p, l3.id);
  put16(p, l3.frag_off);
  p.push_back(l3.ttl);
  p.push_back(proto);
  put16(p, 0);
  put32(p, l3.src.v);
  put32(p, l3.dst.v);
  set16(p, 10, l3.checksum ? *l3.checksum : internet_checksum(p.data(), kIpLen));
  p.insert(p.end(), l4.begin(), l4.end());
  return p;
}

Bytes ipv4_frame(const L2& l2, const L3& l3, uint8_t proto, const Bytes& payload) {
  return ethernet(l2, 0x0800, ipv4_packet(l3, proto, payload));
}

Bytes tcp_frame(const L2& l2, const L3& l3, const Tcp& tcp) {
  Bytes s;
  put16(s, tcp.sport);
  put16(s, tcp.dport);
  put32(s, tcp.seq);
  put32(s, tcp.ack);
  s.push_back(5 << 4);  // data offset: 20 bytes, no options
  s.push_back(tcp.flags);
  put16(s, tcp.window);
  put16(s, 0);  // checksum, below
  put16(s, 0);  // urgent pointer
  s.insert(s.end(), tcp.payload.begin(), tcp.payload.end());
  set16(s, 16, internet_checksum(s.data(), s.size(), pseudo_header_sum(l3, 6, s.size())));
  return ethernet(l2, 0x0800, ipv4_packet(l3, 6, s));
}

Bytes udp_frame(const L2& l2, const L3& l3, const Udp& udp) {
  Bytes d;
  put16(d, udp.sport);
  put16(d, udp.dport);
  put16(d, uint16_t(8 + udp.payload.size()));
  put16(d, 0);
  d.insert(d.end(), udp.payload.begin(), udp.payload.end());
  uint16_t sum = internet_checksum(d.data(), d.size(), pseudo_header_sum(l3, 17, d.size()));
  set16(d, 6, sum == 0 ? 0xffff : sum);  // RFC 768: a computed zero is sent as all ones
  return ethernet(l2, 0x0800, ipv4_packet(l3, 17, d));
}

Bytes icmp_frame(const L2& l2, const L3& l3, const Icmp& icmp) {
  Bytes m;
  m.push_back(icmp.type);
  m.push_back(icmp.code);
  put16(m, 0);
  put16(m, icmp.id);
  put16(m, icmp.seq);
  m.insert(m.end(), icmp.payload.begin(), icmp.payload.end());
  set16(m, 2, internet_checksum(m.data(), m.size()));
  return ethernet(l2, 0x0800, ipv4_packet(l3, 1, m));
}

Bytes arp_frame(const L2& l2, uint16_t op, const Mac& sha, Ip4 spa, const Mac& tha, Ip4 tpa) {
  Bytes a;
  put16(a, 1);       // hardware: Ethernet
  put16(a, 0x0800);  // protocol: IPv4
  a.push_back(6);
  a.push_back(4);
  put16(a, op);
  put_mac(a, sha);
  put32(a, spa.v);
  put_mac(a, tha);
  put32(a, tpa.v);
  Bytes f = ethernet(l2, 0x0806, a);
  f.resize(60, 0);
  return f;
}

Bytes l3_of(const Bytes& frame) { return Bytes(frame.begin() + kEthLen, frame.end()); }

Bytes l4_slice(const Bytes& frame, size_t from, size_t len) {
  auto begin = frame.begin() + kEthLen + kIpLen + from;
  return Bytes(begin, begin + len);
}

}  // namespace dplb::dp::fixture
