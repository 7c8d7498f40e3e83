// FlatMap64: a growing open-addressing map from 64-bit keys to small trivially copyable values (the
// route table's address and prefix indexes). The table is the shared OpenMap with Fibonacci hashing
// and ~0 as the free key; this wrapper adds growth: the load factor stays at most 2^-kLoadShift (1/2 by
// default; a sparser table makes a miss cheaper: the first slot is then usually free, a predictable
// branch). find() neither allocates nor throws, so the data plane may call it; insert/erase are
// control-path operations.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dplb/base/hash.h"
#include "dplb/base/open_map.h"

namespace dplb::route {

template <typename V, unsigned kLoadShift = 1>
class FlatMap64 {
 public:
  static constexpr uint64_t kEmptyKey = FreeKey::kKey;  // never a valid key

  FlatMap64() : map_(kMinCapacity) {}

  size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }

  const V* find(uint64_t key) const noexcept { return map_.find(key); }
  V* find(uint64_t key) noexcept { return map_.find(key); }

  // Inserts or overwrites; returns true when the key was new.
  bool insert_or_assign(uint64_t key, const V& value) {
    if ((map_.size() + 1) << kLoadShift > map_.capacity()) map_.rehash(map_.capacity() * 2);
    return map_.insert_or_assign(key, value);
  }

  // Returns true when the key was present.
  bool erase(uint64_t key) { return map_.erase(key); }

  void reserve(size_t n) {
    size_t cap = map_.capacity();
    while (cap < n << kLoadShift) cap *= 2;
    if (cap != map_.capacity()) map_.rehash(cap);
  }

  void clear() { map_.reset(kMinCapacity); }

  template <typename F>
  void for_each(F&& f) const {
    map_.for_each(f);
  }

 private:
  static constexpr size_t kMinCapacity = 16;
  OpenMap<V, FibonacciHome, FreeKey> map_;
};

}  // namespace dplb::route
