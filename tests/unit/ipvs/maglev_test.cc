// Maglev hashing (mh): table shares, client distribution, determinism and disruption on removal.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <random>
#include <vector>

#include "dplb/ipvs/sched_hash.h"
#include "dplb/ipvs/service_table.h"
#include "sched_test_util.h"

namespace dplb::ipvs {
namespace {

using testing::make_table;
using testing::pick_counts;
using testing::rs_addr;

std::vector<SchedDest> dest_list(const std::vector<uint16_t>& weights) {
  std::vector<SchedDest> v;
  for (uint32_t i = 0; i < weights.size(); ++i) v.push_back(SchedDest{i, rs_addr(i), 8080, weights[i]});
  return v;
}

std::vector<uint64_t> table_shares(const MhSched& mh, size_t n) {
  std::vector<uint64_t> c(n, 0);
  for (uint32_t slot : mh.lookup()) c.at(slot)++;
  return c;
}

TEST(Maglev, PermutationParametersCoverTheTable) {
  for (uint32_t m : {251u, 4093u, 65537u}) {
    for (uint32_t i = 0; i < 200; ++i) {
      uint32_t off = MhSched::offset_of(rs_addr(i), 80, m);
      uint32_t skip = MhSched::skip_of(rs_addr(i), 80, m);
      EXPECT_LT(off, m);
      EXPECT_GE(skip, 1u);
      EXPECT_LT(skip, m);
    }
  }
  EXPECT_EQ(next_prime(65536), 65537u);
  EXPECT_EQ(next_prime(4093), 4093u);
  EXPECT_EQ(next_prime(4094), 4099u);
}

TEST(Maglev, EveryEntryFilledAndEqualWeightsShareEvenly) {
  MhSched mh;
  auto dests = dest_list(std::vector<uint16_t>(10, 1));
  mh.build(dests);
  ASSERT_EQ(mh.lookup().size(), 65537u);
  auto shares = table_shares(mh, 10);
  for (uint64_t s : shares) EXPECT_NEAR(double(s), 6553.7, 2.0);  // whole rounds of one entry each
}

TEST(Maglev, TableSharesFollowWeights) {
  std::vector<uint16_t> w = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  MhSched mh;
  mh.build(dest_list(w));
  auto shares = table_shares(mh, w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    double expect = 65537.0 * w[i] / 55.0;
    EXPECT_NEAR(double(shares[i]), expect, 11.0) << "dest " << i;  // at most one partial round off
  }
  // gcd is divided out and large weights are scaled down by a shift, keeping proportions.
  MhSched big;
  big.build(dest_list({3000, 6000, 9000}));
  auto s2 = table_shares(big, 3);
  EXPECT_NEAR(double(s2[0]) / 65537, 1.0 / 6, 0.001);
  EXPECT_NEAR(double(s2[1]) / 65537, 2.0 / 6, 0.001);
  EXPECT_NEAR(double(s2[2]) / 65537, 3.0 / 6, 0.001);
}

TEST(Maglev, ClientDistributionWithinAFewPercentOfWeights) {
  std::vector<uint16_t> w = {1, 2, 3, 4, 0, 5};
  ServiceTable t = make_table(SchedKind::mh, w);
  const uint64_t n = 300000;
  auto counts = pick_counts(t, n, 21);
  EXPECT_EQ(counts.count(4), 0u);
  EXPECT_EQ(counts.count(kNoDest), 0u);
  for (int32_t d : {0, 1, 2, 3, 5}) {
    double expect = double(w[size_t(d)]) / 15.0;
    double got = double(counts[d]) / double(n);
    EXPECT_NEAR(got / expect, 1.0, 0.03) << "dest " << d << " share " << got << " expected " << expect;
  }
}

TEST(Maglev, PortHashedOnlyWithMhPortFlag) {
  ServiceTable plain = make_table(SchedKind::mh, {1, 1, 1, 1}, 0, 4093);
  ServiceTable port = make_table(SchedKind::mh, {1, 1, 1, 1}, kSvcFlagSched2, 4093);
  std::mt19937 rng(4);
  int port_changes = 0;
  for (int i = 0; i < 500; ++i) {
    Ip4 c(rng());
    EXPECT_EQ(plain.schedule(0, c, 1), plain.schedule(0, c, 2));
    EXPECT_EQ(port.schedule(0, c, 7), port.schedule(0, c, 7));
    port_changes += port.schedule(0, c, 1) != port.schedule(0, c, 2);
  }
  EXPECT_GT(port_changes, 250);  // 3 chances in 4 of a different dest
}

// The table depends on the (address, port, weight) set only: not on ids nor on the order of upserts.
TEST(Maglev, TableIsAFunctionOfTheDestSetOnly) {
  ServiceTable a(TableLimits{4, 64, 4093});
  ServiceTable b(TableLimits{4, 64, 4093});
  ServiceConf svc{ServiceKey{kProtoUdp, Ip4::of(192, 0, 2, 9), 53}, SchedKind::mh, 0};
  ASSERT_TRUE(a.upsert_service(0, svc));
  ASSERT_TRUE(b.upsert_service(3, svc));
  for (uint32_t i = 0; i < 20; ++i) ASSERT_TRUE(a.upsert_dest(0, i, DestConf{rs_addr(i), 53, uint16_t(1 + i % 3)}));
  for (uint32_t i = 20; i-- > 0;) ASSERT_TRUE(b.upsert_dest(3, 40 + i, DestConf{rs_addr(i), 53, uint16_t(1 + i % 3)}));
  auto la = a.scheduler(0).mh()->lookup();
  auto lb = b.scheduler(3).mh()->lookup();
  ASSERT_EQ(la.size(), lb.size());
  for (size_t e = 0; e < la.size(); ++e) ASSERT_EQ(a.dest_conf(la[e]).addr, b.dest_conf(lb[e]).addr) << e;
}

struct Disruption {
  double changed = 0;        // fraction of entries whose owner changed
  double removed_share = 0;  // fraction the removed dest owned
  double collateral = 0;     // fraction owned by a surviving dest before and another after
};

Disruption remove_one(size_t n, size_t victim, uint32_t m = 65537) {
  std::vector<SchedDest> all;
  for (uint32_t i = 0; i < n; ++i) all.push_back(SchedDest{i, rs_addr(i * 7 + 3), 443, 1});
  std::vector<SchedDest> rest = all;
  rest.erase(rest.begin() + long(victim));
  MhSched before(m), after(m);
  before.build(all);
  after.build(rest);
  Disruption d;
  for (size_t e = 0; e < m; ++e) {
    uint32_t x = before.lookup()[e], y = after.lookup()[e];
    d.changed += x != y;
    d.removed_share += x == victim;
    d.collateral += x != victim && x != y;
  }
  d.changed /= m;
  d.removed_share /= m;
  d.collateral /= m;
  return d;
}

TEST(Maglev, RemovingOneOfNMovesAboutOneNth) {
  for (size_t n : {5u, 10u, 50u}) {
    double worst_changed = 0, worst_collateral = 0;
    for (size_t victim : {size_t(0), n / 2, n - 1}) {
      Disruption d = remove_one(n, victim);
      EXPECT_NEAR(d.removed_share, 1.0 / double(n), 0.001);
      EXPECT_LT(d.changed, 1.0 / double(n) + 0.03) << "n=" << n << " victim=" << victim;
      EXPECT_LT(d.collateral, 0.03) << "n=" << n << " victim=" << victim;
      worst_changed = std::max(worst_changed, d.changed);
      worst_collateral = std::max(worst_collateral, d.collateral);
    }
    std::printf("[ maglev  ] N=%zu remove one: changed <= %.4f (1/N = %.4f), collateral <= %.4f\n", n,
                worst_changed, 1.0 / double(n), worst_collateral);
  }
}

TEST(Maglev, DrainingADestMovesOnlyAboutItsClients) {
  ServiceTable t = make_table(SchedKind::mh, std::vector<uint16_t>(10, 1));
  std::mt19937 rng(8);
  std::vector<Ip4> clients(20000);
  for (auto& c : clients) c = Ip4(rng());
  std::vector<int32_t> before;
  for (Ip4 c : clients) before.push_back(t.schedule(0, c, 0));
  ASSERT_TRUE(t.upsert_dest(0, 4, DestConf{rs_addr(4), 8080, 0}));
  size_t moved_others = 0, drained = 0;
  for (size_t i = 0; i < clients.size(); ++i) {
    int32_t now = t.schedule(0, clients[i], 0);
    ASSERT_NE(now, 4);
    if (before[i] == 4) {
      ++drained;
    } else {
      moved_others += now != before[i];
    }
  }
  EXPECT_NEAR(double(drained) / double(clients.size()), 0.1, 0.01);
  EXPECT_LT(double(moved_others) / double(clients.size()), 0.03);
}

}  // namespace
}  // namespace dplb::ipvs
