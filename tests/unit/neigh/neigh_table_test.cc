#include "dplb/neigh/neigh_table.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace dplb::neigh {
namespace {

struct RecordingSink : Sink {
  std::vector<std::pair<Ip4, void*>> sent, dropped;
  std::vector<std::pair<Ip4, bool>> requests;
  std::vector<std::pair<Ip4, State>> changes;
  std::vector<Ip4> answers;
  void answered(const Entry& e) override { answers.push_back(e.ip); }
  void send_queued(const Entry& e, void* pkt) override { sent.emplace_back(e.ip, pkt); }
  void drop_queued(const Entry& e, void* pkt) override { dropped.emplace_back(e.ip, pkt); }
  void send_request(const Entry& e, bool unicast) override { requests.emplace_back(e.ip, unicast); }
  void state_changed(const Entry& e) override { changes.emplace_back(e.ip, e.state); }
};

const Ip4 kA = Ip4::of(10, 0, 0, 2);
const Ip4 kB = Ip4::of(10, 0, 0, 3);
const Mac kMacA{{2, 0, 0, 0, 0, 0xa}};
const Mac kMacB{{2, 0, 0, 0, 0, 0xb}};
void* pkt(int i) { return reinterpret_cast<void*>(uintptr_t(0x1000 + i)); }

TEST(NeighTable, MissQueuesAndAsksThenSendsOnReply) {
  NeighTable t;
  RecordingSink s;
  EXPECT_EQ(t.resolve(0, kA, pkt(1), 0).action, Resolve::queued_and_ask);
  EXPECT_EQ(t.resolve(0, kA, pkt(2), 1).action, Resolve::queued);
  EXPECT_EQ(state_name(t.find(0, kA)->state), "INCOMPLETE");
  EXPECT_TRUE(t.confirm(0, kA, kMacA, 5, false, s));
  ASSERT_EQ(s.sent.size(), 2u);
  EXPECT_EQ(s.sent[0].second, pkt(1));
  EXPECT_EQ(s.sent[1].second, pkt(2));
  auto r = t.resolve(0, kA, pkt(3), 6);
  EXPECT_EQ(r.action, Resolve::send);
  EXPECT_EQ(r.entry->mac, kMacA);
}

// Each worker has its own table; a reply lands on whichever worker the NIC picks. A reply that
// changes nothing here (the entry is already REACHABLE with that mac) must still be reported, or a
// worker probing its STALE entry never hears the answer and fails a live neighbour.
TEST(NeighTable, ReplyToAReachableEntryIsReportedAsAnswered) {
  NeighTable t;
  RecordingSink s;
  t.confirm(0, kA, kMacA, 0, true, s, true);
  EXPECT_EQ(s.changes.size(), 1u);  // created: a change, not an answer
  EXPECT_TRUE(s.answers.empty());
  EXPECT_FALSE(t.confirm(0, kA, kMacA, 10, true, s, true));
  ASSERT_EQ(s.answers.size(), 1u);
  EXPECT_EQ(s.answers[0], kA);
  EXPECT_EQ(s.changes.size(), 1u);
  EXPECT_FALSE(t.confirm(0, kA, kMacA, 20, true, s));  // a request aimed at us: no answer to pass on
  EXPECT_EQ(s.answers.size(), 1u);
  EXPECT_TRUE(t.confirm(0, kA, kMacB, 30, true, s, true));  // a new mac is a change
  EXPECT_EQ(s.changes.size(), 2u);
  EXPECT_EQ(s.answers.size(), 1u);
}

TEST(NeighTable, QueueIsBounded) {
  NeighTable t;
  t.resolve(0, kA, pkt(0), 0);
  for (size_t i = 1; i < kQueueLen; ++i) EXPECT_EQ(t.resolve(0, kA, pkt(int(i)), 0).action, Resolve::queued);
  EXPECT_EQ(t.resolve(0, kA, pkt(99), 0).action, Resolve::drop_queue_full);
}

TEST(NeighTable, UnansweredResolutionFailsAfterRetriesAndDropsQueue) {
  NeighTable t;
  RecordingSink s;
  t.resolve(0, kA, pkt(1), 0);
  for (uint64_t ms = 1; ms <= 3500; ++ms) t.run_timers(ms, s);
  // First request came from resolve(); two retransmits; then FAILED.
  EXPECT_EQ(s.requests.size(), 2u);
  EXPECT_EQ(t.find(0, kA)->state, State::failed);
  ASSERT_EQ(s.dropped.size(), 1u);
  EXPECT_EQ(s.dropped[0].second, pkt(1));
  EXPECT_TRUE(t.is_dead(0, kA));
  EXPECT_EQ(t.resolve(0, kA, pkt(2), 3600).action, Resolve::drop_failed);
  // After the hold time a new packet starts a new resolution.
  EXPECT_EQ(t.resolve(0, kA, pkt(3), 3000 + 1000 + 1000).action, Resolve::queued_and_ask);
}

TEST(NeighTable, ReachableAgesToStaleAndIsProbedOnUse) {
  NeighTable t;
  RecordingSink s;
  t.confirm(0, kA, kMacA, 0, true, s);
  for (uint64_t ms = 0; ms <= 30200; ++ms) t.run_timers(ms, s);  // the worker calls it every ms
  EXPECT_EQ(t.find(0, kA)->state, State::stale);
  auto r = t.resolve(0, kA, pkt(1), 30201);
  EXPECT_EQ(r.action, Resolve::send_and_probe);
  EXPECT_EQ(t.find(0, kA)->state, State::probe);
  // Unanswered probes: unicast retransmits, then FAILED.
  for (uint64_t ms = 30202; ms <= 34500; ++ms) t.run_timers(ms, s);
  ASSERT_FALSE(s.requests.empty());
  EXPECT_TRUE(s.requests.back().second);  // unicast
  EXPECT_EQ(t.find(0, kA)->state, State::failed);
}

TEST(NeighTable, ConfirmWithoutCreateOnlyUpdatesExisting) {
  NeighTable t;
  RecordingSink s;
  EXPECT_FALSE(t.confirm(0, kA, kMacA, 0, false, s));
  EXPECT_EQ(t.find(0, kA), nullptr);
  t.confirm(0, kA, kMacA, 0, true, s);
  EXPECT_TRUE(t.confirm(0, kA, kMacB, 1, false, s));
  EXPECT_EQ(t.find(0, kA)->mac, kMacB);
}

TEST(NeighTable, PermanentEntriesNeverAgeNorChangeAndFormTheDigest) {
  NeighTable t;
  RecordingSink s;
  uint64_t empty = t.digest();
  ASSERT_TRUE(t.add_permanent(0, kA, kMacA, s, 0));
  EXPECT_NE(t.digest(), empty);
  EXPECT_FALSE(t.confirm(0, kA, kMacB, 1, true, s));
  for (uint64_t ms = 0; ms < 200000; ms += 500) t.run_timers(ms, s);
  EXPECT_EQ(t.find(0, kA)->state, State::permanent);
  EXPECT_EQ(t.find(0, kA)->mac, kMacA);
  // Learned entries do not change the digest; the same permanent set in another order gives the same.
  NeighTable u;
  u.confirm(0, kB, kMacB, 0, true, s);
  ASSERT_TRUE(u.add_permanent(0, kA, kMacA, s, 0));
  EXPECT_EQ(u.digest(), t.digest());
  ASSERT_TRUE(t.remove(0, kA, s));
  EXPECT_EQ(t.digest(), empty);
  EXPECT_EQ(t.remove(0, kA, s).code(), ENOENT);
}

TEST(NeighTable, StaleEntriesAreCollected) {
  NeighTable t;
  RecordingSink s;
  t.confirm(0, kA, kMacA, 0, true, s);
  for (uint64_t ms = 0; ms <= 100000; ms += 2) t.run_timers(ms, s);
  EXPECT_EQ(t.find(0, kA), nullptr);
  EXPECT_EQ(t.size(), 0u);
}

// Random operations against a std::map oracle exercise probing and backward-shift deletion.
TEST(NeighTable, RandomInsertRemoveMatchesOracle) {
  NeighTable t(512);
  RecordingSink s;
  std::map<std::pair<uint16_t, uint32_t>, Mac> oracle;
  uint64_t x = 12345;
  auto rnd = [&] { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
  for (int i = 0; i < 20000; ++i) {
    uint16_t port = rnd() % 3;
    Ip4 ip(0x0a000000u | (rnd() % 600));
    Mac m{{2, 0, 0, 0, uint8_t(rnd()), uint8_t(rnd())}};
    auto key = std::make_pair(port, ip.v);
    if (rnd() % 3 == 0) {
      bool had = oracle.erase(key) > 0;
      EXPECT_EQ(t.remove(port, ip, s).is_ok(), had);
    } else if (oracle.size() < 512) {
      ASSERT_TRUE(t.add_permanent(port, ip, m, s, 0));
      oracle[key] = m;
    }
    if (i % 1000 == 0) {
      for (auto& [k, mac] : oracle) {
        const Entry* e = t.find(k.first, Ip4(k.second));
        ASSERT_NE(e, nullptr);
        EXPECT_EQ(e->mac, mac);
      }
      EXPECT_EQ(t.size(), oracle.size());
    }
  }
  size_t removed = 0;
  for (uint16_t p = 0; p < 3; ++p) removed += t.flush_port(p, s, true);
  EXPECT_EQ(removed, oracle.size());
  EXPECT_EQ(t.size(), 0u);
}

}  // namespace
}  // namespace dplb::neigh
