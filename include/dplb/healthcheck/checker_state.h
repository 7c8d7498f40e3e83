// The health state machine of dplb-healthcheck, as keepalived counts it: per checker, a failure while
// up is retried `retry` times, delay_before_retry apart, before the checker goes down, and one success
// brings it back; a real server is alive while every one of its checkers is up; a virtual server's
// quorum (sum of the alive servers' weights) is lost below quorum - hysteresis and regained at
// quorum + hysteresis. DPDK-free and I/O-free: the program's event loop feeds it results and timers.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dplb/keepalived/keepalived_conf.h"

namespace dplb::healthcheck {

using Micros = std::chrono::microseconds;

class CheckerState {
 public:
  // alpha: start down (keepalived's `alpha`), else up.
  CheckerState(unsigned retry, bool alpha) : retry_(retry), up_(!alpha) {}

  struct Step {
    bool changed = false;  // up() flipped
    Micros next{};         // when to check again: delay_before_retry while retrying, else delay_loop
  };
  Step on_result(bool ok, Micros delay_loop, Micros delay_before_retry);

  bool up() const { return up_; }
  unsigned failures() const { return failures_; }  // consecutive failures while up

  // A reload: the verdict of the same checker before, with this one's retry count.
  void carry_over(const CheckerState& before) { up_ = before.up_; }

 private:
  unsigned retry_;
  unsigned failures_ = 0;
  bool up_;
};

enum class Transition : uint8_t { none, up, down };

// A real server and its checkers (no checker: always alive, as keepalived treats it).
class RealServerHealth {
 public:
  explicit RealServerHealth(const keepalived::RealServer& rs);
  // A reload of an unchanged server (same health_identity): its checkers' verdicts before, with the
  // new file's retry and alpha for what comes next.
  RealServerHealth(const keepalived::RealServer& rs, const RealServerHealth& before);

  struct Step {
    Transition transition = Transition::none;  // of the real server, not the checker
    Micros next{};                             // the checker's next check
  };
  // A result of checker `index` (< checkers()).
  Step on_result(size_t index, bool ok, const keepalived::Checker& checker);

  bool alive() const { return failed_ == 0; }
  size_t checkers() const { return checkers_.size(); }
  const CheckerState& checker(size_t i) const { return checkers_[i]; }

 private:
  std::vector<CheckerState> checkers_;
  size_t failed_ = 0;
};

// What dplb holds for a real server: a failed one is removed, or kept at weight 0 with
// inhibit_on_failure (its connections finish, no new one is scheduled to it).
struct DestWanted {
  bool present = false;
  uint16_t weight = 0;
  friend bool operator==(const DestWanted&, const DestWanted&) = default;
};
// weight: a MISC_CHECK's dynamic weight when it set one, else the configured weight.
DestWanted dest_wanted(const keepalived::RealServer& rs, bool alive, std::optional<uint16_t> weight = {});

// The configured weight as dplb takes it (0..65535).
uint16_t dest_weight(const keepalived::RealServer& rs);

// A MISC_CHECK script's exit status, as keepalived reads it: 0 up; with misc_dynamic, 1 down and
// 2..255 up with weight status - 2 (0 then restores the configured weight); without, non-zero down.
struct MiscVerdict {
  bool up = false;
  std::optional<uint16_t> weight;  // misc_dynamic's weight; none: the configured one
  friend bool operator==(const MiscVerdict&, const MiscVerdict&) = default;
};
MiscVerdict misc_verdict(int exit_status, bool dynamic);

// keepalived's quorum with hysteresis; `up` is the state before, the result the state after.
bool quorum_after(bool up, uint64_t alive_weight, uint32_t quorum, uint32_t hysteresis);

// What must stay the same across a reload for a real server to keep its health (and a virtual server
// its quorum state): its virtual addresses and protocol, its address, and its checkers' kinds and
// targets. A changed weight keeps the health; a changed checker starts it over.
std::string health_identity(const keepalived::VirtualServer& vs, const keepalived::RealServer& rs);
std::string quorum_identity(const keepalived::VirtualServer& vs);

}  // namespace dplb::healthcheck
