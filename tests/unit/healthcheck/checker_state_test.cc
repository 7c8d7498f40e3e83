// The health state machine: retries before a checker goes down, alpha, several checkers, inhibit
// versus removal, quorum with hysteresis, and what keeps a real server's health over a reload.
#include "dplb/healthcheck/checker_state.h"

#include <gtest/gtest.h>

namespace dplb::healthcheck {
namespace {

using std::chrono::seconds;

keepalived::Checker checker(unsigned retry, bool alpha = false) {
  keepalived::Checker c;
  c.retry = retry;
  c.alpha = alpha;
  c.delay_loop = seconds(6);
  c.delay_before_retry = seconds(2);
  return c;
}

keepalived::RealServer server(std::vector<keepalived::Checker> checkers, uint32_t weight = 3, bool inhibit = false) {
  keepalived::RealServer rs;
  rs.addr = {Ip4::of(10, 0, 0, 11), 80};
  rs.weight = weight;
  rs.inhibit_on_failure = inhibit;
  rs.checkers = std::move(checkers);
  return rs;
}

TEST(CheckerState, RetriesBeforeGoingDownThenOneSuccessBringsItBack) {
  CheckerState c(2, false);
  EXPECT_TRUE(c.up());
  auto s = c.on_result(false, seconds(6), seconds(2));
  EXPECT_FALSE(s.changed);
  EXPECT_EQ(s.next, seconds(2));  // retrying
  EXPECT_EQ(c.failures(), 1u);
  s = c.on_result(false, seconds(6), seconds(2));
  EXPECT_FALSE(s.changed);
  EXPECT_EQ(s.next, seconds(2));
  s = c.on_result(false, seconds(6), seconds(2));  // the third failure with retry 2
  EXPECT_TRUE(s.changed);
  EXPECT_FALSE(c.up());
  EXPECT_EQ(s.next, seconds(6));
  s = c.on_result(false, seconds(6), seconds(2));  // down stays down, at the normal pace
  EXPECT_FALSE(s.changed);
  EXPECT_EQ(s.next, seconds(6));
  s = c.on_result(true, seconds(6), seconds(2));
  EXPECT_TRUE(s.changed);
  EXPECT_TRUE(c.up());
}

TEST(CheckerState, ASuccessBetweenFailuresResetsTheRetries) {
  CheckerState c(1, false);
  c.on_result(false, seconds(6), seconds(2));
  c.on_result(true, seconds(6), seconds(2));
  EXPECT_FALSE(c.on_result(false, seconds(6), seconds(2)).changed);
  EXPECT_TRUE(c.up());
}

TEST(CheckerState, RetryZeroGoesDownAtTheFirstFailure) {
  CheckerState c(0, false);
  EXPECT_TRUE(c.on_result(false, seconds(6), seconds(2)).changed);
  EXPECT_FALSE(c.up());
}

TEST(CheckerState, AlphaStartsDown) {
  CheckerState c(1, true);
  EXPECT_FALSE(c.up());
  EXPECT_TRUE(c.on_result(true, seconds(6), seconds(2)).changed);
}

TEST(RealServerHealth, AliveWhileEveryCheckerIsUp) {
  auto rs = server({checker(0), checker(0)});
  RealServerHealth h(rs);
  EXPECT_TRUE(h.alive());
  EXPECT_EQ(h.on_result(0, false, rs.checkers[0]).transition, Transition::down);
  EXPECT_EQ(h.on_result(1, false, rs.checkers[1]).transition, Transition::none);  // already down
  EXPECT_EQ(h.on_result(0, true, rs.checkers[0]).transition, Transition::none);   // checker 1 still down
  EXPECT_EQ(h.on_result(1, true, rs.checkers[1]).transition, Transition::up);
  EXPECT_TRUE(h.alive());
}

TEST(RealServerHealth, AlphaCheckerStartsTheServerDown) {
  auto rs = server({checker(1, true)});
  RealServerHealth h(rs);
  EXPECT_FALSE(h.alive());
  auto s = h.on_result(0, true, rs.checkers[0]);
  EXPECT_EQ(s.transition, Transition::up);
  EXPECT_EQ(s.next, seconds(6));
}

TEST(RealServerHealth, NoCheckerIsAlwaysAlive) {
  RealServerHealth h(server({}));
  EXPECT_TRUE(h.alive());
}

TEST(RealServerHealth, AReloadKeepsTheVerdictsWithTheNewRetryCounts) {
  auto rs = server({checker(0), checker(0)});
  RealServerHealth before(rs);
  before.on_result(1, false, rs.checkers[1]);
  ASSERT_FALSE(before.alive());
  auto reloaded = server({checker(3), checker(3)});
  RealServerHealth after(reloaded, before);
  EXPECT_FALSE(after.alive());
  EXPECT_TRUE(after.checker(0).up());
  EXPECT_EQ(after.on_result(1, true, reloaded.checkers[1]).transition, Transition::up);
  // The new retry: three failures are retried before the checker goes down.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(after.on_result(0, false, reloaded.checkers[0]).transition, Transition::none);
  EXPECT_EQ(after.on_result(0, false, reloaded.checkers[0]).transition, Transition::down);
}

TEST(DestWanted, InhibitKeepsTheServerAtWeightZeroElseItIsRemoved) {
  EXPECT_EQ(dest_wanted(server({}, 3, true), false), (DestWanted{true, 0}));
  EXPECT_EQ(dest_wanted(server({}, 3, false), false), (DestWanted{false, 0}));
  EXPECT_EQ(dest_wanted(server({}, 3, false), true), (DestWanted{true, 3}));
  EXPECT_EQ(dest_wanted(server({}, 100000, false), true), (DestWanted{true, 65535}));  // dplb's maximum
}

TEST(DestWanted, ADynamicWeightReplacesTheConfiguredOne) {
  EXPECT_EQ(dest_wanted(server({}, 3, true), true, 7), (DestWanted{true, 7}));
  EXPECT_EQ(dest_wanted(server({}, 3, true), false, 7), (DestWanted{true, 0}));
}

TEST(MiscVerdict, ExitStatusAsKeepalivedReadsIt) {
  EXPECT_EQ(misc_verdict(0, false), (MiscVerdict{true, std::nullopt}));
  EXPECT_EQ(misc_verdict(1, false), (MiscVerdict{false, std::nullopt}));
  EXPECT_EQ(misc_verdict(5, false), (MiscVerdict{false, std::nullopt}));
  EXPECT_EQ(misc_verdict(0, true), (MiscVerdict{true, std::nullopt}));  // the configured weight again
  EXPECT_EQ(misc_verdict(1, true), (MiscVerdict{false, std::nullopt}));
  EXPECT_EQ(misc_verdict(2, true), (MiscVerdict{true, 0}));
  EXPECT_EQ(misc_verdict(12, true), (MiscVerdict{true, 10}));
  EXPECT_EQ(misc_verdict(255, true), (MiscVerdict{true, 253}));
}

TEST(Quorum, LostBelowQuorumMinusHysteresisRegainedAtQuorumPlusHysteresis) {
  EXPECT_TRUE(quorum_after(true, 3, 4, 1));    // 3 >= 4 - 1
  EXPECT_FALSE(quorum_after(true, 2, 4, 1));   // lost
  EXPECT_FALSE(quorum_after(false, 4, 4, 1));  // not yet: 4 < 4 + 1
  EXPECT_TRUE(quorum_after(false, 5, 4, 1));
  EXPECT_TRUE(quorum_after(true, 1, 1, 0));
  EXPECT_FALSE(quorum_after(true, 0, 1, 0));  // keepalived's default quorum 1: all down
}

TEST(HealthIdentity, AWeightChangeKeepsItACheckerChangeDoesNot) {
  keepalived::VirtualServer vs;
  vs.addresses = {{Ip4::of(10, 0, 0, 100), 80}};
  auto rs = server({checker(1)});
  rs.checkers[0].connect = rs.addr;
  const std::string id = health_identity(vs, rs);
  auto heavier = rs;
  heavier.weight = 9;
  EXPECT_EQ(health_identity(vs, heavier), id);
  auto other_port = rs;
  other_port.checkers[0].connect.port = 8080;
  EXPECT_NE(health_identity(vs, other_port), id);
  auto other_vip = vs;
  other_vip.addresses[0].port = 81;
  EXPECT_NE(health_identity(other_vip, rs), id);
}

}  // namespace
}  // namespace dplb::healthcheck
