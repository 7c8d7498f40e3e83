// Client side of the control socket, for the tools (dpip, ipvsadm): one connection, synchronous
// calls with a timeout. Every reply header is checked (magic, version, payload maximum) before
// its payload is allocated.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dplb/base/status.h"
#include "dplb/ctrl/wire.h"

namespace dplb::ctrl {

inline constexpr const char* kDefaultIpcPath = "/var/run/dplb.ipc";
inline constexpr const char* kIpcPathEnv = "DPLB_IPC";
inline constexpr std::chrono::milliseconds kDefaultCallTimeout{10000};

// The socket path a tool uses: its -x option when given (non-null, non-empty), else $DPLB_IPC when
// set and non-empty, else kDefaultIpcPath.
std::string resolve_ipc_path(const char* option_path);

// The daemon's answer. error != 0 is the daemon refusing the request (with a message), which is
// not a transport failure: call() still succeeds.
struct Reply {
  int error = 0;
  std::string message;
  std::vector<uint8_t> payload;

  Status status() const { return error == 0 ? Status::ok() : Status::error(error, message); }
};

class Client {
 public:
  // "cannot connect to dplb at PATH: <strerror>" (errno code) when nobody serves path; ETIMEDOUT
  // when the daemon does not accept the connection within timeout.
  static Result<Client> connect(const std::string& path, std::chrono::milliseconds timeout = kDefaultCallTimeout);

  Client() = default;
  Client(Client&& o) noexcept;
  Client& operator=(Client&& o) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client();

  // Sends one request and waits for its reply, at most timeout in total. A transport error
  // (timeout, daemon gone, malformed reply) closes the connection: the stream position is lost.
  Result<Reply> call(Kind kind, uint32_t op, std::span<const uint8_t> payload,
                     std::chrono::milliseconds timeout = kDefaultCallTimeout);

  bool is_connected() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }
  void close();

 private:
  Status send_all(const void* data, size_t n, std::chrono::steady_clock::time_point deadline);
  Status recv_all(void* data, size_t n, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string path_;
};

}  // namespace dplb::ctrl
