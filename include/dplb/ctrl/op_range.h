// A module's half-open range of operation ids. proto.h and proto_ipvs.h declare every module's
// ranges next to its op ids; ctrl::Registry checks at startup that no two overlap.
#pragma once

#include <cstdint>

namespace dplb::ctrl {

// Half-open [lo, hi); lo == hi means the module has no operations of that kind.
struct OpRange {
  uint32_t lo = 0;
  uint32_t hi = 0;
  constexpr bool empty() const { return lo >= hi; }
  constexpr bool contains(uint32_t op) const { return op >= lo && op < hi; }
  constexpr bool overlaps(const OpRange& o) const { return !empty() && !o.empty() && lo < o.hi && o.lo < hi; }
};

}  // namespace dplb::ctrl
