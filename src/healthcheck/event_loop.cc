#include "healthcheck/event_loop.h"

#include <poll.h>

#include <cerrno>

namespace dplb::hc {

EventLoop::TimerId EventLoop::after(Clock::duration d, std::function<void()> cb) {
  const TimerId id = next_timer_++;
  const auto when = Clock::now() + d;
  timers_.emplace(id, std::make_pair(when, std::move(cb)));
  due_.emplace(when, id);
  return id;
}

void EventLoop::cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  auto [lo, hi] = due_.equal_range(it->second.first);
  for (auto d = lo; d != hi; ++d)
    if (d->second == id) {
      due_.erase(d);
      break;
    }
  timers_.erase(it);
}

void EventLoop::watch(int fd, short events, FdCallback cb) {
  watches_[fd] = Watch{events, next_generation_++, std::move(cb)};
}

void EventLoop::unwatch(int fd) { watches_.erase(fd); }

void EventLoop::run_once(Clock::duration max_wait) {
  auto wait = max_wait;
  if (!due_.empty()) wait = std::min(wait, std::max(Clock::duration::zero(), due_.begin()->first - Clock::now()));
  std::vector<pollfd> fds;
  std::vector<uint64_t> generations;
  for (const auto& [fd, w] : watches_) {
    fds.push_back(pollfd{fd, w.events, 0});
    generations.push_back(w.generation);
  }
  const int ms = int(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
  const int n = ::poll(fds.data(), fds.size(), ms);
  if (n > 0) {
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      // A callback may have unwatched (or rewatched) this fd meanwhile: skip a stale entry.
      auto it = watches_.find(fds[i].fd);
      if (it == watches_.end() || it->second.generation != generations[i]) continue;
      FdCallback cb = it->second.cb;  // a copy: the callback may unwatch itself
      cb(fds[i].revents);
    }
  }
  const auto now = Clock::now();
  while (!due_.empty() && due_.begin()->first <= now) {
    const TimerId id = due_.begin()->second;
    due_.erase(due_.begin());
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;
    auto cb = std::move(it->second.second);
    timers_.erase(it);
    cb();
  }
  retired_.clear();
}

}  // namespace dplb::hc
