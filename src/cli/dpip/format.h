// Decoded replies → the text ip prints (same layout, trailing blanks included) or ip -j's JSON.
// Pure functions: the runner writes what they return.
#pragma once

#include <string>
#include <vector>

#include "cli/dpip/command.h"
#include "cli/dpip/replies.h"
#include "dplb/ctrl/proto.h"

namespace dplb::dpip {

// link show: text with -s RX/TX blocks, dplb's drops and kni counters, -v per-worker lines.
std::string format_links(const LinkShowData& links, const GlobalOptions& o);
// addr show: each link (as ip addr show prints it) followed by its addresses.
std::string format_addrs(const LinkShowData& links, const std::vector<proto::AddrRecord>& addrs,
                         const GlobalOptions& o);
// neigh show; the device is left out of each line when the selector names it, as ip does.
std::string format_neighs(const std::vector<proto::NeighRecord>& neighs, const DevArgs& filter,
                          const GlobalOptions& o);
// route show: the routes of the selector's table; filtered fields are left out, as ip does.
std::string format_routes(const std::vector<proto::RouteRecord>& routes, const RouteSelector& filter,
                          const GlobalOptions& o);
std::string format_route_get(const proto::RouteGetReply& reply, const RouteGetArgs& query,
                             const GlobalOptions& o);
// dpip sync: model digest then one line per worker.
std::string format_sync(const SyncData& sync, const GlobalOptions& o);
// The -v footer of a show: one line saying whether every worker agrees with the model.
std::string format_sync_footer(const SyncData& sync);
bool all_in_sync(const SyncData& sync);

// The local table holds the /32 routes of our addresses and kni_host routes (kRouteFlagLocal);
// the rest is main. The daemon already selects by table; the tool checks again.
bool route_in_table(const proto::RouteRecord& r, RouteTable table);
// A route an address created (its local /32 and its on-link subnet): "proto kernel".
bool route_is_kernel(const proto::RouteRecord& r);

std::string scope_name(uint8_t scope);
const char* neigh_state_name(uint8_t state);

}  // namespace dplb::dpip
