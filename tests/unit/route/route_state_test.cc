// Table-wide state: generation, digest, flush, capacity.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>

#include "dplb/route/route_table.h"
#include "route_test_util.h"

namespace dplb::route {
namespace {

using namespace dplb::route::testing;

void base_setup(RouteTable& t, bool ports_reversed = false) {
  if (ports_reversed) {
    ASSERT_TRUE(t.set_port(1, 9000));
    ASSERT_TRUE(t.add_addr(1, pfx("192.168.1.1/24")));
    ASSERT_TRUE(t.set_port(0, 1500));
    ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
    ASSERT_TRUE(t.add_addr(0, pfx("10.0.1.1/24")));
  } else {
    ASSERT_TRUE(t.set_port(0, 1500));
    ASSERT_TRUE(t.set_port(1, 9000));
    ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
    ASSERT_TRUE(t.add_addr(1, pfx("192.168.1.1/24")));
    ASSERT_TRUE(t.add_addr(0, pfx("10.0.1.1/24")));
  }
}

std::vector<RouteSpec> some_routes() {
  std::vector<RouteSpec> v;
  v.push_back(spec("0.0.0.0/0", {via("10.0.0.254")}));
  v.push_back(spec("172.16.0.0/16", {via("10.0.0.254"), via("192.168.1.254", kAnyPort, 3)}, 5));
  v.push_back(spec("172.16.0.0/16", {via("10.0.1.254")}, 7));
  v.push_back(spec("172.16.4.0/22", {dev(1)}));
  v.push_back(spec("172.16.4.9/32", {dev(0)}));
  RouteSpec kni = spec("10.0.0.5/32", {dev(0)});
  kni.scope = RouteScope::kKniHost;
  v.push_back(kni);
  RouteSpec with_src = spec("172.20.0.0/14", {via("192.168.1.254")}, 2);
  with_src.src = ip("10.0.1.1");
  with_src.mtu = 1400;
  v.push_back(with_src);
  return v;
}

TEST(RouteState, GenerationBumpsOnEveryChangeOnly) {
  RouteTable t;
  uint64_t g = t.generation();
  auto changed = [&](bool expect) {
    bool c = t.generation() != g;
    g = t.generation();
    return c == expect;
  };
  ASSERT_TRUE(t.set_port(0, 1500));
  EXPECT_TRUE(changed(true));
  ASSERT_TRUE(t.set_port(0, 1500));  // same MTU: nothing changed
  EXPECT_TRUE(changed(false));
  ASSERT_TRUE(t.set_port(0, 1400));
  EXPECT_TRUE(changed(true));
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/24")));
  EXPECT_TRUE(changed(true));
  EXPECT_FALSE(t.add_addr(0, pfx("10.0.0.1/24")));
  EXPECT_TRUE(changed(false));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.254")})));
  EXPECT_TRUE(changed(true));
  EXPECT_FALSE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.254")})));
  EXPECT_FALSE(t.add_route(spec("172.17.0.0/16", {via("10.9.0.254")})));
  EXPECT_FALSE(t.del_route(match("172.18.0.0/16")));
  EXPECT_TRUE(changed(false));
  t.routes();
  t.local_routes();
  EXPECT_TRUE(changed(false));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.253")}), AddMode::kReplace));
  EXPECT_TRUE(changed(true));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.252")}), AddMode::kAppend));
  EXPECT_TRUE(changed(true));
  ASSERT_TRUE(t.del_route(match("172.16.0.0/16")));
  EXPECT_TRUE(changed(true));
  ASSERT_TRUE(t.flush_routes());
  EXPECT_TRUE(changed(true));
  ASSERT_TRUE(t.flush_routes());  // nothing left to flush
  EXPECT_TRUE(changed(false));
  ASSERT_TRUE(t.del_addr(0, pfx("10.0.0.1/24")));
  EXPECT_TRUE(changed(true));
  ASSERT_TRUE(t.remove_port(0));
  EXPECT_TRUE(changed(true));
}

TEST(RouteState, DigestIgnoresOperationOrder) {
  RouteTable a;
  base_setup(a);
  for (const RouteSpec& s : some_routes()) ASSERT_TRUE(a.add_route(s));

  RouteTable b;
  base_setup(b, /*ports_reversed=*/true);
  std::vector<RouteSpec> routes = some_routes();
  std::reverse(routes.begin(), routes.end());
  // Detours that leave no trace: an extra route added then deleted, a replace then a replace back.
  ASSERT_TRUE(b.add_route(spec("1.2.3.0/24", {dev(0)})));
  for (const RouteSpec& s : routes) ASSERT_TRUE(b.add_route(s, AddMode::kReplace));
  ASSERT_TRUE(b.del_route(match("1.2.3.0/24")));
  ASSERT_TRUE(b.add_route(spec("0.0.0.0/0", {via("192.168.1.254")}), AddMode::kReplace));
  ASSERT_TRUE(b.add_route(spec("0.0.0.0/0", {via("10.0.0.254")}), AddMode::kReplace));

  EXPECT_EQ(a.digest(), b.digest());
  EXPECT_EQ(a.routes().size(), b.routes().size());
  std::vector<RouteEntry> ra = a.routes();
  std::vector<RouteEntry> rb = b.routes();
  for (size_t i = 0; i < std::min(ra.size(), rb.size()); ++i) {
    ra[i].id = rb[i].id = 0;  // ids depend on the history
    EXPECT_EQ(ra[i], rb[i]) << identity(ra[i]);
  }
  EXPECT_EQ(a.local_routes(), b.local_routes());
}

TEST(RouteState, DigestChangesWithEveryChangeAndComesBack) {
  RouteTable t;
  base_setup(t);
  for (const RouteSpec& s : some_routes()) ASSERT_TRUE(t.add_route(s));
  const uint64_t base = t.digest();
  // Each step changes the contents, then its inverse restores them.
  std::vector<std::pair<std::function<Status()>, std::function<Status()>>> steps = {
      {[&] { return t.set_port(0, 1400); }, [&] { return t.set_port(0, 1500); }},
      {[&] { return t.set_port(7, 1500); }, [&] { return t.remove_port(7); }},
      {[&] { return t.add_addr(1, pfx("192.168.2.1/24")); },
       [&] { return t.del_addr(1, pfx("192.168.2.1/24")); }},
      {[&] { return t.add_addr(1, pfx("192.168.1.2/32")); },
       [&] { return t.del_addr(1, pfx("192.168.1.2/32")); }},
      {[&] { return t.add_route(spec("172.31.0.0/16", {dev(0)})); },
       [&] { return t.del_route(match("172.31.0.0/16")); }},
      {[&] { return t.add_route(spec("172.16.4.9/32", {dev(1)}), AddMode::kReplace); },
       [&] { return t.add_route(spec("172.16.4.9/32", {dev(0)}), AddMode::kReplace); }},
      {[&] { return t.add_route(spec("172.16.4.9/32", {dev(0, 2)}), AddMode::kReplace); },
       [&] { return t.add_route(spec("172.16.4.9/32", {dev(0)}), AddMode::kReplace); }},
      {[&] { return t.add_route(spec("172.16.4.9/32", {dev(1)}), AddMode::kAppend); },
       [&] { return t.add_route(spec("172.16.4.9/32", {dev(0)}), AddMode::kReplace); }},
      {[&] {
         RouteSpec s = spec("10.0.0.5/32", {dev(0)});
         s.scope = RouteScope::kHost;
         return t.add_route(s, AddMode::kReplace);
       },
       [&] {
         RouteSpec s = spec("10.0.0.5/32", {dev(0)});
         s.scope = RouteScope::kKniHost;
         return t.add_route(s, AddMode::kReplace);
       }},
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    ASSERT_TRUE(steps[i].first()) << "step " << i;
    EXPECT_NE(t.digest(), base) << "step " << i;
    ASSERT_TRUE(steps[i].second()) << "undo " << i;
    EXPECT_EQ(t.digest(), base) << "undo " << i;
  }
  // The address order is part of the contents (the first is the primary).
  RouteTable swapped;
  ASSERT_TRUE(swapped.set_port(0, 1500));
  ASSERT_TRUE(swapped.set_port(1, 9000));
  ASSERT_TRUE(swapped.add_addr(0, pfx("10.0.1.1/24")));
  ASSERT_TRUE(swapped.add_addr(0, pfx("10.0.0.1/24")));
  ASSERT_TRUE(swapped.add_addr(1, pfx("192.168.1.1/24")));
  for (const RouteSpec& s : some_routes()) ASSERT_TRUE(swapped.add_route(s));
  EXPECT_NE(swapped.digest(), base);

  // So is the order of subnets on a port (sources are looked up in it), while the order of /32s
  // after the primary changes nothing.
  RouteTable x;
  RouteTable y;
  for (RouteTable* r : {&x, &y}) {
    ASSERT_TRUE(r->set_port(0, 1500));
    ASSERT_TRUE(r->add_addr(0, pfx("10.0.0.1/24")));
  }
  for (const char* a : {"10.1.0.1/16", "10.2.0.1/32", "10.3.0.1/32", "10.0.0.2/16"})
    ASSERT_TRUE(x.add_addr(0, pfx(a)));
  for (const char* a : {"10.1.0.1/16", "10.3.0.1/32", "10.2.0.1/32", "10.0.0.2/16"})
    ASSERT_TRUE(y.add_addr(0, pfx(a)));
  EXPECT_EQ(x.digest(), y.digest());
  ASSERT_TRUE(y.del_addr(0, pfx("10.1.0.1/16")));
  ASSERT_TRUE(y.add_addr(0, pfx("10.1.0.1/16")));
  EXPECT_NE(x.digest(), y.digest());
  ASSERT_TRUE(x.del_addr(0, pfx("10.1.0.1/16")));
  ASSERT_TRUE(x.add_addr(0, pfx("10.1.0.1/16")));
  EXPECT_EQ(x.digest(), y.digest());
}

TEST(RouteState, Flush) {
  RouteTable t;
  base_setup(t);
  for (const RouteSpec& s : some_routes()) ASSERT_TRUE(t.add_route(s));
  EXPECT_EQ(t.route_count(), 9u);  // 6 net routes + 3 on-link
  // Port 1 carries: 192.168.1.0/24, the multipath 172.16/16 metric 5, 172.16.4.0/22, 172.20/14.
  Result<size_t> n = t.flush_routes(1);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 4u);
  EXPECT_EQ(t.route_count(), 5u);
  EXPECT_EQ(t.flush_routes(9).status().code(), ENODEV);
  OutputResult o;
  ASSERT_TRUE(t.output(ip("172.16.4.1"), {}, -1, 0, o));
  EXPECT_EQ(o.next_hop, ip("10.0.1.254"));  // metric 7 is what is left

  n = t.flush_routes();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 5u);
  EXPECT_EQ(t.route_count(), 0u);
  EXPECT_FALSE(t.output(ip("172.16.4.1"), {}, -1, 0, o));
  EXPECT_EQ(t.lookup(ip("10.0.0.9")), kNoRoute);
  EXPECT_EQ(t.local_count(), 4u);  // local routes stay
  EXPECT_EQ(t.input(ip("10.0.0.5"), 0).verdict, InputVerdict::kKni);

  // The digest after a full flush is that of the same ports, addresses and local routes alone.
  RouteTable fresh;
  base_setup(fresh);
  RouteSpec kni = spec("10.0.0.5/32", {dev(0)});
  kni.scope = RouteScope::kKniHost;
  ASSERT_TRUE(fresh.add_route(kni));
  ASSERT_TRUE(fresh.flush_routes());
  EXPECT_EQ(t.digest(), fresh.digest());

  // And the table works again afterwards.
  ASSERT_TRUE(t.add_route(spec("10.0.0.0/24", {dev(0)})));
  ASSERT_TRUE(t.add_route(spec("172.16.0.0/16", {via("10.0.0.254")})));
  ASSERT_TRUE(t.output(ip("172.16.4.1"), {}, -1, 0, o));
  EXPECT_EQ(o.next_hop, ip("10.0.0.254"));
}

// Thousands of /32 addresses (VIPs) on a port with a big table: adding and deleting them (in any
// order) is cheap, they are local, and sources keep coming from the port's subnet address.
TEST(RouteState, ManyHostAddresses) {
  RouteTable t;
  ASSERT_TRUE(t.set_port(0, 1500));
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/16")));
  for (uint32_t i = 0; i < 50000; ++i) {
    RouteSpec s;
    s.prefix = Ip4Prefix{Ip4(0x14000000u + (i << 8)), 24};
    s.nexthops = {Nexthop{Ip4(0x0a000000u + 2 + i % 1000), 0, 1, false}};
    ASSERT_TRUE(t.add_route(s));
  }
  const uint64_t before = t.digest();
  std::vector<Ip4Prefix> vips;
  for (uint32_t i = 0; i < 20000; ++i) vips.push_back(Ip4Prefix{Ip4(0xc6120000u + i), 32});  // 198.18/15
  for (const Ip4Prefix& v : vips) ASSERT_TRUE(t.add_addr(0, v));
  EXPECT_EQ(t.addrs(0).size(), 20001u);
  EXPECT_EQ(t.input(vips[12345].addr, 0).verdict, InputVerdict::kLocal);
  OutputResult o;
  ASSERT_TRUE(t.output(ip("20.0.1.9"), {}, -1, 0, o));
  EXPECT_EQ(o.src, ip("10.0.0.1"));
  ASSERT_TRUE(t.output(ip("20.0.1.9"), vips[7].addr, -1, 0, o));
  EXPECT_EQ(o.src, vips[7].addr);
  std::shuffle(vips.begin(), vips.end(), std::mt19937(4));
  for (const Ip4Prefix& v : vips) ASSERT_TRUE(t.del_addr(0, v));
  EXPECT_EQ(t.digest(), before);
  EXPECT_EQ(t.local_count(), 1u);
}

// A million net routes load and answer (the capacity the daemon promises).
TEST(RouteState, MillionRoutes) {
  RouteTable t;
  ASSERT_TRUE(t.set_port(0, 1500));
  ASSERT_TRUE(t.set_port(1, 1500));
  ASSERT_TRUE(t.add_addr(0, pfx("10.0.0.1/16")));
  ASSERT_TRUE(t.add_addr(1, pfx("10.1.0.1/16")));
  constexpr uint32_t kCount = 1000000;
  // 900k /24s over 20.0.0.0/4 .. and 100k /32s below them.
  for (uint32_t i = 0; i < kCount; ++i) {
    RouteSpec s;
    if (i < 900000) {
      s.prefix = Ip4Prefix{Ip4(0x14000000u + (i << 8)), 24};
    } else {
      s.prefix = Ip4Prefix{Ip4(0x14000000u + ((i - 900000) << 9) + 77), 32};
    }
    s.nexthops = {Nexthop{Ip4(0x0a000000u + (i % 2) * 0x10000u + 2 + i % 1000), uint16_t(i % 2), 1, false}};
    ASSERT_TRUE(t.add_route(s)) << i;
  }
  EXPECT_EQ(t.route_count(), kCount + 2);
  std::mt19937 rng(1);
  for (int k = 0; k < 10000; ++k) {
    uint32_t i = rng() % kCount;
    Ip4 probe = i < 900000 ? Ip4(0x14000000u + (i << 8) + (rng() & 0xff))
                           : Ip4(0x14000000u + ((i - 900000) << 9) + 77);
    // A probe under a /32's /24 may hit that /32: recompute the expected route id from the address.
    uint32_t expect_i = i;
    if (i < 900000 && (probe.v & 0xff) == 77 && ((probe.v - 0x14000000u) >> 9) < 100000 &&
        ((probe.v - 0x14000000u) & 0x100) == 0) {
      expect_i = 900000 + ((probe.v - 0x14000000u) >> 9);
    }
    OutputResult o;
    ASSERT_TRUE(t.output(probe, {}, -1, 0, o));
    ASSERT_EQ(o.next_hop, Ip4(0x0a000000u + (expect_i % 2) * 0x10000u + 2 + expect_i % 1000))
        << to_string(probe);
  }
}

}  // namespace
}  // namespace dplb::route
