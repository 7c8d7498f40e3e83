// Command → the proto records the daemon expects (include/dplb/ctrl/proto.h). Pure functions.
// Arrays of records (RouteRecord[] requests, AddrRecord[] / NeighRecord[] / RouteRecord[] replies)
// travel as bare concatenated records: the payload length gives their count.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/dpip/command.h"
#include "dplb/ctrl/proto.h"
#include "dplb/ctrl/wire.h"

namespace dplb::dpip {

// Records per kOpRouteAdd / kOpRouteDel request: as many as fit in kMaxRequestPayload.
size_t max_routes_per_request();

proto::IfFilter make_if_filter(const DevArgs& a);
proto::LinkQuery make_link_query(const DevArgs& a, bool with_stats);
proto::AddrRecord make_addr_record(const AddrArgs& a);
proto::NeighRecord make_neigh_record(const NeighArgs& a, bool add);
// verb: kAdd, kReplace, kAppend (mode) or kDel (match fields).
proto::RouteRecord make_route_record(const RouteArgs& a, Verb verb);
// show / flush filter (proto::RouteFilter): kRouteHasDev/Via/Prefix say what to match, flags the
// tables (kRouteFlagForward = main, kRouteFlagLocal = local).
proto::RouteFilter make_route_filter(const RouteSelector& s);
proto::RouteGetQuery make_route_get_query(const RouteGetArgs& a);

// kOpRouteAdd or kOpRouteDel for a route change verb.
uint32_t route_change_op(Verb verb);

// One request to the daemon, with what ip's wording of its refusal needs (daemon_error_line).
struct Request {
  ctrl::Kind kind = ctrl::Kind::kGet;
  uint32_t op = 0;
  std::vector<uint8_t> payload;
  std::string dev;    // the device the command names, "" = none
  bool show = false;  // a listing
};

// The request a command sends: for a listing its main one (addr show also fetches the links, and
// -v a sync report); a route change as a batch of one record. nullopt for help and version.
std::optional<Request> command_request(const Command& c);

// The payload carrying records[first, last).
std::vector<uint8_t> encode_routes(const std::vector<proto::RouteRecord>& records, size_t first, size_t last);

}  // namespace dplb::dpip
