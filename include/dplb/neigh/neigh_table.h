// Per-worker IPv4 neighbour table (ARP cache) with Linux's NUD states, a bounded per-entry queue of
// packets awaiting resolution, and timers driven by the caller's clock. Owner-only: no locks.
// Packets are opaque pointers (mbufs in the data plane); the caller sends or frees what comes back.
#pragma once

#include <cstddef>
#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/base/status.h"

namespace dplb::neigh {

enum class State : uint8_t { none, incomplete, reachable, stale, probe, failed, permanent };
std::string_view state_name(State s);  // iproute2 spelling: INCOMPLETE, REACHABLE, STALE, ...

struct Timings {                      // milliseconds, Linux defaults (net.ipv4.neigh.default.*)
  uint64_t retrans_ms = 1000;         // between ARP requests while resolving / probing
  uint32_t max_probes = 3;            // requests before FAILED
  uint64_t reachable_ms = 30000;      // REACHABLE -> STALE without confirmation
  uint64_t gc_stale_ms = 60000;       // unused STALE/FAILED entries are removed after this
  uint64_t failed_hold_ms = 1000;     // packets to a FAILED neighbour are dropped this long
};

inline constexpr size_t kQueueLen = 8;  // packets held per unresolved neighbour

struct Entry {
  Ip4 ip;
  uint16_t port = 0;
  State state = State::none;
  uint8_t probes = 0;
  uint8_t queued = 0;
  Mac mac;
  uint64_t updated_ms = 0;     // last confirmation / state change
  uint64_t used_ms = 0;        // last packet sent through it
  uint64_t next_timer_ms = 0;  // next retransmit / state check
  void* queue[kQueueLen] = {};
};

// What the output path must do with a packet it asked to resolve.
enum class Resolve : uint8_t {
  send,            // mac is valid: send now
  send_and_probe,  // send now, and send a unicast ARP probe to mac (entry was STALE)
  queued,          // held until resolution
  queued_and_ask,  // held; send a broadcast ARP request now (new resolution)
  drop_queue_full, // caller frees the packet (neigh_queue_full)
  drop_failed,     // caller frees the packet (neigh_failed)
  drop_table_full, // no entry available (counted as neigh_queue_full by the caller)
};

struct ResolveResult {
  Resolve action;
  const Entry* entry;  // valid for send*; the entry's mac is the destination
};

// Callbacks from confirm() / run_timers(): the data plane implements these.
struct Sink {
  virtual ~Sink() = default;
  virtual void send_queued(const Entry& e, void* pkt) = 0;      // resolved: transmit to e.mac
  virtual void drop_queued(const Entry& e, void* pkt) = 0;      // resolution failed: free + count
  virtual void send_request(const Entry& e, bool unicast) = 0;  // (re)transmit an ARP request
  virtual void state_changed(const Entry&) {}                   // for the main lcore's view
  // An ARP reply aimed at us confirmed e and changed nothing here. Each worker has its own table and
  // a reply lands on whichever worker the NIC picks, not necessarily the one that asked (e.g. one
  // probing its STALE entry while this worker's entry is still REACHABLE): the asker must hear of it.
  virtual void answered(const Entry&) {}
};

class NeighTable {
 public:
  explicit NeighTable(size_t capacity = 4096, Timings t = {});

  // Per packet (hot): find or start resolution for (port, ip). The resolved case is inline; the
  // rest (miss, queueing, stale probes, failures) is out of line.
  ResolveResult resolve(uint16_t port, Ip4 ip, void* pkt, uint64_t now_ms) {
    Entry* e = find_mut(port, ip);
    if (__builtin_expect(e != nullptr && (e->state == State::reachable || e->state == State::permanent ||
                                          e->state == State::probe), 1))
      return {Resolve::send, e};
    return resolve_slow(e, port, ip, pkt, now_ms);
  }
  const Entry* find(uint16_t port, Ip4 ip) const { return const_cast<NeighTable*>(this)->find_mut(port, ip); }

  // An ARP packet from (port, ip, mac) confirms the neighbour. `create` = the ARP was aimed at us
  // (Linux creates entries only then; otherwise it only updates existing ones). Queued packets are
  // handed to sink.send_queued(). Returns true if the entry was created or its mac/state changed
  // (sink.state_changed); `reply` = the ARP is a reply: when nothing changed, sink.answered.
  bool confirm(uint16_t port, Ip4 ip, const Mac& mac, uint64_t now_ms, bool create, Sink& sink,
               bool reply = false);

  // Static entries (dpip neigh add): PERMANENT, never aged, never overwritten by ARP.
  Status add_permanent(uint16_t port, Ip4 ip, const Mac& mac, Sink& sink, uint64_t now_ms);
  // Removes an entry of any state (queued packets dropped through sink). ENOENT if absent.
  Status remove(uint16_t port, Ip4 ip, Sink& sink);
  size_t flush_port(uint16_t port, Sink& sink, bool include_permanent);

  // Timers: retransmit requests, fail unanswered resolutions, age REACHABLE to STALE, collect
  // garbage. Bounded: at most `budget` entries examined per call (round-robin).
  void run_timers(uint64_t now_ms, Sink& sink, size_t budget = 64);

  bool is_dead(uint16_t port, Ip4 ip) const {
    const Entry* e = find(port, ip);
    return e && e->state == State::failed;
  }

  size_t size() const { return used_; }
  // The size as another thread reads it while the owner runs (the metrics endpoint).
  size_t size_for_reader() const { return std::atomic_ref<size_t>(const_cast<size_t&>(used_)).load(std::memory_order_relaxed); }
  size_t capacity() const { return slots_.size(); }
  template <typename F> void for_each(F&& f) const {
    for (const Entry& e : slots_) if (e.state != State::none) f(e);
  }
  // Order-independent digest of the PERMANENT entries (the configured part every worker shares).
  uint64_t digest() const { return digest_; }
  const Timings& timings() const { return timings_; }

 private:
  // Fibonacci hashing: one multiply, the top bits index the power-of-two table.
  size_t slot_of(uint16_t port, Ip4 ip) const {
    return static_cast<size_t>(((uint64_t(port) << 32 | ip.v) * 0x9e3779b97f4a7c15ull) >> shift_);
  }
  Entry* find_mut(uint16_t port, Ip4 ip) {
    for (size_t i = slot_of(port, ip);; i = (i + 1) & mask_) {
      Entry& e = slots_[i];
      if (e.state == State::none) return nullptr;
      if (e.ip == ip && e.port == port) return &e;
    }
  }
  ResolveResult resolve_slow(Entry* e, uint16_t port, Ip4 ip, void* pkt, uint64_t now_ms);
  Entry* insert(uint16_t port, Ip4 ip);
  void erase(Entry* e);
  void flush_queue(Entry& e, Sink& sink, bool send);
  static uint64_t entry_hash(const Entry& e);

  std::vector<Entry> slots_;  // open addressing, linear probing, backward-shift deletion
  size_t mask_ = 0;
  unsigned shift_ = 64;
  // Stored relaxed (a plain move on x86) so that size_for_reader() is race-free.
  void set_used(size_t n) { std::atomic_ref<size_t>(used_).store(n, std::memory_order_relaxed); }
  size_t used_ = 0;
  size_t timer_cursor_ = 0;
  uint64_t digest_ = 0;
  Timings timings_;
};

}  // namespace dplb::neigh
