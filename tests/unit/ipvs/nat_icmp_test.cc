#include "dplb/ipvs/nat_icmp.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "dplb/ipvs/nat.h"
#include "nat_test_packet.h"

namespace dplb::ipvs {
namespace {

using namespace testing;

const Ip4 kClient = Ip4::of(198, 51, 100, 7);
const Ip4 kVip = Ip4::of(192, 0, 2, 10);
const Ip4 kRs = Ip4::of(10, 0, 0, 5);
const Ip4 kRouter = Ip4::of(10, 0, 0, 254);
constexpr uint16_t kCport = 51515, kVport = 80, kRport = 8080;

// How many bytes of the original an error quotes: the RFC 792 minimum, a cut inside the L4 header,
// or up to the whole packet.
size_t random_quote_len(std::mt19937_64& rng, const std::vector<uint8_t>& orig) {
  size_t ihl = (orig[0] & 0xf) * 4u;
  switch (rng() % 4) {
    case 0: return ihl + 8;
    case 1: return std::min(orig.size(), ihl + 4 + rng() % 20);
    default: return std::min(orig.size(), ihl + 8 + rng() % orig.size());
  }
}

// A quote that ends inside the quoted TCP/UDP checksum field keeps half a checksum nobody can
// translate (the other half is unknown): the oracle then takes that byte from the translated
// message and recomputes its ICMP checksum. Everything else must match exactly.
void accept_half_checksum(std::vector<uint8_t>& want, const std::vector<uint8_t>& got, uint8_t proto,
                          size_t quote) {
  size_t inner_hlen = (want[28] & 0xf) * 4u;
  size_t check_at = inner_hlen + (proto == net::kIpProtoTcp ? 16 : 6);
  if (quote != check_at + 1) return;
  want[28 + check_at] = got[28 + check_at];
  auto* icmp = reinterpret_cast<net::IcmpHdr*>(want.data() + 20);
  icmp->checksum = 0;
  icmp->checksum = net::csum_finish(net::csum_add_bytes(icmp, want.size() - 20));
}

// Error to the client: a request client→VIP was DNATed to client→RS; the RS (or a router towards
// it) reports an error about it. After translation it must be exactly the error the client would
// get had it come from the VIP about the packet the client sent, checksums recomputed in full.
TEST(NatIcmp, ErrorToClientRoundTripMatchesFullRecompute) {
  std::mt19937_64 rng(77);
  for (int i = 0; i < 3000; ++i) {
    PacketSpec req = random_spec(rng);
    req.saddr = kClient;
    req.sport = kCport;
    req.daddr = kVip;
    req.dport = kVport;
    std::vector<uint8_t> sent = build_packet(req);
    std::vector<uint8_t> dnated = sent;
    nat_rewrite_dst(ip_of(dnated), l4_of(dnated), kRs, kRport);

    size_t quote = random_quote_len(rng, dnated);
    bool frag_needed = rng() % 2;
    uint8_t type = frag_needed ? net::kIcmpDestUnreach : net::kIcmpTimeExceeded;
    uint8_t code = frag_needed ? net::kIcmpCodeFragNeeded : 0;
    Ip4 reporter = rng() % 2 ? kRs : kRouter;
    std::vector<uint8_t> err = build_icmp_error(reporter, kClient, type, code, 1400, dnated, quote);

    IcmpErrorView v;
    ASSERT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kOk) << i;
    EXPECT_EQ(v.inner_key, (FlowKey{req.proto, kClient, kCport, kRs, kRport}));
    EXPECT_EQ(v.lookup_key(), (FlowKey{req.proto, kRs, kRport, kClient, kCport}));  // lookup_out tuple
    icmp_error_to_client(v, kVip, kVport);

    std::vector<uint8_t> want = build_icmp_error(kVip, kClient, type, code, 1400, sent, quote);
    accept_half_checksum(want, err, req.proto, quote);
    ASSERT_EQ(err, want) << "case " << i << " quote " << quote << " proto " << int(req.proto);
  }
}

// Error to the real server: a reply RS→client was SNATed to VIP→client; the client (or a router
// towards it) reports an error to the VIP. After translation the RS must see the error about the
// packet it sent.
TEST(NatIcmp, ErrorToServerRoundTripMatchesFullRecompute) {
  std::mt19937_64 rng(78);
  for (int i = 0; i < 3000; ++i) {
    PacketSpec reply = random_spec(rng);
    reply.saddr = kRs;
    reply.sport = kRport;
    reply.daddr = kClient;
    reply.dport = kCport;
    std::vector<uint8_t> sent = build_packet(reply);
    std::vector<uint8_t> snated = sent;
    nat_rewrite_src(ip_of(snated), l4_of(snated), kVip, kVport);

    size_t quote = random_quote_len(rng, snated);
    Ip4 reporter = rng() % 2 ? kClient : Ip4::of(203, 0, 113, 1);
    std::vector<uint8_t> err =
        build_icmp_error(reporter, kVip, net::kIcmpDestUnreach, net::kIcmpCodePortUnreach, 0, snated, quote);

    IcmpErrorView v;
    ASSERT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kOk) << i;
    EXPECT_EQ(v.lookup_key(), (FlowKey{reply.proto, kClient, kCport, kVip, kVport}));  // lookup_in tuple
    icmp_error_to_server(v, kRs, kRport);

    std::vector<uint8_t> want =
        build_icmp_error(reporter, kRs, net::kIcmpDestUnreach, net::kIcmpCodePortUnreach, 0, sent, quote);
    accept_half_checksum(want, err, reply.proto, quote);
    ASSERT_EQ(err, want) << "case " << i << " quote " << quote << " proto " << int(reply.proto);
  }
}

// A frame longer than the IP total length (Ethernet padding) is fine: only total_len counts.
TEST(NatIcmp, TrailingFramePaddingIsIgnored) {
  PacketSpec req{.proto = net::kIpProtoUdp, .saddr = kClient, .daddr = kRs, .sport = kCport, .dport = kRport,
                 .payload = {1, 2, 3}};
  std::vector<uint8_t> orig = build_packet(req);
  std::vector<uint8_t> err = build_icmp_error(kRs, kClient, 3, 3, 0, orig, orig.size());
  err.resize(err.size() + 11, 0xee);
  IcmpErrorView v;
  ASSERT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kOk);
  EXPECT_EQ(v.icmp_len, 8 + orig.size());
  EXPECT_EQ(v.inner_l4_len, 8u + 3u);
}

std::vector<uint8_t> sample_error(size_t quote_extra = 8) {
  PacketSpec req{.proto = net::kIpProtoTcp, .saddr = kClient, .daddr = kRs, .sport = kCport, .dport = kRport,
                 .payload = std::vector<uint8_t>(100, 7)};
  std::vector<uint8_t> orig = build_packet(req);
  return build_icmp_error(kRs, kClient, net::kIcmpDestUnreach, net::kIcmpCodeFragNeeded, 1400, orig,
                          20 + quote_extra);
}

// Recomputes the outer ICMP checksum after a test edits the message.
void fix_icmp_checksum(std::vector<uint8_t>& err) {
  auto* icmp = reinterpret_cast<net::IcmpHdr*>(err.data() + 20);
  icmp->checksum = 0;
  icmp->checksum = net::csum_finish(net::csum_add_bytes(icmp, ip_of(err)->total_len.host() - 20u));
}

TEST(NatIcmp, RejectsWhatItCannotTranslate) {
  IcmpErrorView v;
  {
    auto err = sample_error();
    err[20] = net::kIcmpEchoRequest;
    fix_icmp_checksum(err);
    EXPECT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kNotError);
  }
  {
    auto err = sample_error();
    err.back() ^= 1;
    EXPECT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kBadChecksum);
  }
  {
    auto err = sample_error();
    err[28 + 9] = net::kIpProtoIcmp;  // quoted protocol
    fix_icmp_checksum(err);
    EXPECT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kInnerNotTcpUdp);
  }
  {
    auto err = sample_error();
    err[28 + 6] = 0x00;  // quoted fragment offset 8 bytes
    err[28 + 7] = 0x01;
    fix_icmp_checksum(err);
    EXPECT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kInnerFragment);
  }
  {
    auto err = sample_error();
    err[28] = 0x65;  // quoted version 6
    fix_icmp_checksum(err);
    EXPECT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kBadInner);
  }
  {
    auto err = sample_error();
    err[28] = 0x4f;  // quoted IHL 60 bytes: beyond the quote
    fix_icmp_checksum(err);
    EXPECT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kTruncated);
  }
  {
    auto err = sample_error(3);  // only 3 bytes of the quoted TCP header: no destination port
    EXPECT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kTruncated);
  }
  {
    auto err = sample_error();
    err[9] = net::kIpProtoUdp;
    EXPECT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kNotIpv4Icmp);
  }
  {
    auto err = sample_error();
    EXPECT_EQ(icmp_error_parse(ip_of(err), err.size() - 1, &v), IcmpErrorParse::kNotIpv4Icmp);  // frame short
  }
  {
    // The quoted header claims a total length shorter than its header: nonsense.
    auto err = sample_error();
    err[28 + 2] = 0;
    err[28 + 3] = 10;
    fix_icmp_checksum(err);
    EXPECT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kBadInner);
  }
}

// A quoted TCP header cut before its checksum field: ports translated, checksum left alone.
TEST(NatIcmp, QuotedChecksumOutsideTheQuoteIsLeftAlone) {
  auto err = sample_error(8);
  IcmpErrorView v;
  ASSERT_EQ(icmp_error_parse(ip_of(err), err.size(), &v), IcmpErrorParse::kOk);
  EXPECT_EQ(v.inner_l4_len, 8u);
  icmp_error_to_client(v, kVip, kVport);
  EXPECT_EQ(v.inner_key.proto, net::kIpProtoTcp);
  EXPECT_EQ(v.inner->dst(), kVip);
  EXPECT_EQ(Be16{static_cast<uint16_t>(v.inner_l4[2] | v.inner_l4[3] << 8)}.host(), kVport);
  EXPECT_TRUE(net::ipv4_header_checksum_ok(v.inner));
  EXPECT_TRUE(net::ipv4_header_checksum_ok(ip_of(err)));
  EXPECT_EQ(net::csum_fold(net::csum_add_bytes(v.icmp, v.icmp_len)), 0xffff);
}

// Every truncation of a valid error, and many random corruptions, in buffers of exactly the given
// length (heap, so AddressSanitizer sees any read or write past the end): parse never reads
// outside, and whatever it accepts can be translated.
TEST(NatIcmp, TruncatedAndCorruptedMessagesStayInBounds) {
  std::mt19937_64 rng(99);
  PacketSpec req = random_spec(rng);
  req.proto = net::kIpProtoTcp;
  req.ip_options.clear();
  req.tcp_options = random_bytes(rng, 12);
  std::vector<uint8_t> orig = build_packet(req);
  std::vector<uint8_t> good = build_icmp_error(kRs, kClient, 3, 4, 1400, orig, orig.size());

  auto try_buffer = [](const std::vector<uint8_t>& bytes) {
    auto buf = std::make_unique<uint8_t[]>(bytes.size() ? bytes.size() : 1);
    if (!bytes.empty()) std::memcpy(buf.get(), bytes.data(), bytes.size());
    IcmpErrorView v;
    IcmpErrorParse r = icmp_error_parse(reinterpret_cast<net::Ipv4Hdr*>(buf.get()), bytes.size(), &v);
    if (r == IcmpErrorParse::kOk) {
      EXPECT_GE(v.inner_l4_len, 4u);
      EXPECT_LE(v.inner_l4 + v.inner_l4_len, buf.get() + bytes.size());
      icmp_error_to_client(v, kVip, kVport);
      icmp_error_to_server(v, kRs, kRport);
    }
    return r;
  };

  // Frame cut short (total_len unchanged) and message shortened consistently (total_len and
  // checksum fixed up): only the consistent ones with room for the ports parse.
  for (size_t n = 0; n <= good.size(); ++n) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(n));
    IcmpErrorParse r = try_buffer(cut);
    EXPECT_EQ(r == IcmpErrorParse::kOk, n == good.size()) << n;
    if (n >= 20) {
      std::vector<uint8_t> consistent = cut;
      ip_of(consistent)->total_len = Be16::from_host(static_cast<uint16_t>(n));
      ip_of(consistent)->checksum = 0;
      ip_of(consistent)->checksum = net::ipv4_header_checksum(ip_of(consistent));
      if (n >= 28) fix_icmp_checksum(consistent);
      r = try_buffer(consistent);
      EXPECT_EQ(r == IcmpErrorParse::kOk, n >= 20 + 8 + 20 + 4) << n;
    }
  }

  // Random corruption of headers (with the ICMP checksum fixed so parsing goes deep).
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bad(good.begin(), good.begin() + static_cast<long>(rng() % (good.size() + 1)));
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips && !bad.empty(); ++f) {
      size_t at = rng() % std::min<size_t>(bad.size(), 80);  // headers live in the first 80 bytes
      bad[at] = static_cast<uint8_t>(rng());
    }
    if (bad.size() >= 28 && rng() % 2) {
      size_t icmp_end = std::min<size_t>(bad.size(), ip_of(bad)->total_len.host());
      if (icmp_end >= 28 && ip_of(bad)->header_len() == 20) {
        auto* icmp = reinterpret_cast<net::IcmpHdr*>(bad.data() + 20);
        icmp->checksum = 0;
        icmp->checksum = net::csum_finish(net::csum_add_bytes(icmp, icmp_end - 20));
      }
    }
    try_buffer(bad);
  }
}

}  // namespace
}  // namespace dplb::ipvs
