// What dplb should hold for a keepalived.conf in a given health, and the reload diff: only what
// changed is sent (weight edited, server added or deleted, service added or deleted).
#include "dplb/healthcheck/ipvs_target.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace dplb::healthcheck {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

keepalived::KeepalivedConf parsed(std::string_view text) {
  auto r = keepalived::parse_keepalived(text, "keepalived.conf");
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  return r.is_ok() ? *r : keepalived::KeepalivedConf{};
}

HealthView all_alive() {
  return {[](size_t, size_t) { return true; }, [](size_t) { return true; }};
}

std::vector<std::string> ops_text(const std::vector<IpvsOp>& ops) {
  std::vector<std::string> out;
  for (const IpvsOp& op : ops) out.push_back(to_string(op));
  return out;
}

constexpr std::string_view kFarm = R"(
virtual_server 10.10.0.100 80 {
  delay_loop 2
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 10.20.0.11 80 {
    weight 1
    inhibit_on_failure
    TCP_CHECK { connect_timeout 1 }
  }
  real_server 10.20.0.12 80 {
    weight 2
    HTTP_GET { url { path /health status_code 200 } }
  }
}
)";

TEST(BuildTarget, NatServicesWithTheirAliveServers) {
  auto t = build_target(parsed(kFarm), all_alive());
  EXPECT_THAT(ops_text(diff_targets({}, t)),
              ElementsAre("-A -t 10.10.0.100:80 -s rr", "-a -t 10.10.0.100:80 -r 10.20.0.11:80 -m -w 1",
                          "-a -t 10.10.0.100:80 -r 10.20.0.12:80 -m -w 2"));
}

TEST(BuildTarget, AFailedServerIsInhibitedOrRemoved) {
  HealthView none_alive{[](size_t, size_t) { return false; }, [](size_t) { return true; }};
  auto t = build_target(parsed(kFarm), none_alive);
  EXPECT_THAT(ops_text(diff_targets({}, t)),
              ElementsAre("-A -t 10.10.0.100:80 -s rr", "-a -t 10.10.0.100:80 -r 10.20.0.11:80 -m -w 0"));
}

TEST(BuildTarget, ADynamicWeightOverridesTheConfiguredOne) {
  HealthView view = all_alive();
  view.weight = [](size_t, size_t r) { return r == 1 ? std::optional<uint16_t>(9) : std::nullopt; };
  EXPECT_THAT(ops_text(diff_targets({}, build_target(parsed(kFarm), view))),
              ElementsAre("-A -t 10.10.0.100:80 -s rr", "-a -t 10.10.0.100:80 -r 10.20.0.11:80 -m -w 1",
                          "-a -t 10.10.0.100:80 -r 10.20.0.12:80 -m -w 9"));
}

TEST(BuildTarget, SorryServerWhenTheQuorumIsLost) {
  std::string text(kFarm);
  text.replace(text.find("  protocol TCP"), 0, "  sorry_server 10.20.0.99 8080\n");
  auto conf = parsed(text);
  HealthView lost{[](size_t, size_t) { return false; }, [](size_t) { return false; }};
  EXPECT_THAT(ops_text(diff_targets({}, build_target(conf, lost))),
              ElementsAre("-A -t 10.10.0.100:80 -s rr", "-a -t 10.10.0.100:80 -r 10.20.0.11:80 -m -w 0",
                          "-a -t 10.10.0.100:80 -r 10.20.0.99:8080 -m -w 1"));
}

TEST(BuildTarget, UnsupportedForwardingIsSkippedAndReported) {
  auto conf = parsed(R"(
virtual_server 10.0.0.1 80 {
  lb_kind FNAT
  real_server 10.0.1.1 80 { weight 1 }
}
virtual_server 10.0.0.2 443 {
  lb_kind NAT
  persistence_timeout 300
  persistence_granularity 255.255.255.0
  real_server 10.0.1.2 443 { weight 1 }
}
)");
  Target t = build_target(conf, all_alive());
  EXPECT_THAT(ops_text(diff_targets({}, t)),
              ElementsAre("-A -t 10.0.0.2:443 -s wlc -p 300 -M 255.255.255.0",
                          "-a -t 10.0.0.2:443 -r 10.0.1.2:443 -m -w 1"));
  auto report = unsupported_report(conf);
  ASSERT_EQ(report.size(), 1u);
  EXPECT_THAT(report[0], HasSubstr("keepalived.conf:2: lb_kind FNAT unsupported"));
  // A changed persistence is an edit of the service.
  Target shorter = t;
  for (auto& [id, svc] : shorter) svc.persist.seconds = 60;
  EXPECT_THAT(ops_text(diff_targets(t, shorter)), ElementsAre("-E -t 10.0.0.2:443 -s wlc -p 60 -M 255.255.255.0"));
}

TEST(BuildTarget, DirectRoutingAndTunnelPerRealServer) {
  auto conf = parsed(R"(
virtual_server 10.0.0.1 80 {
  lb_algo rr
  lb_kind DR
  real_server 10.0.1.1 80 { weight 1 }
  real_server 10.0.1.2 80 {
    weight 2
    lb_kind TUN
  }
}
)");
  Target t = build_target(conf, all_alive());
  EXPECT_THAT(ops_text(diff_targets({}, t)),
              ElementsAre("-A -t 10.0.0.1:80 -s rr", "-a -t 10.0.0.1:80 -r 10.0.1.1:80 -g -w 1",
                          "-a -t 10.0.0.1:80 -r 10.0.1.2:80 -i -w 2"));
  EXPECT_TRUE(unsupported_report(conf).empty());
  // A real server whose method changed is edited, like a weight.
  Target nat = t;
  for (auto& [id, svc] : nat)
    for (auto& [did, d] : svc.dests) d.fwd = ipvs::FwdMethod::masq;
  EXPECT_THAT(ops_text(diff_targets(t, nat)),
              ElementsAre("-e -t 10.0.0.1:80 -r 10.0.1.1:80 -m -w 1", "-e -t 10.0.0.1:80 -r 10.0.1.2:80 -m -w 2"));
}

TEST(BuildTarget, AGroupGivesOneServicePerAddress) {
  auto conf = parsed(R"(
virtual_server_group web {
  10.0.0.1 80
  10.0.0.2 8080
}
virtual_server group web {
  lb_algo wrr
  protocol UDP
  real_server 10.0.1.1 { weight 4 }
}
)");
  EXPECT_THAT(ops_text(diff_targets({}, build_target(conf, all_alive()))),
              ElementsAre("-A -u 10.0.0.1:80 -s wrr", "-A -u 10.0.0.2:8080 -s wrr",
                          "-a -u 10.0.0.1:80 -r 10.0.1.1:80 -m -w 4", "-a -u 10.0.0.2:8080 -r 10.0.1.1:8080 -m -w 4"));
}

TEST(BuildTarget, TheSampleConfiguration) {
  auto conf = keepalived::load_keepalived(std::string(DPLB_SOURCE_DIR) + "/conf/keepalived.conf.sample");
  ASSERT_TRUE(conf.is_ok()) << conf.status().message();
  EXPECT_TRUE(conf->warnings.empty()) << conf->warnings[0].to_string();
  EXPECT_TRUE(unsupported_report(*conf).empty());
  EXPECT_THAT(ops_text(diff_targets({}, build_target(*conf, all_alive()))),
              ElementsAre("-A -t 10.10.0.100:80 -s wrr", "-a -t 10.10.0.100:80 -r 10.20.0.11:80 -m -w 2",
                          "-a -t 10.10.0.100:80 -r 10.20.0.12:80 -m -w 1",
                          "-a -t 10.10.0.100:80 -r 10.20.0.13:80 -m -w 1"));
}

// ---- the reload diff

std::vector<std::string> reload(std::string_view before, std::string_view after) {
  return ops_text(diff_targets(build_target(parsed(before), all_alive()), build_target(parsed(after), all_alive())));
}

std::string edited(std::string text, std::string_view from, std::string_view to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(ReloadDiff, UnchangedFileSendsNothing) { EXPECT_TRUE(reload(kFarm, kFarm).empty()); }

TEST(ReloadDiff, CheckerOrDelayChangesSendNothing) {
  EXPECT_TRUE(reload(kFarm, edited(std::string(kFarm), "delay_loop 2", "delay_loop 5")).empty());
}

TEST(ReloadDiff, AWeightChangeIsAnEdit) {
  EXPECT_THAT(reload(kFarm, edited(std::string(kFarm), "weight 2", "weight 5")),
              ElementsAre("-e -t 10.10.0.100:80 -r 10.20.0.12:80 -m -w 5"));
}

TEST(ReloadDiff, NewAndGoneServers) {
  std::string after = edited(std::string(kFarm), "real_server 10.20.0.12 80", "real_server 10.20.0.13 80");
  EXPECT_THAT(reload(kFarm, after), ElementsAre("-d -t 10.10.0.100:80 -r 10.20.0.12:80",
                                                "-a -t 10.10.0.100:80 -r 10.20.0.13:80 -m -w 2"));
}

TEST(ReloadDiff, SchedulerChangeIsAServiceEdit) {
  EXPECT_THAT(reload(kFarm, edited(std::string(kFarm), "lb_algo rr", "lb_algo wlc")),
              ElementsAre("-E -t 10.10.0.100:80 -s wlc"));
}

TEST(ReloadDiff, ServicesAddedFirstDeletedLast) {
  std::string after = edited(std::string(kFarm), "virtual_server 10.10.0.100 80", "virtual_server 10.10.0.101 80");
  EXPECT_THAT(reload(kFarm, after),
              ElementsAre("-A -t 10.10.0.101:80 -s rr", "-a -t 10.10.0.101:80 -r 10.20.0.11:80 -m -w 1",
                          "-a -t 10.10.0.101:80 -r 10.20.0.12:80 -m -w 2", "-D -t 10.10.0.100:80"));
}

TEST(ReloadDiff, EmptyFileDeletesEverything) {
  EXPECT_THAT(reload(kFarm, ""), ElementsAre("-D -t 10.10.0.100:80"));
}

// ---- the diff, as a property: applied to `from` in its order, it gives `to`, and every step is
// valid where it happens (no dest op on a missing service, no add of an existing one...)

std::string apply(Target& t, const IpvsOp& op) {
  const uint64_t id = op.key.packed(), did = dest_id(op.dest.addr, op.dest.port);
  const bool has = t.contains(id);
  switch (op.kind) {
    case OpKind::add_service:
      if (has) return "add of an existing service";
      t[id] = TargetService{op.key, op.sched, {}};
      return "";
    case OpKind::edit_service:
      if (!has) return "edit of a missing service";
      t[id].sched = op.sched;
      return "";
    case OpKind::del_service:
      if (!has) return "delete of a missing service";
      t.erase(id);
      return "";
    default: break;
  }
  if (!has) return "dest op on a missing service";
  auto& dests = t[id].dests;
  const bool has_dest = dests.contains(did);
  if ((op.kind == OpKind::add_dest) == has_dest) return has_dest ? "add of an existing dest" : "op on a missing dest";
  if (op.kind == OpKind::del_dest)
    dests.erase(did);
  else
    dests[did] = op.dest;
  return "";
}

Target random_target(std::mt19937& rng) {
  Target t;
  const int services = int(rng() % 4);
  for (int s = 0; s < services; ++s) {
    TargetService svc;
    svc.key = ipvs::ServiceKey{rng() % 2 ? ipvs::kProtoTcp : ipvs::kProtoUdp, Ip4::of(10, 0, 0, uint8_t(1 + rng() % 3)),
                               uint16_t(80 + rng() % 2)};
    svc.sched = rng() % 2 ? ipvs::SchedKind::rr : ipvs::SchedKind::wlc;
    const int dests = int(rng() % 4);
    for (int d = 0; d < dests; ++d) {
      TargetDest dest{Ip4::of(10, 1, 0, uint8_t(1 + rng() % 4)), 80, uint16_t(rng() % 3)};
      svc.dests[dest_id(dest.addr, dest.port)] = dest;
    }
    t[svc.key.packed()] = svc;
  }
  return t;
}

TEST(ReloadDiff, AppliedInOrderItTurnsFromIntoTo) {
  std::mt19937 rng(18);
  for (int i = 0; i < 2000; ++i) {
    const Target from = random_target(rng), to = random_target(rng);
    Target t = from;
    for (const IpvsOp& op : diff_targets(from, to)) {
      const std::string why = apply(t, op);
      ASSERT_EQ(why, "") << to_string(op);
    }
    ASSERT_EQ(t, to) << "case " << i;
    ASSERT_TRUE(diff_targets(to, to).empty());
  }
}

}  // namespace
}  // namespace dplb::healthcheck
