// The run plan: which ethdevs become ports with how many queues, and which worker lcore polls which rx
// queue and sends on which tx queue. Computed from the configuration and what EAL actually created, as a
// pure function so every case is unit-tested without EAL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dplb/base/status.h"
#include "dplb/conf/config.h"

namespace dplb::conf {

// What the daemon learns after EAL init.
struct RuntimeFacts {
  struct Port {
    std::string name;  // "dpdk<id>"
    uint16_t max_rx_queues = 0;
    uint16_t max_tx_queues = 0;
    uint16_t min_mtu = 0;
    uint16_t max_mtu = 0;
  };
  std::vector<Port> ports;  // every ethdev, in id order (dpdk0, dpdk1, ...)
  unsigned main_lcore = 0;
  std::vector<unsigned> worker_lcores;  // enabled lcores except main
};

struct PortPlan {
  uint16_t port_id = 0;
  PortConf conf;  // name set; rx_queues and tx_queues resolved (never 0)
};

struct WorkerPlan {
  unsigned lcore = 0;
  unsigned index = 0;                             // 0.. in plan order
  std::vector<std::pair<uint16_t, uint16_t>> rx;  // (port_id, rx queue) this worker polls
  std::vector<std::optional<uint16_t>> tx_queue;  // indexed by port_id; empty = no tx on that port
};

struct Plan {
  std::vector<PortPlan> ports;  // one per ethdev, in id order
  std::vector<WorkerPlan> workers;
  std::vector<std::string> warnings;  // allowed but probably unintended (e.g. a worker without tx on a port)
};

// Without [[workers]] every worker lcore is a worker, a port's queue counts default to
// min(#workers, device maximum), and worker i serves rx and tx queue i of every port where they exist.
// With [[workers]] the counts default to the highest queue index mapped + 1. Errors name the file and key:
// "FILE: KEY: PROBLEM", one per line, all problems found.
Result<Plan> make_plan(const Config& config, const RuntimeFacts& facts);

}  // namespace dplb::conf
