// Reply payloads of the IPVS get operations (ctrl/proto_ipvs.h): decoders for the tool, encoders for
// the daemon (and test fakes). Every count is checked against the bytes present before anything is
// allocated.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "dplb/base/status.h"
#include "dplb/ctrl/proto_ipvs.h"

namespace dplb::cli {

// One service of an IpvsListReply with its real servers; service.n_dests is dests.size() once
// decoded, and is set from dests.size() when encoding.
struct ServiceEntry {
  proto::ServiceRecord service;
  std::vector<proto::DestRecord> dests;
};

struct ConnList {
  uint64_t total = 0;  // connections in all tables (conns may hold fewer: the query's maximum)
  std::vector<proto::ConnRecord> conns;
};

// EINVAL "malformed ... payload" for a payload of the wrong size or with counts beyond its bytes.
Result<proto::IpvsInfo> decode_info(std::span<const uint8_t> payload);
Result<std::vector<ServiceEntry>> decode_list(std::span<const uint8_t> payload);
Result<ConnList> decode_conns(std::span<const uint8_t> payload);
Result<proto::IpvsTimeouts> decode_timeouts(std::span<const uint8_t> payload);

std::vector<uint8_t> encode_list(std::span<const ServiceEntry> entries);
std::vector<uint8_t> encode_conns(const ConnList& list);

}  // namespace dplb::cli
