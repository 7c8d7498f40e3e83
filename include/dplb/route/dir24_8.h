// DIR-24-8 longest-prefix-match table (rte_lpm's design) mapping an address to the id of the most
// specific installed (prefix, len). Each entry stores the id and the prefix length ("depth") that
// wrote it, so an insert only overwrites less specific entries and a delete restores the covering
// prefix over the deleted range.
//
// Three levels, read in this order by lookup():
//   tbl24  2^24 entries indexed by the top 24 bits, for prefixes /9../24 (and a pointer to a tbl8
//          group). Allocated with mmap: pages no prefix touches cost nothing.
//   tbl8   groups of 256 entries for the last octet, for prefixes /25../32.
//   short  256 entries indexed by the top octet, for prefixes /0../8. Keeping them out of tbl24 means
//          a default route does not fault in 64 MiB per table (one per lcore) and adding or deleting
//          it writes 256 entries, not 16 million. An empty tbl24/tbl8 entry falls back to it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "dplb/base/addr.h"

namespace dplb::route {

class Dir24_8 {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;
  static constexpr uint32_t kMaxIds = 1u << 24;  // ids are 0..kMaxIds-1

  // The longest installed prefix strictly covering the one being removed.
  struct Parent {
    uint32_t id;
    uint8_t len;
  };

  Dir24_8();
  ~Dir24_8();
  Dir24_8(Dir24_8&& other) noexcept;
  Dir24_8& operator=(Dir24_8&& other) noexcept;
  Dir24_8(const Dir24_8&) = delete;
  Dir24_8& operator=(const Dir24_8&) = delete;

  // `net` must be the prefix's network address and (net, len) must not be installed.
  void insert(Ip4 net, uint8_t len, uint32_t id);
  // Removes an installed (net, len) whose id is `id`; `parent` is what its addresses fall back to.
  void remove(Ip4 net, uint8_t len, uint32_t id, std::optional<Parent> parent);
  // Removes everything and gives the tbl24 pages back to the kernel.
  void clear();

  uint32_t lookup(Ip4 addr) const noexcept {
    uint32_t e = tbl24_[addr.v >> 8];
    if (e & kExt) e = tbl8_[(size_t(e & kIdMask) << 8) | (addr.v & 0xff)];
    if (!(e & kValid)) e = short_[addr.v >> 24];
    return (e & kValid) ? (e & kIdMask) : kNone;
  }

  // Starts loading the tbl24 entry of addr (burst pipelines: prefetch every packet's, then look up).
  void prefetch(Ip4 addr) const noexcept { __builtin_prefetch(&tbl24_[addr.v >> 8]); }

  // Backs tbl24 with transparent huge pages from now on (the data plane's tables: at 100,000 routes
  // a lookup's TLB miss costs as much as its cache miss). Each touched 2 MiB region is then backed
  // whole, so a table with a few scattered prefixes costs up to 2 MiB per prefix instead of 4 KiB.
  void prefer_huge_pages();

  size_t tbl8_groups_in_use() const { return tbl8_.size() / 256 - free_groups_.size(); }

 private:
  static constexpr uint32_t kValid = 1u << 31;
  static constexpr uint32_t kExt = 1u << 30;  // tbl24 only: the id is a tbl8 group index
  static constexpr unsigned kDepthShift = 24;
  static constexpr uint32_t kDepthMask = 0x3fu << kDepthShift;
  static constexpr uint32_t kIdMask = kMaxIds - 1;
  static constexpr size_t kTbl24Entries = size_t(1) << 24;

  static constexpr uint32_t entry(uint32_t id, unsigned len) { return kValid | (len << kDepthShift) | id; }
  static constexpr unsigned depth(uint32_t e) { return (e & kDepthMask) >> kDepthShift; }

  // Writes `e` (of depth len) over entries that are empty or less specific.
  static void fill(uint32_t* entries, size_t count, uint32_t e, unsigned len);
  // Replaces entries written by `id` with `replacement`.
  static void unfill(uint32_t* entries, size_t count, uint32_t id, uint32_t replacement);
  uint32_t alloc_group(uint32_t initial);
  void maybe_free_group(size_t tbl24_index);

  uint32_t* tbl24_ = nullptr;
  std::array<uint32_t, 256> short_{};
  std::vector<uint32_t> tbl8_;
  std::vector<uint32_t> free_groups_;
};

}  // namespace dplb::route
