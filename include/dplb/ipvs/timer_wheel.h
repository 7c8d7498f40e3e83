// Hashed timing wheel with lazy re-arm, for per-worker connection expiry.
//
// Each node carries its own expiry, which the data plane may push later on every packet by writing
// that one field: the wheel is not touched. When a node's slot comes round, the wheel compares the
// stored expiry with the clock: a node whose expiry moved is re-inserted in the slot of its new
// expiry, the others are handed to the caller as expired. A node whose expiry moves EARLIER must be
// re-armed explicitly (disarm + arm), which only happens on a timeout change (a TCP state change).
//
// Time is a 32-bit tick count supplied by the caller (kTicksPerSecond per second); comparisons use
// signed differences, so the clock may wrap as long as expiries stay within 2^31 ticks of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dplb::ipvs {

using Tick = uint32_t;
inline constexpr uint32_t kTicksPerSecond = 100;  // 10 ms resolution
// Longest accepted timeout: far below 2^31 ticks so wrap-safe comparisons always hold.
inline constexpr uint32_t kMaxTimeoutTicks = 1u << 30;

constexpr uint32_t seconds_to_ticks(uint32_t s) {
  uint64_t t = uint64_t(s) * kTicksPerSecond;
  return t > kMaxTimeoutTicks ? kMaxTimeoutTicks : static_cast<uint32_t>(t);
}

// True when tick `a` is at or after tick `b` (wrap-safe).
constexpr bool tick_reached(Tick a, Tick b) { return static_cast<int32_t>(a - b) >= 0; }

// Intrusive links of a node in a slot list. `prev` of a list's first node names the list itself
// (kHeadBit | slot), so unlinking needs no sentinel nodes and no stored slot number.
struct TimerLinks {
  uint32_t next;
  uint32_t prev;
};

inline constexpr uint32_t kTimerNil = 0xffffffffu;

// `Nodes` gives access to the nodes by id (ids below 2^31):
//   TimerLinks& links(uint32_t id);   Tick expiry(uint32_t id) const;
template <class Nodes>
class TimerWheel {
 public:
  static constexpr uint32_t kHeadBit = 0x80000000u;
  static constexpr unsigned kMaxSlotsLog2 = 24;

  TimerWheel(Nodes* nodes, unsigned slots_log2, Tick now)
      : nodes_(nodes),
        nslots_(1u << slots_log2),
        mask_(nslots_ - 1),
        heads_(nslots_ + 1, kTimerNil),  // the extra list holds the slot being processed
        next_tick_(now) {}

  uint32_t slot_count() const { return nslots_; }
  // All ticks before this one have been processed.
  Tick next_tick() const { return next_tick_; }
  size_t memory_bytes() const { return heads_.size() * sizeof(uint32_t); }

  // Inserts a node that is in no list. An expiry already in the past fires on the next tick.
  void arm(uint32_t id, Tick expiry) {
    Tick at = tick_reached(expiry, next_tick_) ? expiry : next_tick_;
    push_front(at & mask_, id);
  }

  // Removes a node from whatever list holds it.
  void disarm(uint32_t id) {
    TimerLinks& l = nodes_->links(id);
    if (l.prev & kHeadBit) {
      heads_[l.prev & ~kHeadBit] = l.next;
    } else {
      nodes_->links(l.prev).next = l.next;
    }
    if (l.next != kTimerNil) nodes_->links(l.next).prev = l.prev;
  }

  // Moves the clock to `now` at no cost. Only valid while no node is armed (the owner knows: an
  // empty connection table), e.g. when the first run comes long after construction.
  void sync_idle(Tick now) {
    if (heads_[nslots_] == kTimerNil) next_tick_ = now + 1;
  }

  // Processes ticks up to and including `now`, doing at most `budget` units of work: one per node
  // examined and one per tick advanced (at most one turn of ticks however long the gap). Expired nodes are disarmed and passed to on_expire(id),
  // which then owns them (it may free them or arm them again). Returns the work done; a return equal
  // to `budget` means there may be more to do.
  template <class OnExpire>
  uint32_t run(Tick now, uint32_t budget, OnExpire&& on_expire) {
    const uint32_t pending = nslots_;
    uint32_t work = 0;
    while (work < budget) {
      uint32_t id = heads_[pending];
      if (id == kTimerNil) {
        if (!tick_reached(now, next_tick_)) break;
        // More than a turn behind (a stalled worker): the last turn's ticks visit every slot once,
        // and a node is never due before its slot's tick, so the older ticks can be skipped.
        if (now - next_tick_ >= nslots_) next_tick_ = now - nslots_ + 1;
        // Detach the slot first: nodes re-armed into this same slot belong to the next revolution.
        uint32_t first = heads_[next_tick_ & mask_];
        heads_[next_tick_ & mask_] = kTimerNil;
        if (first != kTimerNil) nodes_->links(first).prev = kHeadBit | pending;
        heads_[pending] = first;
        ++next_tick_;
        ++work;
        continue;
      }
      ++work;
      disarm(id);
      Tick expiry = nodes_->expiry(id);
      if (tick_reached(now, expiry)) {
        on_expire(id);
      } else {
        push_front(expiry & mask_, id);  // expiry > now >= next_tick_ - 1: a later revolution or slot
      }
    }
    return work;
  }

 private:
  void push_front(uint32_t list, uint32_t id) {
    TimerLinks& l = nodes_->links(id);
    uint32_t first = heads_[list];
    l.next = first;
    l.prev = kHeadBit | list;
    if (first != kTimerNil) nodes_->links(first).prev = id;
    heads_[list] = id;
  }

  Nodes* nodes_;
  uint32_t nslots_;
  uint32_t mask_;
  std::vector<uint32_t> heads_;
  Tick next_tick_;
};

}  // namespace dplb::ipvs
