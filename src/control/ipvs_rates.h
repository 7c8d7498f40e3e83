// Rates of services and real servers for `ipvsadm -L --rate`, estimated like IPVS's estimator:
// every 2 seconds, rate = delta / 2 s, smoothed as avg += (rate - avg) / 4.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "dplb/ctrl/proto_ipvs.h"
#include "dplb/ipvs/service_stats.h"

namespace dplb::dp {

class IpvsRates {
 public:
  static constexpr uint64_t kIntervalMs = 2000;

  // Feeds one object's current totals (called for every live object at each interval).
  void update(uint64_t key, const ipvs::IpvsCounters& totals, double seconds);
  // Fills the rate fields of s (zero when unknown).
  void fill(uint64_t key, proto::IpvsStats& s) const;
  void forget_missing(const std::unordered_map<uint64_t, bool>& live);
  void clear() { est_.clear(); }

  static uint64_t service_key(uint32_t id) { return uint64_t(id) << 1; }
  static uint64_t dest_key(uint32_t id) { return (uint64_t(id) << 1) | 1; }

 private:
  struct Estimate {
    ipvs::IpvsCounters last;
    double cps = 0, inpps = 0, outpps = 0, inbps = 0, outbps = 0;
  };
  std::unordered_map<uint64_t, Estimate> est_;
};

}  // namespace dplb::dp
