// Open-addressing hash map from 64-bit keys to small trivially copyable values: linear probing,
// backward-shift deletion, power-of-two capacity, load factor at most 2^-kLoadShift (1/2 by default;
// a sparser table makes a miss cheaper: the first slot is then usually empty, a predictable branch). find()
// neither allocates nor throws, so the data plane may call it; insert/erase are control-path operations. The
// layout is a pure function of the operation sequence (no random seeds), which keeps per-lcore copies
// identical.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace dplb::route {

// murmur3's 64-bit finalizer: a cheap full-avalanche mix for integer keys.
constexpr uint64_t mix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

template <typename V, unsigned kLoadShift = 1>
class FlatMap64 {
  static_assert(std::is_trivially_copyable_v<V>);

 public:
  static constexpr uint64_t kEmptyKey = ~uint64_t(0);  // never a valid key

  FlatMap64() {
    slots_.resize(kMinCapacity);
    set_capacity(kMinCapacity);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  const V* find(uint64_t key) const noexcept {
    for (size_t i = home(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.value;
      if (s.key == kEmptyKey) return nullptr;
    }
  }
  V* find(uint64_t key) noexcept { return const_cast<V*>(std::as_const(*this).find(key)); }

  // Inserts or overwrites; returns true when the key was new.
  bool insert_or_assign(uint64_t key, const V& value) {
    if ((size_ + 1) << kLoadShift > slots_.size()) rehash(slots_.size() * 2);
    size_t i = home(key);
    for (; slots_[i].key != kEmptyKey; i = (i + 1) & mask_) {
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
  bool erase(uint64_t key) {
    size_t i = home(key);
    for (; slots_[i].key != key; i = (i + 1) & mask_) {
      if (slots_[i].key == kEmptyKey) return false;
    }
    // Backward shift: pull later entries of the probe run into the hole unless that would move them
    // before their home slot.
    for (size_t j = (i + 1) & mask_; slots_[j].key != kEmptyKey; j = (j + 1) & mask_) {
      size_t h = home(slots_[j].key);
      bool stays = (i <= j) ? (h > i && h <= j) : (h > i || h <= j);
      if (!stays) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i].key = kEmptyKey;
    --size_;
    return true;
  }

  void reserve(size_t n) {
    size_t cap = slots_.size();
    while (cap < n << kLoadShift) cap *= 2;
    if (cap != slots_.size()) rehash(cap);
  }

  void clear() {
    slots_.assign(kMinCapacity, Slot{});
    set_capacity(kMinCapacity);
    size_ = 0;
  }

  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.key != kEmptyKey) f(s.key, s.value);
    }
  }

 private:
  static constexpr size_t kMinCapacity = 16;
  struct Slot {
    uint64_t key = kEmptyKey;
    V value{};
  };

  // Fibonacci hashing: the top bits of key * 2^64/phi. One multiply, and consecutive keys (addresses
  // of one subnet) land far apart.
  size_t home(uint64_t key) const noexcept { return size_t((key * 0x9e3779b97f4a7c15ULL) >> shift_); }
  void set_capacity(size_t capacity) {
    mask_ = capacity - 1;
    shift_ = 64 - unsigned(__builtin_ctzll(capacity));
  }

  void rehash(size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    set_capacity(capacity);
    for (const Slot& s : old) {
      if (s.key == kEmptyKey) continue;
      size_t i = home(s.key);
      while (slots_[i].key != kEmptyKey) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  unsigned shift_ = 64;
  size_t size_ = 0;
};

}  // namespace dplb::route
