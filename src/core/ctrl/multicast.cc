#include "dplb/ctrl/multicast.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <thread>

namespace dplb::ctrl {
namespace {

int errno_of(int32_t status) { return status < 0 ? -status : status; }

std::string describe_failure(MsgType type, int32_t status) {
  return "message type " + std::to_string(type) + " failed: " + std::strerror(errno_of(status));
}

}  // namespace

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kNotSent: return "not sent";
    case Outcome::kOk: return "ok";
    case Outcome::kFailed: return "failed";
    case Outcome::kTimedOut: return "timed out";
    case Outcome::kRingFull: return "ring full";
  }
  return "unknown";
}

bool ConsistencyReport::all_agree() const {
  return std::all_of(workers.begin(), workers.end(), [](DigestVerdict v) { return v == DigestVerdict::kAgree; });
}

Multicaster::Multicaster(Options options) : options_(options), state_(options.workers) {
  channels_.reserve(options.workers);
  for (size_t w = 0; w < options.workers; ++w) {
    channels_.push_back(std::make_unique<Channel>(options.ring_capacity, options.event_capacity));
  }
}

// Messages still in rings or held by (stopped) workers are owned by live_ and freed with it.
Multicaster::~Multicaster() = default;

Status Multicaster::set_handler(MsgType type, MsgHandler handler) {
  if (type >= kMaxMsgTypes) {
    return Status::invalid("message type " + std::to_string(type) + " out of range (max " +
                           std::to_string(kMaxMsgTypes - 1) + ")");
  }
  if (handler == nullptr) return Status::invalid("null handler for message type " + std::to_string(type));
  if (handlers_[type] != nullptr && handlers_[type] != handler) {
    return Status::error(EEXIST, "message type " + std::to_string(type) + " already has a handler");
  }
  handlers_[type] = handler;
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// Worker side

size_t Multicaster::drain(size_t worker, size_t max_messages, void* worker_ctx) {
  if (worker >= channels_.size()) return 0;
  Channel& ch = *channels_[worker];
  size_t done = 0;
  Msg* m = nullptr;
  while (done < max_messages && ch.to_worker.try_pop(m)) {
    uint64_t value = 0;
    int32_t status = EOPNOTSUPP;
    MsgHandler h = m->type < kMaxMsgTypes ? handlers_[m->type] : nullptr;
    if (h != nullptr) status = h(worker_ctx, *m, &value);
    WorkerSlot& slot = m->slots_[worker];
    slot.status = status;
    slot.value = value;
    // Cannot fail: main keeps at most the ring's capacity of messages outstanding per worker.
    [[maybe_unused]] bool pushed = ch.to_main.try_push(m);
    assert(pushed);
    ++done;
  }
  return done;
}

bool Multicaster::post_event(size_t worker, uint16_t type, const void* data, size_t len) {
  if (worker >= channels_.size()) return false;
  Channel& ch = *channels_[worker];
  WorkerEvent ev;
  if (len > sizeof ev.data) {
    ch.events_dropped.store(ch.events_dropped.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return false;
  }
  ev.type = type;
  ev.worker = static_cast<uint16_t>(worker);
  ev.len = static_cast<uint32_t>(len);
  if (len != 0) std::memcpy(ev.data, data, len);
  if (!ch.events.try_push(ev)) {
    // Only this worker writes the counter: no read-modify-write atomic needed.
    ch.events_dropped.store(ch.events_dropped.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Main side

Msg* Multicaster::adopt(std::unique_ptr<Msg> msg) {
  Msg* m = msg.get();
  m->slots_.assign(channels_.size(), WorkerSlot{});
  m->outstanding_ = 0;
  m->awaited_ = false;
  m->id_ = next_id_++;
  live_.emplace(m, std::move(msg));
  return m;
}

bool Multicaster::send_to(Msg* m, size_t w) {
  Channel& ch = *channels_[w];
  WorkerState& st = state_[w];
  if (st.in_flight >= ch.to_worker.capacity()) return false;
  WorkerSlot& slot = m->slots_[w];
  slot = WorkerSlot{};
  slot.in_flight = true;
  // The ring publishes the slot and the message contents (release); the worker's pop acquires them.
  if (!ch.to_worker.try_push(m)) {
    slot.in_flight = false;
    return false;
  }
  ++st.in_flight;
  ++m->outstanding_;
  return true;
}

void Multicaster::release_if_done(Msg* m) {
  if (m->outstanding_ == 0 && !m->awaited_) live_.erase(m);
}

void Multicaster::collect_returns() {
  Msg* batch[64];
  for (size_t w = 0; w < channels_.size(); ++w) {
    Channel& ch = *channels_[w];
    WorkerState& st = state_[w];
    size_t n;
    do {
      n = ch.to_main.pop_bulk(batch, std::size(batch));
      for (size_t i = 0; i < n; ++i) {
        Msg* m = batch[i];
        WorkerSlot& slot = m->slots_[w];
        slot.in_flight = false;
        --st.in_flight;
        --m->outstanding_;
        if (slot.status != 0) {
          ++st.failures;
          mark_out_of_sync(w, describe_failure(m->type, slot.status));
        }
        if (!m->awaited_ && m->abandoned_) ++stats_.late_returns;
        release_if_done(m);
      }
    } while (n == std::size(batch));
  }
}

void Multicaster::wait_step(unsigned& step) {
  if (step < 16) {
    std::this_thread::yield();
  } else {
    unsigned shift = std::min(step - 16, 7u);
    std::this_thread::sleep_for(std::chrono::microseconds(std::min(10u << shift, 1000u)));
  }
  ++step;
}

MulticastResult Multicaster::multicast(std::unique_ptr<Msg> msg, std::chrono::milliseconds timeout) {
  std::vector<size_t> all(channels_.size());
  for (size_t w = 0; w < all.size(); ++w) all[w] = w;
  return multicast_to(std::move(msg), all, timeout);
}

MulticastResult Multicaster::multicast_to(std::unique_ptr<Msg> msg, std::span<const size_t> targets,
                                          std::chrono::milliseconds timeout) {
  MulticastResult r;
  r.workers.resize(channels_.size());
  if (!msg) {
    r.status = Status::invalid("null message");
    return r;
  }
  for (size_t t : targets) {
    if (t >= channels_.size()) {
      r.status = Status::invalid("no worker " + std::to_string(t) + " (" + std::to_string(channels_.size()) +
                                 " workers)");
      return r;
    }
  }
  ++stats_.multicasts;
  collect_returns();  // frees ring room taken by late replies
  const MsgType type = msg->type;
  Msg* m = adopt(std::move(msg));
  m->awaited_ = true;
  for (size_t t : targets) {
    WorkerOutcome& o = r.workers[t];
    if (o.outcome != Outcome::kNotSent) continue;  // listed twice
    if (send_to(m, t)) {
      o.outcome = Outcome::kTimedOut;  // until its reply arrives
    } else {
      o.outcome = Outcome::kRingFull;
      mark_out_of_sync(t, "message ring full (" + std::to_string(state_[t].in_flight) + " outstanding)");
    }
  }

  const auto deadline = Clock::now() + timeout;
  unsigned step = 0;
  for (;;) {
    collect_returns();
    if (m->outstanding_ == 0 || Clock::now() >= deadline) break;
    wait_step(step);
  }

  for (size_t w = 0; w < r.workers.size(); ++w) {
    WorkerOutcome& o = r.workers[w];
    if (o.outcome != Outcome::kTimedOut) continue;
    const WorkerSlot& slot = m->slots_[w];
    if (slot.in_flight) {
      mark_out_of_sync(w, "no reply to message type " + std::to_string(type) + " within " +
                              std::to_string(timeout.count()) + " ms");
      continue;
    }
    o.status = slot.status;
    o.value = slot.value;
    o.outcome = slot.status == 0 ? Outcome::kOk : Outcome::kFailed;
  }
  m->awaited_ = false;
  m->abandoned_ = m->outstanding_ != 0;
  release_if_done(m);

  // The first failure sets the code; every failing or out-of-sync worker is named.
  std::string text;
  int code = 0;
  auto add = [&](int c, const std::string& what) {
    if (code == 0) code = c;
    if (!text.empty()) text += "; ";
    text += what;
  };
  for (size_t w = 0; w < r.workers.size(); ++w) {
    const WorkerOutcome& o = r.workers[w];
    const std::string name = "worker " + std::to_string(w);
    if (o.outcome == Outcome::kFailed) {
      add(errno_of(o.status), name + ": " + std::strerror(errno_of(o.status)));
    } else if (o.outcome == Outcome::kTimedOut) {
      add(ETIMEDOUT, name + ": no reply within " + std::to_string(timeout.count()) + " ms");
    } else if (o.outcome == Outcome::kRingFull) {
      add(ENOBUFS, name + ": message ring full");
    } else if (!state_[w].in_sync) {
      add(EIO, name + " is out of sync (" + state_[w].reason + ")");
    }
  }
  if (code != 0) r.status = Status::error(code, text + "; being rebuilt from the configuration");
  return r;
}

ConsistencyReport Multicaster::check_consistency(MsgType digest_type, uint64_t main_digest,
                                                 std::chrono::milliseconds timeout) {
  MulticastResult r = multicast(std::make_unique<Msg>(digest_type), timeout);
  ConsistencyReport rep;
  rep.status = r.status;
  rep.workers.resize(r.workers.size(), DigestVerdict::kNoAnswer);
  rep.digests.resize(r.workers.size(), 0);
  std::string differ;
  for (size_t w = 0; w < r.workers.size(); ++w) {
    if (r.workers[w].outcome != Outcome::kOk) continue;
    rep.digests[w] = r.workers[w].value;
    if (r.workers[w].value == main_digest) {
      rep.workers[w] = DigestVerdict::kAgree;
      continue;
    }
    rep.workers[w] = DigestVerdict::kDisagree;
    mark_out_of_sync(w, "configuration digest differs from main's");
    differ += (differ.empty() ? "" : ", ") + std::to_string(w);
  }
  if (!differ.empty() && rep.status) {
    rep.status = Status::error(EIO, "configuration digest of worker " + differ +
                                        " differs from main's; being rebuilt from the configuration");
  }
  return rep;
}

void Multicaster::mark_out_of_sync(size_t w, std::string reason) {
  if (w >= state_.size()) return;
  WorkerState& st = state_[w];
  if (!st.in_sync) return;  // keep the first cause
  st.in_sync = false;
  st.reason = std::move(reason);
  st.next_replay = Clock::now();
  st.backoff = options_.replay_retry_min;
}

bool Multicaster::all_in_sync() const {
  return std::all_of(state_.begin(), state_.end(), [](const WorkerState& s) { return s.in_sync; });
}

std::vector<size_t> Multicaster::out_of_sync_workers() const {
  std::vector<size_t> out;
  for (size_t w = 0; w < state_.size(); ++w) {
    if (!state_[w].in_sync) out.push_back(w);
  }
  return out;
}

uint64_t Multicaster::events_dropped(size_t worker) const {
  return channels_.at(worker)->events_dropped.load(std::memory_order_relaxed);
}

void Multicaster::deliver_events() {
  for (auto& chp : channels_) {
    Channel& ch = *chp;
    // Bounded per poll: a chatty worker cannot hold the main loop.
    WorkerEvent ev;
    for (size_t i = 0; i < ch.events.capacity() && ch.events.try_pop(ev); ++i) {
      ++stats_.events;
      if (event_handler_) event_handler_(ev);
    }
  }
}

void Multicaster::poll() {
  collect_returns();
  deliver_events();
  if (!replay_source_ || replaying_) return;
  for (size_t w = 0; w < state_.size(); ++w) {
    WorkerState& st = state_[w];
    // A worker still holding messages has not caught up (paused, stalled): replay it later.
    if (st.in_sync || st.in_flight != 0 || Clock::now() < st.next_replay) continue;
    replay(w);
  }
}

bool Multicaster::replay(size_t w) {
  WorkerState& st = state_[w];
  replaying_ = true;
  ReplaySink sink(*this, w, Clock::now() + options_.replay_timeout, st.failures);
  std::string why;
  try {
    replay_source_(sink);
  } catch (const std::exception& e) {
    sink.failed_ = true;
    why = std::string("replay source failed: ") + e.what();
  }
  unsigned step = 0;
  while (!sink.failed_ && st.in_flight != 0) {
    collect_returns();
    if (st.in_flight == 0) break;
    if (Clock::now() >= sink.deadline_) {
      sink.failed_ = true;
      break;
    }
    wait_step(step);
  }
  replaying_ = false;
  const bool ok = !sink.failed_ && st.in_flight == 0 && st.failures == sink.failures_before_;
  if (ok) {
    ++stats_.replays_ok;
    st.in_sync = true;
    st.reason.clear();
    st.backoff = std::chrono::milliseconds(0);
    return true;
  }
  ++stats_.replays_failed;
  if (why.empty()) {
    why = st.failures != sink.failures_before_ ? "replay failed: a handler returned an error"
                                                 : "replay did not complete within " +
                                                       std::to_string(options_.replay_timeout.count()) + " ms";
  }
  st.reason = why;
  st.next_replay = Clock::now() + st.backoff;
  st.backoff = std::min(st.backoff * 2, options_.replay_retry_max);
  return false;
}

bool ReplaySink::send(std::unique_ptr<Msg> msg) {
  if (failed_) return false;
  if (!msg) return true;
  Msg* m = m_.adopt(std::move(msg));
  auto& st = m_.state_[worker_];
  unsigned step = 0;
  while (!m_.send_to(m, worker_)) {
    // The worker has a full ring of replay messages: let it work through them.
    m_.collect_returns();
    if (st.failures != failures_before_ || Multicaster::Clock::now() >= deadline_) {
      failed_ = true;
      m_.release_if_done(m);
      return false;
    }
    Multicaster::wait_step(step);
  }
  if (st.failures != failures_before_) failed_ = true;
  return !failed_;
}

}  // namespace dplb::ctrl
