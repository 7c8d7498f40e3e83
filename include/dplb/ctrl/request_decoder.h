// Incremental decoder of the request stream of one connection: bytes in (any split), complete
// requests or a protocol error out. Pure (no I/O) so it can be fuzzed. The header is validated
// before any payload memory is taken, and the payload buffer grows with the bytes received, so a
// hostile length never causes an allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "dplb/base/status.h"
#include "dplb/ctrl/wire.h"

namespace dplb::ctrl {

struct Request {
  Kind kind = Kind::kGet;
  uint32_t op = 0;
  std::vector<uint8_t> payload;
};

class RequestDecoder {
 public:
  enum class State {
    kNeedMore,  // feed more bytes
    kReady,     // a complete request waits in take(); feed consumes nothing until it is taken
    kError,     // the stream is broken (bad header): error() says why; it cannot be resynchronised
  };

  // Consumes bytes up to the end of the current request (or up to a bad header) and returns how
  // many were consumed: the caller keeps the rest for the next feed, after take().
  size_t feed(std::span<const uint8_t> data);

  State state() const { return state_; }
  // Moves the complete request out and starts on the next one. Only in kReady.
  Request take();
  const Status& error() const { return error_; }

  // How many more bytes the current request needs (header or payload); 0 unless kNeedMore.
  // Reading no more than this never pulls bytes of the next request out of the socket.
  size_t bytes_wanted() const;
  // True when part of a request has been received (a disconnect now truncates it).
  bool mid_request() const { return state_ == State::kNeedMore && (header_len_ > 0 || in_payload_); }

 private:
  State state_ = State::kNeedMore;
  RequestHeader header_{};
  size_t header_len_ = 0;  // bytes of header_ received
  bool in_payload_ = false;
  Request current_;
  size_t payload_len_ = 0;  // announced payload length of the current request
  Status error_;
};

}  // namespace dplb::ctrl
