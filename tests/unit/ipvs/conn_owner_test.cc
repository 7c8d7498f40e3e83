#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "dplb/ipvs/conn_hash.h"
#include "dplb/ipvs/conn_table.h"

namespace dplb::ipvs {
namespace {

TEST(ConnOwner, SameWorkerForBothDirections) {
  // The data plane calls it with (saddr, sport) inbound and (daddr, dport) on replies: as long as
  // both name the client, the answer must agree; it depends on nothing else.
  FlowKey request{6, Ip4::of(198, 51, 100, 7), 51515, Ip4::of(192, 0, 2, 1), 443};
  FlowKey reply{6, Ip4::of(10, 0, 0, 5), 8443, Ip4::of(198, 51, 100, 7), 51515};
  for (uint32_t n = 1; n <= 16; ++n) {
    EXPECT_EQ(owner_worker(request.saddr, request.sport, n), owner_worker(reply.daddr, reply.dport, n));
  }
}

TEST(ConnOwner, InRangeAndDegenerateCounts) {
  std::mt19937 rng(1);
  for (int i = 0; i < 10000; ++i) {
    Ip4 a(rng());
    auto port = static_cast<uint16_t>(rng());
    uint32_t n = 1 + rng() % 64;
    EXPECT_LT(owner_worker(a, port, n), n);
    EXPECT_EQ(owner_worker(a, port, 1), 0u);
    EXPECT_EQ(owner_worker(a, port, 0), 0u);
  }
}

// Ports of one client, and sequential addresses, spread evenly: chi-square well inside the bound a
// fair die would give (p ~ 1e-6 for these thresholds).
TEST(ConnOwner, SpreadsClientsEvenly) {
  for (uint32_t n : {2u, 3u, 4u, 7u, 8u}) {
    for (int pattern = 0; pattern < 2; ++pattern) {
      std::vector<double> count(n, 0);
      const int kSamples = 60000;
      for (int i = 0; i < kSamples; ++i) {
        Ip4 a = pattern == 0 ? Ip4::of(203, 0, 113, 9) : Ip4(0x0a000000u + uint32_t(i));
        auto port = static_cast<uint16_t>(pattern == 0 ? 1024 + i : 40000);
        ++count[owner_worker(a, port, n)];
      }
      double expected = double(kSamples) / n, chi2 = 0;
      for (double c : count) chi2 += (c - expected) * (c - expected) / expected;
      EXPECT_LT(chi2, 30.0 + 3.0 * n) << "n=" << n << " pattern=" << pattern;
    }
  }
}

TEST(ConnHash, KeyedAndSensitiveToEveryFieldOfTheClientEndpoint) {
  FlowHasher h1(1), h2(2);
  Ip4 a = Ip4::of(10, 0, 0, 1);
  EXPECT_NE(h1(6, a, 1000), h2(6, a, 1000));
  EXPECT_EQ(h1(6, a, 1000), FlowHasher(1)(6, a, 1000));
  EXPECT_NE(h1(17, a, 1000), h1(6, a, 1000));
  EXPECT_NE(h1(6, Ip4::of(10, 0, 0, 3), 1000), h1(6, a, 1000));
  EXPECT_NE(h1(6, a, 1001), h1(6, a, 1000));
  // Single-bit changes of the address or port flip about half the bits of the hash (avalanche).
  for (int bit = 0; bit < 48; ++bit) {
    Ip4 b = bit < 32 ? Ip4(a.v ^ (1u << bit)) : a;
    auto port = static_cast<uint16_t>(bit < 32 ? 1000 : 1000 ^ (1u << (bit - 32)));
    int flipped = __builtin_popcountll(h1(6, b, port) ^ h1(6, a, 1000));
    EXPECT_GT(flipped, 12) << bit;
    EXPECT_LT(flipped, 52) << bit;
  }
}

TEST(ConnHash, BothDirectionsOfAConnectionShareItsHash) {
  auto t = ConnTable::make({.capacity = 1024, .seed = 5});
  ASSERT_TRUE(t);
  FlowKey in{6, Ip4::of(192, 0, 2, 7), 40000, Ip4::of(10, 0, 0, 100), 80};
  FlowKey reply{6, Ip4::of(10, 0, 0, 11), 8080, Ip4::of(192, 0, 2, 7), 40000};
  EXPECT_EQ((*t)->hash_in(in), (*t)->hash_out(reply));
}

}  // namespace
}  // namespace dplb::ipvs
