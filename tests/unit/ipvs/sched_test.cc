// Schedulers against literal models of the kernel's algorithms (ip_vs_rr/wrr/lc/wlc/sh.c).
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "dplb/ipvs/service_table.h"
#include "sched_test_util.h"

namespace dplb::ipvs {
namespace {

using testing::make_table;
using testing::pick_counts;
using testing::rs_addr;

constexpr SchedKind kAllKinds[] = {SchedKind::rr, SchedKind::wrr, SchedKind::lc,
                                   SchedKind::wlc, SchedKind::sh, SchedKind::mh};

std::vector<int32_t> picks(ServiceTable& t, int n) {
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) out.push_back(t.schedule(0, Ip4(0x0a000001u + uint32_t(i)), uint16_t(1000 + i)));
  return out;
}

// ---------------------------------------------------------------- rr

TEST(SchedRr, CyclesInListOrderSkippingWeightZero) {
  ServiceTable t = make_table(SchedKind::rr, {1, 0, 5, 1});
  EXPECT_EQ(picks(t, 7), (std::vector<int32_t>{0, 2, 3, 0, 2, 3, 0}));
}

TEST(SchedRr, ListOrderIsByAddressNotByIdOrInsertion) {
  ServiceTable t(TableLimits{4, 16, 251});
  ASSERT_TRUE(t.upsert_service(0, ServiceConf{ServiceKey{kProtoTcp, Ip4::of(192, 0, 2, 1), 80}, SchedKind::rr, 0}));
  ASSERT_TRUE(t.upsert_dest(0, 5, DestConf{rs_addr(3), 80, 1}));
  ASSERT_TRUE(t.upsert_dest(0, 1, DestConf{rs_addr(9), 80, 1}));
  ASSERT_TRUE(t.upsert_dest(0, 7, DestConf{rs_addr(1), 80, 1}));
  EXPECT_EQ(picks(t, 6), (std::vector<int32_t>{7, 5, 1, 7, 5, 1}));
  EXPECT_EQ(t.service_dests(0), (std::vector<uint32_t>{7, 5, 1}));
}

TEST(SchedRr, ContinuesAfterTheLastChosenAcrossChanges) {
  ServiceTable t = make_table(SchedKind::rr, {1, 1, 1, 1});
  EXPECT_EQ(picks(t, 2), (std::vector<int32_t>{0, 1}));
  // Removing the dest chosen last: the next one follows, as with the kernel's cursor moving back.
  ASSERT_TRUE(t.remove_dest(1));
  EXPECT_EQ(picks(t, 3), (std::vector<int32_t>{2, 3, 0}));
  // A weight change elsewhere does not restart the cycle.
  ASSERT_TRUE(t.upsert_dest(0, 3, DestConf{rs_addr(3), 8080, 7}));
  EXPECT_EQ(picks(t, 3), (std::vector<int32_t>{2, 3, 0}));
  // Draining the next dest skips it.
  ASSERT_TRUE(t.upsert_dest(0, 2, DestConf{rs_addr(2), 8080, 0}));
  EXPECT_EQ(picks(t, 3), (std::vector<int32_t>{3, 0, 3}));
}

// ---------------------------------------------------------------- wrr

// ip_vs_wrr_schedule / ip_vs_wrr_dest_changed transcribed over a plain list (index -1 = list head).
struct KernelWrr {
  std::vector<int> w;
  int cl = -1, cw = 0, mw = 0, di = 1;

  void dest_changed(std::vector<int> weights) {
    w = std::move(weights);
    cl = -1;
    int g = 0, mx = 0;
    for (int x : w) {
      if (x > 0) g = g > 0 ? std::gcd(x, g) : x;
      mx = std::max(mx, x);
    }
    di = g ? g : 1;
    mw = mx - (di - 1);
    if (cw > mw || !cw) {
      cw = mw;
    } else if (di > 1) {
      cw = (cw / di) * di + 1;
    }
  }
  int schedule() {
    if (mw == 0) return -1;
    int n = int(w.size());
    int dest = cl, last = cl, stop = -2;
    bool last_pass = false, restarted = false;
    for (;;) {
      for (int d = dest + 1; d < n; ++d) {
        if (w[d] >= cw) return cl = d;
        if (d == stop) return (cl = d), -1;
      }
      dest = -1;
      cw -= di;
      if (cw <= 0) {
        cw = mw;
        if (last_pass || last == -1) return (cl = -1), -1;
        restarted = true;
      }
      last_pass = cw <= di;
      if (last_pass && restarted && last != -1) stop = last;
    }
  }
};

std::map<int32_t, uint64_t> wrr_counts(const std::vector<uint16_t>& weights, int n) {
  ServiceTable t = make_table(SchedKind::wrr, weights);
  std::map<int32_t, uint64_t> c;
  for (int32_t d : picks(t, n)) c[d]++;
  return c;
}

TEST(SchedWrr, ExactRatios) {
  EXPECT_EQ(wrr_counts({3, 2, 1}, 60), (std::map<int32_t, uint64_t>{{0, 30}, {1, 20}, {2, 10}}));
  EXPECT_EQ(wrr_counts({5, 1}, 60), (std::map<int32_t, uint64_t>{{0, 50}, {1, 10}}));
  EXPECT_EQ(wrr_counts({4, 4, 4}, 60), (std::map<int32_t, uint64_t>{{0, 20}, {1, 20}, {2, 20}}));
  // gcd 100: a cycle is 3 + 2 + 1 picks, not 600.
  EXPECT_EQ(wrr_counts({300, 200, 100}, 60), (std::map<int32_t, uint64_t>{{0, 30}, {1, 20}, {2, 10}}));
  EXPECT_EQ(wrr_counts({6, 0, 4, 2}, 12), (std::map<int32_t, uint64_t>{{0, 6}, {2, 4}, {3, 2}}));
}

TEST(SchedWrr, InterleavesLikeTheKernel) {
  ServiceTable t = make_table(SchedKind::wrr, {3, 2, 1});
  // Levels cw = 3, 2, 1: {A}, {A, B}, {A, B, C}. The table was built one dest at a time and, as in
  // the kernel, the first dest alone (weight 3 = its own gcd) left the level at 1, which the later
  // additions keep: the first cycle starts at its last level.
  EXPECT_EQ(picks(t, 15), (std::vector<int32_t>{0, 1, 2, 0, 0, 1, 0, 1, 2, 0, 0, 1, 0, 1, 2}));
}

TEST(SchedWrr, EveryCycleHasExactCountsForRandomWeights) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    size_t n = 1 + rng() % 12;
    uint16_t scale = uint16_t(1 + rng() % 20);
    std::vector<uint16_t> w(n);
    for (auto& x : w) x = uint16_t((rng() % 8) * scale);
    ServiceTable t = make_table(SchedKind::wrr, w);
    int g = 0;
    for (auto x : w) {
      if (x) g = g ? std::gcd(g, int(x)) : x;
    }
    if (g == 0) {
      EXPECT_EQ(t.schedule(0, Ip4(1), 1), kNoDest);
      continue;
    }
    uint64_t cycle = 0;
    for (auto x : w) cycle += x / g;
    for (int c = 0; c < 3; ++c) {
      std::vector<uint64_t> got(n, 0);
      for (uint64_t i = 0; i < cycle; ++i) got[size_t(t.schedule(0, Ip4(1), 1))]++;
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(got[i], w[i] / g) << "round " << round << " dest " << i;
    }
  }
}

// The within-level walk is heaviest first, so the kernel run on the list sorted by weight (stable)
// must produce exactly our sequence, including across weight changes, additions and removals.
TEST(SchedWrr, MatchesKernelTranscriptionAcrossChanges) {
  std::mt19937 rng(11);
  for (int round = 0; round < 50; ++round) {
    std::vector<uint16_t> w(1 + rng() % 8);
    uint16_t scale = uint16_t(1 + rng() % 3);
    for (auto& x : w) x = uint16_t((rng() % 6) * scale);
    ServiceTable t = make_table(SchedKind::wrr, w);
    std::vector<bool> present(w.size(), true);
    KernelWrr k;
    auto kernel_view = [&](std::vector<uint32_t>* ids) {
      ids->clear();
      for (uint32_t i = 0; i < w.size(); ++i) {
        if (present[i]) ids->push_back(i);
      }
      std::stable_sort(ids->begin(), ids->end(), [&](uint32_t a, uint32_t b) { return w[a] > w[b]; });
      std::vector<int> ws;
      for (uint32_t id : *ids) ws.push_back(w[id]);
      return ws;
    };
    // make_table added the dests one by one, each addition a dest change: replay them on the model.
    std::vector<uint32_t> ids;
    std::fill(present.begin(), present.end(), false);
    k.dest_changed(kernel_view(&ids));
    for (size_t i = 0; i < w.size(); ++i) {
      present[i] = true;
      k.dest_changed(kernel_view(&ids));
    }
    for (int step = 0; step < 20; ++step) {
      for (int i = 0; i < 37; ++i) {
        int kd = k.schedule();
        int32_t expect = kd < 0 ? kNoDest : int32_t(ids[size_t(kd)]);
        ASSERT_EQ(t.schedule(0, Ip4(1), 1), expect) << "round " << round << " step " << step << " pick " << i
                                                     << " kernel cw " << k.cw << " mw " << k.mw << " di " << k.di
                                                     << " weights " << ::testing::PrintToString(k.w);
      }
      uint32_t victim = uint32_t(rng() % w.size());
      bool changed = true;
      if (rng() % 4 == 0 && present[victim]) {
        present[victim] = false;
        ASSERT_TRUE(t.remove_dest(victim));
      } else {
        uint16_t nw = uint16_t((rng() % 6) * scale);
        // An upsert that changes nothing (a replay) leaves the scheduler alone; the kernel would call
        // upd_dest anyway, so the model is told only of real changes.
        changed = !present[victim] || nw != w[victim];
        w[victim] = nw;
        present[victim] = true;
        ASSERT_TRUE(t.upsert_dest(0, victim, DestConf{rs_addr(victim), 8080, w[victim]}));
      }
      if (changed) k.dest_changed(kernel_view(&ids));
    }
  }
}

// ---------------------------------------------------------------- weight 0

TEST(Sched, WeightZeroIsNeverChosenByAnyScheduler) {
  for (SchedKind kind : kAllKinds) {
    ServiceTable t = make_table(kind, {0, 3, 0, 1, 0, 2, 0}, 0, 4093);
    auto counts = pick_counts(t, 5000);
    for (auto [id, n] : counts) {
      EXPECT_TRUE(id == 1 || id == 3 || id == 5) << sched_name(kind) << " chose " << id;
    }
  }
}

TEST(Sched, NoDestWhenAllWeightsAreZeroOrNoDests) {
  for (SchedKind kind : kAllKinds) {
    ServiceTable empty = make_table(kind, {}, 0, 251);
    EXPECT_EQ(empty.schedule(0, Ip4(1), 1), kNoDest) << sched_name(kind);
    ServiceTable t = make_table(kind, {0, 0, 0}, 0, 251);
    EXPECT_EQ(pick_counts(t, 500), (std::map<int32_t, uint64_t>{{kNoDest, 500}})) << sched_name(kind);
    // Raising one weight makes it the only choice; draining it again empties the choice.
    ASSERT_TRUE(t.upsert_dest(0, 1, DestConf{rs_addr(1), 8080, 4}));
    EXPECT_EQ(pick_counts(t, 500), (std::map<int32_t, uint64_t>{{1, 500}})) << sched_name(kind);
    ASSERT_TRUE(t.upsert_dest(0, 1, DestConf{rs_addr(1), 8080, 0}));
    EXPECT_EQ(pick_counts(t, 500), (std::map<int32_t, uint64_t>{{kNoDest, 500}})) << sched_name(kind);
  }
}

// ---------------------------------------------------------------- lc / wlc

// Oracle stated globally: the answer is the first dest (list order) whose overhead/weight is minimal.
int32_t oracle_least(const std::vector<uint16_t>& w, const std::vector<uint64_t>& active,
                     const std::vector<uint64_t>& inactive, bool weighted) {
  int32_t best = kNoDest;
  for (size_t i = 0; i < w.size(); ++i) {
    if (w[i] == 0) continue;
    bool minimal = true;
    for (size_t j = 0; j < w.size() && minimal; ++j) {
      if (w[j] == 0 || j == i) continue;
      uint64_t oi = active[i] * 256 + inactive[i], oj = active[j] * 256 + inactive[j];
      uint64_t lhs = weighted ? oj * w[i] : oj, rhs = weighted ? oi * w[j] : oi;  // compare oj/wj with oi/wi
      if (lhs < rhs) minimal = false;
    }
    if (minimal) {
      best = int32_t(i);
      break;
    }
  }
  return best;
}

TEST(SchedLeastConn, MatchesOracleOverRandomCounterStates) {
  std::mt19937 rng(3);
  for (bool weighted : {false, true}) {
    for (int round = 0; round < 300; ++round) {
      size_t n = 1 + rng() % 10;
      std::vector<uint16_t> w(n);
      for (auto& x : w) x = uint16_t(rng() % 4 == 0 ? 0 : 1 + rng() % (round % 2 ? 5 : 1000));
      ServiceTable t = make_table(weighted ? SchedKind::wlc : SchedKind::lc, w);
      std::vector<uint64_t> active(n), inactive(n);
      for (size_t i = 0; i < n; ++i) {
        // Small counts make ties frequent, which is where the tie rule shows.
        active[i] = rng() % 4;
        inactive[i] = rng() % (round % 3 ? 600 : 3);
        DestRef ref = t.dest_ref(uint32_t(i));
        for (uint64_t a = 0; a < active[i]; ++a) t.on_conn_new(ref, true);
        for (uint64_t a = 0; a < inactive[i] + 2; ++a) t.on_conn_new(ref, false);
        t.on_conn_gone(ref, false);
        t.on_conn_state(ref, false, false);
        t.on_conn_gone(ref, false);
      }
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(t.dest_counters(uint32_t(i)).active_conns, active[i]);
        ASSERT_EQ(t.dest_counters(uint32_t(i)).inactive_conns, inactive[i]);
      }
      ASSERT_EQ(t.schedule(0, Ip4(1), 1), oracle_least(w, active, inactive, weighted))
          << (weighted ? "wlc" : "lc") << " round " << round;
    }
  }
}

TEST(SchedLeastConn, ActiveCountsAs256Inactive) {
  ServiceTable t = make_table(SchedKind::lc, {1, 1});
  t.on_conn_new(t.dest_ref(0), true);  // overhead 256
  for (int i = 0; i < 255; ++i) t.on_conn_new(t.dest_ref(1), false);
  EXPECT_EQ(t.schedule(0, Ip4(1), 1), 1);
  t.on_conn_new(t.dest_ref(1), false);  // 256 each: tie goes to the first
  EXPECT_EQ(t.schedule(0, Ip4(1), 1), 0);
  t.on_conn_state(t.dest_ref(0), true, false);  // ESTABLISHED -> FIN_WAIT: now 1 vs 256
  EXPECT_EQ(t.schedule(0, Ip4(1), 1), 0);
}

TEST(SchedLeastConn, WlcBalancesConnectionsByWeight) {
  // Feeding each choice back as a new connection converges to connections proportional to weight.
  ServiceTable t = make_table(SchedKind::wlc, {1, 2, 3, 0});
  std::vector<int> conns(4, 0);
  for (int i = 0; i < 600; ++i) {
    int32_t d = t.schedule(0, Ip4(1), 1);
    ASSERT_GE(d, 0);
    conns[size_t(d)]++;
    t.on_conn_new(t.dest_ref(uint32_t(d)), true);
  }
  EXPECT_EQ(conns, (std::vector<int>{100, 200, 300, 0}));
}

// ---------------------------------------------------------------- sh

// ip_vs_sh.c transcribed: reassign over the list, hash_32(port + addr, 8), fallback probing.
struct KernelSh {
  std::vector<int> bucket = std::vector<int>(256, -1);
  std::vector<uint16_t> w;
  explicit KernelSh(std::vector<uint16_t> weights) : w(std::move(weights)) {
    if (w.empty()) return;
    size_t p = 0;
    int d_count = 0;
    for (int i = 0; i < 256; ++i) {
      bucket[size_t(i)] = int(p);
      if (++d_count >= w[p]) {
        p = (p + 1) % w.size();
        d_count = 0;
      }
    }
  }
  static unsigned hashkey(uint32_t addr, uint16_t port, unsigned offset) {
    return (offset + ((uint32_t(port) + addr) * 0x61C88647u >> 24)) & 255;
  }
  int get_fallback(uint32_t addr, uint16_t port) const {
    unsigned ihash = hashkey(addr, port, 0);
    int d = bucket[ihash];
    if (d < 0) return -1;
    if (w[size_t(d)] > 0) return d;
    for (unsigned offset = 0; offset < 256; ++offset) {
      unsigned roffset = (offset + ihash) % 256;
      d = bucket[hashkey(addr, port, roffset)];
      if (d < 0) break;
      if (w[size_t(d)] > 0) return d;
    }
    return -1;
  }
};

TEST(SchedSh, MatchesKernelTranscription) {
  std::mt19937 rng(5);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint16_t> w(rng() % 9);
    for (auto& x : w) x = uint16_t(rng() % 3 == 0 ? 0 : 1 + rng() % (round % 2 ? 4 : 120));
    bool use_port = round % 3 == 0;
    ServiceTable t = make_table(SchedKind::sh, w, use_port ? kSvcFlagSched2 : 0);
    KernelSh k(w);
    for (int i = 0; i < 2000; ++i) {
      Ip4 c(rng());
      uint16_t port = uint16_t(rng());
      ASSERT_EQ(t.schedule(0, c, port), k.get_fallback(c.v, use_port ? port : 0)) << "round " << round;
    }
  }
}

TEST(SchedSh, SameSourceSameDestAndPortIgnoredByDefault) {
  ServiceTable t = make_table(SchedKind::sh, {1, 1, 1, 1, 1});
  std::mt19937 rng(9);
  for (int i = 0; i < 1000; ++i) {
    Ip4 c(rng());
    int32_t d = t.schedule(0, c, 1);
    ASSERT_GE(d, 0);
    for (uint16_t port : {2, 999, 65535}) ASSERT_EQ(t.schedule(0, c, port), d);
  }
}

TEST(SchedSh, SpreadsRoughlyByWeight) {
  // 3:2:1 fills the 256 buckets 129:85:42 (42 full rounds, then 3 + 1 buckets).
  ServiceTable t = make_table(SchedKind::sh, {3, 2, 1});
  std::map<uint32_t, int> buckets;
  for (uint32_t b : t.scheduler(0).sh()->buckets()) buckets[b]++;
  EXPECT_EQ(buckets, (std::map<uint32_t, int>{{0, 129}, {1, 85}, {2, 42}}));
  auto counts = pick_counts(t, 60000);
  EXPECT_NEAR(double(counts[0]) / 60000, 129.0 / 256, 0.02);
  EXPECT_NEAR(double(counts[1]) / 60000, 85.0 / 256, 0.02);
  EXPECT_NEAR(double(counts[2]) / 60000, 42.0 / 256, 0.02);
}

TEST(SchedSh, DrainMovesOnlyTheDrainedDestsClients) {
  ServiceTable t = make_table(SchedKind::sh, {1, 1, 1, 1});
  std::mt19937 rng(13);
  std::vector<Ip4> clients(4000);
  for (auto& c : clients) c = Ip4(rng());
  std::vector<int32_t> before;
  for (Ip4 c : clients) before.push_back(t.schedule(0, c, 0));
  ASSERT_TRUE(t.upsert_dest(0, 2, DestConf{rs_addr(2), 8080, 0}));
  for (size_t i = 0; i < clients.size(); ++i) {
    int32_t now = t.schedule(0, clients[i], 0);
    ASSERT_NE(now, 2);
    if (before[i] != 2) {
      ASSERT_EQ(now, before[i]);  // a weight-0 dest keeps its buckets: nobody else moves
    }
  }
}

}  // namespace
}  // namespace dplb::ipvs
