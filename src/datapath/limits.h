// Compile-time sizes of the data plane.
#pragma once

#include <cstdint>

namespace dplb::dp {

inline constexpr uint16_t kMaxPorts = 16;      // ethdevs dplb drives
inline constexpr uint16_t kMaxWorkers = 32;    // worker lcores
inline constexpr uint16_t kMaxRxPerWorker = 32;
inline constexpr uint16_t kBurst = 32;         // rx/tx burst size
inline constexpr uint16_t kTxBufferCap = 2 * kBurst;

}  // namespace dplb::dp
