#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "dplb/net/arp.h"
#include "dplb/net/checksum.h"
#include "dplb/net/icmp.h"
#include "dplb/net/ipv4_check.h"
#include "dplb/net/ipv4_ttl.h"

namespace dplb::net {
namespace {

// Reference RFC 1071 checksum, byte by byte, big-endian words.
uint16_t reference_checksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += uint32_t(p[i]) << 8 | p[i + 1];
  if (n & 1) sum += uint32_t(p[n - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

std::vector<uint8_t> make_ip(uint8_t proto, size_t payload, uint8_t ttl = 64) {
  std::vector<uint8_t> b(sizeof(Ipv4Hdr) + payload);
  auto* ip = reinterpret_cast<Ipv4Hdr*>(b.data());
  ip->version_ihl = 0x45;
  ip->total_len = Be16::from_host(uint16_t(b.size()));
  ip->id = Be16::from_host(0x1234);
  ip->ttl = ttl;
  ip->proto = proto;
  ip->saddr = Be32::from_host(0x0a000002);
  ip->daddr = Be32::from_host(0x0a000001);
  ip->checksum = ipv4_header_checksum(ip);
  return b;
}

TEST(Checksum, MatchesReferenceForRandomBuffers) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> buf(rng() % 1600);
    for (auto& c : buf) c = uint8_t(rng());
    uint16_t raw = csum_finish(csum_add_bytes(buf.data(), buf.size()));
    EXPECT_EQ(ntoh16(raw), reference_checksum(buf.data(), buf.size())) << buf.size();
  }
}

TEST(Checksum, IncrementalUpdateMatchesRecompute) {
  std::mt19937 rng(9);
  for (int i = 0; i < 5000; ++i) {
    auto b = make_ip(kIpProtoUdp, 0, uint8_t(rng()));
    auto* ip = reinterpret_cast<Ipv4Hdr*>(b.data());
    uint32_t old_addr = ip->daddr.raw;
    uint32_t new_addr = rng();
    ip->daddr.raw = new_addr;
    uint16_t updated = csum_update32(ip->checksum, old_addr, new_addr);
    uint16_t old_id = ip->id.raw, new_id = uint16_t(rng());
    ip->id.raw = new_id;
    updated = csum_update16(updated, old_id, new_id);
    EXPECT_TRUE(csum_fold(csum_add_bytes(ip, 20) - ip->checksum + updated) == 0xffff);
    ip->checksum = updated;
    EXPECT_TRUE(ipv4_header_checksum_ok(ip));
  }
}

// The decrement with its constant delta gives exactly the checksum a full recompute gives, at
// every TTL from 1 up and for random headers.
TEST(Checksum, TtlDecrementMatchesRecompute) {
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    auto b = make_ip(uint8_t(rng()), 0, uint8_t(1 + i % 255));
    auto* ip = reinterpret_cast<Ipv4Hdr*>(b.data());
    ip->id.raw = uint16_t(rng());
    ip->saddr.raw = rng();
    ip->checksum = ipv4_header_checksum(ip);
    uint8_t ttl = ip->ttl;
    ipv4_decrement_ttl(ip);
    ASSERT_EQ(ip->ttl, ttl - 1);
    ASSERT_EQ(ip->checksum, ipv4_header_checksum(ip)) << "ttl " << int(ttl);
  }
}

TEST(Ipv4Check, AcceptsAValidHeaderAndNamesEachDefect) {
  auto b = make_ip(kIpProtoIcmp, 8);
  auto* ip = reinterpret_cast<Ipv4Hdr*>(b.data());
  EXPECT_FALSE(ipv4_check(ip, b.size()));
  EXPECT_EQ(ipv4_check(ip, 19), DropReason::ipv4_too_short);
  EXPECT_EQ(ipv4_check(ip, 27), DropReason::ipv4_bad_total_len);  // total length beyond the frame
  auto bad = b;
  reinterpret_cast<Ipv4Hdr*>(bad.data())->version_ihl = 0x65;
  EXPECT_EQ(ipv4_check(reinterpret_cast<Ipv4Hdr*>(bad.data()), bad.size()), DropReason::ipv4_bad_version);
  bad = b;
  reinterpret_cast<Ipv4Hdr*>(bad.data())->version_ihl = 0x44;
  EXPECT_EQ(ipv4_check(reinterpret_cast<Ipv4Hdr*>(bad.data()), bad.size()), DropReason::ipv4_bad_ihl);
  bad = b;
  reinterpret_cast<Ipv4Hdr*>(bad.data())->version_ihl = 0x4f;  // 60-byte header in a 28-byte packet
  EXPECT_EQ(ipv4_check(reinterpret_cast<Ipv4Hdr*>(bad.data()), bad.size()), DropReason::ipv4_bad_ihl);
  bad = b;
  reinterpret_cast<Ipv4Hdr*>(bad.data())->total_len = Be16::from_host(19);
  EXPECT_EQ(ipv4_check(reinterpret_cast<Ipv4Hdr*>(bad.data()), bad.size()), DropReason::ipv4_bad_total_len);
  bad = b;
  reinterpret_cast<Ipv4Hdr*>(bad.data())->checksum ^= 1;
  EXPECT_EQ(ipv4_check(reinterpret_cast<Ipv4Hdr*>(bad.data()), bad.size()), DropReason::ipv4_bad_checksum);
  auto ttl0 = make_ip(kIpProtoIcmp, 8, 0);
  EXPECT_EQ(ipv4_check(reinterpret_cast<Ipv4Hdr*>(ttl0.data()), ttl0.size()), DropReason::ipv4_ttl_zero);
}

// The one-pass check agrees with ipv4_check wherever it says yes, and says yes for every plain
// header ipv4_check accepts (options go to ipv4_check, which may accept them).
TEST(Ipv4Check, PlainHeaderCheckAgreesWithTheFullCheck) {
  std::mt19937 rng(7);
  size_t accepted = 0;
  for (int i = 0; i < 200000; ++i) {
    auto b = make_ip(kIpProtoUdp, rng() % 40, uint8_t(rng() % 3));
    auto* ip = reinterpret_cast<Ipv4Hdr*>(b.data());
    switch (rng() % 6) {  // one random defect, or none
      case 0: b[rng() % sizeof(Ipv4Hdr)] ^= uint8_t(1u << (rng() % 8)); break;
      case 1: ip->version_ihl = uint8_t(0x40 | (rng() % 16)); break;
      case 2: ip->total_len = Be16::from_host(uint16_t(rng() % 80)); break;
      default: break;
    }
    size_t l3_len = rng() % 2 ? b.size() : rng() % (b.size() + 1);
    bool plain = ipv4_plain_header_ok(ip, l3_len, false);
    bool full = !ipv4_check(ip, l3_len).has_value();
    if (plain) {
      EXPECT_TRUE(full) << i;
    }
    if (full && ip->version_ihl == 0x45) {
      EXPECT_TRUE(plain) << i;
    }
    accepted += plain;
  }
  EXPECT_GT(accepted, 20000u);  // the oracle was exercised both ways
}

TEST(Ipv4Check, MartiansAreExactlyTheSpecialRanges) {
  for (uint64_t v = 0; v <= 0xffffffffull; v += 0x00fffffbull) {  // every first octet, scattered hosts
    Ip4 a(static_cast<uint32_t>(v));
    // multicast, 240/4 (with 255.255.255.255), loopback, 0/8: as Linux's martian checks
    bool expect = (a.v >> 28) >= 0xe || (a.v >> 24) == 127 || (a.v >> 24) == 0;
    EXPECT_EQ(ipv4_source_is_martian(a), expect) << to_string(a);
    EXPECT_EQ(ipv4_dest_is_martian(a), expect) << to_string(a);
  }
  for (uint32_t v : {0u, 0xffffffffu, 0x7f000001u, 0xe0000001u, 0xefffffffu, 0xf0000000u, 0x00000001u, 0xff000000u,
                     0x00ffffffu, 0xf0000001u, 0xdfffffffu, 0x01000000u})
    EXPECT_EQ(ipv4_source_is_martian(Ip4(v)), (v >> 28) >= 0xe || (v >> 24) == 127 || (v >> 24) == 0) << v;
}

TEST(Icmp, EchoReplyHasSwappedAddressesAndValidChecksums) {
  auto b = make_ip(kIpProtoIcmp, 8 + 5);
  auto* ip = reinterpret_cast<Ipv4Hdr*>(b.data());
  auto* icmp = reinterpret_cast<IcmpHdr*>(ip + 1);
  icmp->type = kIcmpEchoRequest;
  icmp->id = Be16::from_host(77);
  icmp->seq = Be16::from_host(3);
  std::memcpy(icmp + 1, "hello", 5);
  icmp->checksum = csum_finish(csum_add_bytes(icmp, 13));
  icmp_echo_to_reply(ip, icmp);
  EXPECT_EQ(ip->src().v, 0x0a000001u);
  EXPECT_EQ(ip->dst().v, 0x0a000002u);
  EXPECT_EQ(icmp->type, kIcmpEchoReply);
  EXPECT_TRUE(ipv4_header_checksum_ok(ip));
  EXPECT_TRUE(icmp_checksum_ok(icmp, 13));
  EXPECT_EQ(icmp->id.host(), 77);
}

TEST(Icmp, ErrorQuotesTheOriginalWithin576Bytes) {
  auto orig = make_ip(kIpProtoUdp, 1400);
  uint8_t out[kIcmpErrorMaxLen];
  size_t n = icmp_build_error(out, reinterpret_cast<Ipv4Hdr*>(orig.data()), orig.size(), kIcmpDestUnreach,
                              kIcmpCodeFragNeeded, 1400, Ip4::of(10, 0, 0, 1), 9);
  EXPECT_EQ(n, kIcmpErrorMaxLen);
  auto* ip = reinterpret_cast<Ipv4Hdr*>(out);
  EXPECT_TRUE(ipv4_header_checksum_ok(ip));
  EXPECT_EQ(ip->dst().v, 0x0a000002u);
  auto* icmp = reinterpret_cast<IcmpHdr*>(ip + 1);
  EXPECT_TRUE(icmp_checksum_ok(icmp, n - 20));
  EXPECT_EQ(icmp->seq.host(), 1400);
  EXPECT_EQ(std::memcmp(out + 28, orig.data(), n - 28), 0);
  auto small = make_ip(kIpProtoUdp, 8);
  EXPECT_EQ(icmp_build_error(out, reinterpret_cast<Ipv4Hdr*>(small.data()), small.size(), kIcmpTimeExceeded, 0, 0,
                             Ip4::of(10, 0, 0, 1), 9),
            28u + small.size());
}

TEST(Icmp, NoErrorAboutErrorsFragmentsOrBroadcasts) {
  auto udp = make_ip(kIpProtoUdp, 8);
  EXPECT_TRUE(icmp_error_allowed(reinterpret_cast<Ipv4Hdr*>(udp.data()), udp.size()));
  auto err = make_ip(kIpProtoIcmp, 8);
  err[20] = kIcmpDestUnreach;
  EXPECT_FALSE(icmp_error_allowed(reinterpret_cast<Ipv4Hdr*>(err.data()), err.size()));
  err[20] = kIcmpEchoRequest;
  EXPECT_TRUE(icmp_error_allowed(reinterpret_cast<Ipv4Hdr*>(err.data()), err.size()));
  auto frag = make_ip(kIpProtoUdp, 8);
  reinterpret_cast<Ipv4Hdr*>(frag.data())->frag_off = Be16::from_host(10);
  EXPECT_FALSE(icmp_error_allowed(reinterpret_cast<Ipv4Hdr*>(frag.data()), frag.size()));
  auto bcast = make_ip(kIpProtoUdp, 8);
  reinterpret_cast<Ipv4Hdr*>(bcast.data())->saddr = Be32::from_host(0xffffffff);
  EXPECT_FALSE(icmp_error_allowed(reinterpret_cast<Ipv4Hdr*>(bcast.data()), bcast.size()));
}

TEST(Arp, ParseRejectsMalformedAndReplyIsExact) {
  uint8_t frame[kEthMinFrame];
  Mac peer{{2, 0, 0, 0, 0, 2}}, us{{2, 0, 0, 0, 0, 1}};
  arp_build(frame, kArpOpRequest, Mac::broadcast(), peer, Ip4::of(10, 0, 0, 2), Mac{}, Ip4::of(10, 0, 0, 1));
  auto* arp = const_cast<ArpHdr*>(arp_parse(frame + 14, sizeof frame - 14));
  ASSERT_NE(arp, nullptr);
  EXPECT_EQ(arp_parse(frame + 14, 27), nullptr);
  arp_request_to_reply(reinterpret_cast<EthHdr*>(frame), arp, us);
  uint8_t expected[kEthMinFrame];
  arp_build(expected, kArpOpReply, peer, us, Ip4::of(10, 0, 0, 1), peer, Ip4::of(10, 0, 0, 2));
  EXPECT_EQ(std::memcmp(frame, expected, sizeof frame), 0);
  arp->hlen = 8;
  EXPECT_EQ(arp_parse(frame + 14, sizeof frame - 14), nullptr);
}

}  // namespace
}  // namespace dplb::net

#include "dplb/net/ipv4_frag.h"

namespace dplb::net {
namespace {

struct Frag {
  std::vector<uint8_t> hdr;
  size_t off, len;
};

std::vector<Frag> fragment(const std::vector<uint8_t>& pkt, size_t mtu) {
  std::vector<Frag> out;
  EXPECT_TRUE(ipv4_fragment(reinterpret_cast<const Ipv4Hdr*>(pkt.data()), mtu,
                            [&](const uint8_t* h, size_t hl, size_t off, size_t len) {
                              out.push_back({std::vector<uint8_t>(h, h + hl), off, len});
                            }));
  return out;
}

TEST(Fragment, SplitsIntoEightByteAlignedPiecesThatReassemble) {
  auto pkt = make_ip(kIpProtoUdp, 3000);
  for (size_t i = 20; i < pkt.size(); ++i) pkt[i] = uint8_t(i * 7);
  auto frags = fragment(pkt, 1500);
  ASSERT_EQ(frags.size(), 3u);
  std::vector<uint8_t> joined;
  for (size_t k = 0; k < frags.size(); ++k) {
    const auto* h = reinterpret_cast<const Ipv4Hdr*>(frags[k].hdr.data());
    EXPECT_LE(frags[k].hdr.size() + frags[k].len, 1500u);
    EXPECT_TRUE(ipv4_header_checksum_ok(h));
    EXPECT_EQ(h->total_len.host(), frags[k].hdr.size() + frags[k].len);
    EXPECT_EQ((h->frag_off.host() & kIpFragOffsetMask) * 8u, frags[k].off);
    EXPECT_EQ((h->frag_off.host() & kIpFlagMf) != 0, k + 1 < frags.size());
    if (k + 1 < frags.size()) {
      EXPECT_EQ(frags[k].len % 8, 0u);
    }
    EXPECT_EQ(frags[k].off, joined.size());
    joined.insert(joined.end(), pkt.begin() + 20 + long(frags[k].off), pkt.begin() + 20 + long(frags[k].off + frags[k].len));
  }
  EXPECT_EQ(joined, std::vector<uint8_t>(pkt.begin() + 20, pkt.end()));
  EXPECT_EQ(frags[0].len, 1480u);
}

TEST(Fragment, OnlyCopiedOptionsRepeatAndAFragmentKeepsItsOffsetAndMf) {
  // Header with options: record route (type 7, not copied) and a copied option (type 0x94 router alert).
  std::vector<uint8_t> pkt = make_ip(kIpProtoUdp, 0);
  uint8_t opts[8] = {7, 3, 4, 0x94, 4, 0, 0, 0};
  pkt.insert(pkt.begin() + 20, opts, opts + 8);
  pkt.resize(28 + 100, 0xab);
  auto* ip = reinterpret_cast<Ipv4Hdr*>(pkt.data());
  ip->version_ihl = 0x47;
  ip->total_len = Be16::from_host(uint16_t(pkt.size()));
  ip->frag_off = Be16::from_host(kIpFlagMf | 10);  // itself a middle fragment
  auto frags = fragment(pkt, 28 + 48);
  ASSERT_GE(frags.size(), 3u);
  EXPECT_EQ(frags[0].hdr.size(), 28u);
  EXPECT_EQ(frags[1].hdr.size(), 24u);
  EXPECT_EQ(frags[1].hdr[20], 0x94);
  for (const Frag& f : frags) {
    const auto* h = reinterpret_cast<const Ipv4Hdr*>(f.hdr.data());
    EXPECT_TRUE(h->frag_off.host() & kIpFlagMf);  // the original was not the last fragment
    EXPECT_EQ((h->frag_off.host() & kIpFragOffsetMask), 10 + f.off / 8);
  }
}

TEST(Fragment, RefusesAnMtuTooSmallForEightBytes) {
  auto pkt = make_ip(kIpProtoUdp, 100);
  EXPECT_FALSE(ipv4_fragment(reinterpret_cast<const Ipv4Hdr*>(pkt.data()), 27, [](auto...) { FAIL(); }));
}

}  // namespace
}  // namespace dplb::net

namespace dplb::net {
namespace {

// The fold must equal a slow reference for every kind of 64-bit sum, carries included.
TEST(Checksum, FoldMatchesReferenceIncludingCarries) {
  auto reference = [](uint64_t s) {
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return static_cast<uint16_t>(s);
  };
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200000; ++i) {
    uint64_t s = rng();
    if (i % 4 == 1) s |= 0xffffffff00000000ull;
    if (i % 4 == 2) s = 0xffffffffull * (rng() % 1000);
    EXPECT_EQ(csum_fold(s), reference(s)) << s;
  }
  for (uint64_t s : {0ull, 0xffffull, 0x10000ull, 0xffffffffull, 0x1fffeull, ~0ull, 0xffffffff00000000ull})
    EXPECT_EQ(csum_fold(s), reference(s)) << s;
}

}  // namespace
}  // namespace dplb::net
