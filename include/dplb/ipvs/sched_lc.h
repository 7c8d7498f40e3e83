// Least connections (ip_vs_lc) and weighted least connections (ip_vs_wlc), on this worker's own
// counters of its dests. O(dests) per pick; no state besides the counters.
#pragma once

#include <cstdint>

#include "dplb/ipvs/sched_dest.h"
#include "dplb/ipvs/service_stats.h"

namespace dplb::ipvs {

// ip_vs_dest_conn_overhead: an active connection costs 256 inactive ones.
inline uint64_t conn_overhead(const IpvsCounters& c) { return (c.active_conns << 8) + c.inactive_conns; }

// Least overhead among dests with weight > 0; ties go to the first in list order.
inline int32_t pick_lc(SchedDests dests, const CounterBlock* counters) {
  int32_t best = kNoDest;
  uint64_t best_oh = 0;
  for (const SchedDest& d : dests) {
    if (d.weight == 0) continue;
    uint64_t oh = conn_overhead(counters[d.slot].c);
    if (best == kNoDest || oh < best_oh) {
      best = int32_t(d.slot);
      best_oh = oh;
    }
  }
  return best;
}

// Least overhead / weight, compared as the kernel does by cross multiplication (no division):
// d replaces the best when best_oh * d.weight > d_oh * best.weight. Ties go to the first in list order.
// Overheads stay below 2^40 (per-worker connection counts) and weights below 2^16: no overflow.
inline int32_t pick_wlc(SchedDests dests, const CounterBlock* counters) {
  int32_t best = kNoDest;
  uint64_t best_oh = 0;
  uint64_t best_w = 0;
  for (const SchedDest& d : dests) {
    if (d.weight == 0) continue;
    uint64_t oh = conn_overhead(counters[d.slot].c);
    if (best == kNoDest || best_oh * d.weight > oh * best_w) {
      best = int32_t(d.slot);
      best_oh = oh;
      best_w = d.weight;
    }
  }
  return best;
}

}  // namespace dplb::ipvs
