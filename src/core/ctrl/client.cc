#include "dplb/ctrl/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>

#include "unix_socket.h"

namespace dplb::ctrl {
namespace {

using Clock = std::chrono::steady_clock;

int ms_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left + 1, INT32_MAX));
}

}  // namespace

std::string resolve_ipc_path(const char* option_path) {
  if (option_path != nullptr && *option_path != '\0') return option_path;
  const char* env = std::getenv(kIpcPathEnv);
  if (env != nullptr && *env != '\0') return env;
  return kDefaultIpcPath;
}

Result<Client> Client::connect(const std::string& path, std::chrono::milliseconds timeout) {
  auto addr = make_unix_address(path);
  if (!addr) return addr.status();
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::error(errno, std::string("socket: ") + std::strerror(errno));
  // A unix connect completes at once or fails, except when the daemon's backlog is full (a wedged
  // daemon): non-blocking, that is EAGAIN, retried until the timeout.
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(sockaddr_un)) == 0) break;
    int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    ::close(fd);
    if (err == EAGAIN) {
      return Status::error(ETIMEDOUT, "cannot connect to dplb at " + path + ": it is not accepting connections");
    }
    return Status::error(err, "cannot connect to dplb at " + path + ": " + std::strerror(err));
  }
  Client c;
  c.fd_ = fd;
  c.path_ = path;
  return c;
}

Client::Client(Client&& o) noexcept : fd_(std::exchange(o.fd_, -1)), path_(std::move(o.path_)) {}

Client& Client::operator=(Client&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = std::exchange(o.fd_, -1);
    path_ = std::move(o.path_);
  }
  return *this;
}

Client::~Client() { close(); }

void Client::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status Client::send_all(const void* data, size_t n, Clock::time_point deadline) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    ssize_t w = ::send(fd_, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (w > 0) {
      p += w;
      n -= static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd pfd{fd_, POLLOUT, 0};
      int rc = ::poll(&pfd, 1, ms_until(deadline));
      if (rc == 0) return Status::error(ETIMEDOUT, "timed out sending to dplb at " + path_);
      continue;
    }
    return Status::error(errno, "cannot send to dplb at " + path_ + ": " + std::strerror(errno));
  }
  return Status::ok();
}

Status Client::recv_all(void* data, size_t n, Clock::time_point deadline) {
  auto* p = static_cast<uint8_t*>(data);
  while (n > 0) {
    ssize_t r = ::recv(fd_, p, n, MSG_DONTWAIT);
    if (r > 0) {
      p += r;
      n -= static_cast<size_t>(r);
      continue;
    }
    if (r == 0) return Status::error(ECONNRESET, "dplb at " + path_ + " closed the connection");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd pfd{fd_, POLLIN, 0};
      int rc = ::poll(&pfd, 1, ms_until(deadline));
      if (rc == 0) return Status::error(ETIMEDOUT, "timed out waiting for a reply from dplb at " + path_);
      continue;
    }
    return Status::error(errno, "cannot receive from dplb at " + path_ + ": " + std::strerror(errno));
  }
  return Status::ok();
}

Result<Reply> Client::call(Kind kind, uint32_t op, std::span<const uint8_t> payload,
                           std::chrono::milliseconds timeout) {
  if (fd_ < 0) return Status::error(ENOTCONN, "not connected to dplb");
  if (payload.size() > kMaxRequestPayload) {
    return Status::error(EMSGSIZE, "request payload of " + std::to_string(payload.size()) +
                                       " bytes exceeds the limit of " + std::to_string(kMaxRequestPayload));
  }
  const auto deadline = Clock::now() + timeout;
  RequestHeader h = make_request_header(kind, op, static_cast<uint32_t>(payload.size()));
  Status sent = send_all(&h, sizeof h, deadline);
  if (sent) sent = send_all(payload.data(), payload.size(), deadline);
  // A daemon that refuses the request (busy, protocol error) replies and closes, possibly before
  // reading it all: look for that reply before reporting the send failure.
  if (!sent && sent.code() != EPIPE && sent.code() != ECONNRESET) {
    close();
    return sent;
  }

  ReplyHeader rh{};
  if (Status s = recv_all(&rh, sizeof rh, deadline); !s) {
    close();
    return sent ? s : sent;
  }
  if (Status s = check_reply_header(rh); !s) {
    close();
    return Status::error(s.code(), "malformed reply from dplb at " + path_ + ": " + s.message());
  }
  Reply reply;
  reply.error = rh.error;
  reply.message = std::string(reply_message(rh));
  reply.payload.resize(rh.payload_len);  // bounded by check_reply_header
  if (Status s = recv_all(reply.payload.data(), reply.payload.size(), deadline); !s) {
    close();
    return s;
  }
  if (!sent) close();  // the daemon closes after such a reply
  return reply;
}

}  // namespace dplb::ctrl
