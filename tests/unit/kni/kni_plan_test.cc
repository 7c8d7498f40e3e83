#include "dplb/kni/kni_plan.h"

#include <gtest/gtest.h>

namespace dplb::kni {
namespace {

Mac mac(uint8_t last) { return Mac{{0x02, 0, 0, 0, 0, last}}; }

conf::PortPlan port(uint16_t id, bool kni, conf::UnclaimedPolicy policy = conf::UnclaimedPolicy::kernel) {
  conf::PortPlan p;
  p.port_id = id;
  p.conf.name = "dpdk" + std::to_string(id);
  p.conf.mtu = static_cast<uint16_t>(1500 + id);
  p.conf.kni = kni;
  p.conf.unclaimed = policy;
  return p;
}

// A worker with TX queues on the given ports (queue = worker index, as the automatic plan does).
conf::WorkerPlan worker(unsigned index, std::vector<uint16_t> tx_ports, uint16_t n_ports = 4) {
  conf::WorkerPlan w;
  w.index = index;
  w.lcore = index + 1;
  w.tx_queue.resize(n_ports);
  for (uint16_t p : tx_ports) w.tx_queue[p] = static_cast<uint16_t>(index);
  return w;
}

TEST(KniNames, TapNameIsThePortsWithSuffix) {
  EXPECT_EQ(*tap_ifname("dpdk0"), "dpdk0.kni");
  EXPECT_EQ(*tap_ifname("dpdk15"), "dpdk15.kni");
  EXPECT_EQ(*tap_ifname("abcdefghijk"), "abcdefghijk.kni");  // exactly 15 characters
  auto too_long = tap_ifname("abcdefghijkl");
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.status().code(), EINVAL);
  EXPECT_NE(too_long.status().message().find("abcdefghijkl.kni"), std::string::npos);
  EXPECT_FALSE(tap_ifname(""));
}

TEST(KniNames, VdevNameAndDevargs) {
  EXPECT_EQ(tap_vdev_name(3), "net_tap_kni3");
  EXPECT_EQ(tap_devargs("dpdk0.kni", Mac{{0x02, 0xab, 0x00, 0x10, 0xfe, 0x01}}),
            "iface=dpdk0.kni,mac=02:ab:00:10:fe:01");
}

TEST(KniPolicy, OnlyAPortWithATapSendsUnclaimedTrafficToTheKernel) {
  EXPECT_EQ(unclaimed_action(true, conf::UnclaimedPolicy::kernel), UnclaimedAction::kKernel);
  EXPECT_EQ(unclaimed_action(true, conf::UnclaimedPolicy::drop), UnclaimedAction::kDrop);
  EXPECT_EQ(unclaimed_action(false, conf::UnclaimedPolicy::kernel), UnclaimedAction::kDrop);
  EXPECT_EQ(unclaimed_action(false, conf::UnclaimedPolicy::drop), UnclaimedAction::kDrop);
}

TEST(KniPlanTest, NoTapWithoutKni) {
  conf::Plan plan;
  plan.ports = {port(0, false), port(1, false)};
  for (unsigned i = 0; i < 64; ++i) plan.workers.push_back(worker(i, {0, 1}));
  Mac macs[] = {mac(0), mac(1)};
  auto kp = make_kni_plan(plan, macs, 16);  // more workers than a tap has queues: irrelevant here
  ASSERT_TRUE(kp) << kp.status().message();
  EXPECT_TRUE(kp->taps.empty());
  EXPECT_TRUE(kp->warnings.empty());
  EXPECT_EQ(kp->find(0), nullptr);
}

TEST(KniPlanTest, TapCarriesThePortsNameMacMtuAndOneQueuePerWorker) {
  conf::Plan plan;
  plan.ports = {port(0, false), port(1, true, conf::UnclaimedPolicy::drop), port(2, true)};
  plan.workers = {worker(0, {0, 1, 2}), worker(1, {0, 1, 2}), worker(2, {0, 1, 2})};
  Mac macs[] = {mac(10), mac(11), mac(12)};
  auto kp = make_kni_plan(plan, macs, 16);
  ASSERT_TRUE(kp) << kp.status().message();
  ASSERT_EQ(kp->taps.size(), 2u);
  const TapPlan& t1 = kp->taps[0];
  EXPECT_EQ(t1.port_id, 1);
  EXPECT_EQ(t1.port_name, "dpdk1");
  EXPECT_EQ(t1.ifname, "dpdk1.kni");
  EXPECT_EQ(t1.vdev_name, "net_tap_kni1");
  EXPECT_EQ(t1.mac, mac(11));
  EXPECT_EQ(t1.devargs, "iface=dpdk1.kni,mac=02:00:00:00:00:0b");
  EXPECT_EQ(t1.mtu, 1501);
  EXPECT_EQ(t1.queues, 3);
  EXPECT_EQ(t1.poller, 0u);
  EXPECT_EQ(t1.unclaimed, UnclaimedAction::kDrop);
  EXPECT_EQ(kp->taps[1].unclaimed, UnclaimedAction::kKernel);
  EXPECT_EQ(kp->taps[1].mac, mac(12));
  EXPECT_EQ(kp->find(2), &kp->taps[1]);
  EXPECT_EQ(kp->find(0), nullptr);
}

TEST(KniPlanTest, PollerIsTheFirstWorkerThatSendsOnThePort) {
  conf::Plan plan;
  plan.ports = {port(0, true), port(1, true), port(2, true)};
  // Oracle: per port, the lowest plan position whose tx_queue has that port.
  plan.workers = {worker(0, {0}), worker(1, {2}), worker(2, {1, 2}), worker(3, {0, 1, 2})};
  Mac macs[] = {mac(0), mac(1), mac(2)};
  auto kp = make_kni_plan(plan, macs, 16);
  ASSERT_TRUE(kp) << kp.status().message();
  ASSERT_EQ(kp->taps.size(), 3u);
  for (const TapPlan& t : kp->taps) {
    std::optional<unsigned> expect;
    for (const auto& w : plan.workers)
      if (!expect && w.tx_queue[t.port_id]) expect = w.index;
    EXPECT_EQ(t.poller, expect) << t.port_name;
    EXPECT_EQ(t.queues, 4);
  }
  EXPECT_EQ(kp->taps[0].poller, 0u);
  EXPECT_EQ(kp->taps[1].poller, 2u);
  EXPECT_EQ(kp->taps[2].poller, 1u);
}

TEST(KniPlanTest, NoWorkerSendingOnThePortIsAWarning) {
  conf::Plan plan;
  plan.ports = {port(0, false), port(1, true)};
  plan.workers = {worker(0, {0}), worker(1, {0})};
  Mac macs[] = {mac(0), mac(1)};
  auto kp = make_kni_plan(plan, macs, 16);
  ASSERT_TRUE(kp) << kp.status().message();
  ASSERT_EQ(kp->taps.size(), 1u);
  EXPECT_FALSE(kp->taps[0].poller);
  ASSERT_EQ(kp->warnings.size(), 1u);
  EXPECT_NE(kp->warnings[0].find("dpdk1.kni"), std::string::npos);
}

TEST(KniPlanTest, MoreWorkersThanTapQueuesIsAnError) {
  conf::Plan plan;
  plan.ports = {port(0, true), port(1, true)};
  for (unsigned i = 0; i < 17; ++i) plan.workers.push_back(worker(i, {0, 1}));
  Mac macs[] = {mac(0), mac(1)};
  auto kp = make_kni_plan(plan, macs, 16);
  ASSERT_FALSE(kp);
  // every problem is reported, one line each
  EXPECT_NE(kp.status().message().find("port dpdk0: kni needs one tap queue per worker: 17 worker(s)"),
            std::string::npos);
  EXPECT_NE(kp.status().message().find("\nport dpdk1:"), std::string::npos);
  plan.workers.pop_back();
  EXPECT_TRUE(make_kni_plan(plan, macs, 16));  // 16 is fine
}

TEST(KniPlanTest, MissingMacOrNoWorkersIsAnError) {
  conf::Plan plan;
  plan.ports = {port(0, false), port(1, true)};
  plan.workers = {worker(0, {0, 1})};
  Mac one[] = {mac(0)};
  EXPECT_FALSE(make_kni_plan(plan, one, 16));
  plan.workers.clear();
  Mac two[] = {mac(0), mac(1)};
  EXPECT_FALSE(make_kni_plan(plan, two, 16));
}

}  // namespace
}  // namespace dplb::kni
