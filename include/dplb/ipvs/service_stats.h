// Per-worker counters of services and dests. Only the owning worker writes them; the main lcore reads
// them concurrently. Writes are a relaxed load + relaxed store (a plain add, no lock prefix: there is a
// single writer), reads are relaxed loads, both through std::atomic_ref so neither tears.
#pragma once

#include <atomic>
#include <cstdint>

namespace dplb::ipvs {

// The figures `ipvsadm -L --stats` and `-L -n` print. active/inactive follow IPVS: active = TCP
// ESTABLISHED, inactive = every other state (and UDP). They are gauges; the rest only grow.
struct IpvsCounters {
  uint64_t conns = 0;           // connections scheduled to it
  uint64_t inpkts = 0;          // client -> server
  uint64_t outpkts = 0;         // server -> client
  uint64_t inbytes = 0;
  uint64_t outbytes = 0;
  uint64_t active_conns = 0;
  uint64_t inactive_conns = 0;

  IpvsCounters& operator+=(const IpvsCounters& o) {
    conns += o.conns;
    inpkts += o.inpkts;
    outpkts += o.outpkts;
    inbytes += o.inbytes;
    outbytes += o.outbytes;
    active_conns += o.active_conns;
    inactive_conns += o.inactive_conns;
    return *this;
  }
  friend bool operator==(const IpvsCounters&, const IpvsCounters&) = default;
};

// One cache line per object and worker, so two objects never share a line that main reads.
struct alignas(64) CounterBlock {
  IpvsCounters c;
};
static_assert(sizeof(CounterBlock) == 64);

// Single-writer add: no read-modify-write instruction, but never a torn value for a concurrent reader.
inline void counter_add(uint64_t& field, uint64_t n) {
  std::atomic_ref<uint64_t> r(field);
  r.store(r.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
inline void counter_sub(uint64_t& field, uint64_t n) { counter_add(field, uint64_t(0) - n); }
inline void counter_set(uint64_t& field, uint64_t v) {
  std::atomic_ref<uint64_t>(field).store(v, std::memory_order_relaxed);
}

// A reader's snapshot (each field is read atomically; the set is not one transaction).
inline IpvsCounters read_counters(const CounterBlock& b) {
  auto ld = [](const uint64_t& f) {
    return std::atomic_ref<uint64_t>(const_cast<uint64_t&>(f)).load(std::memory_order_relaxed);
  };
  IpvsCounters s;
  s.conns = ld(b.c.conns);
  s.inpkts = ld(b.c.inpkts);
  s.outpkts = ld(b.c.outpkts);
  s.inbytes = ld(b.c.inbytes);
  s.outbytes = ld(b.c.outbytes);
  s.active_conns = ld(b.c.active_conns);
  s.inactive_conns = ld(b.c.inactive_conns);
  return s;
}

// `ipvsadm -Z`: the totals restart; the connection gauges stay (they describe live connections).
inline void zero_totals(CounterBlock& b) {
  counter_set(b.c.conns, 0);
  counter_set(b.c.inpkts, 0);
  counter_set(b.c.outpkts, 0);
  counter_set(b.c.inbytes, 0);
  counter_set(b.c.outbytes, 0);
}

}  // namespace dplb::ipvs
