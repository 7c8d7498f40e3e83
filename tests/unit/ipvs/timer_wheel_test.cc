#include "dplb/ipvs/timer_wheel.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <vector>

namespace dplb::ipvs {
namespace {

struct TestNodes {
  std::vector<TimerLinks> link;
  std::vector<Tick> exp;
  explicit TestNodes(size_t n) : link(n), exp(n) {}
  TimerLinks& links(uint32_t id) { return link[id]; }
  Tick expiry(uint32_t id) const { return exp[id]; }
};

using Wheel = TimerWheel<TestNodes>;

// Runs the wheel one tick at a time from `from` to `to` inclusive with an unlimited budget and
// records the tick at which each node expired.
void run_ticks(Wheel& w, Tick from, Tick to, std::map<uint32_t, Tick>& fired) {
  for (Tick t = from; t != to + 1; ++t) {
    w.run(t, UINT32_MAX, [&](uint32_t id) { fired.emplace(id, t); });
  }
}

TEST(TimerWheel, FiresExactlyAtExpiryTick) {
  TestNodes nodes(64);
  Wheel w(&nodes, 4, 0);  // 16 slots: most expiries lie several turns away
  std::mt19937 rng(1);
  for (uint32_t id = 0; id < 64; ++id) {
    nodes.exp[id] = 1 + rng() % 200;
    w.arm(id, nodes.exp[id]);
  }
  std::map<uint32_t, Tick> fired;
  run_ticks(w, 0, 250, fired);
  ASSERT_EQ(fired.size(), 64u);
  for (auto [id, t] : fired) EXPECT_EQ(t, nodes.exp[id]) << "node " << id;
}

TEST(TimerWheel, PastExpiryFiresOnNextTick) {
  TestNodes nodes(1);
  Wheel w(&nodes, 4, 100);
  nodes.exp[0] = 50;
  w.arm(0, 50);
  std::map<uint32_t, Tick> fired;
  run_ticks(w, 100, 101, fired);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0], 100u);
}

TEST(TimerWheel, LaterExpiryWrittenInPlacePostponesFiring) {
  TestNodes nodes(2);
  Wheel w(&nodes, 4, 0);
  nodes.exp[0] = 10;
  nodes.exp[1] = 10;
  w.arm(0, 10);
  w.arm(1, 10);
  std::map<uint32_t, Tick> fired;
  run_ticks(w, 0, 5, fired);
  nodes.exp[0] = 77;  // the data plane's per-packet refresh: one store, no wheel call
  run_ticks(w, 6, 100, fired);
  EXPECT_EQ(fired[1], 10u);
  EXPECT_EQ(fired[0], 77u);
}

TEST(TimerWheel, DisarmedNodeNeverFires) {
  TestNodes nodes(3);
  Wheel w(&nodes, 4, 0);
  for (uint32_t id = 0; id < 3; ++id) {
    nodes.exp[id] = 5;  // all three in one slot list: remove the middle, head and tail
    w.arm(id, 5);
  }
  w.disarm(1);
  std::map<uint32_t, Tick> fired;
  run_ticks(w, 0, 3, fired);
  w.disarm(2);
  run_ticks(w, 4, 40, fired);
  EXPECT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired.count(0), 1u);
}

TEST(TimerWheel, CatchesUpAfterAGapAndExpiresWhatIsDue) {
  TestNodes nodes(100);
  Wheel w(&nodes, 4, 0);
  for (uint32_t id = 0; id < 100; ++id) {
    nodes.exp[id] = id * 7;
    w.arm(id, nodes.exp[id]);
  }
  std::set<uint32_t> fired;
  // One call 20 turns later: ticks are processed in order, everything due by now expires.
  uint32_t work = w.run(350, UINT32_MAX, [&](uint32_t id) { fired.insert(id); });
  EXPECT_EQ(w.next_tick(), 351u);
  for (uint32_t id = 0; id < 100; ++id) EXPECT_EQ(fired.count(id), nodes.exp[id] <= 350 ? 1u : 0u) << id;
  // Work: only the last turn's 16 ticks are walked (older ones are skipped), and a node is visited
  // at most twice (once in its slot, once more if re-armed into a slot still ahead in the sweep).
  EXPECT_LE(work, 16u + 2 * 100u);
}

TEST(TimerWheel, HugeGapCostsOneTurn) {
  TestNodes nodes(2);
  Wheel w(&nodes, 8, 0);
  nodes.exp[0] = 1000;
  nodes.exp[1] = 2000000;
  w.arm(0, 1000);
  w.arm(1, 2000000);
  std::set<uint32_t> fired;
  uint32_t work = w.run(1000000, UINT32_MAX, [&](uint32_t id) { fired.insert(id); });
  EXPECT_LE(work, 256u + 4u);
  EXPECT_EQ(fired, std::set<uint32_t>{0});
  std::map<uint32_t, Tick> at;
  run_ticks(w, 1000001, 2000000, at);
  EXPECT_EQ(at[1], 2000000u);
}

TEST(TimerWheel, MassExpiryRespectsTheBudget) {
  constexpr uint32_t kN = 10000;
  TestNodes nodes(kN);
  Wheel w(&nodes, 8, 0);
  for (uint32_t id = 0; id < kN; ++id) {
    nodes.exp[id] = 10;
    w.arm(id, 10);
  }
  uint32_t expired = 0, calls = 0;
  while (expired < kN) {
    uint32_t before = expired;
    uint32_t work = w.run(10, 100, [&](uint32_t) { ++expired; });
    ASSERT_LE(work, 100u);
    ASSERT_LE(expired - before, 100u);
    ASSERT_LT(++calls, 1000u);
  }
  EXPECT_EQ(expired, kN);
  EXPECT_LE(calls, kN / 100 + 2);
  EXPECT_EQ(w.run(10, 100, [&](uint32_t) { ++expired; }), 0u);  // nothing left, clock caught up
}

TEST(TimerWheel, ClockWrapsAround) {
  TestNodes nodes(3);
  const Tick start = 0xffffff00u;
  Wheel w(&nodes, 4, start);
  nodes.exp[0] = start + 0x80;   // before the wrap
  nodes.exp[1] = start + 0x100;  // exactly 0
  nodes.exp[2] = start + 0x180;  // after
  for (uint32_t id = 0; id < 3; ++id) w.arm(id, nodes.exp[id]);
  std::map<uint32_t, Tick> fired;
  run_ticks(w, start, start + 0x200, fired);
  ASSERT_EQ(fired.size(), 3u);
  for (uint32_t id = 0; id < 3; ++id) EXPECT_EQ(fired[id], nodes.exp[id]);
}

// Random arm / disarm / refresh / re-arm-earlier against a model of expiries, with random clock
// steps (some longer than a turn) and random budgets.
TEST(TimerWheel, RandomOperationsMatchModel) {
  constexpr uint32_t kN = 300;
  TestNodes nodes(kN);
  std::mt19937 rng(7);
  Tick now = 1000;
  Wheel w(&nodes, 5, now);
  std::vector<bool> armed(kN, false);
  for (int step = 0; step < 20000; ++step) {
    uint32_t id = rng() % kN;
    switch (rng() % 5) {
      case 0:
        if (!armed[id]) {
          nodes.exp[id] = now + rng() % 300;
          w.arm(id, nodes.exp[id]);
          armed[id] = true;
        }
        break;
      case 1:
        if (armed[id]) {
          w.disarm(id);
          armed[id] = false;
        }
        break;
      case 2:  // lazy refresh (later only)
        if (armed[id]) nodes.exp[id] = std::max<Tick>(nodes.exp[id], now + rng() % 300);
        break;
      case 3: {  // expiry moves earlier: explicit re-arm
        Tick e = now + rng() % 20;
        if (armed[id] && e < nodes.exp[id]) {
          w.disarm(id);
          nodes.exp[id] = e;
          w.arm(id, e);
        }
        break;
      }
      case 4: {
        // At least one tick: a node armed this tick with expiry == now fires on the next one.
        now += 1 + ((rng() % 8 == 0) ? rng() % 100 : rng() % 3);
        // Run with random budgets until done; each fired node must be due and armed.
        uint32_t budget = 1 + rng() % 50;
        while (w.run(now, budget, [&](uint32_t fid) {
          ASSERT_TRUE(armed[fid]);
          ASSERT_TRUE(tick_reached(now, nodes.exp[fid]));
          armed[fid] = false;
        }) == budget) {
        }
        // Whatever is still armed is not yet due.
        for (uint32_t i = 0; i < kN; ++i) {
          if (armed[i]) {
            ASSERT_FALSE(tick_reached(now, nodes.exp[i])) << "node " << i << " overdue";
          }
        }
        break;
      }
    }
  }
}

TEST(TimerWheel, SecondsToTicksClampsToTheMaximum) {
  EXPECT_EQ(seconds_to_ticks(900), 90000u);
  EXPECT_EQ(seconds_to_ticks(0xffffffffu), kMaxTimeoutTicks);
  EXPECT_TRUE(tick_reached(5, 0xfffffff0u));
  EXPECT_FALSE(tick_reached(0xfffffff0u, 5));
}

}  // namespace
}  // namespace dplb::ipvs
