// OpenMap: the open-addressing table behind route::FlatMap64 and ipvs::KeyIndex. 64-bit keys, small
// trivially copyable values, power-of-two capacity, linear probing, backward-shift deletion (no
// tombstones, so probe runs stay short however many erases the control path makes). It never grows by
// itself: the owner decides when to rehash(), so find/assign/erase never allocate; find() neither
// allocates nor throws and is what the data plane calls. The layout is a pure function of the operation
// sequence (no random seeds), which keeps per-lcore copies identical.
//
// Two policies parameterise it:
//   Home  — where a key's probe run starts: FibonacciHome (one multiply) or MixedHome (mix64).
//   Free  — how a free slot is marked: FreeKey (a reserved key, ~0) or FreeValue<V, x> (a reserved value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "dplb/base/hash.h"

namespace dplb {

// The top bits of key * 2^64/phi: one multiply, and consecutive keys (addresses of one subnet) land far apart.
struct FibonacciHome {
  static size_t slot(uint64_t key, size_t /*mask*/, unsigned shift) noexcept {
    return size_t((key * kGoldenRatio64) >> shift);
  }
};

// The low bits of mix64(key): for keys whose low bits alone are poor (packed tuples).
struct MixedHome {
  static size_t slot(uint64_t key, size_t mask, unsigned /*shift*/) noexcept { return size_t(mix64(key)) & mask; }
};

// A free slot holds the key ~0, which is therefore never a valid key; every value may be stored.
struct FreeKey {
  static constexpr bool kByKey = true;
  static constexpr uint64_t kKey = ~uint64_t(0);
  template <typename V>
  static constexpr V value() {
    return V{};
  }
};

// A free slot holds the value kValue, which is therefore never stored; every key is valid.
template <typename V, V kFree>
struct FreeValue {
  static constexpr bool kByKey = false;
  static constexpr uint64_t kKey = 0;
  static constexpr V kValue = kFree;
  template <typename>
  static constexpr V value() {
    return kFree;
  }
};

template <typename V, typename Home, typename Free>
class OpenMap {
  static_assert(std::is_trivially_copyable_v<V>);

 public:
  // `capacity` slots; a power of two.
  explicit OpenMap(size_t capacity) : slots_(capacity) { set_capacity(capacity); }

  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  size_t capacity() const noexcept { return slots_.size(); }

  const V* find(uint64_t key) const noexcept {
    for (size_t i = home(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      // With a reserved key no valid key matches a free slot, so the likelier test (a hit) goes first;
      // with a reserved value a free slot may carry any key and must be recognised first.
      if constexpr (Free::kByKey) {
        if (s.key == key) return &s.value;
        if (s.key == Free::kKey) return nullptr;
      } else {
        if (s.value == Free::kValue) return nullptr;
        if (s.key == key) return &s.value;
      }
    }
  }
  V* find(uint64_t key) noexcept { return const_cast<V*>(std::as_const(*this).find(key)); }

  // Inserts or overwrites; returns true when the key was new. The caller keeps at least one slot free
  // (the probe loop ends at a free slot).
  bool insert_or_assign(uint64_t key, const V& value) noexcept {
    size_t i = home(key);
    for (; !is_free(slots_[i]); i = (i + 1) & mask_) {
      if (slots_[i].key == key) {
        slots_[i].value = value;
        return false;
      }
    }
    slots_[i] = Slot{key, value};
    ++size_;
    return true;
  }

  // Returns true when the key was present.
  bool erase(uint64_t key) noexcept {
    size_t i = home(key);
    for (;; i = (i + 1) & mask_) {
      if (is_free(slots_[i])) return false;
      if (slots_[i].key == key) break;
    }
    // Backward shift: pull later members of the probe run into the hole unless that would move them
    // before their home slot, i.e. unless their home lies cyclically in (i, j].
    for (size_t j = (i + 1) & mask_; !is_free(slots_[j]); j = (j + 1) & mask_) {
      size_t h = home(slots_[j].key);
      bool stays = (i <= j) ? (h > i && h <= j) : (h > i || h <= j);
      if (!stays) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = Slot{};
    --size_;
    return true;
  }

  // Moves every entry into a table of `capacity` slots (a power of two, more than size()).
  void rehash(size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    set_capacity(capacity);
    for (const Slot& s : old) {
      if (is_free(s)) continue;
      size_t i = home(s.key);
      while (!is_free(slots_[i])) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  // Empties the table, keeping its capacity.
  void clear() noexcept {
    for (Slot& s : slots_) s = Slot{};
    size_ = 0;
  }
  // Empties the table and resizes it to `capacity` slots (a power of two).
  void reset(size_t capacity) {
    slots_.assign(capacity, Slot{});
    set_capacity(capacity);
    size_ = 0;
  }

  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (!is_free(s)) f(s.key, s.value);
    }
  }

 private:
  struct Slot {
    uint64_t key = Free::kKey;
    V value = Free::template value<V>();
  };

  static bool is_free(const Slot& s) noexcept {
    if constexpr (Free::kByKey) {
      return s.key == Free::kKey;
    } else {
      return s.value == Free::kValue;
    }
  }
  size_t home(uint64_t key) const noexcept { return Home::slot(key, mask_, shift_); }
  void set_capacity(size_t capacity) noexcept {
    mask_ = capacity - 1;
    shift_ = 64 - unsigned(__builtin_ctzll(capacity));
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  unsigned shift_ = 64;
  size_t size_ = 0;
};

}  // namespace dplb
