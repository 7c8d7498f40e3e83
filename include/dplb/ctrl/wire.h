// IPC wire format between the dplb daemon and its tools (dpip, ipvsadm): a fixed-width request or
// reply header followed by a payload of module-defined fixed-width records. Host byte order (unix
// socket, same host), versioned; every length is checked against its maximum before anything is
// allocated, on both sides.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "dplb/base/status.h"

namespace dplb::ctrl {

inline constexpr uint32_t kRequestMagic = 0x51524c44;  // "DLRQ" in memory on little-endian hosts
inline constexpr uint32_t kReplyMagic = 0x50524c44;    // "DLRP"
inline constexpr uint16_t kWireVersion = 1;
inline constexpr uint32_t kMaxRequestPayload = 1u << 20;   // 1 MiB
inline constexpr uint32_t kMaxReplyPayload = 64u << 20;    // 64 MiB
inline constexpr size_t kReplyMessageSize = 112;           // including the terminating NUL

// get = read-only query, set = change. Operation ids are allocated per module in the Registry.
enum class Kind : uint16_t { kGet = 1, kSet = 2 };

constexpr bool is_valid_kind(uint16_t k) { return k == uint16_t(Kind::kGet) || k == uint16_t(Kind::kSet); }
const char* kind_name(Kind k);

struct RequestHeader {
  uint32_t magic;
  uint16_t version;
  uint16_t kind;  // Kind
  uint32_t op;
  uint32_t payload_len;
};
static_assert(sizeof(RequestHeader) == 16);
static_assert(offsetof(RequestHeader, magic) == 0);
static_assert(offsetof(RequestHeader, version) == 4);
static_assert(offsetof(RequestHeader, kind) == 6);
static_assert(offsetof(RequestHeader, op) == 8);
static_assert(offsetof(RequestHeader, payload_len) == 12);
static_assert(std::is_trivially_copyable_v<RequestHeader>);

struct ReplyHeader {
  uint32_t magic;
  uint16_t version;
  uint16_t reserved;  // zero
  int32_t error;      // errno value, 0 = ok
  char message[kReplyMessageSize];  // NUL-terminated, empty when ok
  uint32_t payload_len;
};
static_assert(sizeof(ReplyHeader) == 128);
static_assert(offsetof(ReplyHeader, magic) == 0);
static_assert(offsetof(ReplyHeader, version) == 4);
static_assert(offsetof(ReplyHeader, reserved) == 6);
static_assert(offsetof(ReplyHeader, error) == 8);
static_assert(offsetof(ReplyHeader, message) == 12);
static_assert(offsetof(ReplyHeader, payload_len) == 124);
static_assert(std::is_trivially_copyable_v<ReplyHeader>);

RequestHeader make_request_header(Kind kind, uint32_t op, uint32_t payload_len);
// The message is truncated to fit (kReplyMessageSize - 1 characters).
ReplyHeader make_reply_header(int32_t error, std::string_view message, uint32_t payload_len);

// EPROTO for a wrong magic, version or kind; EMSGSIZE for a payload over kMaxRequestPayload.
Status check_request_header(const RequestHeader& h);
// EPROTO for a wrong magic or version; EMSGSIZE for a payload over kMaxReplyPayload.
Status check_reply_header(const ReplyHeader& h);
// The message up to its NUL, never reading past the array even if the peer forgot the NUL.
std::string_view reply_message(const ReplyHeader& h);

// Fixed-size character arrays inside payload records (interface names, scheduler names...).
// Returns false (and stores nothing) when s does not fit with its NUL or contains a NUL.
template <size_t N>
bool set_fixed_string(char (&dst)[N], std::string_view s) {
  if (s.size() >= N || s.find('\0') != std::string_view::npos) return false;
  std::memset(dst, 0, N);
  std::memcpy(dst, s.data(), s.size());
  return true;
}
template <size_t N>
std::string_view fixed_string(const char (&src)[N]) {
  return std::string_view(src, ::strnlen(src, N));
}

// Appends fixed-width records to a payload, refusing to grow past a limit (the payload maximum of
// the direction). Once a put fails the writer stays failed: check ok() once at the end.
class PayloadWriter {
 public:
  explicit PayloadWriter(std::vector<uint8_t>& out, size_t limit = kMaxReplyPayload)
      : out_(out), limit_(limit) {}

  template <typename T>
  bool put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>, "payload records must be trivially copyable");
    return put_bytes(&v, sizeof(T));
  }
  template <typename T>
  bool put_array(std::span<const T> items) {
    static_assert(std::is_trivially_copyable_v<T>, "payload records must be trivially copyable");
    return put_bytes(items.data(), items.size_bytes());
  }
  // A uint32 count followed by the records: the reader's read_counted_array.
  template <typename T>
  bool put_counted_array(std::span<const T> items) {
    if (items.size() > UINT32_MAX) return fail();
    return put(static_cast<uint32_t>(items.size())) && put_array(items);
  }
  bool put_bytes(const void* data, size_t n);

  bool ok() const { return ok_; }
  size_t size() const { return out_.size(); }

 private:
  bool fail() {
    ok_ = false;
    return false;
  }
  std::vector<uint8_t>& out_;
  size_t limit_;
  bool ok_ = true;
};

// Reads fixed-width records from a payload. Every read checks the remaining bytes first; array
// counts are checked against the remaining bytes before anything is allocated. Once a read fails
// the reader stays failed.
class PayloadReader {
 public:
  explicit PayloadReader(std::span<const uint8_t> data) : data_(data) {}

  template <typename T>
  bool read(T& out) {
    static_assert(std::is_trivially_copyable_v<T>, "payload records must be trivially copyable");
    return read_bytes(&out, sizeof(T));
  }
  template <typename T>
  bool read_array(size_t count, std::vector<T>& out) {
    static_assert(std::is_trivially_copyable_v<T>, "payload records must be trivially copyable");
    if (!ok_ || (sizeof(T) != 0 && count > remaining() / sizeof(T))) return fail();
    out.resize(count);
    return read_bytes(out.data(), count * sizeof(T));
  }
  // A uint32 count then the records; max_count bounds the count beyond the byte check.
  template <typename T>
  bool read_counted_array(std::vector<T>& out, size_t max_count = SIZE_MAX) {
    uint32_t count = 0;
    if (!read(count)) return false;
    if (count > max_count) return fail();
    return read_array(count, out);
  }
  bool read_bytes(void* out, size_t n);
  bool skip(size_t n);

  size_t remaining() const { return data_.size() - pos_; }
  bool ok() const { return ok_; }
  // Everything was read and nothing failed: the usual check after decoding a whole payload.
  bool done() const { return ok_ && pos_ == data_.size(); }
  // EINVAL "malformed WHAT payload" unless done().
  Status finish(std::string_view what) const;

 private:
  bool fail() {
    ok_ = false;
    return false;
  }
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Encodes one POD record as a whole payload / decodes a payload that must be exactly one record.
template <typename T>
std::vector<uint8_t> encode_pod(const T& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  std::vector<uint8_t> out(sizeof(T));
  std::memcpy(out.data(), &v, sizeof(T));
  return out;
}
template <typename T>
bool decode_pod(std::span<const uint8_t> payload, T& out) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (payload.size() != sizeof(T)) return false;
  std::memcpy(&out, payload.data(), sizeof(T));
  return true;
}

}  // namespace dplb::ctrl
