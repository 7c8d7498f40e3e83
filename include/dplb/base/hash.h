// Integer hash mixing shared by the hash tables and the flow hashes.
#pragma once

#include <cstdint>

namespace dplb {

// murmur3's 64-bit finalizer: a cheap full-avalanche mix (every input bit affects every output bit).
constexpr uint64_t mix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// 2^64 / phi: multiplying by it spreads consecutive integers far apart (Fibonacci hashing).
inline constexpr uint64_t kGoldenRatio64 = 0x9e3779b97f4a7c15ULL;

}  // namespace dplb
