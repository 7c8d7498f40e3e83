// Per-entry hashes for RouteTable's order-independent digest: the table digest is the sum (mod 2^64)
// of one hash per port, address, local route and net route, so it is updated by adding and
// subtracting entries and does not depend on the order of the operations that built the table.
#pragma once

#include <cstdint>

#include "dplb/base/hash.h"

namespace dplb::route {

enum class DigestTag : uint64_t { kPort = 1, kAddr = 2, kLocal = 3, kRoute = 4, kNexthop = 5 };

class DigestHasher {
 public:
  explicit DigestHasher(DigestTag tag) : h_(mix64(uint64_t(tag) * 0x9e3779b97f4a7c15ULL)) {}
  DigestHasher& add(uint64_t v) {
    h_ = mix64(h_ ^ (v + 0x9e3779b97f4a7c15ULL + (h_ << 6) + (h_ >> 2)));
    return *this;
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_;
};

}  // namespace dplb::route
