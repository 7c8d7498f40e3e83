// Per-worker counters: written only by their owner, read concurrently by the main lcore.
// Relaxed load+store (not a locked read-modify-write): plain moves on x86, yet race-free in C++.
#pragma once

#include <atomic>
#include <cstdint>

namespace dplb {

inline void counter_add(uint64_t& c, uint64_t n = 1) {
  std::atomic_ref<uint64_t> r(c);
  r.store(r.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

inline uint64_t counter_read(const uint64_t& c) {
  return std::atomic_ref<uint64_t>(const_cast<uint64_t&>(c)).load(std::memory_order_relaxed);
}

}  // namespace dplb
