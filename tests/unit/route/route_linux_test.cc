// Behaviour matched against Linux's FIB (issue 19), one test per difference fixed. Each case is also
// covered end to end by tests/e2e/test_route_diff.py, which compares dpip with `ip` in a namespace.
#include <gtest/gtest.h>

#include "dplb/route/route_table.h"
#include "route_test_util.h"

namespace dplb::route {
namespace {

using namespace dplb::route::testing;

class RouteLinuxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(t.set_port(0, 1500));
    ASSERT_TRUE(t.set_port(1, 1500));
  }
  RouteTable t;
};

// inet_select_addr(dev, 0, scope): an on-link next hop's source is the port's first primary
// address, not the one whose subnet holds the destination.
TEST_F(RouteLinuxTest, OnLinkRouteTakesThePrimaryAsSource) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(t.add_addr(0, pfx("172.16.0.9/16")));
  ASSERT_TRUE(t.add_route(spec("172.16.77.0/24", {dev(0)})));
  Result<OutputResult> got = t.get(ip("172.16.77.5"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->src, ip("10.0.0.1"));
  EXPECT_EQ(got->next_hop, ip("172.16.77.5"));
  // The connected route names its address as src: that one still wins inside its subnet.
  EXPECT_EQ(t.get(ip("172.16.1.1"))->src, ip("172.16.0.9"));
  // A gateway still picks the address of its subnet.
  ASSERT_TRUE(t.add_route(spec("45.0.0.0/8", {via("172.16.0.254")})));
  EXPECT_EQ(t.get(ip("45.1.1.1"))->src, ip("172.16.0.9"));
  // With an output interface and no route through it: the primary too (inet_select_addr(dev, 0, link)).
  ASSERT_TRUE(t.add_addr(1, pfx("192.168.0.1/24")));
  ASSERT_TRUE(t.add_addr(1, pfx("8.8.0.1/16")));
  EXPECT_EQ(t.get(ip("8.8.8.8"), {}, 0)->src, ip("10.0.0.1"));
  // Multipath: the on-link next hop (flow hash 0 picks the first) takes the primary.
  ASSERT_TRUE(t.add_route(spec("8.8.8.0/24", {dev(1), via("192.168.0.254", 1)})));
  EXPECT_EQ(t.get(ip("8.8.8.8"))->src, ip("192.168.0.1"));
}

// fib_check_nh: the gateway is looked up at link scope, so a scope-global route without a gateway
// does not make it reachable; the search goes on to shorter prefixes.
TEST_F(RouteLinuxTest, GatewayResolvesThroughScopeLinkRoutesOnly) {
  ASSERT_TRUE(t.add_route(spec("45.60.0.0/15", {dev(1)})));
  RouteSpec global = spec("45.60.0.0/16", {dev(0)});
  global.scope = RouteScope::kGlobal;
  ASSERT_TRUE(t.add_route(global));
  ASSERT_TRUE(t.add_route(spec("45.62.0.0/16", {via("45.60.1.1")})));
  Result<OutputResult> got = t.get(ip("45.62.3.4"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->port, 1);
  EXPECT_EQ(got->next_hop, ip("45.60.1.1"));
  // Only a scope-global route covers 46.0.0.1: "Nexthop has invalid gateway".
  RouteSpec only_global = spec("46.0.0.0/8", {dev(0)});
  only_global.scope = RouteScope::kGlobal;
  ASSERT_TRUE(t.add_route(only_global));
  Status s = t.add_route(spec("47.0.0.0/8", {via("46.0.0.1")}));
  EXPECT_EQ(s.code(), ENETUNREACH);
  EXPECT_EQ(s.message(), "Nexthop has invalid gateway");
}

// A subnet broadcast is a broadcast route in Linux's local table: never a gateway.
TEST_F(RouteLinuxTest, SubnetBroadcastIsNoGateway) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  Status s = t.add_route(spec("45.0.0.0/8", {via("10.0.0.255")}));
  EXPECT_EQ(s.code(), EINVAL);
  EXPECT_EQ(s.message(), "Nexthop has invalid gateway");
  EXPECT_TRUE(t.add_route(spec("45.0.0.0/8", {via("10.0.0.254")})));
  // Through another port, whose own subnet covers it, it is just an address there.
  ASSERT_TRUE(t.add_addr(1, pfx("10.0.3.3/16")));
  EXPECT_TRUE(t.add_route(spec("46.0.0.0/8", {via("10.0.0.255", 1)})));
}

// `ip route change` is NLM_F_REPLACE without NLM_F_CREATE: ENOENT when the route is absent.
TEST_F(RouteLinuxTest, ChangeNeedsAnExistingRoute) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  Status s = t.add_route(spec("45.0.0.0/8", {dev(0)}), AddMode::kChange);
  EXPECT_EQ(s.code(), ENOENT);
  EXPECT_EQ(s.message(), "No such file or directory");
  EXPECT_EQ(t.route_count(), 1u);  // only the connected route
  ASSERT_TRUE(t.add_route(spec("45.0.0.0/8", {dev(0)})));
  ASSERT_TRUE(t.add_route(spec("45.0.0.0/8", {dev(1)}), AddMode::kChange));
  EXPECT_EQ(t.find(pfx("45.0.0.0/8"), 0)->nexthops.front().port, 1);
  // Another metric is another route: absent, so ENOENT.
  EXPECT_EQ(t.add_route(spec("45.0.0.0/8", {dev(1)}, 5), AddMode::kChange).code(), ENOENT);
  // Local routes too.
  RouteSpec host = spec("10.9.9.9/32", {dev(0)});
  host.scope = RouteScope::kHost;
  EXPECT_EQ(t.add_route(host, AddMode::kChange).code(), ENOENT);
  ASSERT_TRUE(t.add_route(host));
  EXPECT_TRUE(t.add_route(host, AddMode::kChange));
}

// route get of a subnet broadcast: type broadcast on the address's port, the address as source.
TEST_F(RouteLinuxTest, GetAnswersSubnetBroadcasts) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(t.add_addr(1, pfx("10.1.0.1/16")));
  ASSERT_TRUE(t.add_route(spec("10.1.255.0/24", {dev(0)})));  // more specific, yet the local table wins
  Result<OutputResult> got = t.get(ip("10.1.255.255"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->flags, kRouteBroadcast);
  EXPECT_EQ(got->port, 1);
  EXPECT_EQ(got->src, ip("10.1.0.1"));
  EXPECT_EQ(got->route, kNoRoute);
  EXPECT_EQ(t.get(ip("10.0.0.255"))->flags, kRouteBroadcast);
  // The network address and other hosts are unicast; another output interface skips the broadcast.
  EXPECT_EQ(t.get(ip("10.0.0.0"))->flags & kRouteBroadcast, 0u);
  EXPECT_EQ(t.get(ip("10.1.255.255"), {}, 0)->flags & kRouteBroadcast, 0u);
  // Two ports with the subnet: the output interface's own address answers.
  ASSERT_TRUE(t.add_addr(0, pfx("10.1.0.2/16")));
  EXPECT_EQ(t.get(ip("10.1.255.255"))->port, 1);
  got = t.get(ip("10.1.255.255"), {}, 0);
  EXPECT_EQ(got->flags, kRouteBroadcast);
  EXPECT_EQ(got->port, 0);
  EXPECT_EQ(got->src, ip("10.1.0.2"));
  // The data path's lookup does not know about it (it never forwards to a subnet broadcast).
  OutputResult o;
  ASSERT_TRUE(t.output(ip("10.0.0.255"), {}, -1, 0, o));
  EXPECT_EQ(o.flags & kRouteBroadcast, 0u);
}

// inet_select_addr's no_in_dev: a port without addresses borrows the primary of the first port that
// has one, so the cached sources follow addresses of other ports too.
TEST_F(RouteLinuxTest, PortWithoutAddressBorrowsASource) {
  ASSERT_TRUE(t.add_route(spec("45.0.0.0/8", {dev(0)})));
  EXPECT_EQ(t.get(ip("45.1.1.1"))->src, Ip4{});
  ASSERT_TRUE(t.add_addr(1, pfx("10.1.0.1/24")));
  EXPECT_EQ(t.get(ip("45.1.1.1"))->src, ip("10.1.0.1"));
  EXPECT_EQ(t.get(ip("46.1.1.1"), {}, 0)->src, ip("10.1.0.1"));  // oif without a route: on-link
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  EXPECT_EQ(t.get(ip("45.1.1.1"))->src, ip("10.0.0.1"));  // its own now
  ASSERT_TRUE(t.add_route(spec("46.0.0.0/8", {dev(1)})));
  ASSERT_TRUE(t.del_addr(0, pfx("10.0.0.1/24")));  // port 0's last: its routes go (fib_disable_ip)
  EXPECT_FALSE(t.get(ip("45.1.1.1")));
  EXPECT_EQ(t.get(ip("46.1.1.1"))->src, ip("10.1.0.1"));
}

// route get ADDR oif DEV: our address on another port is not local through DEV (Linux's local route
// has that port as next hop), so it is routed out of DEV.
TEST_F(RouteLinuxTest, GetWithOifSkipsAddressesOfOtherPorts) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(t.add_addr(1, pfx("10.1.0.1/24")));
  Result<OutputResult> got = t.get(ip("10.1.0.1"), {}, 0);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->flags & kRouteLocal, 0u);
  EXPECT_EQ(got->port, 0);
  EXPECT_EQ(got->src, ip("10.0.0.1"));
  EXPECT_NE(t.get(ip("10.1.0.1"), {}, 1)->flags & kRouteLocal, 0u);  // its own port: local
  EXPECT_NE(t.get(ip("10.1.0.1"))->flags & kRouteLocal, 0u);
}

// route get of a secondary address (same subnet and length as an earlier one of the port): its
// local route's source is the primary, as Linux's fib_add_ifaddr makes it.
TEST_F(RouteLinuxTest, GetOfASecondaryAnswersThePrimaryAsSource) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.2.185.119/16")));
  ASSERT_TRUE(t.add_addr(0, pfx("10.2.216.245/16")));
  ASSERT_TRUE(t.add_addr(0, pfx("10.2.7.7/24")));  // another length: a primary of its own
  EXPECT_EQ(t.get(ip("10.2.216.245"))->src, ip("10.2.185.119"));
  EXPECT_EQ(t.get(ip("10.2.185.119"))->src, ip("10.2.185.119"));
  EXPECT_EQ(t.get(ip("10.2.7.7"))->src, ip("10.2.7.7"));
  EXPECT_EQ(t.get(ip("10.2.216.245"), ip("10.2.7.7"))->src, ip("10.2.7.7"));  // a hint of ours wins
}

// route get ... from SRC: SRC must be one of our addresses (Linux: ENETUNREACH, EINVAL for martians).
TEST_F(RouteLinuxTest, GetFromNeedsOurAddress) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  EXPECT_TRUE(t.get(ip("10.0.0.7"), ip("10.0.0.1")));
  EXPECT_EQ(t.get(ip("10.0.0.7"), ip("10.0.0.2")).status().code(), ENETUNREACH);
  EXPECT_EQ(t.get(ip("10.0.0.7"), ip("224.0.0.1")).status().code(), EINVAL);
}

// fib_table_delete: `metric 0` is no filter; `src` and `mtu` must equal the route's when given.
TEST_F(RouteLinuxTest, DeleteMatchesAsTheKernel) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(t.add_route(spec("45.0.0.0/8", {dev(0)}, 10)));
  RouteMatch m = match("45.0.0.0/8");
  m.metric = 0;
  ASSERT_TRUE(t.del_route(m));  // the metric-10 route: 0 is a wildcard
  EXPECT_FALSE(t.find(pfx("45.0.0.0/8"), 10));

  RouteSpec s = spec("46.0.0.0/8", {dev(0)});
  s.src = ip("10.0.0.1");
  s.mtu = 1400;
  ASSERT_TRUE(t.add_route(s));
  m = match("46.0.0.0/8");
  m.src = ip("10.0.0.2");
  EXPECT_EQ(t.del_route(m).code(), ESRCH);
  m.src = ip("10.0.0.1");
  m.mtu = 1500;
  EXPECT_EQ(t.del_route(m).code(), ESRCH);
  m.mtu = 1400;
  EXPECT_TRUE(t.del_route(m));
  EXPECT_EQ(t.route_count(), 1u);
}

// fib_disable_ip: a port's last address goes, and with it every route only through that port.
TEST_F(RouteLinuxTest, LastAddressTakesThePortsRoutes) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.5.1/24")));
  ASSERT_TRUE(t.add_addr(1, pfx("10.1.0.1/24")));
  ASSERT_TRUE(t.add_route(spec("45.0.0.0/8", {dev(0)})));
  ASSERT_TRUE(t.add_route(spec("46.0.0.0/8", {via("10.0.0.9")})));
  ASSERT_TRUE(t.add_route(spec("47.0.0.0/8", {via("10.0.0.9"), via("10.1.0.9")})));
  ASSERT_TRUE(t.add_route(spec("48.0.0.0/8", {dev(1)})));
  ASSERT_TRUE(t.del_addr(0, pfx("10.0.0.1/24")));
  EXPECT_TRUE(t.find(pfx("45.0.0.0/8"), 0));  // another address is left
  ASSERT_TRUE(t.del_addr(0, pfx("10.0.5.1/24")));
  EXPECT_FALSE(t.find(pfx("45.0.0.0/8"), 0));
  EXPECT_FALSE(t.find(pfx("46.0.0.0/8"), 0));
  EXPECT_TRUE(t.find(pfx("47.0.0.0/8"), 0));  // multipath with a next hop elsewhere: stays
  EXPECT_TRUE(t.find(pfx("48.0.0.0/8"), 0));
  EXPECT_FALSE(t.get(ip("45.1.1.1")));
}

// Scope 200 is Linux's site: a route that forwards (not dplb's kni) and may have a gateway; like a
// global one it does not resolve gateways (fib_check_nh_v4_gw looks up at link scope at least).
TEST_F(RouteLinuxTest, SiteScopeIsLinuxs) {
  RouteSpec site = spec("45.60.0.0/16", {dev(0)});
  site.scope = RouteScope::kSite;
  ASSERT_TRUE(t.add_route(site));
  EXPECT_EQ(t.input(ip("45.60.1.1"), 1).verdict, InputVerdict::kForward);
  EXPECT_EQ(t.get(ip("45.60.1.1"))->port, 0);
  EXPECT_EQ(t.add_route(spec("46.0.0.0/8", {via("45.60.1.1")})).code(), ENETUNREACH);
  RouteSpec site_gw = spec("47.0.0.0/8", {via("45.60.1.1")});
  site_gw.scope = RouteScope::kSite;
  EXPECT_EQ(t.add_route(site_gw).code(), ENETUNREACH);
  ASSERT_TRUE(t.add_route(spec("45.60.1.0/24", {dev(1)})));  // scope link
  EXPECT_TRUE(t.add_route(site_gw));
  EXPECT_EQ(t.get(ip("47.1.1.1"))->port, 1);
  EXPECT_TRUE(t.add_route(spec("46.0.0.0/8", {via("45.60.1.1")})));
}

// promote_secondaries: the primary of a subnet goes, its first secondary becomes a primary placed
// after the port's other primaries, so the port's first primary (the on-link source) may change.
TEST_F(RouteLinuxTest, APromotedSecondaryGoesAfterThePrimaries) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.2.137.86/24")));
  ASSERT_TRUE(t.add_addr(0, pfx("10.2.137.40/24")));  // secondary
  ASSERT_TRUE(t.add_addr(0, pfx("10.3.25.97/28")));
  ASSERT_TRUE(t.add_route(spec("45.0.0.0/8", {dev(0)})));
  EXPECT_EQ(t.get(ip("45.1.1.1"))->src, ip("10.2.137.86"));
  uint64_t before = t.digest();
  ASSERT_TRUE(t.del_addr(0, pfx("10.2.137.86/24")));
  EXPECT_EQ(t.addrs(0), (std::vector<Ip4Prefix>{pfx("10.3.25.97/28"), pfx("10.2.137.40/24")}));
  EXPECT_EQ(t.get(ip("45.1.1.1"))->src, ip("10.3.25.97"));
  EXPECT_EQ(t.get(ip("10.2.137.5"))->src, ip("10.2.137.40"));  // the subnet route's src moved
  EXPECT_NE(t.digest(), before);
  // The same table built in the final order has the same digest.
  RouteTable u;
  ASSERT_TRUE(u.set_port(0, 1500));
  ASSERT_TRUE(u.set_port(1, 1500));
  ASSERT_TRUE(u.add_addr(0, pfx("10.3.25.97/28")));
  ASSERT_TRUE(u.add_addr(0, pfx("10.2.137.40/24")));
  ASSERT_TRUE(u.add_route(spec("45.0.0.0/8", {dev(0)})));
  EXPECT_EQ(u.digest(), t.digest());
}

}  // namespace
}  // namespace dplb::route
