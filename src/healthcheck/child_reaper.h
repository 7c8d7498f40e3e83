// The children of dplb-healthcheck (MISC_CHECK scripts, notify scripts): started with `/bin/sh -c`
// in their own process group, reaped on SIGCHLD (the daemon's signalfd calls reap()), never waited
// for in a blocking way.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>

namespace dplb::hc {

class ChildReaper {
 public:
  using Exited = std::function<void(int wait_status)>;

  // -1 when fork failed (errno kept). `exited` may be empty (notify scripts: nobody waits).
  pid_t spawn(const std::string& command, Exited exited);

  // Forget a child (its waiter is gone) and kill its process group.
  void kill(pid_t pid);

  // waitpid(WNOHANG) for every child that ended; calls their callbacks.
  void reap();

 private:
  std::map<pid_t, Exited> children_;
};

}  // namespace dplb::hc
