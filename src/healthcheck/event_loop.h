// dplb-healthcheck's single thread: poll() over the probes' sockets and the signal fd, and timers.
// Every check is a state machine driven from here; nothing blocks but the short control-socket calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace dplb::hc {

using Clock = std::chrono::steady_clock;

class EventLoop {
 public:
  using TimerId = uint64_t;
  using FdCallback = std::function<void(short revents)>;

  TimerId after(Clock::duration d, std::function<void()> cb);
  void cancel(TimerId id);  // unknown or fired ids are ignored

  // One callback per fd; watch() again replaces it (and its events).
  void watch(int fd, short events, FdCallback cb);
  void unwatch(int fd);

  // Objects that must outlive the callback running now (a finished probe): freed between iterations.
  void retire(std::shared_ptr<void> p) { retired_.push_back(std::move(p)); }

  // One poll() (at most `max_wait`, less when a timer is due), then its callbacks and due timers.
  void run_once(Clock::duration max_wait);

 private:
  struct Watch {
    short events;
    uint64_t generation;
    FdCallback cb;
  };
  std::multimap<Clock::time_point, TimerId> due_;
  std::map<TimerId, std::pair<Clock::time_point, std::function<void()>>> timers_;
  std::map<int, Watch> watches_;
  std::vector<std::shared_ptr<void>> retired_;
  TimerId next_timer_ = 1;
  uint64_t next_generation_ = 1;
};

}  // namespace dplb::hc
