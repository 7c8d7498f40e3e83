// What a scheduler knows of a service's dests: their slot, address and weight, in the service's list
// order. The list is sorted by (address, port) so every worker, every replay and every dplb instance
// with the same configuration builds the same scheduler state (the kernel's order, most recent first,
// depends on history).
#pragma once

#include <cstdint>
#include <span>

#include "dplb/base/addr.h"

namespace dplb::ipvs {

inline constexpr int32_t kNoDest = -1;

struct SchedDest {
  uint32_t slot = 0;
  Ip4 addr;
  uint16_t port = 0;
  uint16_t weight = 0;
  constexpr uint64_t order_key() const { return (uint64_t(addr.v) << 16) | port; }
};

using SchedDests = std::span<const SchedDest>;

}  // namespace dplb::ipvs
