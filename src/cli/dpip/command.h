// What the user asked for, as the parser understands it: global options and one command with its
// arguments. No wire types here; the request builders turn a Command into proto records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dplb/base/addr.h"

namespace dplb::dpip {

struct GlobalOptions {
  std::string socket;      // -x PATH ("" = $DPLB_IPC or the default)
  int stats = 0;           // -s, repeatable
  bool json = false;       // -j
  bool pretty = false;     // -p
  bool verbose = false;    // -v
  bool force = false;      // -force (with -batch)
  std::string batch_file;  // -batch FILE ("-" = stdin), "" = no batch
};

enum class Object { kNone, kLink, kAddr, kNeigh, kRoute, kSync };

enum class Verb {
  kHelp,     // usage of the object (or of dpip itself when object is kNone)
  kVersion,  // -V
  kBatch,    // -batch FILE: the commands come from the file
  kShow,
  kAdd,
  kDel,
  kFlush,
  kReplace,  // route replace
  kChange,   // route change: like replace, but the route must exist
  kAppend,   // route append
  kGet,      // route get
};

// link show [DEV], addr show [dev DEV], neigh show [dev DEV], addr/neigh flush dev DEV.
struct DevArgs {
  std::string dev;  // "" = every device
};

struct AddrArgs {
  Ip4Prefix prefix;  // without /len: /32
  std::string dev;
  std::optional<uint8_t> scope;  // proto::kScope*; unset = global (host for 127/8)
};

struct NeighArgs {
  Ip4 addr;
  std::optional<Mac> lladdr;
  std::string dev;
};

struct NexthopArgs {
  std::optional<Ip4> via;
  std::string dev;      // "" = not given
  uint16_t weight = 1;  // 1..256
  bool weight_given = false;
  bool onlink = false;
};

// route add|del|replace|append.
struct RouteArgs {
  Ip4Prefix dst;  // "default" = 0.0.0.0/0, without /len: /32
  std::optional<uint32_t> metric;
  std::optional<uint32_t> mtu;
  std::optional<Ip4> src;
  std::optional<uint8_t> scope;  // proto::kScope*
  bool kni = false;              // scope kni_host: scope host, marked kni (proto::kRouteFlagKni)
  // Single path: at most one entry, from top-level via/dev/onlink (none when neither was given).
  // Multipath: one entry per `nexthop`.
  std::vector<NexthopArgs> nexthops;
  bool multipath = false;
};

enum class RouteTable { kMain, kLocal, kAll };

// route show|flush selector.
struct RouteSelector {
  RouteTable table = RouteTable::kMain;
  std::string dev;  // "" = any
  std::optional<Ip4> via;
  std::optional<Ip4Prefix> prefix;
  // How `prefix` selects, as in iproute2: exactly it (the default, or `exact`), it and the longer
  // prefixes inside it (`root`), or the prefixes covering it (`match`).
  enum class PrefixMatch { kExact, kRoot, kMatch } prefix_match = PrefixMatch::kExact;
};

struct RouteGetArgs {
  Ip4 dst;
  std::optional<Ip4> from;
  std::string oif;  // "" = any
};

using CommandArgs =
    std::variant<std::monostate, DevArgs, AddrArgs, NeighArgs, RouteArgs, RouteSelector, RouteGetArgs>;

struct Command {
  GlobalOptions options;
  Object object = Object::kNone;
  Verb verb = Verb::kHelp;
  CommandArgs args;
};

// True for the commands a batch groups into one kOpRouteAdd / kOpRouteDel request.
inline bool is_route_change(const Command& c) {
  return c.object == Object::kRoute && (c.verb == Verb::kAdd || c.verb == Verb::kDel ||
                                        c.verb == Verb::kReplace || c.verb == Verb::kChange ||
                                        c.verb == Verb::kAppend);
}

}  // namespace dplb::dpip
