#include "cli/dpip/replies.h"

#include "dplb/ctrl/wire.h"

namespace dplb::dpip {
namespace {

Status malformed(std::string_view what) {
  return Status::error(EPROTO, "malformed " + std::string(what) + " reply from dplb");
}

template <typename T>
Result<std::vector<T>> decode_records(std::span<const uint8_t> payload, std::string_view what) {
  if (payload.size() % sizeof(T) != 0) return malformed(what);
  std::vector<T> out;
  ctrl::PayloadReader r(payload);
  if (!r.read_array(payload.size() / sizeof(T), out) || !r.done()) return malformed(what);
  return out;
}

template <typename T>
Result<T> decode_one(std::span<const uint8_t> payload, std::string_view what) {
  T v{};
  if (!ctrl::decode_pod(payload, v)) return malformed(what);
  return v;
}

}  // namespace

Result<LinkShowData> decode_link_show(std::span<const uint8_t> payload) {
  ctrl::PayloadReader r(payload);
  proto::LinkReplyHeader h{};
  if (!r.read(h)) return malformed("link");
  if (h.layout != proto::kLinkReplyLayout) {
    return Status::error(EPROTO, "link reply layout " + std::to_string(h.layout) + " from dplb (this dpip reads " +
                                     std::to_string(proto::kLinkReplyLayout) + ")");
  }
  LinkShowData d;
  d.with_stats = h.with_stats != 0;
  d.n_workers = h.n_workers;
  std::vector<proto::ReasonName> names;
  if (!r.read_array(h.n_reasons, names)) return malformed("link");
  for (const auto& n : names) d.reasons.emplace_back(ctrl::fixed_string(n.name));
  // Each link takes at least one LinkRecord: bound the count before reserving anything.
  if (h.n_links > r.remaining() / sizeof(proto::LinkRecord)) return malformed("link");
  d.links.reserve(h.n_links);
  for (uint32_t i = 0; i < h.n_links; ++i) {
    LinkInfo link;
    if (!r.read(link.rec)) return malformed("link");
    if (d.with_stats) {
      if (h.n_workers > r.remaining() / sizeof(proto::WorkerPortStats)) return malformed("link");
      link.workers.resize(h.n_workers);
      for (auto& w : link.workers) {
        if (!r.read(w.counters) || !r.read_array(h.n_reasons, w.drops)) return malformed("link");
      }
    }
    d.links.push_back(std::move(link));
  }
  if (!r.done()) return malformed("link");
  return d;
}

Result<std::vector<proto::AddrRecord>> decode_addrs(std::span<const uint8_t> payload) {
  return decode_records<proto::AddrRecord>(payload, "address");
}

Result<std::vector<proto::NeighRecord>> decode_neighs(std::span<const uint8_t> payload) {
  return decode_records<proto::NeighRecord>(payload, "neighbour");
}

Result<std::vector<proto::RouteRecord>> decode_routes(std::span<const uint8_t> payload) {
  auto routes = decode_records<proto::RouteRecord>(payload, "route");
  if (!routes) return routes;
  for (const auto& rt : *routes) {
    if (rt.n_nexthops > proto::kMaxNexthops || rt.dst_len > 32) return malformed("route");
  }
  return routes;
}

Result<proto::RouteGetReply> decode_route_get(std::span<const uint8_t> payload) {
  auto g = decode_one<proto::RouteGetReply>(payload, "route get");
  if (g && (g->route.n_nexthops > proto::kMaxNexthops || g->route.dst_len > 32))
    return malformed("route get");
  return g;
}

Result<proto::BatchResult> decode_batch_result(std::span<const uint8_t> payload) {
  return decode_one<proto::BatchResult>(payload, "route batch");
}

Result<SyncData> decode_sync(std::span<const uint8_t> payload) {
  ctrl::PayloadReader r(payload);
  SyncData d;
  if (!r.read(d.header) || !r.read_array(d.header.n_workers, d.workers) || !r.done())
    return malformed("sync");
  return d;
}

}  // namespace dplb::dpip
