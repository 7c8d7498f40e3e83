// KeyIndex: a fixed-capacity hash map from a 64-bit key to a 32-bit value, sized once at construction
// (no allocation afterwards). The table is the shared OpenMap, homed by mix64 (the keys are packed
// tuples) with kNone as the free value; this wrapper adds the capacity limit and reference counting.
// Lookups are per packet.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "dplb/base/hash.h"
#include "dplb/base/open_map.h"

namespace dplb::ipvs {

class KeyIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;  // "absent"; never a stored value

  // Room for `max_entries` keys at a load factor of at most one half.
  explicit KeyIndex(size_t max_entries)
      : max_entries_(max_entries), map_(std::bit_ceil(max_entries < 4 ? size_t(8) : max_entries * 2)) {}

  uint32_t find(uint64_t key) const {
    const uint32_t* v = map_.find(key);
    return v == nullptr ? kNone : *v;
  }
  bool contains(uint64_t key) const { return find(key) != kNone; }

  // Inserts or replaces. Fails (false) only when the index already holds max_entries keys.
  bool assign(uint64_t key, uint32_t value) {
    if (map_.size() >= max_entries_) {
      uint32_t* v = map_.find(key);
      if (v == nullptr) return false;
      *v = value;
      return true;
    }
    map_.insert_or_assign(key, value);
    return true;
  }

  bool erase(uint64_t key) { return map_.erase(key); }

  // Reference counting on top of the map (VIPs and real servers shared by several entries).
  bool add_ref(uint64_t key) {
    uint32_t n = find(key);
    return assign(key, n == kNone ? 1 : n + 1);
  }
  void drop_ref(uint64_t key) {
    uint32_t n = find(key);
    if (n == kNone) return;
    if (n <= 1) {
      erase(key);
    } else {
      assign(key, n - 1);
    }
  }

  void clear() { map_.clear(); }
  size_t size() const { return map_.size(); }
  size_t bucket_count() const { return map_.capacity(); }

 private:
  size_t max_entries_;
  OpenMap<uint32_t, MixedHome, FreeValue<uint32_t, kNone>> map_;
};

}  // namespace dplb::ipvs
