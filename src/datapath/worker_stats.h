// Counters a worker keeps; the main lcore reads them with counter_read() for dpip -s.
#pragma once

#include <cstdint>

#include "datapath/limits.h"
#include "dplb/stats/counter.h"
#include "dplb/stats/drop_reason.h"

namespace dplb::dp {

// Per port (the port a packet arrived on, or leaves by when we made it).
struct PortCounters {
  uint64_t rx_packets = 0;
  uint64_t rx_bytes = 0;
  uint64_t tx_packets = 0;
  uint64_t tx_bytes = 0;
  uint64_t tx_dropped = 0;  // TX ring full
  uint64_t redirected = 0;  // arrived here, handed to the connection's owner worker (its ring)
  uint64_t drops[kDropReasonCount] = {};
};

struct alignas(64) WorkerStats {
  PortCounters port[kMaxPorts];
  uint64_t loops = 0;
  uint64_t busy_polls = 0;  // loops that found packets or control messages (busy ratio: busy / loops)
  uint64_t idle_sleeps = 0;
  uint64_t ctrl_messages = 0;
  uint64_t conns_expired = 0;
};

}  // namespace dplb::dp
