#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "dplb/ipvs/conn_hash.h"

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

TEST(ConnHash, KeyedAndSensitiveToEveryField) {
  FlowHasher h1(1), h2(2);
  FlowKey k{6, Ip4::of(10, 0, 0, 1), 1000, Ip4::of(10, 0, 0, 2), 80};
  EXPECT_NE(h1(k), h2(k));
  EXPECT_EQ(h1(k), FlowHasher(1)(k));
  std::vector<FlowKey> variants(5, k);
  variants[0].proto = 17;
  variants[1].saddr = Ip4::of(10, 0, 0, 3);
  variants[2].sport = 1001;
  variants[3].daddr = Ip4::of(10, 0, 1, 2);
  variants[4].dport = 81;
  for (const FlowKey& v : variants) EXPECT_NE(h1(v), h1(k));
  // Swapping the two endpoints is another flow.
  EXPECT_NE(h1(FlowKey{6, k.daddr, k.dport, k.saddr, k.sport}), h1(k));
}

}  // namespace
}  // namespace dplb::ipvs
