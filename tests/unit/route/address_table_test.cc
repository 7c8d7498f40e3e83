// AddressTable alone: ports, address lists, local routes, broadcasts, source selection, digest.
#include "dplb/route/address_table.h"

#include <gtest/gtest.h>

#include "route_test_util.h"

namespace dplb::route {
namespace {

using namespace dplb::route::testing;

TEST(AddressTableTest, PortsReportChanges) {
  AddressTable a;
  EXPECT_TRUE(*a.set_port(1, 1500));   // new
  EXPECT_FALSE(*a.set_port(1, 1500));  // as it is
  EXPECT_TRUE(*a.set_port(1, 9000));   // MTU changed
  EXPECT_EQ(a.set_port(kAnyPort, 1500).status().code(), EINVAL);
  EXPECT_EQ(a.set_port(2, 67).status().code(), EINVAL);
  EXPECT_TRUE(a.has_port(1));
  EXPECT_FALSE(a.has_port(0));
  EXPECT_EQ(a.port_mtu(1), 9000);
  EXPECT_EQ(a.port_limit(), 2u);
}

TEST(AddressTableTest, AddrsBringLocalRoutesAndBroadcasts) {
  AddressTable a;
  ASSERT_TRUE(a.set_port(0, 1500));
  // The first address and every subnet change the port's source candidates; a further /32 does not.
  EXPECT_TRUE(*a.add_addr(0, pfx("10.0.0.1/24")));
  EXPECT_FALSE(*a.add_addr(0, pfx("10.9.9.9/32")));
  EXPECT_TRUE(*a.add_addr(0, pfx("10.0.1.1/24")));
  EXPECT_EQ(a.add_addr(0, pfx("10.0.0.1/24")).status().code(), EEXIST);
  EXPECT_EQ(a.add_addr(3, pfx("10.0.3.1/24")).status().code(), ENODEV);
  EXPECT_EQ(a.local_count(), 3u);
  EXPECT_TRUE(a.is_our_addr(ip("10.9.9.9")));
  EXPECT_EQ(a.port_of_addr(ip("10.0.1.1")), 0);
  EXPECT_TRUE(a.is_subnet_broadcast(ip("10.0.0.255")));
  EXPECT_FALSE(a.is_subnet_broadcast(ip("10.0.2.255")));
  EXPECT_EQ(a.addr_in_subnet(0, ip("10.0.1.0"), 24), ip("10.0.1.1"));
  EXPECT_EQ(a.addr_in_subnet(0, ip("10.0.2.0"), 24), std::nullopt);

  EXPECT_FALSE(*a.del_addr(0, pfx("10.9.9.9/32")));
  EXPECT_EQ(a.del_addr(0, pfx("10.9.9.9/32")).status().code(), EADDRNOTAVAIL);
  EXPECT_FALSE(a.is_local_addr(ip("10.9.9.9")));
  EXPECT_TRUE(*a.del_addr(0, pfx("10.0.0.1/24")));
  EXPECT_FALSE(a.is_subnet_broadcast(ip("10.0.0.255")));
  EXPECT_EQ(a.addrs(0), (std::vector<Ip4Prefix>{pfx("10.0.1.1/24")}));
}

TEST(AddressTableTest, SourceSelection) {
  AddressTable a;
  ASSERT_TRUE(a.set_port(0, 1500));
  ASSERT_TRUE(a.set_port(1, 1500));
  ASSERT_TRUE(a.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(a.add_addr(0, pfx("10.0.1.1/24")));
  EXPECT_EQ(a.port_src(0, ip("10.0.1.7")), ip("10.0.1.1"));   // the subnet holding the next hop
  EXPECT_EQ(a.port_src(0, ip("172.16.0.1")), ip("10.0.0.1"));  // else the primary
  EXPECT_EQ(a.port_src(1, ip("10.0.0.7")), ip("10.0.0.1"));    // none: borrowed from the first port
  EXPECT_EQ(a.port_src(0, Ip4{}), ip("10.0.0.1"));             // on-link: the primary
  EXPECT_EQ(a.select_src(ip("10.0.1.1"), ip("10.0.0.1"), 0, ip("1.2.3.4")), ip("10.0.1.1"));  // our hint
  EXPECT_EQ(a.select_src(ip("9.9.9.9"), ip("10.0.0.1"), 1, ip("1.2.3.4")), ip("10.0.0.1"));   // route src
}

TEST(AddressTableTest, LocalRoutes) {
  AddressTable a;
  ASSERT_TRUE(a.set_port(0, 1500));
  RouteSpec kni = spec("10.1.1.1/32", {dev(0)});
  ASSERT_TRUE(a.add_local_route(ip("10.1.1.1"), kni, RouteScope::kKniHost, AddMode::kCreate));
  EXPECT_EQ(a.add_local_route(ip("10.1.1.1"), kni, RouteScope::kKniHost, AddMode::kCreate).code(), EEXIST);
  EXPECT_TRUE(a.is_local_addr(ip("10.1.1.1")));
  EXPECT_FALSE(a.is_our_addr(ip("10.1.1.1")));  // KNI: not a source
  EXPECT_EQ(a.local_routes(), (std::vector<LocalRoute>{{ip("10.1.1.1"), 0, kRouteKni}}));
  RouteMatch m = match("10.1.1.1/32");
  m.scope = RouteScope::kHost;
  EXPECT_EQ(a.del_local_route(m).code(), ESRCH);  // another scope
  m.scope = RouteScope::kKniHost;
  EXPECT_TRUE(a.del_local_route(m));
  EXPECT_EQ(a.local_count(), 0u);
}

TEST(AddressTableTest, DigestIsOrderIndependentAndReturnsToZero) {
  AddressTable x, y;
  ASSERT_TRUE(x.set_port(0, 1500));
  ASSERT_TRUE(x.set_port(1, 1500));
  ASSERT_TRUE(x.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(x.add_addr(1, pfx("10.0.1.1/24")));
  ASSERT_TRUE(y.set_port(1, 1500));
  ASSERT_TRUE(y.add_addr(1, pfx("10.0.1.1/24")));
  ASSERT_TRUE(y.set_port(0, 1500));
  ASSERT_TRUE(y.add_addr(0, pfx("10.0.0.1/24")));
  EXPECT_EQ(x.digest(), y.digest());
  ASSERT_TRUE(x.del_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(x.del_addr(1, pfx("10.0.1.1/24")));
  x.remove_port(0);
  x.remove_port(1);
  EXPECT_EQ(x.digest(), 0u);
}

}  // namespace
}  // namespace dplb::route
