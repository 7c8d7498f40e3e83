#include "dplb/ipvs/nat.h"

#include <gtest/gtest.h>

#include <random>

#include "nat_test_packet.h"

namespace dplb::ipvs {
namespace {

using namespace testing;

// The receiver's check: a TCP/UDP checksum over pseudo-header and segment sums to 0xffff.
bool l4_checksum_valid(std::vector<uint8_t>& pkt) {
  net::Ipv4Hdr* ip = ip_of(pkt);
  auto l4_len = static_cast<uint16_t>(pkt.size() - ip->header_len());
  if (ip->proto == net::kIpProtoUdp && reinterpret_cast<net::UdpHdr*>(l4_of(pkt))->checksum == 0) return true;
  return net::csum_fold(net::csum_add_bytes(l4_of(pkt), l4_len, net::ipv4_pseudo_sum(ip, l4_len))) == 0xffff;
}

// Incremental DNAT and SNAT of random packets give byte for byte the packet built from scratch
// with the new endpoint and every checksum recomputed.
TEST(Nat, RewriteMatchesFullRecomputeForRandomPackets) {
  std::mt19937_64 rng(2024);
  for (int i = 0; i < 5000; ++i) {
    PacketSpec spec = random_spec(rng);
    Ip4 addr(static_cast<uint32_t>(rng()));
    auto port = static_cast<uint16_t>(rng());
    bool dnat = rng() % 2;
    bool ttl = rng() % 2;  // the forwarding variant: TTL decremented in the same header update

    std::vector<uint8_t> pkt = build_packet(spec);
    PacketSpec want_spec = spec;
    if (ttl) want_spec.ttl = static_cast<uint8_t>(spec.ttl - 1);
    if (dnat) {
      want_spec.daddr = addr;
      want_spec.dport = port;
      nat_rewrite_dst(ip_of(pkt), l4_of(pkt), addr, port, ttl);
    } else {
      want_spec.saddr = addr;
      want_spec.sport = port;
      nat_rewrite_src(ip_of(pkt), l4_of(pkt), addr, port, ttl);
    }
    std::vector<uint8_t> want = build_packet(want_spec);
    ASSERT_EQ(pkt, want) << "packet " << i << (dnat ? " DNAT " : " SNAT ") << (spec.proto == 6 ? "TCP" : "UDP")
                         << " payload " << spec.payload.size();
    ASSERT_TRUE(net::ipv4_header_checksum_ok(ip_of(pkt)));
    ASSERT_TRUE(l4_checksum_valid(pkt));
  }
}

TEST(Nat, UdpWithoutChecksumKeepsNone) {
  PacketSpec spec{.proto = net::kIpProtoUdp, .saddr = Ip4::of(10, 0, 0, 1), .daddr = Ip4::of(192, 0, 2, 1),
                  .sport = 5353, .dport = 53, .payload = {1, 2, 3}, .udp_no_checksum = true};
  std::vector<uint8_t> pkt = build_packet(spec);
  nat_rewrite_dst(ip_of(pkt), l4_of(pkt), Ip4::of(172, 16, 0, 2), 5300);
  EXPECT_EQ(reinterpret_cast<net::UdpHdr*>(l4_of(pkt))->checksum, 0);
  EXPECT_EQ(reinterpret_cast<net::UdpHdr*>(l4_of(pkt))->dport.host(), 5300);
  EXPECT_TRUE(net::ipv4_header_checksum_ok(ip_of(pkt)));
}

// A payload word chosen so that the rewritten packet's UDP checksum computes to 0, which must be
// sent as 0xffff; and back again, from 0xffff.
TEST(Nat, UdpComputedZeroIsSentAsAllOnes) {
  PacketSpec spec{.proto = net::kIpProtoUdp, .saddr = Ip4::of(10, 0, 0, 1), .daddr = Ip4::of(192, 0, 2, 1),
                  .sport = 40000, .dport = 53, .payload = {0, 0, 9, 9, 9}};
  PacketSpec after = spec;
  after.daddr = Ip4::of(172, 16, 0, 2);
  after.dport = 5353;
  // Checksum of `after` with a zero word; putting that value in the word makes the sum 0xffff.
  std::vector<uint8_t> probe = build_packet(after);
  uint16_t c = reinterpret_cast<net::UdpHdr*>(l4_of(probe))->checksum;
  ASSERT_NE(c, 0xffff);
  std::memcpy(after.payload.data(), &c, 2);
  std::memcpy(spec.payload.data(), &c, 2);
  std::vector<uint8_t> want = build_packet(after);
  ASSERT_EQ(reinterpret_cast<net::UdpHdr*>(l4_of(want))->checksum, 0xffff);

  std::vector<uint8_t> pkt = build_packet(spec);
  ASSERT_NE(reinterpret_cast<net::UdpHdr*>(l4_of(pkt))->checksum, 0xffff);
  nat_rewrite_dst(ip_of(pkt), l4_of(pkt), after.daddr, after.dport);
  EXPECT_EQ(pkt, want);
  nat_rewrite_dst(ip_of(pkt), l4_of(pkt), spec.daddr, spec.dport);
  EXPECT_EQ(pkt, build_packet(spec));
}

TEST(Nat, OtherProtocolsOnlyGetTheAddress) {
  PacketSpec spec{.proto = net::kIpProtoUdp, .saddr = Ip4::of(10, 0, 0, 1), .daddr = Ip4::of(192, 0, 2, 1),
                  .sport = 1, .dport = 2, .payload = {1, 2, 3, 4}};
  std::vector<uint8_t> pkt = build_packet(spec);
  ip_of(pkt)->proto = 47;  // GRE, say
  ip_of(pkt)->checksum = 0;
  ip_of(pkt)->checksum = net::ipv4_header_checksum(ip_of(pkt));
  std::vector<uint8_t> l4_before(pkt.begin() + 20, pkt.end());
  nat_rewrite_dst(ip_of(pkt), l4_of(pkt), Ip4::of(172, 16, 0, 2), 99);
  EXPECT_EQ(ip_of(pkt)->dst(), Ip4::of(172, 16, 0, 2));
  EXPECT_TRUE(net::ipv4_header_checksum_ok(ip_of(pkt)));
  EXPECT_EQ(std::vector<uint8_t>(pkt.begin() + 20, pkt.end()), l4_before);
}

}  // namespace
}  // namespace dplb::ipvs
