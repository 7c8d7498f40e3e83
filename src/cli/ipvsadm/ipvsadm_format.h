// ipvsadm 1.31's listings, byte for byte: the table (-L, with --stats, --rate, --thresholds,
// --persistent-conn, --tun-info, --exact, --nosort), the rules (-S), the connections (-L -c), the
// timeouts (-L --timeout) and the version header. Addresses and ports are always numeric (ipvsadm's
// -n output). Pure functions of the decoded replies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/ipvsadm/ipvsadm_command.h"
#include "cli/ipvsadm/ipvsadm_reply.h"
#include "dplb/ctrl/proto_ipvs.h"

namespace dplb::cli {

// "IP Virtual Server version 1.2.1 (size=4096)\n"
std::string format_version_header(const proto::IpvsInfo& info);

// The column titles (as the format asks) and every service with its real servers; services sorted
// by (protocol, address, port) and real servers by (address, port) unless format.nosort.
std::string format_services(std::vector<ServiceEntry> entries, const ListFormat& format);

// -S: "-A -t 10.0.0.1:80 -s rr" and "-a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 1" lines, sorted likewise.
std::string format_rules(std::vector<ServiceEntry> entries, const ListFormat& format);

// -L -c: "IPVS connection entries", the titles, one line per connection (expiry as mm:ss).
std::string format_connections(const ConnList& list, const ListFormat& format);

// "Timeout (tcp tcpfin udp): 900 120 300\n"
std::string format_timeouts(const proto::IpvsTimeouts& t);

// A counter as ipvsadm's print_largenum prints it: 9 columns, K/M/G/T (powers of 1000) beyond
// 8 digits, or the exact number (at least 9 columns) with --exact.
std::string format_largenum(uint64_t v, bool exact);

// "TCP", "UDP" or "?".
const char* proto_label(uint8_t proto);

}  // namespace dplb::cli
