// The worker side of every control message: each handler applies one change to the calling
// worker's own tables (idempotently) and returns 0 or an errno value.
#pragma once

#include <cstdint>
#include <vector>

#include "dplb/ctrl/multicast.h"
#include "dplb/ctrl/proto_ipvs.h"
#include "dplb/ipvs/service_table.h"
#include "dplb/ipvs/tcp_state.h"
#include "dplb/neigh/neigh_table.h"
#include "dplb/route/route_table.h"

namespace dplb::dp {

Status register_worker_handlers(ctrl::Multicaster& mc);
Status register_ipvs_handlers(ctrl::Multicaster& mc);

// The configuration digest every worker and the model compute the same way.
uint64_t config_digest(const route::RouteTable& routes, const neigh::NeighTable& neigh,
                       const ipvs::ServiceTable& services, const ipvs::ProtoTimeouts& timeouts);

// kMsgConnDump attachment: each worker lists its connections in [cursor, cursor + max_scan).
struct ConnDump {
  ConnDump(size_t workers, uint32_t cursor_, uint32_t max_scan_, size_t max_records_)
      : cursor(cursor_), max_scan(max_scan_), max_records(max_records_), per_worker(workers) {}
  uint32_t cursor;
  uint32_t max_scan;
  size_t max_records;
  std::vector<std::vector<proto::ConnRecord>> per_worker;
};

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
