// Shared fixtures of the scheduler tests: a one-service table and simple dest lists.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "dplb/ipvs/service_table.h"

namespace dplb::ipvs::testing {

inline Ip4 rs_addr(uint32_t i) { return Ip4::of(10, 1, uint8_t(i >> 8), uint8_t(i)); }

// A table with one service (id 0, TCP 192.0.2.1:80) and dests with the given weights: dest i has id
// i and address 10.1.x.y:8080 with x.y = i, so list order (by address) is id order.
inline ServiceTable make_table(SchedKind kind, const std::vector<uint16_t>& weights, uint32_t flags = 0,
                               uint32_t mh_size = 65537) {
  ServiceTable t(TableLimits{16, 1024, mh_size});
  EXPECT_TRUE(t.upsert_service(0, ServiceConf{ServiceKey{kProtoTcp, Ip4::of(192, 0, 2, 1), 80}, kind, flags}));
  for (uint32_t i = 0; i < weights.size(); ++i) {
    EXPECT_TRUE(t.upsert_dest(0, i, DestConf{rs_addr(i), 8080, weights[i]}));
  }
  return t;
}

// Dest ids chosen for `n` scheduling calls from pseudo-random clients.
inline std::map<int32_t, uint64_t> pick_counts(ServiceTable& t, uint64_t n, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::map<int32_t, uint64_t> counts;
  for (uint64_t i = 0; i < n; ++i) counts[t.schedule(0, Ip4(rng()), uint16_t(rng()))]++;
  return counts;
}

}  // namespace dplb::ipvs::testing
