#include "healthcheck/tcp_connect.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dplb::hc {
namespace {

sockaddr_in sockaddr_of(Ip4 ip, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(ip.v);
  sa.sin_port = htons(port);
  return sa;
}

}  // namespace

std::string errno_text(int err) { return std::strerror(err); }

TcpConnect::TcpConnect(EventLoop& loop, const keepalived::Checker& c, Done done) : loop_(loop), done_(std::move(done)) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    const int e = errno;
    // Reported from the loop, not from inside the constructor: the caller is not set up yet.
    timer_ = loop_.after(Clock::duration::zero(), [this, e] { finish(false, "socket: " + errno_text(e)); });
    return;
  }
  if (c.bindto || c.bind_port) {
    sockaddr_in src = sockaddr_of(c.bindto.value_or(Ip4()), c.bind_port);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
      const int e = errno;
      timer_ = loop_.after(Clock::duration::zero(), [this, e] { finish(false, "bindto: " + errno_text(e)); });
      return;
    }
  }
  sockaddr_in dst = sockaddr_of(c.connect.ip, c.connect.port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0 && errno != EINPROGRESS) {
    const int e = errno;
    timer_ = loop_.after(Clock::duration::zero(), [this, e] { finish(false, "connect: " + errno_text(e)); });
    return;
  }
  timer_ = loop_.after(c.connect_timeout, [this] { finish(false, "connect: timed out"); });
  loop_.watch(fd_, POLLOUT, [this](short) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0)
      finish(false, "connect: " + errno_text(err));
    else
      finish(true, {});
  });
}

TcpConnect::~TcpConnect() {
  loop_.cancel(timer_);
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    ::close(fd_);
  }
}

void TcpConnect::finish(bool connected, std::string why) {
  loop_.cancel(timer_);
  timer_ = 0;
  int fd = -1;
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    if (connected)
      fd = fd_;
    else
      ::close(fd_);
    fd_ = -1;
  }
  Done done = std::move(done_);
  done(fd, std::move(why));  // last: it may destroy this
}

}  // namespace dplb::hc
