#include "dplb/ipvs/conn_table.h"

#include <sys/mman.h>

#include <cassert>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace dplb::ipvs {
namespace {

// Index buckets per direction: a quarter of the capacity, so 10-slot buckets are at most 40% full
// and overflow is rare (a bucket overflows with probability ~0.3% at full capacity).
uint32_t bucket_count_for(uint32_t capacity) { return (capacity + 3) / 4; }

unsigned ceil_log2(uint32_t v) {
  unsigned l = 0;
  while ((uint64_t(1) << l) < v) ++l;
  return l;
}

// One wheel slot per 16 connections, between 256 and 65536 slots (2.56 s .. 655 s per turn).
unsigned default_slots_log2(uint32_t capacity) {
  unsigned l = ceil_log2(capacity);
  l = l > 4 ? l - 4 : 0;
  return l < 8 ? 8 : (l > 16 ? 16 : l);
}

// Large arrays come straight from mmap so the kernel can back them with transparent huge pages:
// the lookups are random accesses over hundreds of MB, where 4 KiB pages would miss the TLB.
void* map_array(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

void unmap_array(void* p, size_t bytes) {
  if (p) munmap(p, bytes);
}

}  // namespace

size_t ConnTable::memory_bytes_for(uint32_t capacity, unsigned timer_slots_log2) {
  if (timer_slots_log2 == 0) timer_slots_log2 = default_slots_log2(capacity);
  return size_t(capacity) * sizeof(Conn) + 2 * size_t(bucket_count_for(capacity)) * sizeof(Bucket) +
         ((size_t(1) << timer_slots_log2) + 1) * sizeof(uint32_t);
}

size_t ConnTable::bytes_per_connection(uint32_t capacity) {
  if (capacity == 0) return 0;
  return (memory_bytes_for(capacity) + capacity - 1) / capacity;
}

size_t ConnTable::memory_bytes() const {
  return size_t(capacity_) * sizeof(Conn) + 2 * size_t(nbuckets_) * sizeof(Bucket) + wheel_.memory_bytes();
}

Result<std::unique_ptr<ConnTable>> ConnTable::make(const ConnTableConfig& config) {
  if (config.capacity == 0 || config.capacity > kMaxCapacity) {
    return Status::invalid("connection table capacity must be between 1 and " + std::to_string(kMaxCapacity) +
                           ", got " + std::to_string(config.capacity));
  }
  unsigned slots_log2 = config.timer_slots_log2 ? config.timer_slots_log2 : default_slots_log2(config.capacity);
  if (slots_log2 > TimerWheel<Nodes>::kMaxSlotsLog2) {
    return Status::invalid("timer wheel of 2^" + std::to_string(slots_log2) + " slots is too large");
  }
  uint64_t seed = config.seed;
  while (seed == 0) seed = (uint64_t(std::random_device{}()) << 32) | std::random_device{}();

  uint32_t nbuckets = config.index_buckets ? config.index_buckets : bucket_count_for(config.capacity);
  if (nbuckets > kMaxCapacity || uint64_t(nbuckets) * kSlotsPerBucket < config.capacity) {
    return Status::invalid("index buckets must hold the capacity (10 entries each), got " +
                           std::to_string(nbuckets));
  }
  size_t conn_bytes = size_t(config.capacity) * sizeof(Conn);
  size_t bucket_bytes = size_t(nbuckets) * sizeof(Bucket);
  auto* conns = static_cast<Conn*>(map_array(conn_bytes));
  auto* in = static_cast<Bucket*>(map_array(bucket_bytes));
  auto* out = static_cast<Bucket*>(map_array(bucket_bytes));
  if (!conns || !in || !out) {
    unmap_array(conns, conn_bytes);
    unmap_array(in, bucket_bytes);
    unmap_array(out, bucket_bytes);
    return Status::error(ENOMEM, "cannot allocate a connection table of " + std::to_string(config.capacity) +
                                     " entries (" + std::to_string(memory_bytes_for(config.capacity) >> 20) +
                                     " MiB)");
  }
  return std::unique_ptr<ConnTable>(
      new ConnTable(config.capacity, nbuckets, slots_log2, seed, config.now, conns, in, out));
}

ConnTable::ConnTable(uint32_t capacity, uint32_t nbuckets, unsigned slots_log2, uint64_t seed, Tick now,
                     Conn* conns, Bucket* in, Bucket* out)
    : capacity_(capacity),
      nbuckets_(nbuckets),
      hasher_(seed),
      conns_(conns),
      in_(in),
      out_(out),
      nodes_{conns},
      wheel_(&nodes_, slots_log2, now) {
  // Touch everything now (mmap memory is zero already, but the first write faults the pages in):
  // nothing on the packet path should take a page fault.
  std::uninitialized_value_construct_n(in_, nbuckets);
  std::uninitialized_value_construct_n(out_, nbuckets);
  std::uninitialized_value_construct_n(conns_, capacity);
  // Free list in index order, so a fresh table fills from the start.
  for (uint32_t i = capacity; i-- > 0;) {
    conns_[i].timer.next = free_head_;
    free_head_ = i;
  }
}

ConnTable::~ConnTable() {
  unmap_array(conns_, size_t(capacity_) * sizeof(Conn));
  unmap_array(in_, size_t(nbuckets_) * sizeof(Bucket));
  unmap_array(out_, size_t(nbuckets_) * sizeof(Bucket));
}

void ConnTable::insert(Bucket* tab, uint64_t h, uint32_t id) {
  uint32_t b = home(h);
  // Terminates: the buckets hold 2.5 slots per connection, so a free slot always exists.
  while (tab[b].used == kSlotsPerBucket) {
    if (tab[b].overflow != UINT16_MAX) ++tab[b].overflow;
    b = next(b);
  }
  Bucket& bk = tab[b];
  uint32_t i = 0;
  while (bk.sig[i] != 0) ++i;
  bk.sig[i] = signature(h);
  bk.idx[i] = id;
  ++bk.used;
}

void ConnTable::remove(Bucket* tab, uint64_t h, uint32_t id) {
  const uint32_t home_b = home(h);
  const uint16_t sig = signature(h);
  uint32_t b = home_b;
  for (uint32_t probes = 0; probes < nbuckets_; ++probes) {
    Bucket& bk = tab[b];
    for (uint32_t m = match_mask(bk, sig); m != 0; m &= m - 1) {
      uint32_t i = __builtin_ctz(m) >> 1;
      if (bk.idx[i] != id) continue;
      bk.sig[i] = 0;
      --bk.used;
      // Undo the overflow counts the insertion left on the buckets it passed.
      for (uint32_t p = home_b; p != b; p = next(p)) {
        if (tab[p].overflow != UINT16_MAX) --tab[p].overflow;
      }
      return;
    }
    b = next(b);
  }
  assert(false && "connection missing from its index");
}

Conn* ConnTable::create(const ConnParams& p, Tick now) {
  if (free_head_ == kTimerNil) return nullptr;
  assert(p.proto != 0);
  uint32_t id = free_head_;
  Conn& c = conns_[id];
  free_head_ = c.timer.next;

  c.caddr = p.caddr;
  c.vaddr = p.vaddr;
  c.raddr = p.raddr;
  c.cport = p.cport;
  c.vport = p.vport;
  c.rport = p.rport;
  c.proto = p.proto;
  c.state = p.state;
  c.flags = p.flags;
  c.user16 = 0;
  c.dest_id = p.dest_id;
  c.dest_gen = p.dest_gen;
  c.timeout = p.timeout;
  c.expires = now + p.timeout;
  std::memset(c.route_cache, 0, sizeof(c.route_cache));

  uint64_t h = hash_of(c);
  insert(in_, h, id);
  insert(out_, h, id);
  wheel_.arm(id, c.expires);
  set_size(size_ + 1);
  return &c;
}

void ConnTable::destroy(Conn* c) {
  uint32_t id = index_of(c);
  assert(id < capacity_ && c->proto != 0);
  wheel_.disarm(id);
  release(id);
}

void ConnTable::release(uint32_t id) {
  Conn& c = conns_[id];
  uint64_t h = hash_of(c);
  remove(in_, h, id);
  remove(out_, h, id);
  c.proto = 0;
  c.timer.next = free_head_;
  free_head_ = id;
  set_size(size_ - 1);
}

Status ConnTable::verify() const {
  auto fail = [](std::string what) { return Status::error(EFAULT, "connection table: " + what); };
  std::vector<uint8_t> seen_in(capacity_, 0), seen_out(capacity_, 0);
  for (int dir = 0; dir < 2; ++dir) {
    const Bucket* tab = dir == 0 ? in_ : out_;
    std::vector<uint8_t>& seen = dir == 0 ? seen_in : seen_out;
    std::vector<uint32_t> overflow(nbuckets_, 0);
    for (uint32_t b = 0; b < nbuckets_; ++b) {
      uint32_t used = 0;
      for (uint32_t i = 0; i < kSlotsPerBucket; ++i) {
        if (tab[b].sig[i] == 0) continue;
        ++used;
        uint32_t id = tab[b].idx[i];
        if (id >= capacity_ || conns_[id].proto == 0) return fail("index entry for a free connection");
        if (seen[id]++) return fail("connection indexed twice");
        uint64_t h = hash_of(conns_[id]);
        if (tab[b].sig[i] != signature(h)) return fail("wrong signature");
        for (uint32_t p = home(h); p != b; p = next(p)) ++overflow[p];
      }
      if (used != tab[b].used) return fail("bucket slot count wrong");
    }
    for (uint32_t b = 0; b < nbuckets_; ++b) {
      if (tab[b].overflow != UINT16_MAX && tab[b].overflow != overflow[b]) return fail("overflow count wrong");
    }
  }
  uint32_t live = 0;
  for (uint32_t id = 0; id < capacity_; ++id) {
    if (conns_[id].proto == 0) continue;
    ++live;
    if (!seen_in[id] || !seen_out[id]) return fail("live connection missing from an index");
  }
  if (live != size_) return fail("size wrong");
  uint32_t free_count = 0;
  for (uint32_t id = free_head_; id != kTimerNil && free_count <= capacity_; id = conns_[id].timer.next) {
    if (conns_[id].proto != 0) return fail("live connection on the free list");
    ++free_count;
  }
  if (free_count != capacity_ - size_) return fail("free list length wrong");
  return Status::ok();
}

}  // namespace dplb::ipvs
