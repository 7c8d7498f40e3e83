// Rib alone: what each change means for the FIB, route semantics, covering prefixes, listing.
#include "dplb/route/rib.h"

#include <gtest/gtest.h>

#include "route_test_util.h"

namespace dplb::route {
namespace {

using namespace dplb::route::testing;

class RibTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ifs.set_port(0, 1500));
    ASSERT_TRUE(ifs.add_addr(0, pfx("10.0.0.1/24")));
    // The on-link route the address brings (RouteTable adds it; here by hand).
    RibChange c = rib.insert(ip("10.0.0.0"), 24, 0, 0, ip("10.0.0.1"), RouteScope::kLink,
                             kRouteForward | kRouteProtoKernel, {dev(0)});
    ASSERT_EQ(c.kind, RibChange::kAdded);
  }
  Result<RibChange> add(const RouteSpec& s, AddMode mode = AddMode::kCreate) {
    bool has_gateway = !s.nexthops.empty() && !s.nexthops.front().gateway.is_zero();
    return rib.add(s, s.scope.value_or(has_gateway ? RouteScope::kGlobal : RouteScope::kLink), mode, ifs);
  }
  AddressTable ifs;
  Rib rib;
};

TEST_F(RibTest, ChangesTellTheFibWhatMoved) {
  Result<RibChange> c = add(spec("172.16.0.0/16", {via("10.0.0.254")}, 10));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, RibChange::kAdded);
  uint32_t prefix = c->prefix;
  EXPECT_EQ(rib.find_prefix(ip("172.16.0.0"), 16), prefix);
  // A worse metric: the best route stays.
  c = add(spec("172.16.0.0/16", {via("10.0.0.253")}, 20));
  EXPECT_EQ(c->kind, RibChange::kNone);
  // A better one takes over.
  c = add(spec("172.16.0.0/16", {via("10.0.0.252")}, 5));
  EXPECT_EQ(c->kind, RibChange::kBestChanged);
  EXPECT_EQ(rib.at(rib.best(prefix)).metric, 5u);
  // Replacing a route that is not the best changes nothing the FIB holds.
  c = add(spec("172.16.0.0/16", {via("10.0.0.251")}, 20), AddMode::kReplace);
  EXPECT_EQ(c->kind, RibChange::kNone);

  RouteMatch m = match("172.16.0.0/16");
  c = rib.del(m);  // the best (metric 5)
  EXPECT_EQ(c->kind, RibChange::kBestChanged);
  c = rib.del(m);
  EXPECT_EQ(c->kind, RibChange::kBestChanged);
  c = rib.del(m);
  EXPECT_EQ(c->kind, RibChange::kRemoved);
  EXPECT_EQ(c->prefix, prefix);
  EXPECT_EQ(rib.find_prefix(ip("172.16.0.0"), 16), Rib::kNoPrefix);
  EXPECT_EQ(rib.del(m).status().code(), ESRCH);
}

TEST_F(RibTest, ValidatesAgainstTheInterfaces) {
  EXPECT_EQ(add(spec("172.16.0.0/16", {via("10.9.0.254")})).status().code(), ENETUNREACH);
  EXPECT_EQ(add(spec("172.16.0.0/16", {via("10.0.0.1")})).status().code(), EINVAL);  // local gateway
  EXPECT_EQ(add(spec("172.16.0.0/16", {dev(4)})).status().code(), ENODEV);
  RouteSpec bad_src = spec("172.16.0.0/16", {via("10.0.0.254")});
  bad_src.src = ip("10.0.0.9");
  EXPECT_EQ(add(bad_src).status().code(), EINVAL);
  // A gateway without a device takes the on-link route's port.
  ASSERT_TRUE(add(spec("172.16.0.0/16", {via("10.0.0.254")})));
  EXPECT_EQ(rib.find(pfx("172.16.0.0/16"), 0)->nexthops, (std::vector<Nexthop>{via("10.0.0.254", 0)}));
  EXPECT_EQ(rib.onlink_port_for(ip("10.0.0.77"), kAnyPort, RouteScope::kGlobal), 0);
  EXPECT_EQ(rib.onlink_port_for(ip("10.0.1.77"), kAnyPort, RouteScope::kGlobal), std::nullopt);
}

TEST_F(RibTest, CoveringAndListing) {
  ASSERT_TRUE(add(spec("10.0.0.128/25", {dev(0)})));
  ASSERT_TRUE(add(spec("0.0.0.0/0", {via("10.0.0.254")})));
  std::optional<Rib::Covering> c = rib.covering(ip("10.0.0.128"), 25);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->len, 24);
  EXPECT_EQ(c->prefix, rib.find_prefix(ip("10.0.0.0"), 24));
  EXPECT_EQ(rib.covering(ip("10.0.0.0"), 24)->len, 0);
  EXPECT_EQ(rib.covering(ip("0.0.0.0"), 0), std::nullopt);

  std::vector<uint8_t> lens;
  rib.for_each_covering(ip("10.0.0.200"), [&](uint32_t, const Rib::Route& r) {
    lens.push_back(r.len);
    return false;
  });
  EXPECT_EQ(lens, (std::vector<uint8_t>{25, 24, 0}));  // longest first

  std::vector<RouteEntry> all = rib.routes();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(identity(all[0]), "10.0.0.128/25 metric 0");
  EXPECT_EQ(identity(all[2]), "0.0.0.0/0 metric 0");
  EXPECT_EQ(rib.routes_via_port(0).size(), 3u);
  EXPECT_EQ(rib.routes_with_src(ip("10.0.0.1")).size(), 1u);
  EXPECT_TRUE(rib.names_src(ip("10.0.0.1")));

  uint64_t before = rib.digest();
  EXPECT_EQ(rib.clear(), 3u);
  EXPECT_EQ(rib.size(), 0u);
  EXPECT_EQ(rib.digest(), 0u);
  EXPECT_NE(before, 0u);
}

}  // namespace
}  // namespace dplb::route
