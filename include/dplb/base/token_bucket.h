// Token bucket rate limiter on caller-supplied time (cycles, ns, anything monotonic). Owner-only.
#pragma once

#include <cstdint>

namespace dplb {

class TokenBucket {
 public:
  TokenBucket() = default;
  // `rate` tokens per `ticks_per_sec` ticks, bursting up to `burst` (<= rate) tokens.
  void configure(uint64_t rate, uint64_t burst, uint64_t ticks_per_sec) {
    rate_ = rate;
    burst_ = burst;
    ticks_per_sec_ = ticks_per_sec;
    tokens_ = burst;
  }
  bool take(uint64_t now) {
    if (rate_ == 0) return false;
    uint64_t elapsed = now - last_;
    if (now < last_ || elapsed >= ticks_per_sec_) {
      // A full second (or a clock step back) refills the bucket; burst <= rate by contract.
      tokens_ = burst_;
      last_ = now;
    } else {
      // Refill only in whole tokens, keeping the remainder in last_, so slow rates work too.
      uint64_t add = elapsed * rate_ / ticks_per_sec_;
      if (add > 0) {
        tokens_ = tokens_ + add > burst_ ? burst_ : tokens_ + add;
        last_ = (tokens_ == burst_) ? now : last_ + add * ticks_per_sec_ / rate_;
      }
    }
    if (tokens_ == 0) return false;
    --tokens_;
    return true;
  }

 private:
  uint64_t rate_ = 0, burst_ = 0, ticks_per_sec_ = 1, tokens_ = 0, last_ = 0;
};

}  // namespace dplb
