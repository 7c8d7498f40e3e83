// Hashing schedulers: source hashing (ip_vs_sh) and Maglev hashing (ip_vs_mh). Both tables are built
// on the control path whenever the service's dests change; pick() is O(1) and allocation-free.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "dplb/base/hash.h"
#include "dplb/ipvs/key_index.h"
#include "dplb/ipvs/sched_dest.h"

namespace dplb::ipvs {

// ip_vs_sh: 256 buckets filled by walking the list, each dest taking `weight` consecutive buckets
// (a weight-0 dest still takes one: that is the kernel's fill). A client whose bucket holds an
// unavailable (weight 0) dest falls back the way sh-fallback does: the next available bucket,
// starting at bucket (2 * hash) mod 256, which is where the kernel's probe sequence starts. Both
// answers are precomputed per bucket.
class ShSched {
 public:
  static constexpr uint32_t kBits = 8;
  static constexpr uint32_t kSize = 1u << kBits;

  ShSched() {
    owner_.fill(KeyIndex::kNone);
    primary_.fill(KeyIndex::kNone);
    fallback_.fill(KeyIndex::kNone);
  }
  void build(SchedDests dests);

  // The kernel's hash_32(port + addr, 8): multiplicative hashing, top bits.
  static uint32_t bucket_of(Ip4 addr, uint16_t port) {
    return (uint32_t(port + addr.v) * 0x61C88647u) >> (32 - kBits);
  }
  int32_t pick(Ip4 caddr, uint16_t port) const {
    uint32_t b = bucket_of(caddr, port);
    uint32_t slot = primary_[b];
    if (slot == KeyIndex::kNone) slot = fallback_[(2 * b) & (kSize - 1)];
    return slot == KeyIndex::kNone ? kNoDest : int32_t(slot);
  }
  // The bucket fill, available or not (kNone = no dests), for tests and `ipvsadm` diagnostics.
  std::span<const uint32_t, kSize> buckets() const { return owner_; }

 private:
  std::array<uint32_t, kSize> owner_;     // the kernel's buckets[i].dest
  std::array<uint32_t, kSize> primary_;   // owner_ if available, else kNone
  std::array<uint32_t, kSize> fallback_;  // first available owner at or after bucket i (cyclic)
};

// Maglev hashing (Eisenbud et al., NSDI 2016, §3.4) as ip_vs_mh builds it: a lookup table of prime
// size M; each dest walks its own permutation (offset, skip from two independent hashes of its address
// and port) and claims its next free entry, `turns` entries per round, turns = (weight / gcd) >> shift
// with shift keeping the largest turns below 2^(bits(M) / 2) like the kernel. Dests with weight 0 take
// no entry, so they are never chosen; the table is a pure function of the (address, port, weight) set.
// (The kernel instead keeps a drained dest's entries by its last weight and falls back per lookup;
// that state depends on history, which a worker rebuilt by replay would not share.)
// Removing one of N dests changes about 1/N of the entries, nearly all of them the removed dest's own.
class MhSched {
 public:
  static constexpr uint32_t kDefaultTableSize = 65537;

  explicit MhSched(uint32_t table_size = kDefaultTableSize) : size_(table_size) {}
  void build(SchedDests dests);

  // Client hash reduced to [0, M) by multiply-shift (no division per packet).
  uint32_t entry_of(Ip4 caddr, uint16_t port) const {
    uint64_t h = mix64((uint64_t(caddr.v) << 16 | port) ^ kClientSeed) >> 32;
    return uint32_t((h * size_) >> 32);
  }
  int32_t pick(Ip4 caddr, uint16_t port) const {
    if (lookup_.empty()) return kNoDest;
    return int32_t(lookup_[entry_of(caddr, port)]);
  }

  uint32_t table_size() const { return size_; }
  std::span<const uint32_t> lookup() const { return lookup_; }  // empty when no dest is available

  // The permutation parameters of a dest (exposed for tests).
  static uint32_t offset_of(Ip4 addr, uint16_t port, uint32_t m);
  static uint32_t skip_of(Ip4 addr, uint16_t port, uint32_t m);

 private:
  static constexpr uint64_t kClientSeed = 0x9e3779b97f4a7c15ULL;
  uint32_t size_;
  std::vector<uint32_t> lookup_;
};

// Smallest prime >= n (n >= 2): table sizes given by configuration are rounded up to a prime.
uint32_t next_prime(uint32_t n);

}  // namespace dplb::ipvs
