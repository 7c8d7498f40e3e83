#include "dplb/ctrl/spsc_ring.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <thread>

namespace dplb::ctrl {
namespace {

TEST(CtrlSpscRing, CapacityIsAPowerOfTwo) {
  EXPECT_EQ(SpscRing<int>(0).capacity(), 2u);
  EXPECT_EQ(SpscRing<int>(1).capacity(), 2u);
  EXPECT_EQ(SpscRing<int>(8).capacity(), 8u);
  EXPECT_EQ(SpscRing<int>(9).capacity(), 16u);
}

TEST(CtrlSpscRing, FifoFullAndEmpty) {
  SpscRing<int> r(4);
  int v = -1;
  EXPECT_FALSE(r.try_pop(v));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(r.try_push(i));
  EXPECT_FALSE(r.try_push(99));  // full: every slot is usable, none more
  EXPECT_EQ(r.size_approx(), 4u);
  EXPECT_EQ(r.free_space(), 0u);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(r.try_pop(v));
    EXPECT_EQ(v, i);
  }
  EXPECT_FALSE(r.try_pop(v));
  EXPECT_TRUE(r.empty_approx());
  EXPECT_EQ(r.free_space(), 4u);
}

TEST(CtrlSpscRing, MatchesADequeAcrossWrapAround) {
  // Reference model: a deque bounded by the capacity.
  SpscRing<uint32_t> r(8);
  std::deque<uint32_t> model;
  std::mt19937 rng(5);
  uint32_t next = 0;
  for (int step = 0; step < 20000; ++step) {
    if (rng() % 2) {
      uint32_t items[5];
      size_t n = rng() % 6;
      for (size_t i = 0; i < n; ++i) items[i] = next + static_cast<uint32_t>(i);
      size_t pushed = r.push_bulk(items, n);
      size_t expect = std::min(n, 8 - model.size());
      ASSERT_EQ(pushed, expect);
      for (size_t i = 0; i < pushed; ++i) model.push_back(items[i]);
      next += static_cast<uint32_t>(pushed);
    } else {
      uint32_t out[5];
      size_t n = rng() % 6;
      size_t popped = r.pop_bulk(out, n);
      ASSERT_EQ(popped, std::min(n, model.size()));
      for (size_t i = 0; i < popped; ++i) {
        ASSERT_EQ(out[i], model.front());
        model.pop_front();
      }
    }
    ASSERT_EQ(r.size_approx(), model.size());
  }
}

TEST(CtrlSpscRing, TwoThreadsKeepOrderAndLoseNothing) {
  // Sized so that a loaded machine (the two threads time-sliced on one core) still finishes fast:
  // each hand-off may cost a scheduler slice.
  SpscRing<uint64_t> r(1024);
  constexpr uint64_t kCount = 100000;
  std::thread producer([&] {
    uint64_t i = 0;
    while (i < kCount) {
      uint64_t batch[7];
      size_t n = std::min<uint64_t>(1 + i % 7, kCount - i);
      for (size_t k = 0; k < n; ++k) batch[k] = i + k;
      size_t pushed = r.push_bulk(batch, n);
      i += pushed;
      if (pushed == 0) std::this_thread::yield();
    }
  });
  uint64_t expect = 0;
  uint64_t sum = 0;
  while (expect < kCount) {
    uint64_t out[16];
    size_t n = r.pop_bulk(out, 1 + expect % 16);
    for (size_t k = 0; k < n; ++k) {
      ASSERT_EQ(out[k], expect);
      sum += out[k];
      ++expect;
    }
    if (n == 0) std::this_thread::yield();
  }
  producer.join();
  EXPECT_EQ(sum, kCount * (kCount - 1) / 2);
  uint64_t v;
  EXPECT_FALSE(r.try_pop(v));
}

TEST(CtrlSpscRing, IndicesLiveOnSeparateCacheLines) {
  // head and tail written by different cores must not share a line (the ring's whole point).
  EXPECT_GE(sizeof(SpscRing<int>), 3 * kCacheLine);
  EXPECT_EQ(alignof(SpscRing<int>), kCacheLine);
}

}  // namespace
}  // namespace dplb::ctrl
