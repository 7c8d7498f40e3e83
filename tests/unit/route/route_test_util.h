// Small builders shared by the route tests.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <ostream>
#include <string>

#include "dplb/route/route_table.h"

namespace dplb::route::testing {

inline Ip4 ip(const char* s) {
  auto a = parse_ip4(s);
  EXPECT_TRUE(a.has_value()) << s;
  return a.value_or(Ip4{});
}

inline Ip4Prefix pfx(const char* s) {
  auto p = parse_ip4_prefix(s, 32);
  EXPECT_TRUE(p.has_value()) << s;
  return p.value_or(Ip4Prefix{});
}

inline Nexthop dev(uint16_t port, uint16_t weight = 1) { return Nexthop{Ip4{}, port, weight, false}; }
inline Nexthop via(const char* gw, uint16_t port = kAnyPort, uint16_t weight = 1) {
  return Nexthop{ip(gw), port, weight, false};
}

inline RouteSpec spec(const char* prefix, std::initializer_list<Nexthop> nexthops, uint32_t metric = 0) {
  RouteSpec s;
  s.prefix = pfx(prefix);
  s.metric = metric;
  s.nexthops = nexthops;
  return s;
}

inline RouteMatch match(const char* prefix) { return RouteMatch{pfx(prefix), {}, {}, {}, {}}; }

// "10.0.0.0/24 metric 5" for failure messages and identity comparisons.
inline std::string identity(const RouteEntry& e) {
  return to_string(e.prefix) + " metric " + std::to_string(e.metric);
}

}  // namespace dplb::route::testing

namespace dplb::route {

// Readable gtest failure output for the route value types.
inline void PrintTo(const Nexthop& nh, std::ostream* os) {
  *os << "{via " << to_string(nh.gateway) << " port " << nh.port << " weight " << nh.weight
      << (nh.onlink ? " onlink}" : "}");
}
inline void PrintTo(const RouteEntry& e, std::ostream* os) {
  *os << "{#" << e.id << " " << to_string(e.prefix) << " metric " << e.metric << " mtu " << e.mtu << " src "
      << to_string(e.src) << " scope " << to_string(e.scope) << " flags " << e.flags << " nexthops";
  for (const Nexthop& nh : e.nexthops) {
    *os << " ";
    PrintTo(nh, os);
  }
  *os << "}";
}
inline void PrintTo(const LocalRoute& l, std::ostream* os) {
  *os << "{" << to_string(l.addr) << " port " << l.port << " flags " << l.flags << "}";
}

}  // namespace dplb::route
