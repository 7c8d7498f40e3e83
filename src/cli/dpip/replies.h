// Reply payloads → plain structures for the formatters. Every count is checked against the bytes
// present before anything is allocated; a malformed payload is EPROTO "malformed WHAT reply".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dplb/base/status.h"
#include "dplb/ctrl/proto.h"

namespace dplb::dpip {

struct WorkerLinkStats {
  proto::WorkerPortStats counters{};
  std::vector<uint64_t> drops;  // one per reason, in LinkShowData::reasons order
};

struct LinkInfo {
  proto::LinkRecord rec{};
  std::vector<WorkerLinkStats> workers;  // empty unless the reply carries statistics
};

struct LinkShowData {
  bool with_stats = false;
  uint32_t n_workers = 0;
  std::vector<std::string> reasons;
  std::vector<LinkInfo> links;
};

struct SyncData {
  proto::SyncReply header{};
  std::vector<proto::SyncWorker> workers;
};

Result<LinkShowData> decode_link_show(std::span<const uint8_t> payload);
Result<std::vector<proto::AddrRecord>> decode_addrs(std::span<const uint8_t> payload);
Result<std::vector<proto::NeighRecord>> decode_neighs(std::span<const uint8_t> payload);
Result<std::vector<proto::RouteRecord>> decode_routes(std::span<const uint8_t> payload);
Result<proto::RouteGetReply> decode_route_get(std::span<const uint8_t> payload);
Result<proto::BatchResult> decode_batch_result(std::span<const uint8_t> payload);
Result<SyncData> decode_sync(std::span<const uint8_t> payload);

}  // namespace dplb::dpip
