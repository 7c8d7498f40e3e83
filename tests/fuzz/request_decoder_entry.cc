#include "request_decoder_entry.h"

#include <cerrno>
#include <cstring>
#include <span>
#include <vector>

#include "dplb/ctrl/request_decoder.h"

namespace dplb::ctrl::fuzz {
namespace {

struct Reference {
  std::vector<Request> requests;
  int error = 0;        // errno of the bad header, 0 if none
  size_t consumed = 0;  // bytes up to the end of the last complete request (or the bad header)
};

// The wire rules written out plainly, independent of the decoder: whole buffer, no state.
Reference parse_whole(std::span<const uint8_t> s) {
  Reference ref;
  size_t pos = 0;
  while (s.size() - pos >= sizeof(RequestHeader)) {
    RequestHeader h;
    std::memcpy(&h, s.data() + pos, sizeof h);
    if (h.magic != kRequestMagic || h.version != kWireVersion || (h.kind != 1 && h.kind != 2)) {
      ref.error = EPROTO;
      ref.consumed = pos + sizeof h;
      return ref;
    }
    if (h.payload_len > kMaxRequestPayload) {
      ref.error = EMSGSIZE;
      ref.consumed = pos + sizeof h;
      return ref;
    }
    if (s.size() - pos - sizeof h < h.payload_len) break;
    Request r;
    r.kind = static_cast<Kind>(h.kind);
    r.op = h.op;
    const uint8_t* p = s.data() + pos + sizeof h;
    r.payload.assign(p, p + h.payload_len);
    ref.requests.push_back(std::move(r));
    pos += sizeof h + h.payload_len;
  }
  ref.consumed = pos;
  return ref;
}

}  // namespace

std::string check_request_decoder(const uint8_t* data, size_t size) {
  if (size == 0) return "";
  const size_t n_sizes = std::min<size_t>(data[0] & 7, size - 1);
  const uint8_t* sizes = data + 1;
  std::span<const uint8_t> stream(data + 1 + n_sizes, size - 1 - n_sizes);

  const Reference ref = parse_whole(stream);

  RequestDecoder dec;
  std::vector<Request> got;
  size_t pos = 0;
  size_t chunk_index = 0;
  bool stopped = false;
  while (pos < stream.size() && !stopped) {
    size_t len = stream.size() - pos;
    if (n_sizes != 0) {
      uint8_t s = sizes[chunk_index++ % n_sizes];
      if (s != 255) len = std::min<size_t>(len, size_t{s} + 1);
    }
    std::span<const uint8_t> chunk = stream.subspan(pos, len);
    size_t off = 0;
    while (off < chunk.size()) {
      size_t used = dec.feed(chunk.subspan(off));
      if (used > chunk.size() - off) return "feed consumed more than it was given";
      off += used;
      switch (dec.state()) {
        case RequestDecoder::State::kReady:
          if (dec.bytes_wanted() != 0) return "bytes_wanted nonzero with a request ready";
          if (dec.feed(chunk.subspan(off)) != 0) return "feed consumed bytes while a request was waiting";
          got.push_back(dec.take());
          if (got.back().payload.size() > kMaxRequestPayload) return "payload over the limit";
          if (dec.state() != RequestDecoder::State::kNeedMore || dec.mid_request()) return "take did not reset";
          break;
        case RequestDecoder::State::kError:
          if (dec.error().is_ok()) return "error state without an error";
          if (dec.feed(chunk.subspan(off)) != 0) return "feed consumed bytes after an error";
          stopped = true;
          off = chunk.size();
          break;
        case RequestDecoder::State::kNeedMore:
          if (off != chunk.size()) return "needs more but left bytes unconsumed";
          if (dec.bytes_wanted() == 0) return "needs more but wants no bytes";
          break;
      }
    }
    pos += len;
  }

  if (got.size() != ref.requests.size()) {
    return "decoded " + std::to_string(got.size()) + " requests, reference " + std::to_string(ref.requests.size());
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const Request& a = got[i];
    const Request& b = ref.requests[i];
    if (a.kind != b.kind || a.op != b.op || a.payload != b.payload) {
      return "request " + std::to_string(i) + " differs from the reference";
    }
  }
  if (ref.error != 0) {
    if (dec.state() != RequestDecoder::State::kError) return "reference found a bad header, decoder did not";
    if (dec.error().code() != ref.error) {
      return "error code " + std::to_string(dec.error().code()) + ", reference " + std::to_string(ref.error);
    }
    if (dec.error().message().empty()) return "error without a message";
  } else {
    if (dec.state() != RequestDecoder::State::kNeedMore) return "decoder ended in a wrong state";
    if (dec.mid_request() != (ref.consumed < stream.size())) return "mid_request disagrees with the reference";
  }
  return "";
}

}  // namespace dplb::ctrl::fuzz
