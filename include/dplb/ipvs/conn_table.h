// A worker's IPVS connection table: preallocated connections, two hash indexes (inbound tuple
// client→VIP and outbound tuple server→client) and a timing wheel for expiry.
//
// Only the owning worker touches a table: no locks, no atomics. After make(), nothing allocates.
//
// Index layout: each direction is an array of 64-byte buckets holding 10 (16-bit signature,
// 32-bit connection index) pairs, about 2.5 slots per connection, so most lookups read one bucket
// and one connection (two cache lines). A full bucket spills into the next one (linear probing by
// bucket); each bucket counts the entries that spilled past it, so a miss stops at the first
// bucket that never overflowed, and deletions need no tombstones (folly F14's scheme).
//
// Both indexes hash the client endpoint only (FlowHasher), so a connection has one hash for both.
// Burst use: h[i] = hash_in(key[i]) for the burst, prefetch_in(h[i]) for all, then lookup_in(h[i], key[i]).
#pragma once

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <memory>

#include "dplb/base/status.h"
#include "dplb/ipvs/conn.h"
#include "dplb/ipvs/conn_hash.h"
#include "dplb/ipvs/timer_wheel.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dplb::ipvs {

struct ConnTableConfig {
  uint32_t capacity = 0;            // 1 .. ConnTable::kMaxCapacity
  uint64_t seed = 0;                // hash key; 0 = random
  unsigned timer_slots_log2 = 0;    // 0 = chosen from the capacity (256 .. 65536 slots)
  Tick now = 0;                     // the clock at creation (the wheel also syncs while empty)
  uint32_t index_buckets = 0;       // buckets per index; 0 = automatic (capacity/4). Tests set few
                                    // buckets (down to capacity/10) to force long overflow runs.
};

// What an expiry callback decides. kKeep requires that the callback moved conn.expires into the
// future (e.g. a persistence template that still has children); otherwise it is called again on
// the next tick.
enum class ExpireAction : uint8_t { kDestroy, kKeep };

class ConnTable {
 public:
  static constexpr uint32_t kMaxCapacity = 1u << 24;
  static constexpr uint32_t kSlotsPerBucket = 10;

  struct alignas(64) Bucket {
    uint16_t sig[kSlotsPerBucket];  // 0 = empty slot
    uint16_t overflow;              // entries stored beyond this bucket whose probe passed it (saturates)
    uint16_t used;
    uint32_t idx[kSlotsPerBucket];
  };
  static_assert(sizeof(Bucket) == 64);

  static Result<std::unique_ptr<ConnTable>> make(const ConnTableConfig& config);
  ~ConnTable();
  ConnTable(const ConnTable&) = delete;
  ConnTable& operator=(const ConnTable&) = delete;

  // Memory of a table of this capacity (connections, both indexes, timer wheel) divided by the
  // capacity, rounded up. At most 128 for capacities from 64 up to kMaxCapacity with the automatic
  // wheel size (tested; below 64 the fixed 256-slot wheel dominates); about 97 at 1M and 4M.
  static size_t bytes_per_connection(uint32_t capacity);
  static size_t memory_bytes_for(uint32_t capacity, unsigned timer_slots_log2 = 0);
  size_t memory_bytes() const;

  uint32_t capacity() const { return capacity_; }
  uint32_t size() const { return size_; }
  // The size as another thread reads it while the owner runs (the metrics endpoint's table fill).
  uint32_t size_for_reader() const { return std::atomic_ref<uint32_t>(const_cast<uint32_t&>(size_)).load(std::memory_order_relaxed); }
  bool full() const { return free_head_ == kTimerNil; }
  uint32_t bucket_count() const { return nbuckets_; }
  uint32_t timer_slot_count() const { return wheel_.slot_count(); }

  // --- per packet ---------------------------------------------------------------------------
  // A packet's hash from its own tuple: hash_in for one toward the VIP, hash_out for a server's reply.
  uint64_t hash_in(const FlowKey& k) const { return hasher_(k.proto, k.saddr, k.sport); }   // client = source
  uint64_t hash_out(const FlowKey& k) const { return hasher_(k.proto, k.daddr, k.dport); }  // client = destination
  uint64_t hash_of(const Conn& c) const { return hasher_(c.proto, c.caddr, c.cport); }
  void prefetch_in(uint64_t h) const { __builtin_prefetch(&in_[home(h)]); }
  void prefetch_out(uint64_t h) const { __builtin_prefetch(&out_[home(h)]); }
  // Second stage, once the bucket is in cache: prefetch the connection its first matching slot
  // names (a signature match is almost always the connection itself).
  void prefetch_conn_in(uint64_t h) const { prefetch_match(in_, h); }
  void prefetch_conn_out(uint64_t h) const { prefetch_match(out_, h); }

  // Inbound: key = (proto, client, cport, VIP, vport). Outbound: key = (proto, RS, rport, client, cport).
  // When two connections share an outbound tuple (one client port to two VIPs on one real server)
  // either may be returned, as in IPVS.
  Conn* lookup_in(uint64_t h, const FlowKey& k) {
    return find(in_, h, [&k](const Conn& c) {
      return c.caddr == k.saddr && c.vaddr == k.daddr && c.cport == k.sport && c.vport == k.dport &&
             c.proto == k.proto;
    });
  }
  Conn* lookup_out(uint64_t h, const FlowKey& k) {
    return find(out_, h, [&k](const Conn& c) {
      return c.raddr == k.saddr && c.caddr == k.daddr && c.rport == k.sport && c.cport == k.dport &&
             c.proto == k.proto;
    });
  }
  Conn* lookup_in(const FlowKey& k) { return lookup_in(hash_in(k), k); }
  Conn* lookup_out(const FlowKey& k) { return lookup_out(hash_out(k), k); }

  // Adds a connection expiring at now + p.timeout. Returns nullptr when the table is full (the
  // caller counts the drop). The caller has just missed lookup_in for this tuple: create() does
  // not look for duplicates. p.proto must not be 0.
  Conn* create(const ConnParams& p, Tick now);
  // Removes a live connection (not from inside a run_timers callback: return kDestroy there).
  void destroy(Conn* c);

  // Per packet with an unchanged timeout: one store, the wheel catches up lazily.
  void touch(Conn& c, Tick now) { c.expires = now + c.timeout; }
  // Per packet after a state change: sets the timeout and the expiry; only an expiry that moves
  // earlier re-arms the wheel (O(1)).
  void refresh(Conn& c, uint32_t timeout, Tick now) {
    Tick e = now + timeout;
    c.timeout = timeout;
    if (!tick_reached(e, c.expires)) {
      uint32_t id = index_of(&c);
      wheel_.disarm(id);
      wheel_.arm(id, e);
    }
    c.expires = e;
  }

  // Expires connections whose time has come, at most `budget` units of work (one per connection
  // examined, one per tick advanced). on_expire(Conn&) -> ExpireAction is called before a
  // connection is removed (update dest counters there). Returns the work done.
  template <class OnExpire>
  uint32_t run_timers(Tick now, uint32_t budget, OnExpire&& on_expire) {
    if (size_ == 0) {
      wheel_.sync_idle(now);
      return 0;
    }
    return wheel_.run(now, budget, [&](uint32_t id) {
      Conn& c = conns_[id];
      if (on_expire(c) == ExpireAction::kKeep) {
        wheel_.arm(id, tick_reached(now, c.expires) ? now + 1 : c.expires);
      } else {
        release(id);
      }
    });
  }

  // --- control path -------------------------------------------------------------------------
  // Calls f(const Conn&) for the live connections among the next `max_scan` entries from
  // `cursor`; returns the cursor to continue from, capacity() when done. The owner runs it in
  // slices between bursts: a connection alive for the whole walk is seen exactly once.
  template <class F>
  uint32_t visit(uint32_t cursor, uint32_t max_scan, F&& f) const {
    uint32_t end = capacity_ - cursor < max_scan ? capacity_ : cursor + max_scan;
    for (uint32_t i = cursor; i < end; ++i) {
      if (conns_[i].proto != 0) f(static_cast<const Conn&>(conns_[i]));
    }
    return end;
  }

  // Self-check for tests, O(capacity + buckets): each live connection sits exactly once in each
  // index under its own hash, nothing else does, and the slot and overflow counters are exact.
  Status verify() const;

  uint32_t index_of(const Conn* c) const { return static_cast<uint32_t>(c - conns_); }
  Conn& at(uint32_t index) { return conns_[index]; }

 private:
  struct Nodes {
    Conn* conns;
    TimerLinks& links(uint32_t id) { return conns[id].timer; }
    Tick expiry(uint32_t id) const { return conns[id].expires; }
  };

  ConnTable(uint32_t capacity, uint32_t nbuckets, unsigned slots_log2, uint64_t seed, Tick now, Conn* conns,
            Bucket* in, Bucket* out);

  // Home bucket from the low 32 bits by multiply-shift, so the bucket count need not be a power of
  // two (it is exactly capacity/4: the memory bound holds at every capacity). The signature comes
  // from the top 16 bits, independent of these.
  uint32_t home(uint64_t h) const {
    return static_cast<uint32_t>((uint64_t(static_cast<uint32_t>(h)) * nbuckets_) >> 32);
  }
  uint32_t next(uint32_t b) const { return b + 1 == nbuckets_ ? 0 : b + 1; }

  static uint16_t signature(uint64_t h) {
    auto s = static_cast<uint16_t>(h >> 48);
    return s ? s : 1;
  }

  // Bit i*2 set for each slot whose signature equals `sig` (SSE2: two compares).
  static uint32_t match_mask(const Bucket& b, uint16_t sig) {
#if defined(__SSE2__)
    __m128i want = _mm_set1_epi16(static_cast<short>(sig));
    __m128i lo = _mm_load_si128(reinterpret_cast<const __m128i*>(b.sig));
    __m128i hi = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(b.sig + 8));
    uint32_t m_lo = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi16(lo, want)));
    uint32_t m_hi = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi16(hi, want))) & 0xf;
    return (m_lo | (m_hi << 16)) & 0x55555u;
#else
    uint32_t m = 0;
    for (uint32_t i = 0; i < kSlotsPerBucket; ++i) m |= uint32_t(b.sig[i] == sig) << (2 * i);
    return m;
#endif
  }

  void prefetch_match(const Bucket* tab, uint64_t h) const {
    const Bucket& bk = tab[home(h)];
    uint32_t m = match_mask(bk, signature(h));
    if (m != 0) __builtin_prefetch(&conns_[bk.idx[__builtin_ctz(m) >> 1]]);
  }

  template <class Match>
  Conn* find(const Bucket* tab, uint64_t h, Match&& match) {
    uint32_t b = home(h);
    const uint16_t sig = signature(h);
    for (uint32_t probes = 0; probes < nbuckets_; ++probes) {
      const Bucket& bk = tab[b];
      for (uint32_t m = match_mask(bk, sig); m != 0; m &= m - 1) {
        Conn& c = conns_[bk.idx[__builtin_ctz(m) >> 1]];
        if (match(c)) return &c;
      }
      if (bk.overflow == 0) return nullptr;
      b = next(b);
    }
    return nullptr;
  }

  void insert(Bucket* tab, uint64_t h, uint32_t id);
  void remove(Bucket* tab, uint64_t h, uint32_t id);
  void release(uint32_t id);  // removes from both indexes and frees; not armed

  uint32_t capacity_;
  uint32_t nbuckets_;  // per index
  // Stored relaxed (a plain move on x86) so that size_for_reader() is race-free.
  void set_size(uint32_t n) { std::atomic_ref<uint32_t>(size_).store(n, std::memory_order_relaxed); }
  uint32_t size_ = 0;
  uint32_t free_head_ = kTimerNil;  // free connections chained through timer.next
  FlowHasher hasher_;
  Conn* conns_;
  Bucket* in_;
  Bucket* out_;
  Nodes nodes_;
  TimerWheel<Nodes> wheel_;
};

}  // namespace dplb::ipvs
