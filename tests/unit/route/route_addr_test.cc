// Ports and addresses, and the local and on-link routes addresses bring.
#include <gtest/gtest.h>

#include "dplb/route/route_table.h"
#include "route_test_util.h"

namespace dplb::route {
namespace {

using namespace dplb::route::testing;

class RouteAddrTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(t.set_port(0, 1500));
    ASSERT_TRUE(t.set_port(1, 9000));
  }
  // The single route of identity (prefix, metric), or nullopt.
  std::optional<RouteEntry> find(const char* prefix, uint32_t metric = 0) const {
    for (const RouteEntry& e : t.routes()) {
      if (e.prefix == pfx(prefix) && e.metric == metric) return e;
    }
    return std::nullopt;
  }
  RouteTable t;
};

TEST_F(RouteAddrTest, Ports) {
  EXPECT_EQ(t.set_port(kAnyPort, 1500).code(), EINVAL);
  EXPECT_EQ(t.set_port(2, 67).code(), EINVAL);
  EXPECT_TRUE(t.set_port(2, 68));
  EXPECT_EQ(t.port_mtu(2), 68);
  EXPECT_EQ(t.port_mtu(3), std::nullopt);
  EXPECT_FALSE(t.has_port(3));
  EXPECT_EQ(t.remove_port(3).code(), ENODEV);
  EXPECT_EQ(t.add_addr(3, pfx("10.0.0.1/24")).code(), ENODEV);
  EXPECT_EQ(t.del_addr(3, pfx("10.0.0.1/24")).code(), ENODEV);
  EXPECT_EQ(t.flush_addrs(3).status().code(), ENODEV);
  EXPECT_TRUE(t.remove_port(2));
  EXPECT_FALSE(t.has_port(2));
}

TEST_F(RouteAddrTest, AddressBringsLocalAndOnLinkRoutes) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  EXPECT_EQ(t.local_routes(), (std::vector<LocalRoute>{{ip("10.0.0.1"), 0, kRouteLocalIn}}));
  std::optional<RouteEntry> r = find("10.0.0.0/24");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->scope, RouteScope::kLink);
  EXPECT_EQ(r->src, ip("10.0.0.1"));
  EXPECT_EQ(r->flags, kRouteForward | kRouteProtoKernel);
  EXPECT_EQ(r->nexthops, (std::vector<Nexthop>{dev(0)}));
  EXPECT_EQ(r->mtu, 0);
  EXPECT_EQ(t.route_count(), 1u);

  // A /32 address has no subnet route.
  ASSERT_TRUE(t.add_addr(0, pfx("10.9.9.9/32")));
  EXPECT_EQ(t.route_count(), 1u);
  EXPECT_EQ(t.local_count(), 2u);
  EXPECT_EQ(t.addrs(0), (std::vector<Ip4Prefix>{pfx("10.0.0.1/24"), pfx("10.9.9.9/32")}));

  ASSERT_TRUE(t.del_addr(0, pfx("10.0.0.1/24")));
  EXPECT_FALSE(find("10.0.0.0/24"));
  EXPECT_EQ(t.local_routes(), (std::vector<LocalRoute>{{ip("10.9.9.9"), 0, kRouteLocalIn}}));
  EXPECT_EQ(t.addrs(0), (std::vector<Ip4Prefix>{pfx("10.9.9.9/32")}));
}

TEST_F(RouteAddrTest, AddressErrors) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  Status dup = t.add_addr(0, pfx("10.0.0.1/24"));
  EXPECT_EQ(dup.code(), EEXIST);
  EXPECT_EQ(dup.message(), "File exists");
  EXPECT_EQ(t.add_addr(0, pfx("10.0.0.1/16")).code(), EEXIST);  // one entry per IP
  EXPECT_EQ(t.add_addr(1, pfx("10.0.0.1/24")).code(), EEXIST);  // and on one port only
  EXPECT_EQ(t.del_addr(0, pfx("10.0.0.2/24")).code(), EADDRNOTAVAIL);
  EXPECT_EQ(t.del_addr(0, pfx("10.0.0.1/25")).code(), EADDRNOTAVAIL);
  EXPECT_EQ(t.del_addr(1, pfx("10.0.0.1/24")).code(), EADDRNOTAVAIL);
  for (const char* bad : {"0.0.0.0/8", "224.0.0.1/24", "255.255.255.255/32", "127.0.0.1/8"}) {
    EXPECT_EQ(t.add_addr(0, pfx(bad)).code(), EINVAL) << bad;
  }
  EXPECT_EQ(t.add_addr(0, Ip4Prefix{ip("10.1.1.1"), 33}).code(), EINVAL);
}

TEST_F(RouteAddrTest, SecondAddressInSubnetSharesTheRoute) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.2/24")));
  EXPECT_EQ(t.route_count(), 1u);
  EXPECT_EQ(find("10.0.0.0/24")->src, ip("10.0.0.1"));
  // Deleting the primary keeps the route for the remaining address, which becomes its source.
  ASSERT_TRUE(t.del_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(find("10.0.0.0/24"));
  EXPECT_EQ(find("10.0.0.0/24")->src, ip("10.0.0.2"));
  ASSERT_TRUE(t.del_addr(0, pfx("10.0.0.2/24")));
  EXPECT_EQ(t.route_count(), 0u);
  EXPECT_EQ(t.local_count(), 0u);
}

TEST_F(RouteAddrTest, SameSubnetOnTwoPortsKeepsOneRouteAndHandsItOver) {
  ASSERT_TRUE(t.add_addr(1, pfx("10.0.0.2/24")));
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  EXPECT_EQ(t.route_count(), 1u);
  EXPECT_EQ(find("10.0.0.0/24")->nexthops, (std::vector<Nexthop>{dev(1)}));
  ASSERT_TRUE(t.del_addr(1, pfx("10.0.0.2/24")));
  ASSERT_TRUE(find("10.0.0.0/24"));
  EXPECT_EQ(find("10.0.0.0/24")->nexthops, (std::vector<Nexthop>{dev(0)}));
  EXPECT_EQ(find("10.0.0.0/24")->src, ip("10.0.0.1"));
}

TEST_F(RouteAddrTest, UserRouteOfTheSameIdentityIsKeptAndNotDeletedWithTheAddress) {
  ASSERT_TRUE(t.add_route(spec("10.0.0.0/24", {dev(1)})));
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  EXPECT_EQ(t.route_count(), 1u);
  EXPECT_EQ(find("10.0.0.0/24")->nexthops, (std::vector<Nexthop>{dev(1)}));
  ASSERT_TRUE(t.del_addr(0, pfx("10.0.0.1/24")));
  EXPECT_EQ(find("10.0.0.0/24")->nexthops, (std::vector<Nexthop>{dev(1)}));
}

TEST_F(RouteAddrTest, DerivedRoutesMayBeDeletedByTheUser) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(t.del_route(match("10.0.0.0/24")));
  RouteMatch local = match("10.0.0.1/32");
  local.scope = RouteScope::kHost;
  ASSERT_TRUE(t.del_route(local));
  EXPECT_EQ(t.route_count(), 0u);
  EXPECT_EQ(t.local_count(), 0u);
  // The address itself stays and can still be deleted.
  EXPECT_EQ(t.addrs(0).size(), 1u);
  ASSERT_TRUE(t.del_addr(0, pfx("10.0.0.1/24")));
}

TEST_F(RouteAddrTest, DeletingAnAddressRemovesRoutesPreferringIt) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(t.add_addr(1, pfx("10.1.0.1/24")));
  RouteSpec s = spec("172.16.0.0/16", {via("10.0.0.254")});
  s.src = ip("10.1.0.1");
  ASSERT_TRUE(t.add_route(s));
  ASSERT_TRUE(t.add_route(spec("172.17.0.0/16", {via("10.0.0.254")})));
  ASSERT_TRUE(t.del_addr(1, pfx("10.1.0.1/24")));
  EXPECT_FALSE(find("172.16.0.0/16"));
  EXPECT_TRUE(find("172.17.0.0/16"));
}

TEST_F(RouteAddrTest, FlushAddrsAndRemovePort) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.2/24")));
  ASSERT_TRUE(t.add_addr(0, pfx("10.5.0.1/16")));
  ASSERT_TRUE(t.add_addr(1, pfx("10.1.0.1/24")));
  Result<size_t> n = t.flush_addrs(0);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 3u);
  EXPECT_TRUE(t.addrs(0).empty());
  EXPECT_EQ(t.route_count(), 1u);
  EXPECT_EQ(t.local_count(), 1u);

  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.254")})));
  ASSERT_TRUE(t.add_route(spec("172.17.0.0/16", {via("10.0.0.254"), via("10.1.0.254")})));
  ASSERT_TRUE(t.add_route(spec("172.18.0.0/16", {via("10.1.0.254")})));
  RouteSpec kni = spec("10.0.0.7/32", {dev(0)});
  kni.scope = RouteScope::kKniHost;
  ASSERT_TRUE(t.add_route(kni));
  ASSERT_TRUE(t.remove_port(0));
  EXPECT_FALSE(t.has_port(0));
  std::vector<RouteEntry> left = t.routes();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].prefix, pfx("10.1.0.0/24"));
  EXPECT_EQ(left[1].prefix, pfx("172.18.0.0/16"));
  EXPECT_EQ(t.local_routes(), (std::vector<LocalRoute>{{ip("10.1.0.1"), 1, kRouteLocalIn}}));
}

TEST_F(RouteAddrTest, SubnetBroadcastsFollowTheAddresses) {
  EXPECT_FALSE(t.is_subnet_broadcast(ip("10.0.0.255")));
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(t.add_addr(1, pfx("192.168.7.9/30")));
  ASSERT_TRUE(t.add_addr(1, pfx("172.16.0.1/31")));  // no broadcast address in a /31 or /32
  ASSERT_TRUE(t.add_addr(1, pfx("172.17.0.3/32")));
  EXPECT_TRUE(t.is_subnet_broadcast(ip("10.0.0.255")));
  EXPECT_TRUE(t.is_subnet_broadcast(ip("192.168.7.11")));
  EXPECT_FALSE(t.is_subnet_broadcast(ip("10.0.1.255")));
  EXPECT_FALSE(t.is_subnet_broadcast(ip("172.16.0.1")));
  EXPECT_FALSE(t.is_subnet_broadcast(ip("172.17.0.3")));
  ASSERT_TRUE(t.del_addr(0, pfx("10.0.0.1/24")));
  EXPECT_FALSE(t.is_subnet_broadcast(ip("10.0.0.255")));
  ASSERT_TRUE(t.remove_port(1));
  EXPECT_FALSE(t.is_subnet_broadcast(ip("192.168.7.11")));
}

TEST_F(RouteAddrTest, PortMtuChangeReachesRoutes) {
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.254")})));
  RouteSpec fixed = spec("172.17.0.0/16", {via("10.0.0.254")});
  fixed.mtu = 1400;
  ASSERT_TRUE(t.add_route(fixed));
  OutputResult out;
  ASSERT_TRUE(t.output(ip("172.16.1.1"), {}, -1, 0, out));
  EXPECT_EQ(out.mtu, 1500);
  ASSERT_TRUE(t.set_port(0, 1450));
  ASSERT_TRUE(t.output(ip("172.16.1.1"), {}, -1, 0, out));
  EXPECT_EQ(out.mtu, 1450);
  ASSERT_TRUE(t.output(ip("172.17.1.1"), {}, -1, 0, out));
  EXPECT_EQ(out.mtu, 1400);
  ASSERT_TRUE(t.output(ip("10.0.0.9"), {}, -1, 0, out));
  EXPECT_EQ(out.mtu, 1450);
}

}  // namespace
}  // namespace dplb::route
