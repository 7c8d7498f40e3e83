// keepalived.conf, the virtual_server part: the model a health checker (dplb-healthcheck -f FILE) needs
// to drive dplb's IPVS, and its parser.
//
// Grammar (keepalived.conf(5)): one statement per line, `keyword value...`; a block `{ ... }` opens on
// the keyword's line or on the next one, and may hold statements on the same line ("url { path / }");
// '#' and '!' start a comment anywhere outside quotes; "..." and '...' quote (whitespace kept, quotes
// removed, backslash escapes inside quotes); a line `include GLOB` is replaced by the files the glob
// matches, relative to the including file's directory (depth limit, cycles refused).
//
// Kept: virtual_server (IP PORT | group NAME; fwmark is parsed and reported unsupported),
// virtual_server_group, local_address_group (DPVS FNAT), real_server and its TCP_CHECK / HTTP_GET /
// SSL_GET / MISC_CHECK checkers. The other top-level blocks (global_defs, vrrp_*, static_*...) are
// skipped whole, silently. An unknown keyword inside a known block is a warning (keepalived ignores it
// too). Syntax errors and bad values are errors: every problem one line "FILE:LINE: KEYWORD: PROBLEM"
// (control characters escaped), all reported together (EINVAL); the caller exits 2.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/base/status.h"

namespace dplb::keepalived {

using Micros = std::chrono::microseconds;  // keepalived's <TIMER>: seconds with fractions, to 1 us

enum class LbAlgo : uint8_t { rr, wrr, lc, wlc, sh, mh };  // lb_algo / lvs_sched (dplb's schedulers)
enum class LbKind : uint8_t { nat, dr, tun, fnat };        // lb_kind / lvs_method (FNAT: DPVS)
enum class Protocol : uint8_t { tcp, udp };
enum class CheckerKind : uint8_t { tcp, http, ssl, misc };  // TCP_CHECK HTTP_GET SSL_GET MISC_CHECK

std::string_view to_string(LbAlgo a);
std::string_view to_string(LbKind k);    // "NAT" "DR" "TUN" "FNAT"
std::string_view to_string(Protocol p);  // "TCP" "UDP"
std::string_view to_string(CheckerKind k);

// Where a statement was written.
struct Location {
  std::string file;
  uint32_t line = 0;
  friend bool operator==(const Location&, const Location&) = default;
};

struct Endpoint {
  Ip4 ip;
  uint16_t port = 0;
  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};
std::string to_string(const Endpoint& e);  // "10.0.0.1:80"

// quorum_up, notify_down...: `PATH|"PATH ARGS" [username [:][groupname]]`.
struct Script {
  std::string command;  // empty: none configured
  std::string run_as;   // the words after the command, joined by one space; empty: the default user
  friend bool operator==(const Script&, const Script&) = default;
};

struct StatusRange {
  uint16_t lo = 0, hi = 0;  // inclusive, 100..599
  friend bool operator==(const StatusRange&, const StatusRange&) = default;
};

// HTTP_GET / SSL_GET: one `url { }` block.
struct Url {
  std::string path;
  std::vector<StatusRange> status_codes;  // empty: keepalived's default 200-299
  std::string digest;                     // lower-case MD5 hex (genhash), empty when not checked
  std::string virtualhost;                // empty: the checker's
  Location where;
};

// A checker with every default resolved (checker, else real server, else virtual server, else
// keepalived's default), so the checker loop reads it as is.
struct Checker {
  CheckerKind kind = CheckerKind::tcp;
  Location where;
  Endpoint connect;             // connect_ip / connect_port; default: the real server
  std::optional<Ip4> bindto;    // source address; none: the kernel's choice
  uint16_t bind_port = 0;       // 0: any
  Micros connect_timeout{};     // default 5 s
  Micros delay_loop{};          // default 60 s
  Micros delay_before_retry{};  // default 3 s (HTTP_GET, SSL_GET), 1 s (others)
  Micros warmup{};              // default: delay_loop
  unsigned retry = 0;           // retry / nb_get_retry; default 1 (MISC_CHECK: 0)
  bool alpha = false;
  // HTTP_GET / SSL_GET
  std::vector<Url> urls;
  std::string virtualhost;  // checker's, else the real server's, else the virtual server's
  // MISC_CHECK
  std::string misc_path;  // the command line, as quoted
  Micros misc_timeout{};  // default: delay_loop
  bool misc_dynamic = false;
  std::string user;  // `user NAME [:][GROUP]`, words joined by one space
};

struct RealServer {
  Endpoint addr;  // port omitted: the virtual server's (0 in a group: each virtual address's port)
  Location where;
  uint32_t weight = 1;
  LbKind lb_kind = LbKind::nat;  // its own lvs_method, else the virtual server's
  bool inhibit_on_failure = false;
  Script notify_up, notify_down;
  std::vector<Checker> checkers;
};

struct VirtualServer {
  Location where;
  std::string group;                // `virtual_server group NAME`: NAME; empty for `virtual_server IP PORT`
  std::vector<Endpoint> addresses;  // resolved: the address, or the group's entries expanded
  Protocol protocol = Protocol::tcp;
  LbAlgo lb_algo = LbAlgo::wlc;  // keepalived's default
  LbKind lb_kind = LbKind::nat;  // keepalived's default
  std::optional<uint32_t> persistence_timeout;  // seconds; `persistence_timeout` alone: 360
  std::optional<Ip4> persistence_granularity;   // netmask
  Micros delay_loop{std::chrono::seconds(60)};
  uint32_t quorum = 1;
  uint32_t hysteresis = 0;
  Script quorum_up, quorum_down;
  std::optional<Endpoint> sorry_server;
  bool inhibit_on_failure = false;
  bool alpha = false;
  bool omega = false;
  bool ha_suspend = false;
  bool ops = false;
  std::string virtualhost;
  std::string laddr_group_name;  // DPVS FNAT: a local_address_group (checked to exist)
  std::vector<RealServer> real_servers;
};

// DPVS: `local_address_group NAME { IP [IFNAME]; IP-LAST [IFNAME] }`.
struct LocalAddress {
  Ip4 ip;
  std::string ifname;  // empty when not given
  friend bool operator==(const LocalAddress&, const LocalAddress&) = default;
};
struct LocalAddressGroup {
  std::string name;
  Location where;
  std::vector<LocalAddress> addresses;  // ranges expanded
};

struct Warning {
  Location where;
  std::string message;
  std::string to_string() const;  // "FILE:LINE: MESSAGE", control characters escaped
};

struct KeepalivedConf {
  std::vector<VirtualServer> virtual_servers;  // fwmark ones left out (warned)
  std::vector<LocalAddressGroup> local_address_groups;
  std::vector<Warning> warnings;  // in the order found
};

// A file an include brought in.
struct SourceFile {
  std::string name;  // as messages show it; also the identity cycles are detected by
  std::string text;
};

// Resolves `include PATTERN` written in `including_file`: the files the glob matches, sorted; an empty
// list when none does (the parser warns, as keepalived's plain `include` does not fail). An error (a
// file that matched but cannot be read) is reported at the include line.
using IncludeLoader =
    std::function<Result<std::vector<SourceFile>>(std::string_view pattern, std::string_view including_file)>;

inline constexpr unsigned kMaxIncludeDepth = 8;
inline constexpr unsigned kMaxIncludedFiles = 256;
inline constexpr size_t kMaxFileBytes = 16u << 20;
// Addresses after expansion: per group, and of all virtual servers together (all groups: 4 times).
inline constexpr size_t kMaxAddresses = 65536;

// The pure parser: `text` is the file `file_name`; includes go through `include_loader` (none given:
// an include is an error).
Result<KeepalivedConf> parse_keepalived(std::string_view text, const std::string& file_name,
                                        const IncludeLoader& include_loader = {});

// Reads `path` from disk, includes through disk_include_loader(). Errors: as parse_keepalived, or
// the errno of a file that cannot be read ("FILE: cannot read: No such file or directory").
Result<KeepalivedConf> load_keepalived(const std::string& path);

// glob(3) (with brace expressions) relative to the including file's directory; directories skipped.
IncludeLoader disk_include_loader();

// In memory (tests, fuzzing): the pattern, made relative to the including file's directory and
// normalized, is matched with fnmatch(3) against the names of `files`.
IncludeLoader memory_include_loader(std::map<std::string, std::string> files);

// The ipvsadm operations the model implies, in `ipvsadm -S` form: per virtual address
// "-A -t|-u VIP:PORT -s SCHED [-p T [-M MASK]]", then per real server
// "-a -t|-u VIP:PORT -r RIP:PORT -m|-g|-i|-b -w W" (-b: DPVS's full-NAT switch).
std::string to_ipvsadm_rules(const KeepalivedConf& conf);

}  // namespace dplb::keepalived
