#include "dplb/ctrl/multicast.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>

namespace dplb::ctrl {
namespace {

using namespace std::chrono_literals;

// A toy configuration: key -> value, with DPVS-like idempotent messages and the daemon's replay
// protocol (begin = mark all stale, upserts, end = sweep stale).
enum : MsgType { kUpsert = 1, kDelete, kReplayBegin, kReplayEnd, kDigest, kCorrupt, kNoHandler = 200 };

struct Entry {
  uint32_t key;
  uint32_t value;
};

struct WorkerCtx {
  std::map<uint32_t, std::pair<uint32_t, bool>> table;  // value, stale
  std::atomic<int> fail_upserts{0};                      // fail this many upcoming upserts
};

uint64_t digest_of(const std::map<uint32_t, uint32_t>& m) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the sorted entries
  for (auto [k, v] : m) {
    for (uint32_t x : {k, v}) {
      for (int i = 0; i < 4; ++i) {
        h ^= (x >> (8 * i)) & 0xff;
        h *= 1099511628211ull;
      }
    }
  }
  return h;
}

int on_upsert(void* ctx, const Msg& m, uint64_t*) {
  auto& c = *static_cast<WorkerCtx*>(ctx);
  Entry e;
  if (!m.read(e)) return EINVAL;
  if (c.fail_upserts.load() > 0) {
    c.fail_upserts.fetch_sub(1);
    return ENOSPC;
  }
  c.table[e.key] = {e.value, false};
  return 0;
}
int on_delete(void* ctx, const Msg& m, uint64_t*) {
  Entry e;
  if (!m.read(e)) return EINVAL;
  static_cast<WorkerCtx*>(ctx)->table.erase(e.key);
  return 0;
}
int on_replay_begin(void* ctx, const Msg&, uint64_t*) {
  for (auto& [k, v] : static_cast<WorkerCtx*>(ctx)->table) v.second = true;
  return 0;
}
int on_replay_end(void* ctx, const Msg&, uint64_t*) {
  std::erase_if(static_cast<WorkerCtx*>(ctx)->table, [](const auto& kv) { return kv.second.second; });
  return 0;
}
int on_digest(void* ctx, const Msg&, uint64_t* value) {
  std::map<uint32_t, uint32_t> plain;
  for (auto& [k, v] : static_cast<WorkerCtx*>(ctx)->table) plain[k] = v.first;
  *value = digest_of(plain);
  return 0;
}
// A bug simulation: the worker changes its table without main knowing.
int on_corrupt(void* ctx, const Msg&, uint64_t*) {
  static_cast<WorkerCtx*>(ctx)->table[0xdead] = {1, false};
  return 0;
}

class CtrlMulticast : public ::testing::Test {
 protected:
  void SetUp() override {}
  void TearDown() override { stop_workers(); }

  void make(size_t workers, size_t ring = 64, size_t events = 64) {
    Multicaster::Options o;
    o.workers = workers;
    o.ring_capacity = ring;
    o.event_capacity = events;
    o.timeout = 2000ms;
    o.replay_timeout = 2000ms;
    o.replay_retry_min = 1ms;
    o.replay_retry_max = 20ms;
    mc_ = std::make_unique<Multicaster>(o);
    for (auto [t, h] : {std::pair{kUpsert, &on_upsert}, {kDelete, &on_delete}, {kReplayBegin, &on_replay_begin},
                        {kReplayEnd, &on_replay_end}, {kDigest, &on_digest}, {kCorrupt, &on_corrupt}}) {
      ASSERT_TRUE(mc_->set_handler(t, h));
    }
    mc_->set_replay_source([this](ReplaySink& sink) {
      ++replays_started_;
      if (!sink.send(std::make_unique<Msg>(kReplayBegin))) return;
      for (auto [k, v] : model_) {
        if (!sink.send(Msg::of(kUpsert, Entry{k, v}))) return;
      }
      sink.send(std::make_unique<Msg>(kReplayEnd));
    });
    ctx_ = std::vector<WorkerCtx>(workers);
    paused_ = std::vector<std::atomic<bool>>(workers);
    parked_ = std::vector<std::atomic<bool>>(workers);
  }

  void start_workers() {
    stop_ = false;
    for (size_t w = 0; w < ctx_.size(); ++w) {
      threads_.emplace_back([this, w] {
        while (!stop_.load()) {
          if (paused_[w].load()) {
            parked_[w] = true;
            std::this_thread::sleep_for(100us);
            continue;
          }
          parked_[w] = false;
          if (mc_->drain(w, 8, &ctx_[w]) == 0) std::this_thread::sleep_for(20us);
        }
      });
    }
  }
  void stop_workers() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  void pause(size_t w) {
    paused_[w] = true;
    while (!parked_[w].load()) std::this_thread::yield();
  }
  void resume(size_t w) { paused_[w] = false; }

  MulticastResult upsert(uint32_t k, uint32_t v, std::chrono::milliseconds timeout = 2000ms) {
    model_[k] = v;
    return mc_->multicast(Msg::of(kUpsert, Entry{k, v}), timeout);
  }
  MulticastResult erase(uint32_t k) {
    model_.erase(k);
    return mc_->multicast(Msg::of(kDelete, Entry{k, 0}));
  }
  // poll() until every worker is back in sync (bounded).
  bool poll_until_in_sync() {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!mc_->all_in_sync() || mc_->live_messages() != 0) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      mc_->poll();
      std::this_thread::sleep_for(200us);
    }
    return true;
  }
  ConsistencyReport check() { return mc_->check_consistency(kDigest, digest_of(model_), 2000ms); }

  std::unique_ptr<Multicaster> mc_;
  std::vector<WorkerCtx> ctx_;
  std::vector<std::atomic<bool>> paused_, parked_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::map<uint32_t, uint32_t> model_;
  int replays_started_ = 0;
};

TEST_F(CtrlMulticast, SucceedsOnEveryWorker) {
  make(3);
  start_workers();
  for (uint32_t k = 0; k < 50; ++k) {
    auto r = upsert(k, k * 10);
    ASSERT_TRUE(r.ok()) << r.status.message();
    for (const auto& o : r.workers) EXPECT_EQ(o.outcome, Outcome::kOk);
  }
  for (uint32_t k = 0; k < 50; k += 3) ASSERT_TRUE(erase(k).ok());
  EXPECT_EQ(mc_->live_messages(), 0u);  // all returned, all freed
  auto rep = check();
  EXPECT_TRUE(rep.status);
  EXPECT_TRUE(rep.all_agree());
  for (uint64_t d : rep.digests) EXPECT_EQ(d, digest_of(model_));
  EXPECT_TRUE(mc_->all_in_sync());
  EXPECT_EQ(replays_started_, 0);
  stop_workers();
  // The oracle, read directly once the workers are stopped.
  for (const auto& c : ctx_) {
    ASSERT_EQ(c.table.size(), model_.size());
    for (auto [k, v] : model_) EXPECT_EQ(c.table.at(k).first, v);
  }
}

TEST_F(CtrlMulticast, HandlerErrorMarksOutOfSyncAndReplayBringsItBack) {
  make(3);
  start_workers();
  ASSERT_TRUE(upsert(1, 100).ok());
  ctx_[1].fail_upserts = 1;
  auto r = upsert(2, 200);
  EXPECT_EQ(r.status.code(), ENOSPC);
  EXPECT_NE(r.status.message().find("worker 1"), std::string::npos) << r.status.message();
  EXPECT_EQ(r.workers[0].outcome, Outcome::kOk);
  EXPECT_EQ(r.workers[1].outcome, Outcome::kFailed);
  EXPECT_EQ(r.workers[1].status, ENOSPC);
  EXPECT_EQ(r.workers[2].outcome, Outcome::kOk);
  EXPECT_FALSE(mc_->in_sync(1));
  EXPECT_EQ(mc_->out_of_sync_workers(), std::vector<size_t>{1});
  EXPECT_NE(mc_->out_of_sync_reason(1).find("failed"), std::string::npos);

  // Still applied everywhere, but never reported as success while worker 1 differs.
  r = upsert(3, 300);
  EXPECT_EQ(r.status.code(), EIO);
  EXPECT_NE(r.status.message().find("worker 1 is out of sync"), std::string::npos) << r.status.message();
  for (const auto& o : r.workers) EXPECT_EQ(o.outcome, Outcome::kOk);
  auto rep = check();
  EXPECT_EQ(rep.workers[1], DigestVerdict::kDisagree);  // it missed key 2
  EXPECT_EQ(rep.workers[0], DigestVerdict::kAgree);

  ASSERT_TRUE(poll_until_in_sync());
  EXPECT_EQ(mc_->stats().replays_ok, 1u);
  EXPECT_TRUE(upsert(4, 400).ok());
  rep = check();
  EXPECT_TRUE(rep.status) << rep.status.message();
  EXPECT_TRUE(rep.all_agree());
}

TEST_F(CtrlMulticast, TimedOutWorkerIsReplayedOnceItCatchesUp) {
  make(3);
  start_workers();
  ASSERT_TRUE(upsert(1, 1).ok());
  pause(2);
  auto r = upsert(2, 2, 30ms);
  EXPECT_EQ(r.status.code(), ETIMEDOUT);
  EXPECT_NE(r.status.message().find("worker 2"), std::string::npos);
  EXPECT_EQ(r.workers[2].outcome, Outcome::kTimedOut);
  EXPECT_EQ(r.workers[0].outcome, Outcome::kOk);
  EXPECT_FALSE(mc_->in_sync(2));
  EXPECT_EQ(mc_->live_messages(), 1u);  // still held by the paused worker: not freed
  EXPECT_EQ(mc_->in_flight(2), 1u);

  // While it is paused: replies from the others, an error naming it; no replay is attempted
  // (it still holds messages), so poll() does not block on it.
  r = upsert(3, 3, 30ms);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.workers[1].outcome, Outcome::kOk);
  for (int i = 0; i < 5; ++i) mc_->poll();
  EXPECT_EQ(replays_started_, 0);
  EXPECT_FALSE(mc_->in_sync(2));

  resume(2);
  ASSERT_TRUE(poll_until_in_sync());
  EXPECT_EQ(mc_->live_messages(), 0u);
  EXPECT_GE(mc_->stats().late_returns, 2u);
  EXPECT_GE(mc_->stats().replays_ok, 1u);
  auto rep = check();
  EXPECT_TRUE(rep.status) << rep.status.message();
  EXPECT_TRUE(rep.all_agree());
}

TEST_F(CtrlMulticast, FailedReplayIsRetriedWithBackoff) {
  make(2);
  start_workers();
  for (uint32_t k = 0; k < 10; ++k) ASSERT_TRUE(upsert(k, k).ok());
  ctx_[0].fail_upserts = 2;  // the change, then the first replay attempt
  EXPECT_FALSE(upsert(10, 10).ok());
  ASSERT_TRUE(poll_until_in_sync());
  EXPECT_EQ(mc_->stats().replays_failed, 1u);
  EXPECT_EQ(mc_->stats().replays_ok, 1u);
  EXPECT_EQ(replays_started_, 2);
  EXPECT_TRUE(check().all_agree());
}

TEST_F(CtrlMulticast, DigestMismatchIsDetectedAndRepaired) {
  make(3);
  start_workers();
  for (uint32_t k = 0; k < 20; ++k) ASSERT_TRUE(upsert(k, k + 1).ok());
  ASSERT_TRUE(mc_->multicast_to(std::make_unique<Msg>(kCorrupt), std::vector<size_t>{0}, 2000ms).ok());
  auto rep = check();
  EXPECT_FALSE(rep.status);
  EXPECT_EQ(rep.workers[0], DigestVerdict::kDisagree);
  EXPECT_EQ(rep.workers[1], DigestVerdict::kAgree);
  EXPECT_EQ(rep.workers[2], DigestVerdict::kAgree);
  EXPECT_FALSE(mc_->in_sync(0));
  ASSERT_TRUE(poll_until_in_sync());
  rep = check();
  EXPECT_TRUE(rep.all_agree());  // the replay swept the stray entry
}

TEST_F(CtrlMulticast, MulticastToASubset) {
  make(3);
  start_workers();
  auto r = mc_->multicast_to(Msg::of(kUpsert, Entry{7, 7}), std::vector<size_t>{1, 1}, 2000ms);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.workers[0].outcome, Outcome::kNotSent);
  EXPECT_EQ(r.workers[1].outcome, Outcome::kOk);
  EXPECT_EQ(r.workers[2].outcome, Outcome::kNotSent);
  r = mc_->multicast_to(Msg::of(kUpsert, Entry{7, 7}), std::vector<size_t>{3}, 2000ms);
  EXPECT_EQ(r.status.code(), EINVAL);
  EXPECT_EQ(mc_->multicast(nullptr).status.code(), EINVAL);
  EXPECT_EQ(mc_->live_messages(), 0u);
}

TEST_F(CtrlMulticast, UnknownMessageTypeFails) {
  make(2);
  start_workers();
  auto r = mc_->multicast(std::make_unique<Msg>(kNoHandler));
  EXPECT_EQ(r.status.code(), EOPNOTSUPP);
  EXPECT_EQ(r.workers[0].outcome, Outcome::kFailed);
  EXPECT_EQ(mc_->set_handler(kMaxMsgTypes, &on_upsert).code(), EINVAL);
  EXPECT_EQ(mc_->set_handler(kUpsert, &on_delete).code(), EEXIST);
}

// No worker threads below: the test thread plays the worker, so every step is deterministic.

TEST_F(CtrlMulticast, DrainRunsAtMostMaxMessages) {
  make(1);
  mc_->set_replay_source(nullptr);
  for (uint32_t k = 0; k < 10; ++k) {
    auto r = upsert(k, k, 0ms);
    EXPECT_EQ(r.workers[0].outcome, Outcome::kTimedOut);
  }
  EXPECT_EQ(mc_->in_flight(0), 10u);
  EXPECT_EQ(mc_->drain(0, 3, &ctx_[0]), 3u);
  EXPECT_EQ(ctx_[0].table.size(), 3u);
  EXPECT_EQ(mc_->drain(0, 3, &ctx_[0]), 3u);
  EXPECT_EQ(mc_->drain(0, 3, &ctx_[0]), 3u);
  EXPECT_EQ(mc_->drain(0, 3, &ctx_[0]), 1u);
  EXPECT_EQ(mc_->drain(0, 3, &ctx_[0]), 0u);
  EXPECT_EQ(mc_->drain(5, 3, &ctx_[0]), 0u);  // no such worker
  EXPECT_EQ(mc_->live_messages(), 10u);
  mc_->poll();
  EXPECT_EQ(mc_->live_messages(), 0u);
  EXPECT_EQ(mc_->in_flight(0), 0u);
  EXPECT_EQ(mc_->stats().late_returns, 10u);
  EXPECT_EQ(ctx_[0].table.size(), 10u);
}

TEST_F(CtrlMulticast, FullRingFailsForThatWorkerWithoutGrowth) {
  make(2, /*ring=*/4);
  mc_->set_replay_source(nullptr);
  for (uint32_t k = 0; k < 4; ++k) upsert(k, k, 0ms);
  auto r = upsert(4, 4, 0ms);
  EXPECT_EQ(r.status.code(), ENOBUFS);
  EXPECT_EQ(r.workers[0].outcome, Outcome::kRingFull);
  EXPECT_EQ(r.workers[1].outcome, Outcome::kRingFull);
  EXPECT_EQ(mc_->in_flight(0), 4u);
  EXPECT_EQ(mc_->live_messages(), 4u);  // the refused message was freed at once
  EXPECT_EQ(mc_->drain(0, 100, &ctx_[0]), 4u);
  EXPECT_EQ(mc_->drain(1, 100, &ctx_[1]), 4u);
  mc_->poll();
  EXPECT_EQ(mc_->live_messages(), 0u);
  EXPECT_EQ(mc_->in_flight(0), 0u);
}

TEST_F(CtrlMulticast, DestroyingWithMessagesInFlightFreesThem) {
  // Run under ASan: nothing may leak with messages still in the rings or held by stopped workers.
  make(2, 8);
  for (uint32_t k = 0; k < 6; ++k) upsert(k, k, 0ms);
  mc_->drain(0, 2, &ctx_[0]);  // some returned-but-uncollected, some never drained
  EXPECT_EQ(mc_->live_messages(), 6u);
  mc_.reset();
}

TEST_F(CtrlMulticast, EventsAreDeliveredInOrderAndOverflowIsCounted) {
  make(2, 8, /*events=*/4);
  std::vector<std::pair<uint16_t, uint32_t>> got;
  mc_->set_event_handler([&](const WorkerEvent& ev) {
    uint32_t v = 0;
    ASSERT_EQ(ev.len, sizeof v);
    std::memcpy(&v, ev.data, sizeof v);
    got.push_back({ev.worker, v});
  });
  for (uint32_t i = 0; i < 6; ++i) EXPECT_EQ(mc_->post_event(1, 7, &i, sizeof i), i < 4);
  uint8_t big[57] = {};
  EXPECT_FALSE(mc_->post_event(0, 7, big, sizeof big));
  EXPECT_EQ(mc_->events_dropped(1), 2u);
  EXPECT_EQ(mc_->events_dropped(0), 1u);
  mc_->poll();
  ASSERT_EQ(got.size(), 4u);
  for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(got[i], (std::pair<uint16_t, uint32_t>{1, i}));
  uint32_t again = 9;
  EXPECT_TRUE(mc_->post_event(1, 7, &again, sizeof again));  // room again
}

TEST_F(CtrlMulticast, EventsFromWorkerThreads) {
  make(2, 8, 256);
  std::map<uint16_t, std::vector<uint32_t>> got;
  mc_->set_event_handler([&](const WorkerEvent& ev) {
    uint32_t v;
    std::memcpy(&v, ev.data, sizeof v);
    got[ev.worker].push_back(v);
  });
  constexpr uint32_t kPerWorker = 2000;
  std::vector<std::thread> posters;
  for (size_t w = 0; w < 2; ++w) {
    posters.emplace_back([&, w] {
      for (uint32_t i = 0; i < kPerWorker; ++i) {
        while (!mc_->post_event(w, 1, &i, sizeof i)) std::this_thread::yield();
      }
    });
  }
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while ((got[0].size() < kPerWorker || got[1].size() < kPerWorker) && std::chrono::steady_clock::now() < deadline) {
    mc_->poll();
    std::this_thread::yield();
  }
  for (auto& t : posters) t.join();
  for (uint16_t w = 0; w < 2; ++w) {
    ASSERT_EQ(got[w].size(), kPerWorker);
    for (uint32_t i = 0; i < kPerWorker; ++i) ASSERT_EQ(got[w][i], i);
  }
}

TEST_F(CtrlMulticast, RandomChangesWithFailuresAndPausesConverge) {
  make(3, 16);
  start_workers();
  std::mt19937 rng(7);
  for (int step = 0; step < 300; ++step) {
    uint32_t k = rng() % 40;
    int what = static_cast<int>(rng() % 20);
    if (what == 0) ctx_[rng() % 3].fail_upserts = 1;
    if (what == 1) {
      size_t w = rng() % 3;
      pause(w);
      upsert(k, step, 5ms);
      resume(w);
    } else if (what < 8) {
      erase(k);
    } else {
      upsert(k, static_cast<uint32_t>(step));
    }
    if (step % 10 == 0) mc_->poll();
  }
  for (auto& c : ctx_) c.fail_upserts = 0;
  ASSERT_TRUE(poll_until_in_sync());
  auto rep = check();
  EXPECT_TRUE(rep.status) << rep.status.message();
  EXPECT_TRUE(rep.all_agree());
  EXPECT_EQ(mc_->live_messages(), 0u);
  stop_workers();
  for (const auto& c : ctx_) {
    std::map<uint32_t, uint32_t> plain;
    for (auto& [k, v] : c.table) plain[k] = v.first;
    EXPECT_EQ(plain, model_);
  }
}

}  // namespace
}  // namespace dplb::ctrl
