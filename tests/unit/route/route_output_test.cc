// output(): next hop, source selection, multipath, output-interface hints, local destinations.
#include <gtest/gtest.h>

#include <array>
#include <random>
#include <set>

#include "dplb/route/route_table.h"
#include "route_test_util.h"

namespace dplb::route {
namespace {

using namespace dplb::route::testing;

class RouteOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(t.set_port(0, 1500));
    ASSERT_TRUE(t.set_port(1, 9000));
    ASSERT_TRUE(t.set_port(2, 1500));
    ASSERT_TRUE(t.set_port(3, 1500));
    ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));  // primary
    ASSERT_TRUE(t.add_addr(0, pfx("10.0.1.1/24")));  // secondary, another subnet
    ASSERT_TRUE(t.add_addr(1, pfx("192.168.1.1/24")));
    ASSERT_TRUE(t.add_addr(2, pfx("10.2.0.1/24")));
  }
  OutputResult out(const char* daddr, const char* hint = "0.0.0.0", int oif = -1, uint32_t hash = 0) const {
    OutputResult o;
    EXPECT_TRUE(t.output(ip(daddr), ip(hint), oif, hash, o)) << daddr;
    return o;
  }
  RouteTable t;
};

TEST_F(RouteOutputTest, GatewayAndOnLinkNextHops) {
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("192.168.1.254")})));
  OutputResult o = out("172.16.3.4");
  EXPECT_EQ(o.port, 1);
  EXPECT_EQ(o.next_hop, ip("192.168.1.254"));
  EXPECT_EQ(o.src, ip("192.168.1.1"));
  EXPECT_EQ(o.mtu, 9000);
  EXPECT_EQ(o.flags, kRouteForward);
  EXPECT_EQ(t.route(o.route)->prefix, pfx("172.16.0.0/16"));

  o = out("10.0.0.77");
  EXPECT_EQ(o.port, 0);
  EXPECT_EQ(o.next_hop, ip("10.0.0.77"));
  EXPECT_EQ(o.src, ip("10.0.0.1"));
  EXPECT_EQ(o.mtu, 1500);
  EXPECT_EQ(o.flags, kRouteForward | kRouteProtoKernel);

  OutputResult none;
  EXPECT_FALSE(t.output(ip("8.8.8.8"), {}, -1, 0, none));
  Result<OutputResult> got = t.get(ip("8.8.8.8"));
  EXPECT_EQ(got.status().code(), ENETUNREACH);
  got = t.get(ip("172.16.3.4"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->next_hop, ip("192.168.1.254"));
}

TEST_F(RouteOutputTest, LocalDestination) {
  OutputResult o = out("192.168.1.1");
  EXPECT_EQ(o.route, kNoRoute);
  EXPECT_EQ(o.port, 1);
  EXPECT_EQ(o.next_hop, ip("192.168.1.1"));
  EXPECT_EQ(o.src, ip("192.168.1.1"));
  EXPECT_EQ(o.flags, kRouteLocal | kRouteLocalIn);
  EXPECT_EQ(o.mtu, 9000);
  o = out("192.168.1.1", "10.0.0.1");
  EXPECT_EQ(o.src, ip("10.0.0.1"));
}

TEST_F(RouteOutputTest, SourceSelection) {
  // Route src wins over the interface's addresses.
  RouteSpec with_src = spec("172.16.0.0/16", {via("10.0.0.254")});
  with_src.src = ip("10.2.0.1");
  ASSERT_TRUE(t.add_route(with_src));
  EXPECT_EQ(out("172.16.0.9").src, ip("10.2.0.1"));
  // Without one: the egress port's address in the next hop's subnet (the secondary here) ...
  ASSERT_TRUE(t.add_route(spec("172.17.0.0/16", {via("10.0.1.254")})));
  EXPECT_EQ(out("172.17.0.9").src, ip("10.0.1.1"));
  // ... else the port's primary address (onlink gateway outside every subnet of the port) ...
  Nexthop far = via("10.7.7.7", 0);
  far.onlink = true;
  ASSERT_TRUE(t.add_route(spec("172.18.0.0/16", {far})));
  EXPECT_EQ(out("172.18.0.9").src, ip("10.0.0.1"));
  // ... else, on a port without addresses, the first port's primary (Linux borrows one).
  ASSERT_TRUE(t.add_route(spec("172.19.0.0/16", {dev(3)})));
  EXPECT_EQ(out("172.19.0.9").src, ip("10.0.0.1"));
  // A hint that is one of our addresses (on any port) wins; another hint is ignored.
  EXPECT_EQ(out("172.16.0.9", "192.168.1.1").src, ip("192.168.1.1"));
  EXPECT_EQ(out("172.17.0.9", "10.2.0.1").src, ip("10.2.0.1"));
  EXPECT_EQ(out("172.17.0.9", "10.9.9.9").src, ip("10.0.1.1"));
}

TEST_F(RouteOutputTest, SourceFollowsAddressChanges) {
  Nexthop far = via("10.3.3.3", 3);
  far.onlink = true;
  ASSERT_TRUE(t.add_route(spec("172.18.0.0/16", {far})));
  ASSERT_TRUE(t.add_route(spec("172.19.0.0/16", {dev(3)})));
  EXPECT_EQ(out("172.18.0.9").src, ip("10.0.0.1"));  // borrowed from port 0
  EXPECT_EQ(out("172.19.0.9").src, ip("10.0.0.1"));
  ASSERT_TRUE(t.add_addr(3, pfx("10.9.0.1/24")));
  EXPECT_EQ(out("172.18.0.9").src, ip("10.9.0.1"));  // primary
  EXPECT_EQ(out("172.19.0.9").src, ip("10.9.0.1"));
  ASSERT_TRUE(t.add_addr(3, pfx("10.3.3.1/24")));
  EXPECT_EQ(out("172.18.0.9").src, ip("10.3.3.1"));  // in the gateway's subnet
  EXPECT_EQ(out("172.19.0.9").src, ip("10.9.0.1"));
  ASSERT_TRUE(t.del_addr(3, pfx("10.9.0.1/24")));
  EXPECT_EQ(out("172.19.0.9").src, ip("10.3.3.1"));  // the new primary
  ASSERT_TRUE(t.del_addr(3, pfx("10.3.3.1/24")));
  OutputResult gone;  // the port's last address took its routes with it (Linux's fib_disable_ip)
  EXPECT_FALSE(t.output(ip("172.18.0.9"), {}, -1, 0, gone));
  EXPECT_FALSE(t.output(ip("172.19.0.9"), {}, -1, 0, gone));
}

TEST_F(RouteOutputTest, RouteMtuOverridesPortMtu) {
  RouteSpec s = spec("172.16.0.0/16", {via("192.168.1.254")});
  s.mtu = 1280;
  ASSERT_TRUE(t.add_route(s));
  EXPECT_EQ(out("172.16.0.1").mtu, 1280);
}

TEST_F(RouteOutputTest, MultipathIsStablePerFlowAndFollowsWeights) {
  ASSERT_TRUE(
      t.add_route(spec("172.16.0.0/16", {via("10.0.0.2", kAnyPort, 1), via("192.168.1.2", kAnyPort, 2),
                                         via("10.2.0.2", kAnyPort, 5)})));
  std::mt19937 rng(11);
  std::array<int, 3> hits{};
  const std::array<Ip4, 3> hops{ip("10.0.0.2"), ip("192.168.1.2"), ip("10.2.0.2")};
  const std::array<uint16_t, 3> ports{0, 1, 2};
  const std::array<uint16_t, 3> mtus{1500, 9000, 1500};
  const std::array<Ip4, 3> srcs{ip("10.0.0.1"), ip("192.168.1.1"), ip("10.2.0.1")};
  constexpr int kFlows = 80000;
  for (int i = 0; i < kFlows; ++i) {
    uint32_t hash = rng();
    OutputResult a = out("172.16.1.1", "0.0.0.0", -1, hash);
    OutputResult b = out("172.16.200.7", "0.0.0.0", -1, hash);
    ASSERT_EQ(a.next_hop, b.next_hop);  // same hash, same next hop
    size_t k = 0;
    while (k < hops.size() && hops[k] != a.next_hop) ++k;
    ASSERT_LT(k, hops.size());
    EXPECT_EQ(a.port, ports[k]);
    EXPECT_EQ(a.mtu, mtus[k]);
    EXPECT_EQ(a.src, srcs[k]);
    ++hits[k];
  }
  // Weights 1:2:5 of 8; the binomial standard deviation is below 0.2 %, allow 1 %.
  EXPECT_NEAR(hits[0] / double(kFlows), 1 / 8.0, 0.01);
  EXPECT_NEAR(hits[1] / double(kFlows), 2 / 8.0, 0.01);
  EXPECT_NEAR(hits[2] / double(kFlows), 5 / 8.0, 0.01);
  // Hash-threshold: the lowest hashes take the first next hop, the highest the last.
  EXPECT_EQ(out("172.16.1.1", "0.0.0.0", -1, 0).next_hop, hops[0]);
  EXPECT_EQ(out("172.16.1.1", "0.0.0.0", -1, 0xffffffffu).next_hop, hops[2]);
}

TEST_F(RouteOutputTest, DeadNextHopIsSkippedAndOtherFlowsStay) {
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.2"), via("192.168.1.2"), via("10.2.0.2")})));
  std::mt19937 rng(5);
  std::set<uint32_t> used;
  for (int i = 0; i < 5000; ++i) {
    uint32_t hash = rng();
    OutputResult healthy;
    ASSERT_TRUE(t.output(ip("172.16.1.1"), {}, -1, hash, healthy));
    OutputResult degraded;
    ASSERT_TRUE(t.output(ip("172.16.1.1"), {}, -1, hash, degraded,
                         [](uint16_t port, Ip4 hop) { return port == 1 && hop == Ip4::of(192, 168, 1, 2); }));
    EXPECT_NE(degraded.next_hop, ip("192.168.1.2"));
    if (healthy.next_hop != ip("192.168.1.2")) {
      EXPECT_EQ(degraded.next_hop, healthy.next_hop);
    }
    used.insert(degraded.next_hop.v);
    // All dead: the hashed next hop anyway.
    OutputResult all_dead;
    ASSERT_TRUE(t.output(ip("172.16.1.1"), {}, -1, hash, all_dead, [](uint16_t, Ip4) { return true; }));
    EXPECT_EQ(all_dead.next_hop, healthy.next_hop);
  }
  EXPECT_EQ(used.size(), 2u);
}

TEST_F(RouteOutputTest, OutputInterfaceHint) {
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/24", {via("10.0.0.254")})));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("192.168.1.254")}, 1)));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.2.0.254")}, 7)));
  ASSERT_TRUE(t.add_route(spec("172.17.0.0/16", {via("10.0.0.9"), via("192.168.1.9"), via("10.0.0.10")})));

  EXPECT_EQ(out("172.16.0.5").next_hop, ip("10.0.0.254"));  // no hint: the /24
  OutputResult o = out("172.16.0.5", "0.0.0.0", 1);
  EXPECT_EQ(o.next_hop, ip("192.168.1.254"));  // the /16 on port 1
  EXPECT_EQ(t.route(o.route)->metric, 1u);
  EXPECT_EQ(o.src, ip("192.168.1.1"));
  EXPECT_EQ(o.mtu, 9000);
  o = out("172.16.0.5", "0.0.0.0", 2);
  EXPECT_EQ(o.next_hop, ip("10.2.0.254"));  // metric 7 on port 2
  EXPECT_EQ(t.route(o.route)->metric, 7u);
  EXPECT_EQ(out("172.16.0.5", "0.0.0.0", 0).next_hop, ip("10.0.0.254"));

  // No route through port 3: assumed on-link there.
  o = out("172.16.0.5", "0.0.0.0", 3);
  EXPECT_EQ(o.route, kNoRoute);
  EXPECT_EQ(o.port, 3);
  EXPECT_EQ(o.next_hop, ip("172.16.0.5"));
  EXPECT_EQ(o.src, ip("10.0.0.1"));  // port 3 has no address: borrowed from port 0
  o = out("8.8.8.8", "0.0.0.0", 2);
  EXPECT_EQ(o.port, 2);
  EXPECT_EQ(o.next_hop, ip("8.8.8.8"));
  EXPECT_EQ(o.src, ip("10.2.0.1"));
  OutputResult unknown;
  EXPECT_FALSE(t.output(ip("8.8.8.8"), {}, 9, 0, unknown));

  // Multipath restricted to the hint's next hops, still spread by hash among them.
  std::set<uint32_t> hops;
  std::mt19937 rng(2);
  for (int i = 0; i < 200; ++i) {
    o = out("172.17.1.1", "0.0.0.0", 0, rng());
    EXPECT_EQ(o.port, 0);
    hops.insert(o.next_hop.v);
  }
  EXPECT_EQ(hops, (std::set<uint32_t>{ip("10.0.0.9").v, ip("10.0.0.10").v}));
}

}  // namespace
}  // namespace dplb::route
