// Single-producer single-consumer ring (Seastar's smp queues, DPDK's rte_ring in SP/SC mode without
// EAL). Capacity is a power of two; head and tail live on separate cache lines, each side caches
// the other's index to touch the shared line only when it must. Wait-free, no allocation after
// construction: usable on the packet path.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

namespace dplb::ctrl {

inline constexpr size_t kCacheLine = 64;

template <typename T>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T> && std::is_default_constructible_v<T>,
                "ring slots are copied with plain stores");

 public:
  // capacity is rounded up to a power of two (at least 2).
  explicit SpscRing(size_t capacity)
      : capacity_(std::bit_ceil(capacity < 2 ? size_t{2} : capacity)),
        mask_(capacity_ - 1),
        slots_(std::make_unique<T[]>(capacity_)) {}
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  size_t capacity() const { return capacity_; }

  // --- producer side ---
  bool try_push(const T& v) { return push_bulk(&v, 1) == 1; }
  // Pushes up to n items, returns how many.
  size_t push_bulk(const T* items, size_t n) {
    const size_t tail = producer_.tail.load(std::memory_order_relaxed);
    size_t space = capacity_ - (tail - producer_.cached_head);
    if (space < n) {
      producer_.cached_head = consumer_.head.load(std::memory_order_acquire);
      space = capacity_ - (tail - producer_.cached_head);
    }
    if (n > space) n = space;
    for (size_t i = 0; i < n; ++i) slots_[(tail + i) & mask_] = items[i];
    producer_.tail.store(tail + n, std::memory_order_release);
    return n;
  }
  // Free slots as seen by the producer (exact or an underestimate).
  size_t free_space() {
    producer_.cached_head = consumer_.head.load(std::memory_order_acquire);
    return capacity_ - (producer_.tail.load(std::memory_order_relaxed) - producer_.cached_head);
  }

  // --- consumer side ---
  bool try_pop(T& out) { return pop_bulk(&out, 1) == 1; }
  // Pops up to n items into out, returns how many.
  size_t pop_bulk(T* out, size_t n) {
    const size_t head = consumer_.head.load(std::memory_order_relaxed);
    size_t avail = consumer_.cached_tail - head;
    if (avail < n) {
      consumer_.cached_tail = producer_.tail.load(std::memory_order_acquire);
      avail = consumer_.cached_tail - head;
    }
    if (n > avail) n = avail;
    for (size_t i = 0; i < n; ++i) out[i] = slots_[(head + i) & mask_];
    consumer_.head.store(head + n, std::memory_order_release);
    return n;
  }

  // Approximate from any thread; exact when both sides are idle.
  size_t size_approx() const {
    // head first: the tail read after it can only be further ahead, so the difference never wraps.
    size_t head = consumer_.head.load(std::memory_order_acquire);
    size_t tail = producer_.tail.load(std::memory_order_acquire);
    size_t n = tail - head;
    return n > capacity_ ? capacity_ : n;
  }
  bool empty_approx() const { return size_approx() == 0; }

 private:
  // Each side's index and its cache of the other side's index share a line owned by that side.
  struct alignas(kCacheLine) Producer {
    std::atomic<size_t> tail{0};
    size_t cached_head = 0;
  };
  struct alignas(kCacheLine) Consumer {
    std::atomic<size_t> head{0};
    size_t cached_tail = 0;
  };

  Producer producer_;
  Consumer consumer_;
  alignas(kCacheLine) const size_t capacity_;
  const size_t mask_;
  const std::unique_ptr<T[]> slots_;
};

}  // namespace dplb::ctrl
