// Round robin (ip_vs_rr) and interleaved weighted round robin (ip_vs_wrr). Each worker keeps its own
// position; pick() is O(1) and allocation-free, build() runs on the control path.
#pragma once

#include <cstdint>
#include <vector>

#include "dplb/ipvs/sched_dest.h"

namespace dplb::ipvs {

// Cycles over the dests with weight > 0 in list order. A rebuild continues after the dest chosen
// last (as the kernel keeps its list cursor), even if that dest has just been removed.
class RrSched {
 public:
  void build(SchedDests dests);
  int32_t pick() {
    if (ring_.empty()) return kNoDest;
    if (next_ >= ring_.size()) next_ = 0;
    return int32_t(ring_[next_++].slot);
  }

 private:
  struct Entry {
    uint32_t slot;
    uint64_t order_key;
  };
  std::vector<Entry> ring_;
  uint32_t next_ = 0;  // ring_[next_ - 1] is the dest chosen last (none when next_ == 0)
};

// IPVS's wrr: levels cw = mw, mw - g, mw - 2g, ... (g = gcd of the weights, mw = max - (g - 1)); at
// each level every dest with weight >= cw is chosen once. Over a full cycle a dest is chosen exactly
// weight / g times, and heavy dests are interleaved with light ones rather than bunched.
// Within a level the kernel walks its list; here the eligible dests are walked heaviest first (list
// order among equal weights), which makes each level a prefix of one array: O(1) per pick with no
// per-cycle table. The counts per cycle are the kernel's.
class WrrSched {
 public:
  void build(SchedDests dests);
  int32_t pick() {
    if (slots_.empty()) return kNoDest;
    if (idx_ >= eligible_) next_level();
    return int32_t(slots_[idx_++]);
  }
  // Length of one full cycle (sum of weight / gcd), for tests and diagnostics.
  uint64_t cycle_length() const;

 private:
  void next_level() {
    cw_ -= gcd_;
    if (cw_ <= 0) {
      cw_ = mw_;
      eligible_ = 0;
    }
    // Levels step by the gcd and weights are its multiples: at most one weight group joins per level.
    if (eligible_ < slots_.size() && weights_[eligible_] >= uint32_t(cw_)) eligible_ = group_end_[eligible_];
    idx_ = 0;
  }

  std::vector<uint32_t> slots_;      // weight > 0, heaviest first
  std::vector<uint32_t> weights_;    // parallel to slots_
  std::vector<uint32_t> group_end_;  // index past the last dest of the same weight
  int64_t mw_ = 0;
  int64_t gcd_ = 1;
  int64_t cw_ = 0;          // current level (kept across rebuilds as the kernel does)
  uint32_t eligible_ = 0;   // dests with weight >= cw_: a prefix of slots_
  uint32_t idx_ = 0;        // next position within the level
};

}  // namespace dplb::ipvs
