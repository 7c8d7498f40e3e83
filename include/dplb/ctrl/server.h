// The daemon's control socket (main lcore): a unix stream socket serving get/set requests from
// the tools through the Registry. Non-blocking throughout and driven from the daemon's main loop:
// add_pollfds() + poll_timeout_ms() before its poll(), service() after. A silent or slow client is
// closed at its deadline and never stalls the others.
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dplb/base/status.h"
#include "dplb/ctrl/registry.h"

namespace dplb::ctrl {

class Server {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    size_t max_clients = 64;  // beyond this, a new client gets an EBUSY reply and is closed
    // Time for a request to arrive completely, for its reply to be taken, and for an idle
    // connection to send its next request.
    std::chrono::milliseconds deadline{5000};
  };

  struct Stats {
    uint64_t accepted = 0;
    uint64_t refused_busy = 0;     // over max_clients
    uint64_t requests = 0;         // dispatched
    uint64_t protocol_errors = 0;  // bad header: error reply then close
    uint64_t timeouts = 0;         // closed at the deadline
    uint64_t dropped = 0;          // peer closed or reset (including mid-request)
  };

  // The registry must outlive the server.
  explicit Server(const Registry& registry) : Server(registry, Options{}) {}
  Server(const Registry& registry, Options options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Creates the socket at path: mode 0600 (root only), or 0660 with group group_name when given.
  // A stale socket left by a dead daemon is replaced; a live one (someone accepts connections) is
  // an error, and so is any other kind of file at path, which is never deleted.
  Status open(const std::string& path, const std::string& group_name = "");
  // Closes every connection and the listening socket, and removes the socket file if it is still
  // the one open() created.
  void close();
  bool is_open() const { return listen_fd_ >= 0; }
  const std::string& path() const { return path_; }

  void set_deadline(std::chrono::milliseconds d) { options_.deadline = d; }
  void set_max_clients(size_t n) { options_.max_clients = n; }

  // Appends this server's descriptors with the events it waits for.
  void add_pollfds(std::vector<pollfd>& fds) const;
  // Milliseconds until the next connection deadline (rounded up), -1 when there is none.
  int poll_timeout_ms(Clock::time_point now) const;
  // Handles the ready descriptors among fds (entries that are not this server's are ignored), then
  // closes the connections whose deadline has passed.
  void service(std::span<const pollfd> fds, Clock::time_point now);
  // Convenience for a loop that serves only this socket: poll for at most timeout_ms, then service.
  void run_once(int timeout_ms);

  size_t client_count() const { return conns_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Conn;

  void accept_clients(Clock::time_point now);
  void handle(Conn& c, Clock::time_point now);
  // Reads until a request is complete, the socket would block, or the peer is gone.
  void read_requests(Conn& c, Clock::time_point now);
  void queue_reply(Conn& c, const Status& status, std::vector<uint8_t> payload, Clock::time_point now);
  // Writes pending reply bytes; false when the peer is gone.
  bool flush(Conn& c);
  void drop(Conn& c);
  void sweep();

  const Registry& registry_;
  Options options_;
  std::string path_;
  int listen_fd_ = -1;
  dev_t sock_dev_ = 0;
  ino_t sock_ino_ = 0;
  Clock::time_point accept_paused_until_{};
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<uint8_t> scratch_;
  Stats stats_;
};

}  // namespace dplb::ctrl
