// The worker side of every control message: each handler applies one change to the calling
// worker's own tables (idempotently) and returns 0 or an errno value.
#pragma once

#include <cstdint>
#include <vector>

#include "dplb/ctrl/multicast.h"
#include "dplb/neigh/neigh_table.h"
#include "dplb/route/route_table.h"

namespace dplb::dp {

Status register_worker_handlers(ctrl::Multicaster& mc);

// The configuration digest every worker and the model compute the same way.
uint64_t config_digest(const route::RouteTable& routes, const neigh::NeighTable& neigh);

// kMsgNeighDump attachment: each worker fills its own vector (main reads after all returned).
struct NeighDump {
  struct Item {
    uint16_t port;
    Ip4 ip;
    Mac mac;
    neigh::State state;
    uint64_t updated_ms;
  };
  explicit NeighDump(size_t workers) : per_worker(workers) {}
  std::vector<std::vector<Item>> per_worker;
};

}  // namespace dplb::dp
