#include "control/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>

#include "dplb/metrics/exposition.h"
#include "dplb/metrics/scrape_request.h"

namespace dplb::dp {

struct MetricsServer::Conn {
  int fd = -1;
  std::string request;     // bytes received so far (at most kMaxRequestBytes + 4)
  std::string head;        // the answer's status line and headers, once decided
  std::shared_ptr<const std::string> body;  // shared with other answers of the same rendering
  size_t sent = 0;         // of head, then body
  bool answering = false;
  bool done = false;       // to be closed
  Clock::time_point deadline;
};

MetricsServer::MetricsServer(Render render, Options options) : render_(std::move(render)), options_(options) {}

MetricsServer::~MetricsServer() { close(); }

Status MetricsServer::open(Ip4 addr, uint16_t port) {
  close();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::error(errno, std::string("metrics socket: ") + std::strerror(errno));
  int one = 1;
  (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // restart while old sockets linger
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(addr.v);
  const std::string where = to_string(addr) + ":" + std::to_string(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || ::listen(fd, 16) < 0) {
    int err = errno;
    ::close(fd);
    return Status::error(err, "metrics.listen " + where + ": " + std::strerror(err));
  }
  socklen_t len = sizeof sa;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0) port_ = ntohs(sa.sin_port);
  listen_fd_ = fd;
  return Status::ok();
}

void MetricsServer::close() {
  for (auto& c : conns_) ::close(c->fd);
  conns_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

void MetricsServer::add_pollfds(std::vector<pollfd>& fds) const {
  if (listen_fd_ < 0) return;
  fds.push_back({listen_fd_, POLLIN, 0});
  for (const auto& c : conns_) fds.push_back({c->fd, short(c->answering ? POLLOUT : POLLIN), 0});
}

int MetricsServer::poll_timeout_ms(Clock::time_point now) const {
  if (conns_.empty()) return -1;
  Clock::time_point first = conns_.front()->deadline;
  for (const auto& c : conns_) first = std::min(first, c->deadline);
  if (first <= now) return 0;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(first - now).count();
  return int((us + 999) / 1000);
}

void MetricsServer::service(std::span<const pollfd> fds, Clock::time_point now) {
  if (listen_fd_ < 0) return;
  for (const pollfd& p : fds) {
    if (p.revents == 0) continue;
    if (p.fd == listen_fd_) {
      accept_clients(now);
      continue;
    }
    for (auto& c : conns_) {
      if (c->fd != p.fd || c->done) continue;
      if (c->answering) {
        if (p.revents & (POLLOUT | POLLERR | POLLHUP)) write_answer(*c);
      } else {
        read_request(*c, now);
      }
    }
  }
  for (auto& c : conns_) {
    if (!c->done && now >= c->deadline) {
      ++stats_.timeouts;
      c->done = true;
    }
  }
  std::erase_if(conns_, [](const std::unique_ptr<Conn>& c) {
    if (c->done) ::close(c->fd);
    return c->done;
  });
}

void MetricsServer::accept_clients(Clock::time_point now) {
  // Bounded per call: a connection flood cannot keep the main lcore here.
  for (int i = 0; i < 64; ++i) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: none left; other errors (EMFILE...): retried at the next poll
    if (conns_.size() >= options_.max_clients) {
      ++stats_.busy;
      ::close(fd);
      continue;
    }
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->deadline = now + options_.request_deadline;
    conns_.push_back(std::move(c));
  }
}

void MetricsServer::read_request(Conn& c, Clock::time_point now) {
  char buf[1024];
  for (;;) {
    const size_t room = metrics::kMaxRequestBytes + 4 - c.request.size();
    ssize_t n = ::recv(c.fd, buf, std::min(room, sizeof buf), 0);
    if (n == 0) {
      c.done = true;  // the scraper gave up before a whole request
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) c.done = true;
      return;
    }
    c.request.append(buf, size_t(n));
    const metrics::ScrapeRequest r = metrics::parse_scrape_request(c.request);
    if (r.state == metrics::RequestState::incomplete) continue;  // the parser bounds the head
    if (r.state == metrics::RequestState::bad) {
      ++stats_.refused;
      answer(c, r.status, std::make_shared<const std::string>(std::string(r.why) + "\n"), now);
      return;
    }
    std::shared_ptr<const std::string> text = metrics_text(now);
    if (!text) {
      answer(c, 503, std::make_shared<const std::string>("metrics unavailable: out of memory\n"), now);
      return;
    }
    ++stats_.scrapes;
    answer(c, 200, std::move(text), now);
    return;
  }
}

std::shared_ptr<const std::string> MetricsServer::metrics_text(Clock::time_point now) {
  if (text_ && now - text_at_ < options_.reuse_window) return text_;
  const auto start = Clock::now();
  try {
    text_ = std::make_shared<const std::string>(render_());
  } catch (const std::bad_alloc&) {
    text_.reset();  // a daemon short of memory answers 503 and keeps forwarding
    return nullptr;
  }
  text_at_ = now;
  ++stats_.renders;
  stats_.last_render_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return text_;
}

void MetricsServer::answer(Conn& c, int status, std::shared_ptr<const std::string> body, Clock::time_point now) {
  const std::string_view type = status == 200 ? metrics::kContentType : std::string_view("text/plain; charset=utf-8");
  c.head = metrics::response_head(status, type, body->size());
  c.body = std::move(body);
  c.answering = true;
  c.deadline = now + options_.answer_deadline;
  write_answer(c);
}

void MetricsServer::write_answer(Conn& c) {
  const size_t total = c.head.size() + c.body->size();
  while (c.sent < total) {
    const bool in_head = c.sent < c.head.size();
    const char* from = in_head ? c.head.data() + c.sent : c.body->data() + (c.sent - c.head.size());
    const size_t len = in_head ? c.head.size() - c.sent : total - c.sent;
    // MSG_MORE: the head and the start of the body leave in one segment.
    ssize_t n = ::send(c.fd, from, len, MSG_NOSIGNAL | (in_head ? MSG_MORE : 0));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) c.done = true;
      return;  // the rest when the socket has room again (POLLOUT)
    }
    c.sent += size_t(n);
  }
  ::shutdown(c.fd, SHUT_WR);
  c.done = true;
}

}  // namespace dplb::dp
