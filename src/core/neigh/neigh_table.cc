#include "dplb/neigh/neigh_table.h"

#include <bit>

namespace dplb::neigh {

namespace {

uint64_t mix(uint64_t x) {  // splitmix64 finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t key_of(uint16_t port, Ip4 ip) { return (uint64_t(port) << 32) | ip.v; }

}  // namespace

std::string_view state_name(State s) {
  switch (s) {
    case State::none: return "NONE";
    case State::incomplete: return "INCOMPLETE";
    case State::reachable: return "REACHABLE";
    case State::stale: return "STALE";
    case State::probe: return "PROBE";
    case State::failed: return "FAILED";
    case State::permanent: return "PERMANENT";
  }
  return "NONE";
}

NeighTable::NeighTable(size_t capacity, Timings t) : timings_(t) {
  size_t slots = std::bit_ceil(capacity < 8 ? size_t(16) : capacity * 2);
  slots_.resize(slots);
  mask_ = slots - 1;
  shift_ = 64 - static_cast<unsigned>(std::countr_zero(slots));
}

Entry* NeighTable::insert(uint16_t port, Ip4 ip) {
  if (used_ >= slots_.size() / 2) return nullptr;
  size_t i = slot_of(port, ip);
  while (slots_[i].state != State::none) i = (i + 1) & mask_;
  Entry& e = slots_[i];
  e = Entry{};
  e.ip = ip;
  e.port = port;
  set_used(used_ + 1);
  return &e;
}

void NeighTable::erase(Entry* e) {
  // Backward-shift deletion keeps probe chains intact without tombstones.
  size_t i = static_cast<size_t>(e - slots_.data());
  size_t j = i;
  for (;;) {
    j = (j + 1) & mask_;
    if (slots_[j].state == State::none) break;
    size_t home = slot_of(slots_[j].port, slots_[j].ip);
    // Move j back to i if its home is not cyclically within (i, j].
    bool between = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
    if (!between) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = Entry{};
  set_used(used_ - 1);
}

uint64_t NeighTable::entry_hash(const Entry& e) {
  uint64_t mac = 0;
  for (uint8_t b : e.mac.b) mac = (mac << 8) | b;
  return mix(key_of(e.port, e.ip) ^ mix(mac + 0x9e3779b97f4a7c15ull));
}

void NeighTable::flush_queue(Entry& e, Sink& sink, bool send) {
  for (uint8_t i = 0; i < e.queued; ++i) {
    if (send)
      sink.send_queued(e, e.queue[i]);
    else
      sink.drop_queued(e, e.queue[i]);
    e.queue[i] = nullptr;
  }
  e.queued = 0;
}

ResolveResult NeighTable::resolve_slow(Entry* e, uint16_t port, Ip4 ip, void* pkt, uint64_t now_ms) {
  if (e == nullptr) {
    e = insert(port, ip);
    if (e == nullptr) return {Resolve::drop_table_full, nullptr};
    e->state = State::incomplete;
    e->updated_ms = now_ms;
    e->probes = 1;
    e->next_timer_ms = now_ms + timings_.retrans_ms;
    e->queue[e->queued++] = pkt;
    return {Resolve::queued_and_ask, e};
  }
  switch (e->state) {
    case State::reachable:
    case State::permanent:
    case State::probe:
      return {Resolve::send, e};  // the inline fast path handles these
    case State::stale:
      // Linux: use the stale address, and verify it (STALE -> DELAY -> PROBE; we probe at once).
      e->used_ms = now_ms;
      e->state = State::probe;
      e->probes = 1;
      e->next_timer_ms = now_ms + timings_.retrans_ms;
      return {Resolve::send_and_probe, e};
    case State::incomplete:
      if (e->queued >= kQueueLen) return {Resolve::drop_queue_full, e};
      e->queue[e->queued++] = pkt;
      return {Resolve::queued, e};
    case State::failed:
      if (now_ms - e->updated_ms < timings_.failed_hold_ms) return {Resolve::drop_failed, e};
      e->state = State::incomplete;  // try again
      e->updated_ms = now_ms;
      e->probes = 1;
      e->next_timer_ms = now_ms + timings_.retrans_ms;
      e->queue[e->queued++] = pkt;
      return {Resolve::queued_and_ask, e};
    case State::none:
      break;
  }
  return {Resolve::drop_failed, e};
}

bool NeighTable::confirm(uint16_t port, Ip4 ip, const Mac& mac, uint64_t now_ms, bool create, Sink& sink,
                         bool reply) {
  Entry* e = find_mut(port, ip);
  if (e == nullptr) {
    if (!create) return false;
    e = insert(port, ip);
    if (e == nullptr) return false;
  }
  if (e->state == State::permanent) return false;
  bool changed = e->state != State::reachable || e->mac != mac;
  e->mac = mac;
  e->state = State::reachable;
  e->probes = 0;
  e->updated_ms = now_ms;
  e->next_timer_ms = now_ms + timings_.reachable_ms;
  flush_queue(*e, sink, true);
  if (changed)
    sink.state_changed(*e);
  else if (reply)
    sink.answered(*e);
  return changed;
}

Status NeighTable::add_permanent(uint16_t port, Ip4 ip, const Mac& mac, Sink& sink, uint64_t now_ms) {
  Entry* e = find_mut(port, ip);
  if (e == nullptr) {
    e = insert(port, ip);
    if (e == nullptr) return Status::error(ENOSPC, "neighbour table full");
  } else if (e->state == State::permanent) {
    digest_ -= entry_hash(*e);
  }
  e->mac = mac;
  e->state = State::permanent;
  e->probes = 0;
  e->updated_ms = now_ms;
  digest_ += entry_hash(*e);
  flush_queue(*e, sink, true);
  sink.state_changed(*e);
  return Status::ok();
}

Status NeighTable::remove(uint16_t port, Ip4 ip, Sink& sink) {
  Entry* e = find_mut(port, ip);
  if (e == nullptr) return Status::error(ENOENT, "no such neighbour");
  if (e->state == State::permanent) digest_ -= entry_hash(*e);
  flush_queue(*e, sink, false);
  erase(e);
  return Status::ok();
}

size_t NeighTable::flush_port(uint16_t port, Sink& sink, bool include_permanent) {
  size_t removed = 0;
  for (size_t i = 0; i < slots_.size();) {
    Entry& e = slots_[i];
    if (e.state != State::none && e.port == port && (include_permanent || e.state != State::permanent)) {
      if (e.state == State::permanent) digest_ -= entry_hash(e);
      flush_queue(e, sink, false);
      erase(&e);  // may shift a later entry into slot i: look at i again
      ++removed;
      continue;
    }
    ++i;
  }
  return removed;
}

void NeighTable::run_timers(uint64_t now_ms, Sink& sink, size_t budget) {
  for (size_t n = 0; n < budget && n < slots_.size(); ++n) {
    timer_cursor_ = (timer_cursor_ + 1) & mask_;
    Entry& e = slots_[timer_cursor_];
    switch (e.state) {
      case State::incomplete:
      case State::probe:
        if (now_ms < e.next_timer_ms) break;
        if (e.probes >= timings_.max_probes) {
          e.state = State::failed;
          e.updated_ms = now_ms;
          flush_queue(e, sink, false);
          sink.state_changed(e);
        } else {
          ++e.probes;
          e.next_timer_ms = now_ms + timings_.retrans_ms;
          // INCOMPLETE asks by broadcast; PROBE verifies the known address by unicast.
          sink.send_request(e, e.state == State::probe);
        }
        break;
      case State::reachable:
        if (now_ms - e.updated_ms >= timings_.reachable_ms) {
          e.state = State::stale;
          e.updated_ms = now_ms;
          sink.state_changed(e);
        }
        break;
      case State::stale:
      case State::failed: {
        uint64_t last = e.used_ms > e.updated_ms ? e.used_ms : e.updated_ms;
        if (now_ms - last >= timings_.gc_stale_ms) {
          Entry gone = e;
          gone.state = State::none;
          erase(&e);
          sink.state_changed(gone);
          // erase may have moved another entry into this slot; it is examined on the next lap.
        }
        break;
      }
      case State::none:
      case State::permanent:
        break;
    }
  }
}

}  // namespace dplb::neigh
