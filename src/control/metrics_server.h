// The metrics endpoint's sockets (main lcore): a non-blocking TCP listener and its connections,
// driven from the daemon's poll() loop beside the control socket (add_pollfds, poll_timeout_ms,
// service). One request per connection: a scraper that sends nothing, or garbage, is closed at a
// short deadline or at once; a slow reader of the answer at a longer one. Nothing here blocks.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/base/status.h"

namespace dplb::dp {

class MetricsServer {
 public:
  using Clock = std::chrono::steady_clock;
  // Builds the exposition text of one scrape.
  using Render = std::function<std::string()>;

  struct Options {
    size_t max_clients = 16;                         // beyond: accepted and closed at once
    std::chrono::milliseconds request_deadline{1000};  // from accept to a complete request
    std::chrono::milliseconds answer_deadline{10000};  // to take the whole answer
    // Scrapes this close to the last rendering share its text: a flood of scrapers costs the main
    // lcore one rendering per window, not one per request.
    std::chrono::milliseconds reuse_window{250};
  };

  struct Stats {
    uint64_t scrapes = 0;         // GET /metrics answered
    uint64_t renders = 0;         // texts built (scrapes within reuse_window share one)
    uint64_t refused = 0;         // answered 4xx/5xx (another path, method, garbage, too large)
    uint64_t timeouts = 0;        // closed at a deadline
    uint64_t busy = 0;            // closed at once: max_clients reached
    double last_render_seconds = 0;  // how long the last scrape's text took to build
  };

  explicit MetricsServer(Render render) : MetricsServer(std::move(render), Options{}) {}
  MetricsServer(Render render, Options options);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Listens on addr:port (port 0: any free port, see port()).
  Status open(Ip4 addr, uint16_t port);
  void close();
  uint16_t port() const { return port_; }

  void add_pollfds(std::vector<pollfd>& fds) const;
  // Milliseconds until the next connection deadline (rounded up), -1 when there is none.
  int poll_timeout_ms(Clock::time_point now) const;
  // Handles this server's ready descriptors among fds, then closes connections past their deadline.
  void service(std::span<const pollfd> fds, Clock::time_point now);

  size_t client_count() const { return conns_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Conn;

  void accept_clients(Clock::time_point now);
  void read_request(Conn& c, Clock::time_point now);
  void answer(Conn& c, int status, std::shared_ptr<const std::string> body, Clock::time_point now);
  std::shared_ptr<const std::string> metrics_text(Clock::time_point now);
  void write_answer(Conn& c);

  Render render_;
  Options options_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::shared_ptr<const std::string> text_;  // the last rendering, shared by the answers sending it
  Clock::time_point text_at_{};
  Stats stats_;
};

}  // namespace dplb::dp
