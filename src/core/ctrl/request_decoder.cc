#include "dplb/ctrl/request_decoder.h"

#include <algorithm>
#include <cstring>

namespace dplb::ctrl {

size_t RequestDecoder::feed(std::span<const uint8_t> data) {
  size_t used = 0;
  while (state_ == State::kNeedMore && used < data.size()) {
    if (!in_payload_) {
      size_t n = std::min(sizeof(RequestHeader) - header_len_, data.size() - used);
      std::memcpy(reinterpret_cast<uint8_t*>(&header_) + header_len_, data.data() + used, n);
      header_len_ += n;
      used += n;
      if (header_len_ < sizeof(RequestHeader)) break;
      if (Status s = check_request_header(header_); !s) {
        error_ = std::move(s);
        state_ = State::kError;
        break;
      }
      // Checked above: at most kMaxRequestPayload bytes.
      current_.kind = static_cast<Kind>(header_.kind);
      current_.op = header_.op;
      current_.payload.resize(header_.payload_len);
      payload_len_ = 0;
      in_payload_ = true;
    }
    size_t n = std::min(current_.payload.size() - payload_len_, data.size() - used);
    if (n != 0) std::memcpy(current_.payload.data() + payload_len_, data.data() + used, n);
    payload_len_ += n;
    used += n;
    if (payload_len_ == current_.payload.size()) state_ = State::kReady;
  }
  return used;
}

Request RequestDecoder::take() {
  if (state_ != State::kReady) return Request{};
  Request r = std::move(current_);
  current_ = Request{};
  header_len_ = 0;
  payload_len_ = 0;
  in_payload_ = false;
  state_ = State::kNeedMore;
  return r;
}

size_t RequestDecoder::bytes_wanted() const {
  if (state_ != State::kNeedMore) return 0;
  if (!in_payload_) return sizeof(RequestHeader) - header_len_;
  return current_.payload.size() - payload_len_;
}

}  // namespace dplb::ctrl
