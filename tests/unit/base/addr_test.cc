#include "dplb/base/addr.h"

#include <gtest/gtest.h>

namespace dplb {
namespace {

TEST(Addr, ParsesDottedQuad) {
  EXPECT_EQ(parse_ip4("10.0.0.1")->v, 0x0a000001u);
  EXPECT_EQ(parse_ip4("255.255.255.255")->v, 0xffffffffu);
  EXPECT_EQ(parse_ip4("0.0.0.0")->v, 0u);
}

TEST(Addr, RejectsMalformedAddresses) {
  for (const char* bad : {"", "1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1..2.3", "1.2.3.4 ", " 1.2.3.4",
                          "a.b.c.d", "1.2.3.-4", "1.2.3.0004", "1.2.3.4/"}) {
    EXPECT_FALSE(parse_ip4(bad).has_value()) << bad;
  }
}

TEST(Addr, ParsesPrefixes) {
  auto p = parse_ip4_prefix("10.1.2.3/24");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->len, 24);
  EXPECT_EQ(to_string(p->network()), "10.1.2.0");
  EXPECT_EQ(to_string(p->broadcast()), "10.1.2.255");
  EXPECT_TRUE(p->contains(*parse_ip4("10.1.2.200")));
  EXPECT_FALSE(p->contains(*parse_ip4("10.1.3.1")));
  EXPECT_FALSE(parse_ip4_prefix("10.1.2.3"));
  EXPECT_EQ(parse_ip4_prefix("10.1.2.3", 32)->len, 32);
  EXPECT_FALSE(parse_ip4_prefix("10.1.2.3/33"));
  EXPECT_FALSE(parse_ip4_prefix("10.1.2.3/-1"));
  EXPECT_FALSE(parse_ip4_prefix("10.1.2.3/024"));
  EXPECT_EQ(parse_ip4_prefix("0.0.0.0/0")->len, 0);
}

TEST(Addr, MacRoundTrip) {
  auto m = parse_mac("02:AB:cd:00:01:ff");
  ASSERT_TRUE(m);
  EXPECT_EQ(to_string(*m), "02:ab:cd:00:01:ff");
  EXPECT_FALSE(parse_mac("02:ab:cd:00:01"));
  EXPECT_FALSE(parse_mac("02-ab-cd-00-01-ff"));
  EXPECT_FALSE(parse_mac("02:ab:cd:00:01:fg"));
  EXPECT_TRUE(Mac::broadcast().is_broadcast());
}

}  // namespace
}  // namespace dplb
