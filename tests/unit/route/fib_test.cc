// Fib alone: entries installed by prefix id answer input/output/forward_output as set, multipath
// picks from the given next-hop pool, removal falls back to the covering prefix.
#include "dplb/route/fib.h"

#include <gtest/gtest.h>

#include "route_test_util.h"

namespace dplb::route {
namespace {

using namespace dplb::route::testing;

class FibTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ifs.set_port(0, 1500));
    ASSERT_TRUE(ifs.set_port(1, 9000));
    ASSERT_TRUE(ifs.add_addr(0, pfx("10.0.0.1/24")));
    ASSERT_TRUE(ifs.add_addr(1, pfx("10.1.0.1/24")));
  }
  FibNode single(uint32_t route, Ip4 gateway, uint16_t port, uint16_t mtu) {
    FibNode n;
    n.route = route;
    n.flags = kRouteForward;
    n.gateway = gateway;
    n.port = port;
    n.mtu = mtu;
    n.nh_count = 1;
    return n;
  }
  static bool never_dead(uint16_t, Ip4) { return false; }
  AddressTable ifs;
  Fib fib;
};

TEST_F(FibTest, LookupsReadTheInstalledEntries) {
  fib.add_prefix(0, ip("172.16.0.0"), 16);
  fib.set(0, single(7, ip("10.0.0.254"), 0, 1500));
  fib.add_prefix(1, ip("172.16.1.0"), 24);
  FibNode kni = single(8, Ip4{}, 1, 9000);
  kni.flags = kRouteKni;
  fib.set(1, kni);

  InputResult in = fib.input(ip("172.16.2.3"));
  EXPECT_EQ(in.verdict, InputVerdict::kForward);
  EXPECT_EQ(in.route, 7u);
  EXPECT_EQ(in.fib_node, 0u);
  EXPECT_EQ(fib.input(ip("172.16.1.3")).verdict, InputVerdict::kKni);
  EXPECT_EQ(fib.input(ip("172.17.0.1")).verdict, InputVerdict::kNoRoute);
  EXPECT_EQ(fib.route_of(ip("172.16.1.3")), 8u);
  EXPECT_EQ(fib.route_of(ip("8.8.8.8")), kNoRoute);

  auto is_dead = never_dead;
  OutputResult out;
  ASSERT_TRUE(fib.output(ip("172.16.2.3"), Ip4{}, 0, out, is_dead, nullptr, ifs));
  EXPECT_EQ(out.next_hop, ip("10.0.0.254"));
  EXPECT_EQ(out.src, ip("10.0.0.1"));  // the port's address on the gateway's subnet
  EXPECT_EQ(out.mtu, 1500);
  ASSERT_TRUE(fib.output(ip("172.16.1.3"), ip("10.1.0.1"), 0, out, is_dead, nullptr, ifs));
  EXPECT_EQ(out.next_hop, ip("172.16.1.3"));  // on-link
  EXPECT_EQ(out.src, ip("10.1.0.1"));         // our hint
  EXPECT_FALSE(fib.output(ip("8.8.8.8"), Ip4{}, 0, out, is_dead, nullptr, ifs));

  auto no_hash = [] { return 0u; };
  fib.forward_output(in, ip("172.16.2.3"), no_hash, out, is_dead, nullptr, ifs);
  EXPECT_EQ(out.route, 7u);
  EXPECT_EQ(out.src, Ip4{});

  // Removing the /24 falls back to the /16 over its range.
  fib.remove_prefix(1, ip("172.16.1.0"), 24, Dir24_8::Parent{0, 16});
  EXPECT_EQ(fib.route_of(ip("172.16.1.3")), 7u);
  fib.clear();
  EXPECT_EQ(fib.route_of(ip("172.16.2.3")), kNoRoute);
  EXPECT_EQ(fib.size(), 0u);
}

TEST_F(FibTest, MultipathPicksByHashAndSkipsDeadNextHops) {
  std::vector<Nexthop> pool = {via("10.0.0.254", 0, 1), via("10.1.0.254", 1, 1)};
  FibNode n = single(3, pool[0].gateway, 0, 0);
  n.nh_count = 2;
  n.total_weight = 2;
  n.nh_index = 0;
  fib.add_prefix(0, ip("0.0.0.0"), 0);
  fib.set(0, n);
  InputResult in = fib.input(ip("8.8.8.8"));
  OutputResult out;
  auto is_dead = never_dead;
  auto low = [] { return 0u; };
  auto high = [] { return 0xffffffffu; };
  fib.forward_output(in, ip("8.8.8.8"), low, out, is_dead, pool.data(), ifs);
  EXPECT_EQ(out.port, 0);
  EXPECT_EQ(out.mtu, 1500);  // the chosen port's
  fib.forward_output(in, ip("8.8.8.8"), high, out, is_dead, pool.data(), ifs);
  EXPECT_EQ(out.port, 1);
  EXPECT_EQ(out.mtu, 9000);
  auto port1_dead = [](uint16_t port, Ip4) { return port == 1; };
  fib.forward_output(in, ip("8.8.8.8"), high, out, port1_dead, pool.data(), ifs);
  EXPECT_EQ(out.port, 0);
}

}  // namespace
}  // namespace dplb::route
