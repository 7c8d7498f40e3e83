// Frame builders for the datapath cases: inputs and the expected outputs are both written from
// their header fields, every checksum computed from scratch here (RFC 1071, no dplb::net code), so
// an expected frame does not borrow the incremental updates it checks.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "dplb/base/addr.h"

namespace dplb::dp::fixture {

using Bytes = std::vector<uint8_t>;

inline constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

struct L2 {
  Mac dst;
  Mac src;
};

struct L3 {
  Ip4 src;
  Ip4 dst;
  uint8_t ttl = 64;
  uint8_t tos = 0;
  uint16_t id = 0x1234;
  uint16_t frag_off = 0x4000;            // flags and offset: DF by default, as Linux sends TCP
  std::optional<uint16_t> checksum;      // set: this value instead of the right one
};

struct Tcp {
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint8_t flags = kTcpSyn;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint16_t window = 8192;
  Bytes payload;
};

struct Udp {
  uint16_t sport = 0;
  uint16_t dport = 0;
  Bytes payload;
};

struct Icmp {
  uint8_t type = 8;  // echo request
  uint8_t code = 0;
  uint16_t id = 0;   // the second word: echo id and sequence, or unused / next-hop MTU for errors
  uint16_t seq = 0;
  Bytes payload;     // an error's quote goes here
};

// RFC 1071 one's complement sum, folded and complemented.
uint16_t internet_checksum(const uint8_t* data, size_t len, uint32_t initial = 0);

Bytes ipv4_packet(const L3& l3, uint8_t proto, const Bytes& l4);
// An IPv4 frame carrying `payload` as is (a fragment's share of a datagram, no L4 checksum added).
Bytes ipv4_frame(const L2& l2, const L3& l3, uint8_t proto, const Bytes& payload);
Bytes tcp_frame(const L2& l2, const L3& l3, const Tcp& tcp);
Bytes udp_frame(const L2& l2, const L3& l3, const Udp& udp);
Bytes icmp_frame(const L2& l2, const L3& l3, const Icmp& icmp);
// ARP over Ethernet/IPv4, padded to the 60-byte minimum frame.
Bytes arp_frame(const L2& l2, uint16_t op, const Mac& sha, Ip4 spa, const Mac& tha, Ip4 tpa);
// An IPv4 packet (no Ethernet header): what an ICMP error quotes.
Bytes l3_of(const Bytes& frame);
// `len` bytes from `from` of the IPv4 payload (after a 20-byte header) of an Ethernet frame.
Bytes l4_slice(const Bytes& frame, size_t from, size_t len);

}  // namespace dplb::dp::fixture
