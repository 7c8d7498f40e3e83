#include "cli/ipvsadm/ipvsadm_reply.h"

#include "dplb/ctrl/wire.h"

namespace dplb::cli {
namespace {

template <typename T>
Result<T> decode_one(std::span<const uint8_t> payload, const char* what) {
  T v{};
  if (!ctrl::decode_pod(payload, v)) return Status::invalid(std::string("malformed ") + what + " payload");
  return v;
}

}  // namespace

Result<proto::IpvsInfo> decode_info(std::span<const uint8_t> payload) {
  return decode_one<proto::IpvsInfo>(payload, "ipvs info");
}

Result<proto::IpvsTimeouts> decode_timeouts(std::span<const uint8_t> payload) {
  return decode_one<proto::IpvsTimeouts>(payload, "ipvs timeouts");
}

Result<std::vector<ServiceEntry>> decode_list(std::span<const uint8_t> payload) {
  ctrl::PayloadReader r(payload);
  uint32_t n = 0;
  uint32_t pad = 0;
  std::vector<ServiceEntry> out;
  if (r.read(n) && r.read(pad) && n <= r.remaining() / sizeof(proto::ServiceRecord)) {
    out.resize(n);
    for (auto& e : out) {
      if (!r.read(e.service) || !r.read_array(e.service.n_dests, e.dests)) break;
    }
  } else {
    r.skip(r.remaining() + 1);  // fail the reader
  }
  if (Status s = r.finish("ipvs list"); !s) return s;
  return out;
}

Result<ConnList> decode_conns(std::span<const uint8_t> payload) {
  ctrl::PayloadReader r(payload);
  ConnList out;
  uint32_t n = 0;
  uint32_t pad = 0;
  if (r.read(out.total) && r.read(n) && r.read(pad)) r.read_array(n, out.conns);
  if (Status s = r.finish("ipvs connections"); !s) return s;
  return out;
}

std::vector<uint8_t> encode_list(std::span<const ServiceEntry> entries) {
  std::vector<uint8_t> out;
  ctrl::PayloadWriter w(out);
  w.put(uint32_t(entries.size()));
  w.put(uint32_t(0));
  for (const auto& e : entries) {
    proto::ServiceRecord s = e.service;
    s.n_dests = uint32_t(e.dests.size());
    w.put(s);
    w.put_array(std::span<const proto::DestRecord>(e.dests));
  }
  return out;
}

std::vector<uint8_t> encode_conns(const ConnList& list) {
  std::vector<uint8_t> out;
  ctrl::PayloadWriter w(out);
  w.put(list.total);
  w.put(uint32_t(list.conns.size()));
  w.put(uint32_t(0));
  w.put_array(std::span<const proto::ConnRecord>(list.conns));
  return out;
}

}  // namespace dplb::cli
