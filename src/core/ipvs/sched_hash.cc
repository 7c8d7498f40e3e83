#include <algorithm>
#include <bit>
#include <numeric>

#include "dplb/ipvs/sched_hash.h"

namespace dplb::ipvs {

void ShSched::build(SchedDests dests) {
  std::array<bool, kSize> available{};
  owner_.fill(KeyIndex::kNone);
  if (!dests.empty()) {
    // ip_vs_sh_reassign: walk the list cyclically, `weight` buckets per dest (at least one).
    size_t p = 0;
    uint32_t d_count = 0;
    for (uint32_t i = 0; i < kSize; ++i) {
      owner_[i] = dests[p].slot;
      available[i] = dests[p].weight > 0;
      if (++d_count >= dests[p].weight) {
        p = (p + 1) % dests.size();
        d_count = 0;
      }
    }
  }
  for (uint32_t i = 0; i < kSize; ++i) primary_[i] = available[i] ? owner_[i] : KeyIndex::kNone;

  // fallback_[i] = first available bucket owner in i, i+1, ... (cyclic): two backward passes.
  uint32_t next = KeyIndex::kNone;
  for (int pass = 0; pass < 2; ++pass) {
    for (uint32_t i = kSize; i-- > 0;) {
      if (available[i]) next = owner_[i];
      fallback_[i] = next;
    }
  }
}

uint32_t MhSched::offset_of(Ip4 addr, uint16_t port, uint32_t m) {
  uint64_t key = uint64_t(addr.v) << 16 | port;
  return uint32_t(mix64(key ^ 0x2545f4914f6cdd1dULL) % m);
}

uint32_t MhSched::skip_of(Ip4 addr, uint16_t port, uint32_t m) {
  uint64_t key = uint64_t(addr.v) << 16 | port;
  return uint32_t(mix64((key + 0x632be59bd9b4e019ULL) * 0xbf58476d1ce4e5b9ULL) % (m - 1)) + 1;
}

void MhSched::build(SchedDests dests) {
  uint32_t g = 0;
  uint32_t max_weight = 0;
  for (const SchedDest& d : dests) {
    if (d.weight == 0) continue;
    g = g == 0 ? d.weight : std::gcd(g, uint32_t(d.weight));
    max_weight = std::max<uint32_t>(max_weight, d.weight);
  }
  lookup_.clear();
  if (g == 0) return;  // no dest available: pick() answers kNoDest

  // ip_vs_mh_shift_weight: keep turns below 2^(bits(M) / 2) so a round stays small against M.
  int max_turn_bits = std::bit_width(size_) / 2;
  int shift = std::max(0, int(std::bit_width(max_weight / g)) - max_turn_bits);

  struct Walker {
    uint32_t slot;
    uint32_t perm;  // next preferred entry
    uint32_t skip;
    uint32_t turns;
  };
  std::vector<Walker> walkers;
  for (const SchedDest& d : dests) {
    if (d.weight == 0) continue;
    uint32_t turns = (uint32_t(d.weight) / g) >> shift;
    walkers.push_back(Walker{d.slot, offset_of(d.addr, d.port, size_), skip_of(d.addr, d.port, size_),
                             std::max<uint32_t>(turns, 1)});
  }

  lookup_.assign(size_, KeyIndex::kNone);
  std::vector<bool> taken(size_, false);
  uint32_t filled = 0;
  for (;;) {
    for (Walker& w : walkers) {
      for (uint32_t t = 0; t < w.turns; ++t) {
        while (taken[w.perm]) {
          w.perm += w.skip;
          if (w.perm >= size_) w.perm -= size_;
        }
        taken[w.perm] = true;
        lookup_[w.perm] = w.slot;
        if (++filled == size_) return;
      }
    }
  }
}

uint32_t next_prime(uint32_t n) {
  auto is_prime = [](uint32_t v) {
    if (v < 2) return false;
    for (uint32_t d = 2; uint64_t(d) * d <= v; ++d) {
      if (v % d == 0) return false;
    }
    return true;
  };
  while (!is_prime(n)) ++n;
  return n;
}

}  // namespace dplb::ipvs
