// A non-blocking TCP connect with a deadline, from an optional source address (bindto): the first
// step of TCP_CHECK, HTTP_GET and SSL_GET. The kernel picks the route, so a check leaves through
// dplb's tap when the real servers' subnet is routed there (docs/healthcheck.md).
#pragma once

#include <functional>
#include <string>

#include "dplb/base/addr.h"
#include "dplb/keepalived/keepalived_conf.h"
#include "healthcheck/event_loop.h"

namespace dplb::hc {

class TcpConnect {
 public:
  // fd >= 0: connected, the callee owns it; else `why` says what failed.
  using Done = std::function<void(int fd, std::string why)>;

  TcpConnect(EventLoop& loop, const keepalived::Checker& checker, Done done);
  ~TcpConnect();
  TcpConnect(const TcpConnect&) = delete;
  TcpConnect& operator=(const TcpConnect&) = delete;

 private:
  void finish(bool connected, std::string why);

  EventLoop& loop_;
  Done done_;
  int fd_ = -1;
  EventLoop::TimerId timer_ = 0;
};

// strerror(err), for "connect: Connection refused" messages.
std::string errno_text(int err);

}  // namespace dplb::hc
