// KeyIndex: a fixed-capacity hash map from a 64-bit key to a 32-bit value, sized once at construction
// (no allocation afterwards). Linear probing with backward-shift deletion: no tombstones, so lookups
// stay short however many inserts and erases the control path performs. Lookups are per packet.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dplb::ipvs {

// murmur3's 64-bit finaliser: every input bit affects every output bit.
constexpr uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

class KeyIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;  // "absent"; never a stored value

  // Room for `max_entries` keys at a load factor of at most one half.
  explicit KeyIndex(size_t max_entries)
      : max_entries_(max_entries),
        mask_(std::bit_ceil(max_entries < 4 ? size_t(8) : max_entries * 2) - 1),
        slots_(mask_ + 1) {}

  uint32_t find(uint64_t key) const {
    for (size_t i = home(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value == kNone) return kNone;
      if (s.key == key) return s.value;
    }
  }
  bool contains(uint64_t key) const { return find(key) != kNone; }

  // Inserts or replaces. Fails (false) only when the index already holds max_entries keys.
  bool assign(uint64_t key, uint32_t value) {
    size_t i = home(key);
    for (; slots_[i].value != kNone; i = (i + 1) & mask_) {
      if (slots_[i].key == key) {
        slots_[i].value = value;
        return true;
      }
    }
    if (size_ >= max_entries_) return false;
    slots_[i] = Slot{key, value};
    ++size_;
    return true;
  }

  bool erase(uint64_t key) {
    size_t i = home(key);
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].value == kNone) return false;
      if (slots_[i].key == key) break;
    }
    // Backward shift: pull later members of the probe run into the hole when their home allows it.
    for (size_t j = (i + 1) & mask_;; j = (j + 1) & mask_) {
      if (slots_[j].value == kNone) break;
      size_t h = home(slots_[j].key);
      // Move j into i unless h lies cyclically in (i, j].
      bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
      if (!stays) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = Slot{};
    --size_;
    return true;
  }

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

  void clear() {
    for (Slot& s : slots_) s = Slot{};
    size_ = 0;
  }
  size_t size() const { return size_; }
  size_t bucket_count() const { return slots_.size(); }

 private:
  struct Slot {
    uint64_t key = 0;
    uint32_t value = kNone;
  };
  size_t home(uint64_t key) const { return size_t(mix64(key)) & mask_; }

  size_t max_entries_;
  size_t mask_;
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace dplb::ipvs
