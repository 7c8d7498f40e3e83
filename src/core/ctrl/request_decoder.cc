#include "dplb/ctrl/request_decoder.h"

#include <algorithm>
#include <cstring>

namespace dplb::ctrl {
namespace {

constexpr size_t kInitialPayloadReserve = 64 * 1024;

}  // namespace

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
      current_.kind = static_cast<Kind>(header_.kind);
      current_.op = header_.op;
      // Checked above: at most kMaxRequestPayload. Memory still follows the bytes that actually
      // arrive, so a client announcing 1 MiB and sending nothing costs little.
      payload_len_ = header_.payload_len;
      current_.payload.clear();
      current_.payload.reserve(std::min(payload_len_, kInitialPayloadReserve));
      in_payload_ = true;
    }
    size_t n = std::min(payload_len_ - current_.payload.size(), data.size() - used);
    current_.payload.insert(current_.payload.end(), data.data() + used, data.data() + used + n);
    used += n;
    if (current_.payload.size() == payload_len_) state_ = State::kReady;
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
  return payload_len_ - current_.payload.size();
}

}  // namespace dplb::ctrl
