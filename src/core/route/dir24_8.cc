#include "dplb/route/dir24_8.h"

#include <sys/mman.h>

#include <algorithm>
#include <new>
#include <utility>

namespace dplb::route {

namespace {

constexpr size_t kTbl24Bytes = (size_t(1) << 24) * sizeof(uint32_t);

uint32_t* map_tbl24() {
  // Anonymous private pages read as zero (= empty entries) and are only backed once written. Aligned
  // to 2 MiB (mapped with a margin, then trimmed) so that huge pages, when asked for, cover all of it.
  constexpr size_t kAlign = size_t(2) << 20;
  void* p = mmap(nullptr, kTbl24Bytes + kAlign, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  auto base = reinterpret_cast<uintptr_t>(p);
  uintptr_t aligned = (base + kAlign - 1) & ~(kAlign - 1);
  if (aligned != base) munmap(p, aligned - base);
  if (size_t tail = kAlign - (aligned - base)) munmap(reinterpret_cast<void*>(aligned + kTbl24Bytes), tail);
  return reinterpret_cast<uint32_t*>(aligned);
}

}  // namespace

Dir24_8::Dir24_8() : tbl24_(map_tbl24()) {}

void Dir24_8::prefer_huge_pages() {
  // Advice only: without THP support (or with it off) the table keeps working on small pages.
  if (tbl24_ != nullptr) madvise(tbl24_, kTbl24Bytes, MADV_HUGEPAGE);
}

Dir24_8::~Dir24_8() {
  if (tbl24_ != nullptr) munmap(tbl24_, kTbl24Bytes);
}

Dir24_8::Dir24_8(Dir24_8&& other) noexcept
    : tbl24_(std::exchange(other.tbl24_, nullptr)),
      short_(other.short_),
      tbl8_(std::move(other.tbl8_)),
      free_groups_(std::move(other.free_groups_)) {}

Dir24_8& Dir24_8::operator=(Dir24_8&& other) noexcept {
  if (this != &other) {
    if (tbl24_ != nullptr) munmap(tbl24_, kTbl24Bytes);
    tbl24_ = std::exchange(other.tbl24_, nullptr);
    short_ = other.short_;
    tbl8_ = std::move(other.tbl8_);
    free_groups_ = std::move(other.free_groups_);
  }
  return *this;
}

void Dir24_8::fill(uint32_t* entries, size_t count, uint32_t e, unsigned len) {
  for (size_t i = 0; i < count; ++i) {
    uint32_t cur = entries[i];
    if (!(cur & kValid) || depth(cur) <= len) entries[i] = e;
  }
}

void Dir24_8::unfill(uint32_t* entries, size_t count, uint32_t id, uint32_t replacement) {
  for (size_t i = 0; i < count; ++i) {
    uint32_t cur = entries[i];
    if ((cur & kValid) && (cur & kIdMask) == id) entries[i] = replacement;
  }
}

uint32_t Dir24_8::alloc_group(uint32_t initial) {
  uint32_t group;
  if (!free_groups_.empty()) {
    group = free_groups_.back();
    free_groups_.pop_back();
  } else {
    group = static_cast<uint32_t>(tbl8_.size() / 256);
    if (group >= kMaxIds) throw std::bad_alloc();
    tbl8_.resize(tbl8_.size() + 256);
  }
  std::fill_n(tbl8_.begin() + ptrdiff_t(group) * 256, 256, initial);
  return group;
}

// A group whose 256 entries all hold the same /24-or-shorter entry (or nothing) is folded back into
// its tbl24 entry, as rte_lpm's tbl8_recycle_check does.
void Dir24_8::maybe_free_group(size_t tbl24_index) {
  uint32_t group = tbl24_[tbl24_index] & kIdMask;
  const uint32_t* g = &tbl8_[size_t(group) * 256];
  uint32_t first = g[0];
  if ((first & kValid) && depth(first) > 24) return;
  if (!std::all_of(g, g + 256, [first](uint32_t e) { return e == first; })) return;
  tbl24_[tbl24_index] = first;
  free_groups_.push_back(group);
}

void Dir24_8::insert(Ip4 net, uint8_t len, uint32_t id) {
  uint32_t e = entry(id, len);
  if (len <= 8) {
    fill(&short_[net.v >> 24], size_t(1) << (8 - len), e, len);
    return;
  }
  if (len <= 24) {
    size_t first = net.v >> 8;
    size_t count = size_t(1) << (24 - len);
    for (size_t i = first; i < first + count; ++i) {
      uint32_t cur = tbl24_[i];
      if (cur & kExt) {
        fill(&tbl8_[size_t(cur & kIdMask) * 256], 256, e, len);
      } else if (!(cur & kValid) || depth(cur) <= len) {
        tbl24_[i] = e;
      }
    }
    return;
  }
  size_t i = net.v >> 8;
  if (!(tbl24_[i] & kExt)) {
    uint32_t group = alloc_group(tbl24_[i]);
    tbl24_[i] = kValid | kExt | group;
  }
  fill(&tbl8_[size_t(tbl24_[i] & kIdMask) * 256 + (net.v & 0xff)], size_t(1) << (32 - len), e, len);
}

void Dir24_8::remove(Ip4 net, uint8_t len, uint32_t id, std::optional<Parent> parent) {
  if (len <= 8) {
    uint32_t replacement = parent ? entry(parent->id, parent->len) : 0;
    unfill(&short_[net.v >> 24], size_t(1) << (8 - len), id, replacement);
    return;
  }
  // Addresses of a /9+ prefix whose parent is /8 or shorter fall back to the short table.
  uint32_t replacement = (parent && parent->len > 8) ? entry(parent->id, parent->len) : 0;
  if (len <= 24) {
    size_t first = net.v >> 8;
    size_t count = size_t(1) << (24 - len);
    for (size_t i = first; i < first + count; ++i) {
      uint32_t cur = tbl24_[i];
      if (cur & kExt) {
        unfill(&tbl8_[size_t(cur & kIdMask) * 256], 256, id, replacement);
      } else if ((cur & kValid) && (cur & kIdMask) == id) {
        tbl24_[i] = replacement;
      }
    }
    return;
  }
  size_t i = net.v >> 8;
  if (!(tbl24_[i] & kExt)) return;  // not installed: nothing to do
  unfill(&tbl8_[size_t(tbl24_[i] & kIdMask) * 256 + (net.v & 0xff)], size_t(1) << (32 - len), id,
         replacement);
  maybe_free_group(i);
}

void Dir24_8::clear() {
  madvise(tbl24_, kTbl24Bytes, MADV_DONTNEED);  // private anonymous pages read back as zero
  short_.fill(0);
  tbl8_.clear();
  tbl8_.shrink_to_fit();
  free_groups_.clear();
}

}  // namespace dplb::route
