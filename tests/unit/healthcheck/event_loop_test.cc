// dplb-healthcheck's event loop: timers in time order, cancel, fd callbacks that unwatch themselves,
// and objects retired until the iteration ends.
#include "healthcheck/event_loop.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <memory>
#include <vector>

namespace dplb::hc {
namespace {

using std::chrono::milliseconds;

TEST(EventLoop, TimersFireInTimeOrderAndCancelledOnesNever) {
  EventLoop loop;
  std::vector<int> fired;
  loop.after(milliseconds(30), [&] { fired.push_back(3); });
  loop.after(milliseconds(10), [&] { fired.push_back(1); });
  const auto cancelled = loop.after(milliseconds(20), [&] { fired.push_back(2); });
  loop.cancel(cancelled);
  loop.cancel(cancelled);  // twice: ignored
  loop.cancel(12345);      // unknown: ignored
  const auto deadline = Clock::now() + milliseconds(500);
  while (fired.size() < 2 && Clock::now() < deadline) loop.run_once(milliseconds(50));
  EXPECT_EQ(fired, (std::vector<int>{1, 3}));
}

TEST(EventLoop, AReadableFdAndACallbackThatUnwatchesItself) {
  EventLoop loop;
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  int calls = 0;
  loop.watch(p[0], POLLIN, [&](short revents) {
    ++calls;
    EXPECT_TRUE(revents & POLLIN);
    loop.unwatch(p[0]);
  });
  loop.run_once(milliseconds(10));
  EXPECT_EQ(calls, 0);  // nothing to read yet
  ASSERT_EQ(::write(p[1], "x", 1), 1);
  loop.run_once(milliseconds(100));
  loop.run_once(milliseconds(10));  // unwatched: not called again although still readable
  EXPECT_EQ(calls, 1);
  ::close(p[0]);
  ::close(p[1]);
}

TEST(EventLoop, RetiredObjectsLiveUntilTheIterationEnds) {
  EventLoop loop;
  auto alive = std::make_shared<int>(1);
  std::weak_ptr<int> watch = alive;
  loop.after(milliseconds(0), [&] {
    loop.retire(std::move(alive));
    EXPECT_FALSE(watch.expired());  // still usable by the code running now
  });
  loop.run_once(milliseconds(10));
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace dplb::hc
