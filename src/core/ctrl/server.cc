#include "dplb/ctrl/server.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dplb/ctrl/request_decoder.h"
#include "unix_socket.h"

namespace dplb::ctrl {
namespace {

constexpr size_t kScratchSize = 64 * 1024;
constexpr int kMaxReadsPerService = 32;   // per connection: fairness between clients
constexpr int kMaxAcceptsPerService = 64;
constexpr auto kAcceptPauseOnFdExhaustion = std::chrono::milliseconds(100);

Result<gid_t> lookup_group(const std::string& name) {
  std::vector<char> buf(16 * 1024);
  for (;;) {
    group gr{};
    group* found = nullptr;
    int rc = ::getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found);
    if (rc == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc != 0) return Status::error(rc, "cannot look up group '" + name + "': " + std::strerror(rc));
    if (found == nullptr) return Status::invalid("unknown group '" + name + "'");
    return found->gr_gid;
  }
}

}  // namespace

struct Server::Conn {
  int fd = -1;
  RequestDecoder decoder;
  ReplyHeader out_header{};
  std::vector<uint8_t> out_payload;
  size_t out_pos = 0;  // bytes of header + payload written
  size_t out_len = 0;  // 0 = nothing pending
  bool close_after_reply = false;
  bool dead = false;
  Clock::time_point deadline{};
};

Server::Server(const Registry& registry, Options options)
    : registry_(registry), options_(options), scratch_(kScratchSize) {}

Server::~Server() { close(); }

Status Server::open(const std::string& path, const std::string& group_name) {
  if (is_open()) return Status::error(EBUSY, "control socket already open at " + path_);
  auto addr = make_unix_address(path);
  if (!addr) return addr.status();

  gid_t gid = 0;
  if (!group_name.empty()) {
    auto g = lookup_group(group_name);
    if (!g) return g.status();
    gid = *g;
  }

  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Status::error(EEXIST, path + " exists and is not a socket; not removing it");
    }
    // A socket file: live if someone accepts on it, stale (dead daemon) if refused.
    int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (probe < 0) return Status::error(errno, std::string("socket: ") + std::strerror(errno));
    int rc = ::connect(probe, reinterpret_cast<const sockaddr*>(&*addr), sizeof(sockaddr_un));
    int err = rc == 0 ? 0 : errno;
    ::close(probe);
    if (rc == 0 || err == EAGAIN || err == EINPROGRESS) {
      return Status::error(EADDRINUSE, "another dplb is already serving " + path);
    }
    if (err != ECONNREFUSED) {
      return Status::error(err, "cannot probe existing socket " + path + ": " + std::strerror(err));
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::error(errno, "cannot remove stale socket " + path + ": " + std::strerror(errno));
    }
  } else if (errno != ENOENT) {
    return Status::error(errno, "cannot stat " + path + ": " + std::strerror(errno));
  }

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::error(errno, std::string("socket: ") + std::strerror(errno));
  // The file is created with the process umask: narrow it so the socket is never reachable by
  // others, even for the instant before chmod. umask is process-wide: open() belongs to startup.
  mode_t old_mask = ::umask(0177);
  int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(sockaddr_un));
  int err = errno;
  ::umask(old_mask);
  if (rc != 0) {
    ::close(fd);
    return Status::error(err, "cannot bind " + path + ": " + std::strerror(err));
  }
  auto fail = [&](const std::string& what) {
    int e = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return Status::error(e, what + " " + path + ": " + std::strerror(e));
  };
  if (!group_name.empty()) {
    if (::chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0) return fail("cannot chgrp " + group_name);
    if (::chmod(path.c_str(), 0660) != 0) return fail("cannot chmod");
  } else if (::chmod(path.c_str(), 0600) != 0) {
    return fail("cannot chmod");
  }
  if (::lstat(path.c_str(), &st) != 0) return fail("cannot stat");
  if (::listen(fd, 64) != 0) return fail("cannot listen on");

  listen_fd_ = fd;
  path_ = path;
  sock_dev_ = st.st_dev;
  sock_ino_ = st.st_ino;
  return Status::ok();
}

void Server::close() {
  for (auto& c : conns_) ::close(c->fd);
  conns_.clear();
  if (listen_fd_ < 0) return;
  ::close(listen_fd_);
  listen_fd_ = -1;
  // Remove the file only if it is still ours: another daemon may have replaced it meanwhile.
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == sock_dev_ &&
      st.st_ino == sock_ino_) {
    ::unlink(path_.c_str());
  }
}

void Server::add_pollfds(std::vector<pollfd>& fds) const {
  if (listen_fd_ < 0) return;
  if (Clock::now() >= accept_paused_until_) fds.push_back(pollfd{listen_fd_, POLLIN, 0});
  for (const auto& c : conns_) {
    fds.push_back(pollfd{c->fd, static_cast<short>(c->out_len != 0 ? POLLOUT : POLLIN), 0});
  }
}

int Server::poll_timeout_ms(Clock::time_point now) const {
  Clock::time_point next = Clock::time_point::max();
  for (const auto& c : conns_) next = std::min(next, c->deadline);
  if (accept_paused_until_ > now) next = std::min(next, accept_paused_until_);
  if (next == Clock::time_point::max()) return -1;
  if (next <= now) return 0;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(next - now).count();
  return static_cast<int>(std::min<int64_t>((us + 999) / 1000, INT32_MAX));
}

void Server::service(std::span<const pollfd> fds, Clock::time_point now) {
  if (listen_fd_ < 0) return;
  bool accept_ready = false;
  for (const pollfd& p : fds) {
    if (p.revents == 0) continue;
    if (p.fd == listen_fd_) {
      accept_ready = true;
      continue;
    }
    for (auto& c : conns_) {
      if (c->fd == p.fd && !c->dead) {
        handle(*c, now);
        break;
      }
    }
  }
  for (auto& c : conns_) {
    if (!c->dead && now >= c->deadline) {
      ++stats_.timeouts;
      ::close(c->fd);
      c->dead = true;
    }
  }
  sweep();
  // Last, so a descriptor number reused by a new client is not mistaken for a ready old one.
  if (accept_ready) accept_clients(now);
}

void Server::run_once(int timeout_ms) {
  std::vector<pollfd> fds;
  add_pollfds(fds);
  int t = poll_timeout_ms(Clock::now());
  if (t < 0 || (timeout_ms >= 0 && timeout_ms < t)) t = timeout_ms;
  int rc = ::poll(fds.data(), fds.size(), t);
  if (rc < 0) fds.clear();  // EINTR: only deadlines are handled this round
  service(fds, Clock::now());
}

void Server::accept_clients(Clock::time_point now) {
  for (int i = 0; i < kMaxAcceptsPerService; ++i) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // The pending client stays queued; polling the listener now would spin.
        accept_paused_until_ = now + kAcceptPauseOnFdExhaustion;
      }
      return;
    }
    if (conns_.size() >= options_.max_clients) {
      ++stats_.refused_busy;
      ReplyHeader h = make_reply_header(
          EBUSY, "too many clients (" + std::to_string(options_.max_clients) + ") connected to dplb", 0);
      // Best effort: a fresh socket buffer always has room for one header.
      [[maybe_unused]] ssize_t n = ::send(fd, &h, sizeof h, MSG_DONTWAIT | MSG_NOSIGNAL);
      ::close(fd);
      continue;
    }
    ++stats_.accepted;
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->deadline = now + options_.deadline;
    conns_.push_back(std::move(c));
  }
}

void Server::handle(Conn& c, Clock::time_point now) {
  // A pipelining client may have several requests queued: serve a few per round, not forever.
  for (int round = 0; round < 4 && !c.dead; ++round) {
    if (c.out_len != 0) {
      if (!flush(c)) return drop(c);
      if (c.out_len != 0) return;  // socket full: wait for POLLOUT
      if (c.close_after_reply) {
        ::close(c.fd);
        c.dead = true;
        return;
      }
      c.deadline = now + options_.deadline;  // idle: the next request must come in time
    }
    read_requests(c, now);
    if (c.out_len == 0) return;  // nothing complete yet
  }
}

void Server::read_requests(Conn& c, Clock::time_point now) {
  for (int i = 0; i < kMaxReadsPerService && !c.dead; ++i) {
    // Never read past the current request: what follows stays in the socket until its turn.
    size_t want = std::min(c.decoder.bytes_wanted(), scratch_.size());
    ssize_t n = ::recv(c.fd, scratch_.data(), want, MSG_DONTWAIT);
    if (n == 0) return drop(c);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      return drop(c);
    }
    c.decoder.feed(std::span<const uint8_t>(scratch_.data(), static_cast<size_t>(n)));
    switch (c.decoder.state()) {
      case RequestDecoder::State::kNeedMore:
        continue;
      case RequestDecoder::State::kError:
        ++stats_.protocol_errors;
        c.close_after_reply = true;
        queue_reply(c, c.decoder.error(), {}, now);
        return;
      case RequestDecoder::State::kReady: {
        Request req = c.decoder.take();
        ++stats_.requests;
        std::vector<uint8_t> reply;
        Status s = registry_.dispatch(req.kind, req.op, req.payload, reply);
        queue_reply(c, s, std::move(reply), now);
        return;
      }
    }
  }
}

void Server::queue_reply(Conn& c, const Status& status, std::vector<uint8_t> payload, Clock::time_point now) {
  if (payload.size() > kMaxReplyPayload) payload.clear();  // the registry already refuses these
  c.out_header = make_reply_header(status.code(), status.message(), static_cast<uint32_t>(payload.size()));
  c.out_payload = std::move(payload);
  c.out_pos = 0;
  c.out_len = sizeof(ReplyHeader) + c.out_payload.size();
  c.deadline = now + options_.deadline;  // the reply must be taken in time
}

bool Server::flush(Conn& c) {
  while (c.out_pos < c.out_len) {
    iovec iov[2];
    int iovcnt = 0;
    if (c.out_pos < sizeof(ReplyHeader)) {
      iov[iovcnt++] = {reinterpret_cast<uint8_t*>(&c.out_header) + c.out_pos, sizeof(ReplyHeader) - c.out_pos};
      if (!c.out_payload.empty()) iov[iovcnt++] = {c.out_payload.data(), c.out_payload.size()};
    } else {
      size_t off = c.out_pos - sizeof(ReplyHeader);
      iov[iovcnt++] = {c.out_payload.data() + off, c.out_payload.size() - off};
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(iovcnt);
    ssize_t n = ::sendmsg(c.fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    c.out_pos += static_cast<size_t>(n);
  }
  c.out_len = 0;
  c.out_pos = 0;
  c.out_payload.clear();
  c.out_payload.shrink_to_fit();  // a 64 MiB reply must not stay allocated per idle client
  return true;
}

void Server::drop(Conn& c) {
  if (c.dead) return;
  ++stats_.dropped;
  ::close(c.fd);
  c.dead = true;
}

void Server::sweep() {
  std::erase_if(conns_, [](const std::unique_ptr<Conn>& c) { return c->dead; });
}

}  // namespace dplb::ctrl
