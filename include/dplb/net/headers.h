// Wire layouts of the headers the data plane reads and writes. Packed: an IPv4 header follows a
// 14-byte Ethernet header, so its 32-bit fields are not naturally aligned.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dplb/base/addr.h"
#include "dplb/base/byteorder.h"

namespace dplb::net {

inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;
inline constexpr uint16_t kEtherTypeVlan = 0x8100;

struct __attribute__((packed)) EthHdr {
  Mac dst;
  Mac src;
  Be16 type;
};
static_assert(sizeof(EthHdr) == 14);

inline constexpr uint16_t kArpOpRequest = 1;
inline constexpr uint16_t kArpOpReply = 2;

struct __attribute__((packed)) ArpHdr {
  Be16 htype;  // 1 = Ethernet
  Be16 ptype;  // 0x0800
  uint8_t hlen;
  uint8_t plen;
  Be16 op;
  Mac sha;
  Be32 spa;
  Mac tha;
  Be32 tpa;
};
static_assert(sizeof(ArpHdr) == 28);

inline constexpr uint8_t kIpProtoIcmp = 1;
inline constexpr uint8_t kIpProtoTcp = 6;
inline constexpr uint8_t kIpProtoUdp = 17;

inline constexpr uint16_t kIpFlagDf = 0x4000;
inline constexpr uint16_t kIpFlagMf = 0x2000;
inline constexpr uint16_t kIpFragOffsetMask = 0x1fff;

struct __attribute__((packed)) Ipv4Hdr {
  uint8_t version_ihl;
  uint8_t tos;
  Be16 total_len;
  Be16 id;
  Be16 frag_off;  // flags (3 bits) + offset in 8-byte units
  uint8_t ttl;
  uint8_t proto;
  uint16_t checksum;  // raw, as on the wire
  Be32 saddr;
  Be32 daddr;

  unsigned version() const { return version_ihl >> 4; }
  unsigned header_len() const { return (version_ihl & 0xfu) * 4u; }
  bool is_fragment() const { return (frag_off.host() & (kIpFlagMf | kIpFragOffsetMask)) != 0; }
  Ip4 src() const { return Ip4(saddr.host()); }
  Ip4 dst() const { return Ip4(daddr.host()); }
};
static_assert(sizeof(Ipv4Hdr) == 20);

inline constexpr uint8_t kIcmpEchoReply = 0;
inline constexpr uint8_t kIcmpDestUnreach = 3;
inline constexpr uint8_t kIcmpEchoRequest = 8;
inline constexpr uint8_t kIcmpTimeExceeded = 11;
inline constexpr uint8_t kIcmpCodeNetUnreach = 0;
inline constexpr uint8_t kIcmpCodeHostUnreach = 1;
inline constexpr uint8_t kIcmpCodeProtoUnreach = 2;
inline constexpr uint8_t kIcmpCodePortUnreach = 3;
inline constexpr uint8_t kIcmpCodeFragNeeded = 4;

struct __attribute__((packed)) IcmpHdr {
  uint8_t type;
  uint8_t code;
  uint16_t checksum;  // raw
  Be16 id;            // echo: identifier; frag-needed: unused
  Be16 seq;           // echo: sequence;   frag-needed: next-hop MTU
};
static_assert(sizeof(IcmpHdr) == 8);

inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpPsh = 0x08;
inline constexpr uint8_t kTcpAck = 0x10;

struct __attribute__((packed)) TcpHdr {
  Be16 sport;
  Be16 dport;
  Be32 seq;
  Be32 ack;
  uint8_t data_off;  // upper 4 bits: header length in 32-bit words
  uint8_t flags;
  Be16 window;
  uint16_t checksum;  // raw
  Be16 urgent;
  unsigned header_len() const { return (data_off >> 4) * 4u; }
};
static_assert(sizeof(TcpHdr) == 20);

struct __attribute__((packed)) UdpHdr {
  Be16 sport;
  Be16 dport;
  Be16 len;
  uint16_t checksum;  // raw; 0 = none
};
static_assert(sizeof(UdpHdr) == 8);

inline constexpr size_t kEthHdrLen = sizeof(EthHdr);
inline constexpr size_t kEthMinFrame = 60;  // without FCS

}  // namespace dplb::net
