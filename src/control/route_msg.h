// Conversions between the route tables' entries and the control messages that carry them.
#pragma once

#include <cstring>
#include <span>
#include <vector>

#include "dplb/route/route_table.h"
#include "control/msg_types.h"

namespace dplb::dp {

template <typename T>
std::vector<uint8_t> encode_records(std::span<const T> items) {
  std::vector<uint8_t> out(items.size_bytes());
  if (!items.empty()) std::memcpy(out.data(), items.data(), out.size());
  return out;
}
template <typename T>
std::vector<uint8_t> encode_records(const std::vector<T>& items) {
  return encode_records(std::span<const T>(items));
}

// The complete route, as workers rebuild it with AddMode::kReplace.
RouteMsg to_route_msg(const route::RouteEntry& e);
// A user-added local route (/32, scope host or kni_host).
RouteMsg to_route_msg(const route::LocalRoute& l);

// The connected route an address derives, by identity (network/len, metric 0).
RouteMsg connected_route_identity(const Ip4Prefix& addr);
bool has_connected_route(const route::RouteTable& rt, const Ip4Prefix& addr);

// Everything a replay must re-add after the addresses: user local routes, then net routes not
// derived from an address, on-link ones before those with gateways.
std::vector<RouteMsg> replay_routes(const route::RouteTable& rt);

}  // namespace dplb::dp
