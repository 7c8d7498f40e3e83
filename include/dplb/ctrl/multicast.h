// Main lcore -> worker lcores configuration messages, Seastar's way: per worker one SPSC ring
// main->worker and one worker->main carrying message pointers. Main allocates a message, sends the
// same pointer to every targeted worker, each worker runs the handler for its type, writes its own
// result slot and pushes the pointer back; only main frees it, once every worker returned it.
//
// A worker whose handler fails, that does not answer in time, or whose ring is full is marked OUT OF
// SYNC and the call reports an error (never DPVS's "log and return OK"). Main brings it back by
// replaying the whole configuration to it from a source the daemon provides, retried from poll().
// While any worker is out of sync every multicast still applies to all, but reports an error.
//
// Threads: drain() and post_event() only from worker w's own thread; everything else only from
// the main thread. Register handlers before the workers start; destroy after they stopped.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "dplb/base/status.h"
#include "dplb/ctrl/spsc_ring.h"
#include "dplb/ctrl/wire.h"

namespace dplb::ctrl {

using MsgType = uint16_t;
inline constexpr size_t kMaxMsgTypes = 256;

// One worker's answer to a message; padded so workers answering at once do not share a line.
struct alignas(kCacheLine) WorkerSlot {
  int32_t status = 0;  // written by the worker: 0 or an errno value
  uint64_t value = 0;  // written by the worker (a digest, a count...)
  bool in_flight = false;  // main only: sent and not yet returned
};

class Msg {
 public:
  explicit Msg(MsgType t) : type(t) {}
  Msg(MsgType t, std::vector<uint8_t> p) : type(t), payload(std::move(p)) {}
  template <typename T>
  static std::unique_ptr<Msg> of(MsgType t, const T& record) {
    return std::make_unique<Msg>(t, encode_pod(record));
  }

  // Workers read these (never write); main sets them before sending.
  MsgType type;
  uint64_t arg = 0;
  std::vector<uint8_t> payload;
  // An immutable object the handlers may read (e.g. a prebuilt table). Workers must use the raw
  // pointer only: copying the shared_ptr would touch its refcount from several cores.
  std::shared_ptr<const void> attachment;

  // The payload as exactly one record of type T.
  template <typename T>
  bool read(T& out) const {
    return decode_pod(payload, out);
  }
  uint64_t id() const { return id_; }  // assigned when sent, 1, 2, ...

 private:
  friend class Multicaster;
  friend class ReplaySink;
  std::vector<WorkerSlot> slots_;  // one per worker
  uint32_t outstanding_ = 0;       // main only: workers still holding it
  bool awaited_ = false;           // main only: a multicast() call is waiting for it
  bool abandoned_ = false;         // main only: its multicast() timed out before every reply
  uint64_t id_ = 0;
};

// Worker-side handler: 0 on success or an errno value; may set *value. Must be idempotent
// (add = upsert, delete = delete-if-present): a replay or a retry applies it again.
using MsgHandler = int (*)(void* worker_ctx, const Msg& msg, uint64_t* value);

// Worker -> main notification (e.g. "neighbour learned"): fixed size, no allocation.
struct WorkerEvent {
  uint16_t type = 0;
  uint16_t worker = 0;
  uint32_t len = 0;
  uint8_t data[56] = {};
};
static_assert(sizeof(WorkerEvent) == 64);
static_assert(std::is_trivially_copyable_v<WorkerEvent>);

enum class Outcome : uint8_t {
  kNotSent,   // not targeted
  kOk,
  kFailed,    // the handler returned an error
  kTimedOut,  // no reply within the timeout (it may still come, and is then freed by poll())
  kRingFull,  // too many messages outstanding for this worker
};
const char* outcome_name(Outcome o);

struct WorkerOutcome {
  Outcome outcome = Outcome::kNotSent;
  int32_t status = 0;
  uint64_t value = 0;
};

struct MulticastResult {
  Status status;  // error if any worker failed or is out of sync; the message names the workers
  std::vector<WorkerOutcome> workers;
  bool ok() const { return status.is_ok(); }
};

enum class DigestVerdict : uint8_t { kAgree, kDisagree, kNoAnswer };
struct ConsistencyReport {
  Status status;                        // the multicast's status
  std::vector<DigestVerdict> workers;   // per worker
  std::vector<uint64_t> digests;        // per worker (meaningful unless kNoAnswer)
  bool all_agree() const;
};

class Multicaster;

// Handed to the replay source: sends the messages that rebuild one worker's configuration.
class ReplaySink {
 public:
  // Sends msg to the worker being rebuilt, waiting for ring space while the worker works through
  // earlier ones. Returns false once the replay has failed (a handler error, the replay deadline):
  // the source should stop producing.
  bool send(std::unique_ptr<Msg> msg);
  size_t worker() const { return worker_; }
  bool failed() const { return failed_; }

 private:
  friend class Multicaster;
  ReplaySink(Multicaster& m, size_t worker, std::chrono::steady_clock::time_point deadline,
             uint64_t failures_before)
      : m_(m), worker_(worker), deadline_(deadline), failures_before_(failures_before) {}
  Multicaster& m_;
  size_t worker_;
  std::chrono::steady_clock::time_point deadline_;
  uint64_t failures_before_;
  bool failed_ = false;
};

// Produces, through the sink, the full configuration of the worker sink.worker() (the daemon sends
// ReplayBegin = mark all stale, upserts, ReplayEnd = sweep stale). Called from poll(); it must send
// only through the sink (no multicast() from inside).
using ReplaySource = std::function<void(ReplaySink& sink)>;
using EventHandler = std::function<void(const WorkerEvent& event)>;

class Multicaster {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    size_t workers = 1;
    size_t ring_capacity = 1024;   // messages outstanding per worker (power of two)
    size_t event_capacity = 1024;  // events queued per worker (power of two)
    std::chrono::milliseconds timeout{1000};          // multicast() without an explicit timeout
    std::chrono::milliseconds replay_timeout{3000};   // one whole replay attempt (blocks poll())
    std::chrono::milliseconds replay_retry_min{10};   // back-off after a failed replay, doubling
    std::chrono::milliseconds replay_retry_max{1000};
  };

  struct Stats {
    uint64_t multicasts = 0;
    uint64_t late_returns = 0;     // returned after their multicast() gave up
    uint64_t replays_ok = 0;
    uint64_t replays_failed = 0;
    uint64_t events = 0;           // delivered to the event handler
  };

  explicit Multicaster(Options options);
  ~Multicaster();
  Multicaster(const Multicaster&) = delete;
  Multicaster& operator=(const Multicaster&) = delete;

  // --- configuration (before the workers run) ---
  Status set_handler(MsgType type, MsgHandler handler);
  void set_replay_source(ReplaySource source) { replay_source_ = std::move(source); }
  void set_event_handler(EventHandler handler) { event_handler_ = std::move(handler); }
  size_t workers() const { return channels_.size(); }

  // --- worker side: worker's own thread ---
  // Runs at most max_messages handlers; returns how many ran. Cheap when idle (one shared load).
  size_t drain(size_t worker, size_t max_messages, void* worker_ctx);
  // Queues an event for main; false (and counted) when the ring is full or len > sizeof data.
  bool post_event(size_t worker, uint16_t type, const void* data, size_t len);

  // --- main side: main thread ---
  // Sends msg to every worker and waits (short sleeps) for every reply up to timeout.
  MulticastResult multicast(std::unique_ptr<Msg> msg, std::chrono::milliseconds timeout);
  MulticastResult multicast(std::unique_ptr<Msg> msg) { return multicast(std::move(msg), options_.timeout); }
  // The same for the listed workers only (out-of-range indices are an EINVAL result).
  MulticastResult multicast_to(std::unique_ptr<Msg> msg, std::span<const size_t> targets,
                               std::chrono::milliseconds timeout);

  // Main loop housekeeping: collects late replies and frees finished messages, delivers worker
  // events to the event handler, and replays out-of-sync workers that have caught up (no message
  // outstanding) once their retry time has come. A replay blocks until it completes or times out.
  void poll();

  // Multicasts a digest request (a message of digest_type whose handler puts the worker's digest in
  // *value) and compares every answer with main's own digest; a disagreeing worker is marked out of
  // sync (and replayed by poll()).
  ConsistencyReport check_consistency(MsgType digest_type, uint64_t main_digest, std::chrono::milliseconds timeout);

  bool in_sync(size_t worker) const { return worker < state_.size() && state_[worker].in_sync; }
  bool all_in_sync() const;
  std::vector<size_t> out_of_sync_workers() const;
  // Why the worker was marked out of sync (empty when in sync).
  const std::string& out_of_sync_reason(size_t worker) const { return state_.at(worker).reason; }
  // Forces a replay of the worker (e.g. after an external reset of its tables).
  void mark_out_of_sync(size_t worker, std::string reason);

  size_t live_messages() const { return live_.size(); }  // sent and not yet freed
  size_t in_flight(size_t worker) const { return state_.at(worker).in_flight; }
  uint64_t events_dropped(size_t worker) const;
  const Stats& stats() const { return stats_; }

 private:
  friend class ReplaySink;

  struct alignas(kCacheLine) Channel {
    Channel(size_t ring_capacity, size_t event_capacity)
        : to_worker(ring_capacity), to_main(ring_capacity), events(event_capacity) {}
    SpscRing<Msg*> to_worker;
    SpscRing<Msg*> to_main;
    SpscRing<WorkerEvent> events;
    alignas(kCacheLine) std::atomic<uint64_t> events_dropped{0};  // written by the worker only
  };
  // Main-side view of one worker.
  struct WorkerState {
    bool in_sync = true;
    std::string reason;
    size_t in_flight = 0;   // messages sent and not returned (bounded by the ring capacity)
    uint64_t failures = 0;  // returned slots with a nonzero status, ever
    Clock::time_point next_replay{};
    std::chrono::milliseconds backoff{0};
  };

  // Registers msg as live (owned here until every worker returned it) and gives it its slots.
  Msg* adopt(std::unique_ptr<Msg> msg);
  // Pushes msg to worker w; false when w has ring_capacity messages outstanding.
  bool send_to(Msg* msg, size_t w);
  // Takes every returned pointer from every worker; frees messages nobody awaits any more.
  void collect_returns();
  void release_if_done(Msg* msg);
  void deliver_events();
  bool replay(size_t w);
  // Yield a few times, then sleep, growing to 1 ms: waiting without hogging a shared core.
  static void wait_step(unsigned& step);

  Options options_;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::vector<WorkerState> state_;
  MsgHandler handlers_[kMaxMsgTypes] = {};
  std::unordered_map<Msg*, std::unique_ptr<Msg>> live_;
  ReplaySource replay_source_;
  EventHandler event_handler_;
  uint64_t next_id_ = 1;
  bool replaying_ = false;
  Stats stats_;
};

}  // namespace dplb::ctrl
