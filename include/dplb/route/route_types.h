// Value types of the IPv4 route tables: what a route is, how it is added and deleted, and what the
// data-plane lookups answer. Semantics follow Linux's FIB (route identity, scopes, error codes) and
// DPVS's route.c (local routes by address, net routes by prefix).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "dplb/base/addr.h"

namespace dplb::route {

inline constexpr unsigned kMaxNexthops = 16;
inline constexpr uint16_t kMaxWeight = 256;
inline constexpr uint16_t kMinMtu = 68;
// A next hop's port left to the table to choose (from the on-link route covering its gateway).
// Port id 0xffff is therefore not a valid port.
inline constexpr uint16_t kAnyPort = 0xffff;
// Route id meaning "no route" (lookups) or "no net route involved" (local and oif-fallback outputs).
inline constexpr uint32_t kNoRoute = 0xffffffffu;

// Linux numbering where it exists (site is RT_SCOPE_SITE); kni_host is DPVS's scope: traffic for the
// route goes to the kernel. Only the core numbers it (255); the wire marks it with a flag.
enum class RouteScope : uint8_t { kGlobal = 0, kSite = 200, kLink = 253, kHost = 254, kKniHost = 255 };

std::string_view to_string(RouteScope scope);
std::optional<RouteScope> parse_route_scope(std::string_view text);

// Route flags (a bit set). A local route is LOCALIN or KNI; a net route FORWARD or KNI, plus DEFAULT
// for 0/0 and PROTO_KERNEL when it was derived from an address (iproute2's "proto kernel").
enum RouteFlag : uint32_t {
  kRouteLocalIn = 1u << 0,
  kRouteForward = 1u << 1,
  kRouteKni = 1u << 2,
  kRouteDefault = 1u << 3,
  kRouteProtoKernel = 1u << 4,
  kRouteLocal = 1u << 5,  // only in OutputResult: the destination is one of our local routes
  kRouteBroadcast = 1u << 6,  // only in RouteTable::get: a subnet broadcast of one of our addresses
};

struct Nexthop {
  Ip4 gateway;               // 0 = on-link (the destination itself is the next hop)
  uint16_t port = kAnyPort;  // kAnyPort only in a RouteSpec: resolved from the gateway
  uint16_t weight = 1;       // 1..256
  bool onlink = false;       // trust the gateway to be on-link (no reachability check)
  friend bool operator==(const Nexthop&, const Nexthop&) = default;
};

// How add_route treats an existing route of the same identity (prefix, len, metric).
enum class AddMode : uint8_t {
  kCreate,   // fail with EEXIST
  kReplace,  // overwrite it (or create)
  kAppend,   // add the next hops to it (or create)
  kChange,   // overwrite it; ENOENT when absent (ip route change: NLM_F_REPLACE without NLM_F_CREATE)
};

struct RouteSpec {
  Ip4Prefix prefix;  // host bits are ignored (normalized to the network)
  uint32_t metric = 0;
  uint16_t mtu = 0;                 // 0 = the egress port's MTU
  Ip4 src;                          // preferred source, 0 = none; must be one of our addresses
  std::optional<RouteScope> scope;  // default: link without a gateway, global with one
  std::vector<Nexthop> nexthops;    // 1..16
};

// Which route del_route removes: the lowest-metric route of exactly this prefix/len passing every
// given filter (a route passes `port`/`via` when one of its next hops does). As Linux's
// fib_table_delete: metric 0 is no filter, and src and mtu must equal the route's when given.
struct RouteMatch {
  Ip4Prefix prefix;
  std::optional<uint32_t> metric;
  std::optional<uint16_t> port;
  std::optional<Ip4> via;
  std::optional<RouteScope> scope;
  std::optional<Ip4> src;
  std::optional<uint16_t> mtu;
};

// A net route as listed (control path).
struct RouteEntry {
  uint32_t id = kNoRoute;
  Ip4Prefix prefix;  // normalized
  uint32_t metric = 0;
  uint16_t mtu = 0;
  Ip4 src;
  RouteScope scope = RouteScope::kGlobal;
  uint32_t flags = 0;
  std::vector<Nexthop> nexthops;
  friend bool operator==(const RouteEntry&, const RouteEntry&) = default;
};

struct LocalRoute {
  Ip4 addr;
  uint16_t port = 0;
  uint32_t flags = 0;  // kRouteLocalIn or kRouteKni
  friend bool operator==(const LocalRoute&, const LocalRoute&) = default;
};

enum class InputVerdict : uint8_t { kLocal, kKni, kForward, kNoRoute };

struct InputResult {
  InputVerdict verdict = InputVerdict::kNoRoute;
  uint16_t port = 0;          // local: the port owning the address; forward/kni: first next hop's port
  uint32_t route = kNoRoute;  // net route id (forward/kni via a net route)
  uint32_t fib_node = UINT32_MAX;  // the FIB entry found (forward/kni): forward_output() reuses it
};

struct OutputResult {
  uint32_t route = kNoRoute;  // net route used; kNoRoute for local or assumed-on-link destinations
  uint16_t port = 0;
  Ip4 next_hop;  // gateway, or the destination itself when on-link
  Ip4 src;
  uint16_t mtu = 0;
  uint32_t flags = 0;  // the route's flags; kRouteLocal (+LOCALIN or KNI) for a local destination
};

}  // namespace dplb::route
