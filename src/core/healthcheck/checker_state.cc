#include "dplb/healthcheck/checker_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "dplb/ipvs/service_conf.h"

namespace dplb::healthcheck {

CheckerState::Step CheckerState::on_result(bool ok, Micros delay_loop, Micros delay_before_retry) {
  Step s;
  s.next = delay_loop;
  if (ok) {
    failures_ = 0;
    s.changed = !up_;
    up_ = true;
    return s;
  }
  if (!up_) return s;  // already down: no retries until it passes again
  if (failures_ < retry_) {
    ++failures_;
    s.next = delay_before_retry;
    return s;
  }
  failures_ = 0;
  up_ = false;
  s.changed = true;
  return s;
}

RealServerHealth::RealServerHealth(const keepalived::RealServer& rs) {
  checkers_.reserve(rs.checkers.size());
  for (const keepalived::Checker& c : rs.checkers) {
    checkers_.emplace_back(c.retry, c.alpha);
    if (c.alpha) ++failed_;
  }
}

RealServerHealth::RealServerHealth(const keepalived::RealServer& rs, const RealServerHealth& before)
    : RealServerHealth(rs) {
  failed_ = 0;
  for (size_t i = 0; i < checkers_.size(); ++i) {
    if (i < before.checkers_.size()) checkers_[i].carry_over(before.checkers_[i]);
    if (!checkers_[i].up()) ++failed_;
  }
}

RealServerHealth::Step RealServerHealth::on_result(size_t index, bool ok, const keepalived::Checker& checker) {
  Step s;
  const bool was_alive = alive();
  CheckerState::Step c = checkers_[index].on_result(ok, checker.delay_loop, checker.delay_before_retry);
  s.next = c.next;
  if (c.changed) {
    if (checkers_[index].up())
      --failed_;
    else
      ++failed_;
  }
  if (was_alive != alive()) s.transition = alive() ? Transition::up : Transition::down;
  return s;
}

uint16_t dest_weight(const keepalived::RealServer& rs) {
  return static_cast<uint16_t>(std::min<uint32_t>(rs.weight, ipvs::kMaxWeight));
}

DestWanted dest_wanted(const keepalived::RealServer& rs, bool alive, std::optional<uint16_t> weight) {
  if (alive) return {true, weight.value_or(dest_weight(rs))};
  if (rs.inhibit_on_failure) return {true, 0};
  return {};
}

MiscVerdict misc_verdict(int exit_status, bool dynamic) {
  if (exit_status == 0) return {true, std::nullopt};
  if (!dynamic || exit_status == 1 || exit_status < 0 || exit_status > 255) return {false, std::nullopt};
  return {true, uint16_t(exit_status - 2)};
}

bool quorum_after(bool up, uint64_t alive_weight, uint32_t quorum, uint32_t hysteresis) {
  if (up) return alive_weight + hysteresis >= quorum;  // lost below quorum - hysteresis
  return alive_weight >= uint64_t(quorum) + hysteresis;
}

// Built with fmt: GCC 12 raises a false -Wrestrict on chains of std::string operator+.
std::string quorum_identity(const keepalived::VirtualServer& vs) {
  std::string id(keepalived::to_string(vs.protocol));
  for (const keepalived::Endpoint& e : vs.addresses) fmt::format_to(std::back_inserter(id), " {}", keepalived::to_string(e));
  return id;
}

std::string health_identity(const keepalived::VirtualServer& vs, const keepalived::RealServer& rs) {
  std::string id = fmt::format("{} > {}", quorum_identity(vs), keepalived::to_string(rs.addr));
  auto out = std::back_inserter(id);
  for (const keepalived::Checker& c : rs.checkers) {
    fmt::format_to(out, " {} {}", keepalived::to_string(c.kind), keepalived::to_string(c.connect));
    for (const keepalived::Url& u : c.urls) fmt::format_to(out, " {}", u.path);
    if (!c.misc_path.empty()) fmt::format_to(out, " {}", c.misc_path);
  }
  return id;
}

}  // namespace dplb::healthcheck
