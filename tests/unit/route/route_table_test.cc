// Net and local route maintenance: add modes, validation errors, deletes, listing, input().
#include "dplb/route/route_table.h"

#include <gtest/gtest.h>

#include <random>

#include "route_test_util.h"

namespace dplb::route {
namespace {

using namespace dplb::route::testing;

class RouteTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(t.set_port(0, 1500));
    ASSERT_TRUE(t.set_port(1, 9000));
    ASSERT_TRUE(t.set_port(2, 1500));
    ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
    ASSERT_TRUE(t.add_addr(1, pfx("192.168.1.1/24")));
  }
  // Identity and next hops of the route a lookup finds, "none" without one.
  std::string lookup(const char* addr) const {
    std::optional<RouteEntry> e = t.route(t.lookup(ip(addr)));
    return e ? identity(*e) : "none";
  }
  RouteTable t;
};

TEST_F(RouteTableTest, CreateReplaceAppend) {
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.254")}, 10)));
  Status dup = t.add_route(spec("172.16.0.0/16", {via("192.168.1.254")}, 10));
  EXPECT_EQ(dup.code(), EEXIST);
  EXPECT_EQ(dup.message(), "File exists");
  // Another metric is another route.
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("192.168.1.254")}, 20)));
  EXPECT_EQ(t.route_count(), 4u);

  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("192.168.1.254")}, 10), AddMode::kReplace));
  EXPECT_EQ(t.route(t.lookup(ip("172.16.0.1")))->nexthops, (std::vector<Nexthop>{via("192.168.1.254", 1)}));
  ASSERT_TRUE(t.add_route(spec("172.18.0.0/16", {via("10.0.0.254")}), AddMode::kReplace));  // upsert
  EXPECT_EQ(t.route_count(), 5u);

  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.254", kAnyPort, 3)}, 10), AddMode::kAppend));
  EXPECT_EQ(t.route(t.lookup(ip("172.16.0.1")))->nexthops,
            (std::vector<Nexthop>{via("192.168.1.254", 1), via("10.0.0.254", 0, 3)}));
  EXPECT_EQ(t.add_route(spec("172.16.0.0/16", {via("10.0.0.254")}, 10), AddMode::kAppend).code(), EEXIST);
  ASSERT_TRUE(t.add_route(spec("172.19.0.0/16", {dev(2)}), AddMode::kAppend));  // creates
  EXPECT_EQ(t.route_count(), 6u);
}

TEST_F(RouteTableTest, ValidationErrors) {
  auto code = [&](const RouteSpec& s) { return t.add_route(s).code(); };
  EXPECT_EQ(code(spec("172.16.0.0/16", {})), EINVAL);
  RouteSpec bad_len = spec("172.16.0.0/16", {dev(0)});
  bad_len.prefix.len = 33;
  EXPECT_EQ(code(bad_len), EINVAL);
  RouteSpec many = spec("172.16.0.0/16", {});
  for (uint8_t i = 0; i < 17; ++i)
    many.nexthops.push_back(Nexthop{Ip4::of(10, 0, 0, uint8_t(100 + i)), 0, 1, false});
  Status too_many = t.add_route(many);
  EXPECT_EQ(too_many.code(), EINVAL);
  EXPECT_EQ(too_many.message(), "Too many nexthops (at most 16)");
  many.nexthops.pop_back();
  EXPECT_TRUE(t.add_route(many));  // 16 is fine

  EXPECT_EQ(code(spec("172.17.0.0/16", {dev(0, 0)})), EINVAL);
  EXPECT_EQ(code(spec("172.17.0.0/16", {dev(0, 257)})), EINVAL);
  EXPECT_TRUE(t.add_route(spec("172.17.0.0/16", {dev(0, 256)})));
  RouteSpec mtu = spec("172.18.0.0/16", {dev(0)});
  mtu.mtu = 67;
  EXPECT_EQ(code(mtu), EINVAL);
  mtu.mtu = 68;
  EXPECT_TRUE(t.add_route(mtu));

  EXPECT_EQ(code(spec("172.19.0.0/16", {dev(7)})), ENODEV);
  EXPECT_EQ(code(spec("172.19.0.0/16", {via("10.0.0.254", 7)})), ENODEV);
  EXPECT_EQ(code(spec("172.19.0.0/16", {Nexthop{}})), EINVAL);  // neither dev nor gateway
  EXPECT_EQ(code(spec("172.19.0.0/16", {dev(0), dev(0)})), EINVAL);
  EXPECT_EQ(code(spec("172.19.0.0/16", {via("10.0.0.254"), via("10.0.0.254")})), EINVAL);

  Status unreachable = t.add_route(spec("172.19.0.0/16", {via("10.9.0.254")}));
  EXPECT_EQ(unreachable.code(), ENETUNREACH);
  EXPECT_EQ(unreachable.message(), "Nexthop has invalid gateway");
  EXPECT_EQ(code(spec("172.19.0.0/16", {via("10.0.0.254", 1)})), ENETUNREACH);  // on-link, other port
  EXPECT_EQ(code(spec("172.19.0.0/16", {via("10.0.0.1")})), EINVAL);            // our own address
  EXPECT_EQ(code(spec("172.19.0.0/16", {via("224.0.0.1")})), EINVAL);
  RouteSpec scoped = spec("172.19.0.0/16", {via("10.0.0.254")});
  scoped.scope = RouteScope::kLink;
  EXPECT_EQ(code(scoped), EINVAL);
  RouteSpec src = spec("172.19.0.0/16", {via("10.0.0.254")});
  src.src = ip("10.0.0.99");
  Status bad_src = t.add_route(src);
  EXPECT_EQ(bad_src.code(), EINVAL);
  EXPECT_EQ(bad_src.message(), "Invalid prefsrc address");

  // onlink trusts the gateway but needs the device.
  Nexthop onlink = via("10.9.0.254");
  onlink.onlink = true;
  EXPECT_EQ(code(spec("172.19.0.0/16", {onlink})), EINVAL);
  onlink.port = 2;
  EXPECT_TRUE(t.add_route(spec("172.19.0.0/16", {onlink})));

  // A gateway behind another gateway route is not on-link.
  ASSERT_TRUE(t.add_route(spec("10.50.0.0/16", {via("10.0.0.254")})));
  EXPECT_EQ(code(spec("172.20.0.0/16", {via("10.50.0.1")})), ENETUNREACH);
  // Local routes: one device, no gateway.
  RouteSpec local = spec("10.0.0.5/32", {via("10.0.0.254", 0)});
  local.scope = RouteScope::kHost;
  EXPECT_EQ(code(local), EINVAL);
  local.nexthops = {dev(9)};
  EXPECT_EQ(code(local), ENODEV);
}

TEST_F(RouteTableTest, GatewayResolvesItsPortFromTheLongestOnLinkRoute) {
  ASSERT_TRUE(t.add_route(spec("10.0.0.128/25", {dev(2)})));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.200")})));
  ASSERT_TRUE(t.add_route(spec("172.17.0.0/16", {via("10.0.0.100")})));
  EXPECT_EQ(t.route(t.lookup(ip("172.16.0.1")))->nexthops[0].port, 2);
  EXPECT_EQ(t.route(t.lookup(ip("172.17.0.1")))->nexthops[0].port, 0);
  // With a device given, the on-link route must be on that device.
  ASSERT_TRUE(t.add_route(spec("172.18.0.0/16", {via("10.0.0.200", 0)})));
  EXPECT_EQ(t.route(t.lookup(ip("172.18.0.1")))->nexthops[0].port, 0);
}

TEST_F(RouteTableTest, PrefixIsNormalizedAndFlagged) {
  ASSERT_TRUE(t.add_route(spec("172.16.33.44/16", {via("10.0.0.254")})));
  ASSERT_TRUE(t.add_route(spec("0.0.0.0/0", {via("10.0.0.254")})));
  std::vector<RouteEntry> all = t.routes();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[2].prefix, pfx("172.16.0.0/16"));
  EXPECT_EQ(all[2].flags, kRouteForward);
  EXPECT_EQ(all[2].scope, RouteScope::kGlobal);
  EXPECT_EQ(all[3].prefix, pfx("0.0.0.0/0"));
  EXPECT_EQ(all[3].flags, kRouteForward | kRouteDefault);
}

TEST_F(RouteTableTest, LongestPrefixThenLowestMetricAndDeleteRestores) {
  ASSERT_TRUE(t.add_route(spec("0.0.0.0/0", {via("10.0.0.254")})));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/12", {via("10.0.0.253")}, 5)));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/12", {via("10.0.0.252")}, 3)));
  ASSERT_TRUE(t.add_route(spec("172.16.5.0/24", {via("10.0.0.251")}, 9)));
  ASSERT_TRUE(t.add_route(spec("172.16.5.128/25", {via("10.0.0.250")}, 9)));
  EXPECT_EQ(lookup("8.8.8.8"), "0.0.0.0/0 metric 0");
  EXPECT_EQ(lookup("172.20.0.1"), "172.16.0.0/12 metric 3");
  EXPECT_EQ(lookup("172.16.5.1"), "172.16.5.0/24 metric 9");
  EXPECT_EQ(lookup("172.16.5.200"), "172.16.5.128/25 metric 9");
  ASSERT_TRUE(t.del_route(match("172.16.5.128/25")));
  EXPECT_EQ(lookup("172.16.5.200"), "172.16.5.0/24 metric 9");
  ASSERT_TRUE(t.del_route(match("172.16.5.0/24")));
  EXPECT_EQ(lookup("172.16.5.200"), "172.16.0.0/12 metric 3");
  ASSERT_TRUE(t.del_route(match("172.16.0.0/12")));  // no metric: the lowest goes
  EXPECT_EQ(lookup("172.16.5.200"), "172.16.0.0/12 metric 5");
  ASSERT_TRUE(t.del_route(match("172.16.0.0/12")));
  EXPECT_EQ(lookup("172.16.5.200"), "0.0.0.0/0 metric 0");
  ASSERT_TRUE(t.del_route(match("0.0.0.0/0")));
  EXPECT_EQ(lookup("172.16.5.200"), "none");
}

TEST_F(RouteTableTest, DeleteFilters) {
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.254")}, 1)));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("192.168.1.254")}, 2)));
  Status none = t.del_route(match("172.17.0.0/16"));
  EXPECT_EQ(none.code(), ESRCH);
  EXPECT_EQ(none.message(), "No such process");
  RouteMatch m = match("172.16.0.0/16");
  m.metric = 3;
  EXPECT_EQ(t.del_route(m).code(), ESRCH);
  m = match("172.16.0.0/16");
  m.via = ip("10.0.0.9");
  EXPECT_EQ(t.del_route(m).code(), ESRCH);
  m = match("172.16.0.0/16");
  m.scope = RouteScope::kLink;
  EXPECT_EQ(t.del_route(m).code(), ESRCH);
  EXPECT_EQ(t.del_route(match("172.16.0.0/17")).code(), ESRCH);

  // find() and match() name the route without removing it.
  EXPECT_EQ(t.find(pfx("172.16.9.9/16"), 2)->nexthops, (std::vector<Nexthop>{via("192.168.1.254", 1)}));
  EXPECT_FALSE(t.find(pfx("172.16.0.0/16"), 3));
  EXPECT_FALSE(t.find(pfx("172.16.0.0/17"), 1));
  EXPECT_EQ(t.match(match("172.16.0.0/16"))->metric, 1u);
  m = match("172.16.0.0/16");
  m.port = 1;
  EXPECT_EQ(t.match(m)->metric, 2u);
  m.via = ip("10.0.0.254");
  EXPECT_FALSE(t.match(m));
  EXPECT_EQ(t.route_count(), 4u);

  m = match("172.16.0.0/16");
  m.port = 1;  // only the metric 2 route has a next hop on port 1
  ASSERT_TRUE(t.del_route(m));
  EXPECT_EQ(lookup("172.16.0.1"), "172.16.0.0/16 metric 1");
  m = match("172.16.0.0/16");
  m.via = ip("10.0.0.254");
  m.scope = RouteScope::kGlobal;
  ASSERT_TRUE(t.del_route(m));
  EXPECT_EQ(lookup("172.16.0.1"), "none");
}

TEST_F(RouteTableTest, InputVerdicts) {
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.254")})));
  RouteSpec kni_net = spec("172.17.0.0/16", {dev(0)});
  kni_net.scope = RouteScope::kKniHost;
  ASSERT_TRUE(t.add_route(kni_net));
  RouteSpec kni_host = spec("10.0.0.5/32", {dev(0)});
  kni_host.scope = RouteScope::kKniHost;
  ASSERT_TRUE(t.add_route(kni_host));

  InputResult r = t.input(ip("10.0.0.1"), 0);
  EXPECT_EQ(r.verdict, InputVerdict::kLocal);
  EXPECT_EQ(r.port, 0);
  r = t.input(ip("192.168.1.1"), 0);  // weak host: another port's address is local too
  EXPECT_EQ(r.verdict, InputVerdict::kLocal);
  EXPECT_EQ(r.port, 1);
  r = t.input(ip("10.0.0.5"), 0);
  EXPECT_EQ(r.verdict, InputVerdict::kKni);
  EXPECT_EQ(r.port, 0);
  r = t.input(ip("172.17.9.9"), 1);
  EXPECT_EQ(r.verdict, InputVerdict::kKni);
  EXPECT_EQ(t.route(r.route)->flags, kRouteKni);
  r = t.input(ip("172.16.9.9"), 1);
  EXPECT_EQ(r.verdict, InputVerdict::kForward);
  EXPECT_EQ(r.port, 0);
  EXPECT_EQ(t.route(r.route)->prefix, pfx("172.16.0.0/16"));
  r = t.input(ip("10.0.0.77"), 0);
  EXPECT_EQ(r.verdict, InputVerdict::kForward);  // on-link subnet
  r = t.input(ip("8.8.8.8"), 0);
  EXPECT_EQ(r.verdict, InputVerdict::kNoRoute);
  EXPECT_EQ(r.route, kNoRoute);
}

TEST_F(RouteTableTest, LocalRoutesByScope) {
  RouteSpec host = spec("10.0.0.5/32", {dev(0)});
  host.scope = RouteScope::kHost;
  ASSERT_TRUE(t.add_route(host));
  EXPECT_EQ(t.add_route(host).code(), EEXIST);
  EXPECT_EQ(t.add_route(host, AddMode::kAppend).code(), EEXIST);
  EXPECT_EQ(t.input(ip("10.0.0.5"), 0).verdict, InputVerdict::kLocal);
  host.scope = RouteScope::kKniHost;
  ASSERT_TRUE(t.add_route(host, AddMode::kReplace));
  EXPECT_EQ(t.input(ip("10.0.0.5"), 0).verdict, InputVerdict::kKni);
  EXPECT_EQ(t.route_count(), 2u);  // no net route was made

  RouteMatch m = match("10.0.0.5/32");
  m.scope = RouteScope::kHost;  // it is KNI now
  EXPECT_EQ(t.del_route(m).code(), ESRCH);
  m.scope = RouteScope::kKniHost;
  m.port = 1;
  EXPECT_EQ(t.del_route(m).code(), ESRCH);
  m.port = 0;
  ASSERT_TRUE(t.del_route(m));
  EXPECT_EQ(t.del_route(m).code(), ESRCH);
  EXPECT_EQ(t.input(ip("10.0.0.5"), 0).verdict, InputVerdict::kForward);
}

TEST_F(RouteTableTest, ListingOrder) {
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.254")}, 5)));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.254")}, 1)));
  ASSERT_TRUE(t.add_route(spec("172.15.0.0/16", {via("10.0.0.254")}, 5)));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/15", {via("10.0.0.254")})));
  ASSERT_TRUE(t.add_route(spec("172.16.1.1/32", {via("10.0.0.254")})));
  std::vector<std::string> got;
  for (const RouteEntry& e : t.routes()) got.push_back(identity(e));
  EXPECT_EQ(got, (std::vector<std::string>{"172.16.1.1/32 metric 0", "10.0.0.0/24 metric 0",
                                           "192.168.1.0/24 metric 0", "172.16.0.0/16 metric 1",
                                           "172.15.0.0/16 metric 5", "172.16.0.0/16 metric 5",
                                           "172.16.0.0/15 metric 0"}));
  EXPECT_EQ(t.local_routes(), (std::vector<LocalRoute>{{ip("10.0.0.1"), 0, kRouteLocalIn},
                                                       {ip("192.168.1.1"), 1, kRouteLocalIn}}));
  EXPECT_FALSE(t.route(12345));
  EXPECT_FALSE(t.route(kNoRoute));
}

TEST(RouteScope, Names) {
  for (RouteScope s : {RouteScope::kGlobal, RouteScope::kSite, RouteScope::kLink, RouteScope::kHost,
                       RouteScope::kKniHost}) {
    EXPECT_EQ(parse_route_scope(to_string(s)), s);
  }
  EXPECT_EQ(parse_route_scope("universe"), RouteScope::kGlobal);
  EXPECT_EQ(uint8_t(RouteScope::kSite), 200);  // Linux's RT_SCOPE_SITE
  EXPECT_EQ(parse_route_scope("nowhere"), std::nullopt);
}

}  // namespace
}  // namespace dplb::route

namespace dplb::route {
namespace {

using namespace dplb::route::testing;

// The data plane's variant of a table (huge pages asked for, burst prefetches issued before each
// lookup) answers every lookup exactly as a plain table built the same way.
TEST(RouteTableHotPath, HugePagesAndPrefetchesChangeNoAnswer) {
  RouteTable plain, hot;
  hot.prefer_huge_pages();
  for (RouteTable* t : {&plain, &hot}) {
    ASSERT_TRUE(t->set_port(0, 1500));
    ASSERT_TRUE(t->add_addr(0, pfx("10.0.0.1/24")));
  }
  std::mt19937 rng(3);
  for (int i = 0; i < 3000; ++i) {
    auto len = static_cast<uint8_t>(8 + rng() % 25);  // /8../32: the short table, tbl24 and tbl8
    Ip4 net(static_cast<uint32_t>(rng()) & prefix_mask(len));
    if (net.is_zero() || (net.v >> 24) == 10 || net.is_multicast() || net.is_loopback()) continue;
    RouteSpec s;
    s.prefix = Ip4Prefix{net, len};
    s.nexthops = {via("10.0.0.254")};
    Status a = plain.add_route(s), b = hot.add_route(s);
    ASSERT_EQ(a.code(), b.code());
  }
  for (int i = 0; i < 20000; ++i) {
    Ip4 d(static_cast<uint32_t>(rng()));
    hot.prefetch_input(d);
    hot.prefetch_fib_entry(d);
    InputResult x = plain.input(d, 0), y = hot.input(d, 0);
    ASSERT_EQ(x.verdict, y.verdict);
    ASSERT_EQ(x.route, y.route);
  }
}

}  // namespace
}  // namespace dplb::route
