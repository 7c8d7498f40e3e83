#include "dplb/conf/plan.h"

#include "dplb/conf/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

namespace dplb::conf {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using RxList = std::vector<std::pair<uint16_t, uint16_t>>;
using TxList = std::vector<std::optional<uint16_t>>;

RuntimeFacts make_facts(size_t n_ports, std::vector<unsigned> worker_lcores, uint16_t max_queues = 4) {
  RuntimeFacts f;
  for (size_t i = 0; i < n_ports; ++i) {
    f.ports.push_back({"dpdk" + std::to_string(i), max_queues, max_queues, 68, 9600});
  }
  f.main_lcore = 0;
  f.worker_lcores = std::move(worker_lcores);
  return f;
}

Config with_source() {
  Config c;
  c.source = "dplb.toml";
  return c;
}

// What must hold for any plan make_plan accepts, checked independently of how it was built.
void expect_consistent(const Plan& plan, const RuntimeFacts& facts) {
  ASSERT_EQ(plan.ports.size(), facts.ports.size());
  std::map<std::pair<uint16_t, uint16_t>, int> rx_users;
  std::map<std::pair<uint16_t, uint16_t>, int> tx_users;
  std::set<unsigned> lcores;
  for (size_t i = 0; i < plan.workers.size(); ++i) {
    const WorkerPlan& w = plan.workers.at(i);
    EXPECT_EQ(w.index, i);
    EXPECT_NE(w.lcore, facts.main_lcore);
    EXPECT_TRUE(lcores.insert(w.lcore).second) << "lcore twice: " << w.lcore;
    ASSERT_EQ(w.tx_queue.size(), facts.ports.size());
    for (auto [port, q] : w.rx) ++rx_users[{port, q}];
    for (size_t p = 0; p < w.tx_queue.size(); ++p) {
      if (w.tx_queue[p]) ++tx_users[{static_cast<uint16_t>(p), *w.tx_queue[p]}];
    }
  }
  for (const PortPlan& p : plan.ports) {
    const auto& dev = facts.ports[p.port_id];
    EXPECT_EQ(p.conf.name, dev.name);
    EXPECT_GE(p.conf.rx_queues, 1);
    EXPECT_GE(p.conf.tx_queues, 1);
    EXPECT_LE(p.conf.rx_queues, dev.max_rx_queues);
    EXPECT_LE(p.conf.tx_queues, dev.max_tx_queues);
    for (uint16_t q = 0; q < p.conf.rx_queues; ++q) {
      EXPECT_EQ((rx_users[{p.port_id, q}]), 1) << p.conf.name << " rx queue " << q;
    }
  }
  for (auto [pq, users] : rx_users) {
    EXPECT_LT(pq.second, plan.ports.at(pq.first).conf.rx_queues);
    EXPECT_EQ(users, 1);
  }
  for (auto [pq, users] : tx_users) {
    EXPECT_LT(pq.second, plan.ports.at(pq.first).conf.tx_queues);
    EXPECT_EQ(users, 1);
  }
}

Plan planned(const Config& c, const RuntimeFacts& f) {
  auto r = make_plan(c, f);
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  if (!r.is_ok()) return {};
  expect_consistent(*r, f);
  return *r;
}

std::string error_of(const Config& c, const RuntimeFacts& f) {
  auto r = make_plan(c, f);
  EXPECT_FALSE(r.is_ok());
  if (r.is_ok()) return {};
  EXPECT_EQ(r.status().code(), EINVAL);
  return r.status().message();
}

WorkerConf worker(unsigned lcore, std::vector<QueueMap> queues) {
  return WorkerConf{lcore, std::move(queues)};
}

// ---- EAL gave us nothing to work with ----

TEST(PlanErrors, NoEthdev) {
  EXPECT_EQ(error_of(Config{}, make_facts(0, {1})),
            "<defaults>: eal.args: no ethdev was created: add a --vdev to [eal] args");
}

TEST(PlanErrors, NoWorkerLcore) {
  EXPECT_EQ(
      error_of(with_source(), make_facts(1, {})),
      "dplb.toml: eal.args: need at least one worker lcore besides main (lcore 0): give EAL more lcores "
      "(-l/--lcores)");
}

// ---- automatic assignment ----

TEST(PlanAutomatic, WorkerIServesQueueIOnEveryPort) {
  Plan p = planned(Config{}, make_facts(2, {1, 2, 3}));
  ASSERT_EQ(p.ports.size(), 2u);
  for (const PortPlan& pp : p.ports) {
    EXPECT_EQ(pp.conf.rx_queues, 3);
    EXPECT_EQ(pp.conf.tx_queues, 3);
  }
  EXPECT_EQ(p.ports.at(1).port_id, 1);
  EXPECT_EQ(p.ports.at(1).conf, (PortConf{.name = "dpdk1", .rx_queues = 3, .tx_queues = 3}));
  ASSERT_EQ(p.workers.size(), 3u);
  for (unsigned i = 0; i < 3; ++i) {
    const WorkerPlan& w = p.workers.at(i);
    EXPECT_EQ(w.lcore, i + 1);
    EXPECT_EQ(w.index, i);
    auto q = static_cast<uint16_t>(i);
    EXPECT_EQ(w.rx, (RxList{{0, q}, {1, q}}));
    EXPECT_EQ(w.tx_queue, (TxList{q, q}));
  }
  EXPECT_THAT(p.warnings, ::testing::IsEmpty());
}

TEST(PlanAutomatic, QueueCountsCappedByTheDevice) {
  RuntimeFacts f = make_facts(1, {1, 2, 3});
  f.ports[0].max_rx_queues = 2;
  f.ports[0].max_tx_queues = 1;
  Plan p = planned(Config{}, f);
  EXPECT_EQ(p.ports.at(0).conf.rx_queues, 2);
  EXPECT_EQ(p.ports.at(0).conf.tx_queues, 1);
  EXPECT_EQ(p.workers.at(2).rx, RxList{});
  EXPECT_EQ(p.workers.at(1).tx_queue, TxList{std::nullopt});
  EXPECT_THAT(
      p.warnings,
      ElementsAre("<defaults>: ports.dpdk0.tx_queues: worker 1 (lcore 2) has no tx queue on this port (1 for "
                  "3 workers); packets it would send there are dropped",
                  "<defaults>: ports.dpdk0.tx_queues: worker 2 (lcore 3) has no tx queue on this port (1 for "
                  "3 workers); packets it would send there are dropped",
                  "<defaults>: workers[2]: lcore 3 receives from no port"));
}

TEST(PlanAutomatic, ConfiguredPortSettingsOverrideDefaults) {
  Config c = with_source();
  c.ports.push_back(PortConf{.name = "dpdk1",
                             .mtu = 9000,
                             .tx_queues = 1,
                             .promisc = true,
                             .addresses = {Ip4Prefix{Ip4::of(10, 0, 0, 1), 24}}});
  Plan p = planned(c, make_facts(2, {1, 2}));
  EXPECT_EQ(p.ports.at(0).conf, (PortConf{.name = "dpdk0", .rx_queues = 2, .tx_queues = 2}));
  EXPECT_EQ(p.ports.at(1).conf, (PortConf{.name = "dpdk1",
                                          .mtu = 9000,
                                          .rx_queues = 2,
                                          .tx_queues = 1,
                                          .promisc = true,
                                          .addresses = {Ip4Prefix{Ip4::of(10, 0, 0, 1), 24}}}));
  EXPECT_EQ(p.workers.at(1).tx_queue, (TxList{1, std::nullopt}));
  EXPECT_THAT(p.warnings,
              ElementsAre(HasSubstr("ports.dpdk1.tx_queues: worker 1 (lcore 2) has no tx queue")));
}

TEST(PlanAutomatic, RxQueueNoWorkerServes) {
  Config c = with_source();
  c.ports.push_back(PortConf{.name = "dpdk0", .rx_queues = 3});
  EXPECT_EQ(
      error_of(c, make_facts(1, {1, 2})),
      "dplb.toml: ports.dpdk0.rx_queues: rx queue 2 is served by no worker (2 workers serve queues 0..1; map "
      "more queues per worker with [[workers]])");
}

TEST(PlanAutomatic, ConfiguredQueuesBeyondTheDevice) {
  Config c = with_source();
  c.ports.push_back(PortConf{.name = "dpdk0", .rx_queues = 5, .tx_queues = 6});
  std::string m = error_of(c, make_facts(1, {1, 2, 3, 4, 5, 6}));
  EXPECT_THAT(m, HasSubstr("dplb.toml: ports.dpdk0.rx_queues: 5 exceeds the device maximum 4"));
  EXPECT_THAT(m, HasSubstr("dplb.toml: ports.dpdk0.tx_queues: 6 exceeds the device maximum 4"));
}

TEST(PlanAutomatic, DeviceWithoutQueues) {
  RuntimeFacts f = make_facts(1, {1});
  f.ports[0].max_rx_queues = 0;
  EXPECT_EQ(error_of(Config{}, f), "<defaults>: ports.dpdk0: the device has no rx queue");
}

// ---- ports ----

TEST(PlanErrors, ConfiguredPortDoesNotExist) {
  Config c = with_source();
  c.ports.push_back(PortConf{.name = "dpdk3"});
  EXPECT_EQ(error_of(c, make_facts(2, {1})),
            "dplb.toml: ports.dpdk3: no such port (EAL created dpdk0, dpdk1)");
}

TEST(PlanErrors, PortConfiguredTwice) {
  Config c = with_source();
  c.ports = {PortConf{.name = "dpdk0"}, PortConf{.name = "dpdk0"}};
  EXPECT_EQ(error_of(c, make_facts(1, {1})), "dplb.toml: ports.dpdk0: configured twice");
}

TEST(PlanErrors, MtuOutsideTheDeviceRange) {
  RuntimeFacts f = make_facts(2, {1});
  f.ports[0].max_mtu = 1500;
  f.ports[1].min_mtu = 1600;
  Config c = with_source();
  c.ports.push_back(PortConf{.name = "dpdk0", .mtu = 1501});
  EXPECT_EQ(error_of(c, f),
            "dplb.toml: ports.dpdk0.mtu: 1501 is outside the device's range 68..1500\n"
            "dplb.toml: ports.dpdk1.mtu: 1500 (default) is outside the device's range 1600..9600");
  c.ports[0].mtu = 1500;
  c.ports.push_back(PortConf{.name = "dpdk1", .mtu = 1600});
  planned(c, f);
}

// ---- explicit workers ----

TEST(PlanExplicit, FollowsTheMapping) {
  Config c = with_source();
  c.workers = {worker(2, {{"dpdk0", 0, 0}, {"dpdk1", 0, 0}}),
               worker(1, {{"dpdk0", 1, 1}, {"dpdk1", std::nullopt, 1}})};
  Plan p = planned(c, make_facts(2, {1, 2, 3}));
  EXPECT_EQ(p.ports.at(0).conf.rx_queues, 2);
  EXPECT_EQ(p.ports.at(0).conf.tx_queues, 2);
  EXPECT_EQ(p.ports.at(1).conf.rx_queues, 1);
  EXPECT_EQ(p.ports.at(1).conf.tx_queues, 2);
  ASSERT_EQ(p.workers.size(), 2u);
  EXPECT_EQ(p.workers.at(0).lcore, 2u);
  EXPECT_EQ(p.workers.at(0).index, 0u);
  EXPECT_EQ(p.workers.at(0).rx, (RxList{{0, 0}, {1, 0}}));
  EXPECT_EQ(p.workers.at(0).tx_queue, (TxList{0, 0}));
  EXPECT_EQ(p.workers.at(1).lcore, 1u);
  EXPECT_EQ(p.workers.at(1).rx, (RxList{{0, 1}}));
  EXPECT_EQ(p.workers.at(1).tx_queue, (TxList{1, 1}));
  EXPECT_THAT(p.warnings,
              ElementsAre("dplb.toml: workers: lcore 3 is enabled in EAL but no worker runs on it"));
}

TEST(PlanExplicit, OneWorkerManyQueues) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}, {"dpdk0", 1, std::nullopt}, {"dpdk0", 2, std::nullopt}})};
  Plan p = planned(c, make_facts(1, {1}));
  EXPECT_EQ(p.ports.at(0).conf.rx_queues, 3);
  EXPECT_EQ(p.ports.at(0).conf.tx_queues, 1);
  EXPECT_EQ(p.workers.at(0).rx, (RxList{{0, 0}, {0, 1}, {0, 2}}));
  EXPECT_THAT(p.warnings, ::testing::IsEmpty());
}

TEST(PlanExplicit, ConfiguredCountsAreKept) {
  Config c = with_source();
  c.ports.push_back(PortConf{.name = "dpdk0", .rx_queues = 1, .tx_queues = 4});
  c.workers = {worker(1, {{"dpdk0", 0, 3}})};
  Plan p = planned(c, make_facts(1, {1}));
  EXPECT_EQ(p.ports.at(0).conf.rx_queues, 1);
  EXPECT_EQ(p.ports.at(0).conf.tx_queues, 4);  // unused tx queues are harmless
  EXPECT_EQ(p.workers.at(0).tx_queue, TxList{3});
}

TEST(PlanExplicit, WorkerWithoutTxOnAPortIsAWarning) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}, {"dpdk1", 0, 0}}),
               worker(2, {{"dpdk0", 1, 1}, {"dpdk1", 1, std::nullopt}})};
  Plan p = planned(c, make_facts(2, {1, 2}));
  EXPECT_EQ(p.workers.at(1).tx_queue, (TxList{1, std::nullopt}));
  EXPECT_THAT(
      p.warnings,
      ElementsAre("dplb.toml: workers[1]: lcore 2 has no tx queue on dpdk1; packets it would send there are "
                  "dropped"));
}

TEST(PlanExplicit, TransmitOnlyWorkerIsAWarning) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}}), worker(2, {{"dpdk0", std::nullopt, 1}})};
  Plan p = planned(c, make_facts(1, {1, 2}));
  EXPECT_THAT(p.warnings, ElementsAre("dplb.toml: workers[1]: lcore 2 receives from no port"));
}

TEST(PlanExplicitErrors, RxQueueServedTwice) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}}), worker(2, {{"dpdk0", 0, 1}})};
  EXPECT_EQ(error_of(c, make_facts(1, {1, 2})),
            "dplb.toml: workers[1].queues[0].rx: dpdk0 rx queue 0 is already served by workers[0]");
}

TEST(PlanExplicitErrors, TxQueueUsedTwice) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}}), worker(2, {{"dpdk0", 1, 0}})};
  EXPECT_EQ(error_of(c, make_facts(1, {1, 2})),
            "dplb.toml: workers[1].queues[0].tx: dpdk0 tx queue 0 is already used by workers[0]");
}

TEST(PlanExplicitErrors, TwoTxQueuesOnOnePortForOneWorker) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}, {"dpdk0", 1, 1}})};
  EXPECT_EQ(
      error_of(c, make_facts(1, {1})),
      "dplb.toml: workers[0].queues[1].tx: workers[0] already transmits on dpdk0 (tx queue 0); one tx queue "
      "per port");
}

TEST(PlanExplicitErrors, RxQueueNoWorkerServes) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}}), worker(2, {{"dpdk0", 2, 1}})};
  EXPECT_EQ(error_of(c, make_facts(1, {1, 2})), "dplb.toml: ports.dpdk0: rx queue 1 is served by no worker");
  Config configured = with_source();
  configured.ports.push_back(PortConf{.name = "dpdk0", .rx_queues = 2});
  configured.workers = {worker(1, {{"dpdk0", 0, 0}})};
  EXPECT_EQ(error_of(configured, make_facts(1, {1})),
            "dplb.toml: ports.dpdk0: rx queue 1 is served by no worker");
}

TEST(PlanExplicitErrors, QueueBeyondTheConfiguredCount) {
  Config c = with_source();
  c.ports.push_back(PortConf{.name = "dpdk0", .rx_queues = 1, .tx_queues = 1});
  c.workers = {worker(1, {{"dpdk0", 0, 0}}), worker(2, {{"dpdk0", 1, 1}})};
  EXPECT_EQ(error_of(c, make_facts(1, {1, 2})),
            "dplb.toml: workers[1].queues[0].rx: dpdk0 rx queue 1 is beyond the port's 1 rx queues "
            "(ports.dpdk0.rx_queues)\n"
            "dplb.toml: workers[1].queues[0].tx: dpdk0 tx queue 1 is beyond the port's 1 tx queues "
            "(ports.dpdk0.tx_queues)");
}

TEST(PlanExplicitErrors, QueueBeyondTheDeviceMaximum) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}, {"dpdk0", 1, std::nullopt}}), worker(2, {{"dpdk0", 2, 5}})};
  RuntimeFacts f = make_facts(1, {1, 2});
  f.ports[0].max_rx_queues = 2;
  EXPECT_EQ(
      error_of(c, f),
      "dplb.toml: workers[1].queues[0].rx: dpdk0 rx queue 2 is beyond the device maximum of 2 rx queues\n"
      "dplb.toml: workers[1].queues[0].tx: dpdk0 tx queue 5 is beyond the device maximum of 4 tx queues");
}

TEST(PlanExplicitErrors, WorkerOnTheMainLcore) {
  Config c = with_source();
  c.workers = {worker(0, {{"dpdk0", 0, 0}})};
  EXPECT_EQ(error_of(c, make_facts(1, {1})), "dplb.toml: workers[0].lcore: lcore 0 is the main lcore");
}

TEST(PlanExplicitErrors, WorkerLcoreNotEnabled) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}}), worker(5, {{"dpdk0", 1, 1}})};
  EXPECT_EQ(error_of(c, make_facts(1, {1, 2})),
            "dplb.toml: workers[1].lcore: lcore 5 is not enabled in EAL (worker lcores: 1, 2)");
}

TEST(PlanExplicitErrors, DuplicateLcore) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}}), worker(1, {{"dpdk0", 1, 1}})};
  EXPECT_EQ(error_of(c, make_facts(1, {1, 2})),
            "dplb.toml: workers[1].lcore: lcore 1 is already used by workers[0]");
}

TEST(PlanExplicitErrors, WorkerWithoutQueues) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}}), worker(2, {})};
  EXPECT_EQ(error_of(c, make_facts(1, {1, 2})),
            "dplb.toml: workers[1].queues: a worker needs at least one queue");
}

TEST(PlanExplicitErrors, QueueMapWithoutQueues) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}, {"dpdk0", std::nullopt, std::nullopt}})};
  EXPECT_EQ(error_of(c, make_facts(1, {1})), "dplb.toml: workers[0].queues[1]: needs rx, tx or both");
}

TEST(PlanExplicitErrors, QueueMapOnMissingPort) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}, {"dpdk2", 0, 0}})};
  EXPECT_EQ(error_of(c, make_facts(2, {1})),
            "dplb.toml: workers[0].queues[1].port: no such port dpdk2 (EAL created dpdk0, dpdk1)\n"
            "dplb.toml: ports.dpdk1: no worker receives from this port (map an rx queue in [[workers]])\n"
            "dplb.toml: ports.dpdk1: no worker transmits on this port (map a tx queue in [[workers]])");
}

TEST(PlanExplicitErrors, PortNobodyUses) {
  Config c = with_source();
  c.workers = {worker(1, {{"dpdk0", 0, 0}, {"dpdk1", std::nullopt, 0}})};
  EXPECT_EQ(error_of(c, make_facts(2, {1})),
            "dplb.toml: ports.dpdk1: no worker receives from this port (map an rx queue in [[workers]])");
}

TEST(PlanExplicitErrors, ReportsEveryProblem) {
  Config c = with_source();
  c.ports.push_back(PortConf{.name = "dpdk7"});
  c.workers = {worker(0, {{"dpdk0", 0, 0}}), worker(1, {{"dpdk0", 0, 0}})};
  std::string m = error_of(c, make_facts(1, {1}));
  EXPECT_EQ(std::count(m.begin(), m.end(), '\n'), 3) << m;
  EXPECT_THAT(m, HasSubstr("ports.dpdk7: no such port"));
  EXPECT_THAT(m, HasSubstr("workers[0].lcore: lcore 0 is the main lcore"));
  EXPECT_THAT(m, HasSubstr("workers[1].queues[0].rx: dpdk0 rx queue 0 is already served by workers[0]"));
  EXPECT_THAT(m, HasSubstr("workers[1].queues[0].tx: dpdk0 tx queue 0 is already used by workers[0]"));
}

// ---- the sample configuration runs as its [eal] args describe: one pcap port, lcores 0 and 1 ----

TEST(PlanSample, SampleConfigPlansCleanly) {
  auto c = load_config(std::string(DPLB_SOURCE_DIR) + "/conf/dplb.toml.sample");
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  Plan p = planned(*c, make_facts(1, {1}, 1));
  EXPECT_EQ(p.ports.at(0).conf.addresses, c->ports.at(0).addresses);
  ASSERT_EQ(p.workers.size(), 1u);
  EXPECT_EQ(p.workers[0].rx, (RxList{{0, 0}}));
  EXPECT_EQ(p.workers[0].tx_queue, TxList{0});
  EXPECT_THAT(p.warnings, ::testing::IsEmpty());
}

// ---- randomized: a valid mapping built by construction comes back exactly ----

TEST(PlanExplicit, RandomValidMappingsRoundTrip) {
  std::mt19937 rng(12345);
  auto pick = [&rng](unsigned n) { return std::uniform_int_distribution<unsigned>(0, n - 1)(rng); };
  for (int round = 0; round < 300; ++round) {
    size_t n_ports = 1 + pick(3);
    size_t n_workers = 1 + pick(4);
    std::vector<unsigned> lcores;
    for (unsigned l = 1; lcores.size() < n_workers; l += 1 + pick(3)) lcores.push_back(l);
    RuntimeFacts f = make_facts(n_ports, lcores, 8);
    Config c = with_source();
    c.workers.resize(n_workers);
    std::vector<RxList> expected_rx(n_workers);
    std::vector<TxList> expected_tx(n_workers, TxList(n_ports));
    std::vector<uint16_t> rx_count(n_ports), tx_count(n_ports);
    for (size_t w = 0; w < n_workers; ++w) c.workers[w].lcore = lcores[w];
    for (size_t p = 0; p < n_ports; ++p) {
      auto port = static_cast<uint16_t>(p);
      std::string name = "dpdk" + std::to_string(p);
      rx_count[p] = static_cast<uint16_t>(1 + pick(8));
      for (uint16_t q = 0; q < rx_count[p]; ++q) {  // every rx queue to exactly one worker
        size_t w = pick(static_cast<unsigned>(n_workers));
        c.workers[w].queues.push_back({name, q, std::nullopt});
        expected_rx[w].emplace_back(port, q);
      }
      // Worker 0 sends on tx queue 0 (so the port has a tx queue); others get a distinct one of 1..7 on
      // dpdk0 (so no worker is left without queues) and mostly on the other ports.
      std::vector<uint16_t> free_tx{1, 2, 3, 4, 5, 6, 7};
      std::shuffle(free_tx.begin(), free_tx.end(), rng);
      for (size_t w = 0; w < n_workers; ++w) {
        if (w > 0 && p > 0 && pick(4) == 0) continue;
        uint16_t q = w == 0 ? 0 : free_tx[w - 1];
        c.workers[w].queues.push_back({name, std::nullopt, q});
        expected_tx[w][p] = q;
        tx_count[p] = std::max<uint16_t>(tx_count[p], static_cast<uint16_t>(q + 1));
      }
    }
    SCOPED_TRACE("round " + std::to_string(round));
    Plan plan = planned(c, f);
    ASSERT_EQ(plan.workers.size(), n_workers);
    for (size_t w = 0; w < n_workers; ++w) {
      RxList got = plan.workers.at(w).rx;
      std::sort(got.begin(), got.end());
      std::sort(expected_rx[w].begin(), expected_rx[w].end());
      EXPECT_EQ(got, expected_rx[w]);
      EXPECT_EQ(plan.workers.at(w).tx_queue, expected_tx[w]);
    }
    for (size_t p = 0; p < n_ports; ++p) {
      EXPECT_EQ(plan.ports.at(p).conf.rx_queues, rx_count[p]);
      EXPECT_EQ(plan.ports.at(p).conf.tx_queues, tx_count[p]);
    }
    size_t expected_warnings = 0;  // one per (worker, port) without tx, one per worker without rx
    for (size_t w = 0; w < n_workers; ++w) {
      expected_warnings +=
          static_cast<size_t>(std::count(expected_tx[w].begin(), expected_tx[w].end(), std::nullopt));
      expected_warnings += expected_rx[w].empty();
    }
    EXPECT_EQ(plan.warnings.size(), expected_warnings);
  }
}

TEST(PlanAutomatic, RandomFactsGiveConsistentPlans) {
  std::mt19937 rng(777);
  auto pick = [&rng](unsigned n) { return std::uniform_int_distribution<unsigned>(0, n - 1)(rng); };
  for (int round = 0; round < 300; ++round) {
    size_t n_ports = 1 + pick(4);
    std::vector<unsigned> lcores;
    for (unsigned l = 1 + pick(2), n = 1 + pick(6); lcores.size() < n; l += 1 + pick(2)) lcores.push_back(l);
    RuntimeFacts f = make_facts(n_ports, lcores);
    for (auto& port : f.ports) {
      port.max_rx_queues = static_cast<uint16_t>(1 + pick(8));
      port.max_tx_queues = static_cast<uint16_t>(1 + pick(8));
    }
    SCOPED_TRACE("round " + std::to_string(round));
    Plan plan = planned(Config{}, f);
    ASSERT_EQ(plan.workers.size(), lcores.size());
    size_t tx_warnings = 0;
    for (size_t p = 0; p < n_ports; ++p) {
      EXPECT_EQ(plan.ports.at(p).conf.rx_queues, std::min<size_t>(lcores.size(), f.ports[p].max_rx_queues));
      EXPECT_EQ(plan.ports.at(p).conf.tx_queues, std::min<size_t>(lcores.size(), f.ports[p].max_tx_queues));
      tx_warnings += lcores.size() - plan.ports.at(p).conf.tx_queues;
    }
    size_t idle_workers = 0;
    for (const WorkerPlan& w : plan.workers) idle_workers += w.rx.empty();
    EXPECT_EQ(plan.warnings.size(), tx_warnings + idle_workers);
  }
}

}  // namespace
}  // namespace dplb::conf
