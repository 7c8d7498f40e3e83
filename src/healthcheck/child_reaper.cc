#include "healthcheck/child_reaper.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dplb::hc {

pid_t ChildReaper::spawn(const std::string& command, Exited exited) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    // The child: its own process group (a timeout kills the script and what it started), default
    // signal handling (the parent blocks the ones its signalfd reads).
    ::setpgid(0, 0);
    sigset_t all;
    sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: no race with kill() before the child ran
  children_[pid] = std::move(exited);
  return pid;
}

void ChildReaper::kill(pid_t pid) {
  auto it = children_.find(pid);
  if (it == children_.end()) return;
  ::kill(-pid, SIGKILL);
  it->second = nullptr;  // still reaped, nobody told
}

void ChildReaper::reap() {
  for (;;) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    auto it = children_.find(pid);
    if (it == children_.end()) continue;
    Exited cb = std::move(it->second);
    children_.erase(it);
    if (cb) cb(status);
  }
}

}  // namespace dplb::hc
