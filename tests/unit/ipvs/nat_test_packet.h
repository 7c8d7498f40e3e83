// Test packets for the NAT tests: built from scratch with full checksum computation, the oracle
// the incremental rewrites are compared with.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/net/checksum.h"
#include "dplb/net/headers.h"

namespace dplb::ipvs::testing {

struct PacketSpec {
  uint8_t proto = net::kIpProtoTcp;
  Ip4 saddr, daddr;
  uint16_t sport = 0, dport = 0;
  std::vector<uint8_t> ip_options;   // multiple of 4, at most 40
  std::vector<uint8_t> tcp_options;  // multiple of 4, at most 40
  std::vector<uint8_t> payload;
  bool udp_no_checksum = false;
  uint16_t ip_id = 0x1234;
  uint8_t ttl = 64;
  uint16_t frag_off = 0;
};

inline std::vector<uint8_t> random_bytes(std::mt19937_64& rng, size_t n) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// A random TCP or UDP packet spec: options, odd payload lengths, sometimes no UDP checksum.
inline PacketSpec random_spec(std::mt19937_64& rng) {
  PacketSpec s;
  s.proto = rng() % 2 ? net::kIpProtoTcp : net::kIpProtoUdp;
  s.saddr = Ip4(static_cast<uint32_t>(rng()));
  s.daddr = Ip4(static_cast<uint32_t>(rng()));
  s.sport = static_cast<uint16_t>(rng());
  s.dport = static_cast<uint16_t>(rng());
  if (rng() % 4 == 0) s.ip_options = random_bytes(rng, 4 * (1 + rng() % 10));
  if (s.proto == net::kIpProtoTcp && rng() % 2) s.tcp_options = random_bytes(rng, 4 * (1 + rng() % 10));
  s.payload = random_bytes(rng, rng() % 4 == 0 ? rng() % 8 : rng() % 1480);
  s.udp_no_checksum = s.proto == net::kIpProtoUdp && rng() % 5 == 0;
  s.ip_id = static_cast<uint16_t>(rng());
  s.ttl = static_cast<uint8_t>(1 + rng() % 255);
  return s;
}

inline size_t l4_header_len(const PacketSpec& s) {
  return s.proto == net::kIpProtoTcp ? sizeof(net::TcpHdr) + s.tcp_options.size() : sizeof(net::UdpHdr);
}

// memcpy of a possibly empty vector (whose data() may be null).
inline void append_at(uint8_t* dst, const std::vector<uint8_t>& v) {
  if (!v.empty()) std::memcpy(dst, v.data(), v.size());
}

// Builds the IPv4 packet with every checksum computed in full.
inline std::vector<uint8_t> build_packet(const PacketSpec& s) {
  using namespace net;
  size_t ihl = sizeof(Ipv4Hdr) + s.ip_options.size();
  size_t l4_len = l4_header_len(s) + s.payload.size();
  std::vector<uint8_t> pkt(ihl + l4_len);
  auto* ip = reinterpret_cast<Ipv4Hdr*>(pkt.data());
  ip->version_ihl = static_cast<uint8_t>(0x40 | (ihl / 4));
  ip->tos = 0;
  ip->total_len = Be16::from_host(static_cast<uint16_t>(pkt.size()));
  ip->id = Be16::from_host(s.ip_id);
  ip->frag_off = Be16::from_host(s.frag_off);
  ip->ttl = s.ttl;
  ip->proto = s.proto;
  ip->checksum = 0;
  ip->saddr = Be32::from_host(s.saddr.v);
  ip->daddr = Be32::from_host(s.daddr.v);
  append_at(pkt.data() + sizeof(Ipv4Hdr), s.ip_options);
  ip->checksum = ipv4_header_checksum(ip);

  uint8_t* l4 = pkt.data() + ihl;
  size_t payload_off = l4_header_len(s);
  append_at(l4 + payload_off, s.payload);
  if (s.proto == kIpProtoTcp) {
    auto* th = reinterpret_cast<TcpHdr*>(l4);
    th->sport = Be16::from_host(s.sport);
    th->dport = Be16::from_host(s.dport);
    th->seq = Be32::from_host(0x01020304);
    th->ack = Be32::from_host(0x0a0b0c0d);
    th->data_off = static_cast<uint8_t>((payload_off / 4) << 4);
    th->flags = kTcpAck | kTcpPsh;
    th->window = Be16::from_host(65535);
    th->checksum = 0;
    th->urgent = Be16::from_host(0);
    append_at(l4 + sizeof(TcpHdr), s.tcp_options);
    th->checksum = l4_checksum(ip, l4, static_cast<uint16_t>(l4_len));
  } else {
    auto* uh = reinterpret_cast<UdpHdr*>(l4);
    uh->sport = Be16::from_host(s.sport);
    uh->dport = Be16::from_host(s.dport);
    uh->len = Be16::from_host(static_cast<uint16_t>(l4_len));
    uh->checksum = 0;
    if (!s.udp_no_checksum) {
      uint16_t c = l4_checksum(ip, l4, static_cast<uint16_t>(l4_len));
      uh->checksum = c == 0 ? 0xffff : c;
    }
  }
  return pkt;
}

// An ICMP error from `src` to `dst` quoting the first `quote_len` bytes of `orig`.
inline std::vector<uint8_t> build_icmp_error(Ip4 src, Ip4 dst, uint8_t type, uint8_t code, uint16_t rest,
                                             const std::vector<uint8_t>& orig, size_t quote_len) {
  using namespace net;
  size_t len = sizeof(Ipv4Hdr) + sizeof(IcmpHdr) + quote_len;
  std::vector<uint8_t> pkt(len);
  auto* ip = reinterpret_cast<Ipv4Hdr*>(pkt.data());
  ip->version_ihl = 0x45;
  ip->tos = 0xc0;
  ip->total_len = Be16::from_host(static_cast<uint16_t>(len));
  ip->id = Be16::from_host(0x4242);
  ip->frag_off = Be16::from_host(0);
  ip->ttl = 63;
  ip->proto = kIpProtoIcmp;
  ip->checksum = 0;
  ip->saddr = Be32::from_host(src.v);
  ip->daddr = Be32::from_host(dst.v);
  ip->checksum = ipv4_header_checksum(ip);
  auto* icmp = reinterpret_cast<IcmpHdr*>(pkt.data() + sizeof(Ipv4Hdr));
  icmp->type = type;
  icmp->code = code;
  icmp->checksum = 0;
  icmp->id = Be16::from_host(0);
  icmp->seq = Be16::from_host(rest);
  std::memcpy(pkt.data() + sizeof(Ipv4Hdr) + sizeof(IcmpHdr), orig.data(), quote_len);
  icmp->checksum = csum_finish(csum_add_bytes(icmp, sizeof(IcmpHdr) + quote_len));
  return pkt;
}

inline net::Ipv4Hdr* ip_of(std::vector<uint8_t>& pkt) { return reinterpret_cast<net::Ipv4Hdr*>(pkt.data()); }
inline uint8_t* l4_of(std::vector<uint8_t>& pkt) { return pkt.data() + ip_of(pkt)->header_len(); }

}  // namespace dplb::ipvs::testing
