#include "dplb/ctrl/wire.h"

#include <algorithm>
#include <cstdio>

namespace dplb::ctrl {
namespace {

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kGet: return "get";
    case Kind::kSet: return "set";
  }
  return "unknown";
}

RequestHeader make_request_header(Kind kind, uint32_t op, uint32_t payload_len) {
  RequestHeader h{};
  h.magic = kRequestMagic;
  h.version = kWireVersion;
  h.kind = static_cast<uint16_t>(kind);
  h.op = op;
  h.payload_len = payload_len;
  return h;
}

ReplyHeader make_reply_header(int32_t error, std::string_view message, uint32_t payload_len) {
  ReplyHeader h{};
  h.magic = kReplyMagic;
  h.version = kWireVersion;
  h.error = error;
  size_t n = std::min(message.size(), kReplyMessageSize - 1);
  std::memcpy(h.message, message.data(), n);
  h.payload_len = payload_len;
  return h;
}

Status check_request_header(const RequestHeader& h) {
  if (h.magic != kRequestMagic) {
    return Status::error(EPROTO, "bad request magic " + hex32(h.magic) + ": not a dplb client");
  }
  if (h.version != kWireVersion) {
    return Status::error(EPROTO, "unsupported protocol version " + std::to_string(h.version) +
                                     " (this dplb speaks " + std::to_string(kWireVersion) + ")");
  }
  if (!is_valid_kind(h.kind)) {
    return Status::error(EPROTO, "unknown request kind " + std::to_string(h.kind));
  }
  if (h.payload_len > kMaxRequestPayload) {
    return Status::error(EMSGSIZE, "request payload of " + std::to_string(h.payload_len) +
                                       " bytes exceeds the limit of " + std::to_string(kMaxRequestPayload));
  }
  return Status::ok();
}

Status check_reply_header(const ReplyHeader& h) {
  if (h.magic != kReplyMagic) return Status::error(EPROTO, "bad reply magic: not a dplb daemon");
  if (h.version != kWireVersion) {
    return Status::error(EPROTO, "unsupported protocol version " + std::to_string(h.version) +
                                     " from dplb (this tool speaks " + std::to_string(kWireVersion) + ")");
  }
  if (h.payload_len > kMaxReplyPayload) {
    return Status::error(EMSGSIZE, "reply payload of " + std::to_string(h.payload_len) +
                                       " bytes exceeds the limit of " + std::to_string(kMaxReplyPayload));
  }
  return Status::ok();
}

std::string_view reply_message(const ReplyHeader& h) { return fixed_string(h.message); }

bool PayloadWriter::put_bytes(const void* data, size_t n) {
  if (!ok_ || n > limit_ || out_.size() > limit_ - n) return fail();
  if (n == 0) return true;
  const auto* p = static_cast<const uint8_t*>(data);
  out_.insert(out_.end(), p, p + n);
  return true;
}

bool PayloadReader::read_bytes(void* out, size_t n) {
  if (!ok_ || n > remaining()) return fail();
  if (n != 0) std::memcpy(out, data_.data() + pos_, n);
  pos_ += n;
  return true;
}

bool PayloadReader::skip(size_t n) {
  if (!ok_ || n > remaining()) return fail();
  pos_ += n;
  return true;
}

Status PayloadReader::finish(std::string_view what) const {
  if (done()) return Status::ok();
  if (!ok_) return Status::invalid("malformed " + std::string(what) + " payload: truncated");
  return Status::invalid("malformed " + std::string(what) + " payload: " + std::to_string(remaining()) +
                         " trailing bytes");
}

}  // namespace dplb::ctrl
