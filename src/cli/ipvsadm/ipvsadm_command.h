// The ipvsadm command line (ipvsadm 1.31's syntax, option rules and messages) for what dplb supports:
// TCP/UDP services on IPv4 addresses, masquerading (NAT) real servers. Parsing does no I/O and keeps
// no global state: the tool, the daemon's rules file and a fuzz target all use it.
#pragma once

#include <cerrno>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "dplb/base/addr.h"
#include "dplb/base/status.h"
#include "dplb/ipvs/service_conf.h"

namespace dplb::cli {

enum class IpvsCmd : uint8_t {
  kList,         // -L, -l (and no arguments at all)
  kAddService,   // -A
  kEditService,  // -E
  kDelService,   // -D
  kClear,        // -C
  kAddDest,      // -a
  kEditDest,     // -e
  kDelDest,      // -d
  kSetTimeouts,  // --set tcp tcpfin udp
  kRestore,      // -R
  kSave,         // -S
  kZero,         // -Z
  kHelp,         // -h
  kVersion,      // -v
};

// What a list command shows.
enum class ListWhat : uint8_t { kAll, kService, kConnections, kTimeouts };

// ipvsadm's output format options (its FMT_* flags).
struct ListFormat {
  bool numeric = false;          // -n: accepted; dplb always prints numbers
  bool stats = false;            // --stats
  bool rate = false;             // --rate
  bool thresholds = false;       // --thresholds
  bool persistent_conn = false;  // --persistent-conn
  bool tun_info = false;         // --tun-info
  bool nosort = false;           // --nosort
  bool exact = false;            // --exact, -X
  friend bool operator==(const ListFormat&, const ListFormat&) = default;
};

struct Timeouts {  // seconds; 0 = leave unchanged
  uint32_t tcp = 0;
  uint32_t tcp_fin = 0;
  uint32_t udp = 0;
  friend bool operator==(const Timeouts&, const Timeouts&) = default;
};

struct IpvsCommand {
  IpvsCmd cmd = IpvsCmd::kList;
  bool has_service = false;  // -t / -u given
  ipvs::ServiceKey service;  // proto, VIP, port (0 when the port was omitted)
  std::string sched;         // -A / -E: never empty (ipvsadm's default "wlc")
  uint32_t sched_flags = 0;  // ipvs::kSvcFlagSched1..3
  uint32_t persist_seconds = 0;  // -p [TIMEOUT] (300 without a value); 0: not persistent
  uint32_t persist_netmask = 0;  // -M NETMASK, host order; 0: not given (255.255.255.255)
  bool has_dest = false;     // -r given
  Ip4 dest_addr;
  uint16_t dest_port = 0;  // the service's port when -r has none
  uint32_t weight = 1;     // -w, ipvsadm's default 1 (also for -e)
  // -m / -g / -i; ipvsadm's default is direct routing (-g), also for -e (as ipvsadm: editing a
  // NAT server's weight without -m makes it direct routing).
  ipvs::FwdMethod fwd = ipvs::FwdMethod::droute;
  Timeouts timeouts;       // --set
  ListWhat list = ListWhat::kAll;
  ListFormat format;
  friend bool operator==(const IpvsCommand&, const IpvsCommand&) = default;
};

// Status codes of parse errors; each says how ipvsadm ends on it (see exit_code_of_parse_error).
inline constexpr int kParseUsage = EINVAL;            // ipvsadm's fail(2, ...): message, exit 2
inline constexpr int kParseBadOption = EBADMSG;       // popt's "OPTION: problem": message, exit 255
inline constexpr int kParseNoCommand = ENOMSG;        // no command first: the try_help_hint, exit 255
inline constexpr int kParseUnsupported = EOPNOTSUPP;  // valid ipvsadm that dplb does not do: exit 1
inline constexpr int kParseNoScheduler = ENOENT;      // refused as the kernel refuses it: exit 255

// ipvsadm's exit status when a change is refused (its process_options returns -1).
inline constexpr int kExitRefused = 255;

int exit_code_of_parse_error(int code);

// args: the command line without the program name. No arguments at all is ipvsadm's "list".
Result<IpvsCommand> parse_ipvsadm(std::span<const std::string> args);

// "Try `PROGRAM -h' or 'PROGRAM --help' for more information."
std::string try_help_hint(std::string_view program);

// What ipvsadm prints for a parse error: the try_help_hint for kParseNoCommand, else the message.
std::string parse_error_text(std::string_view program, const Status& s);

// The commands a rules file (-R input, the daemon's startup rules) may hold: the ones that change
// the configuration.
bool is_rule_command(IpvsCmd cmd);

}  // namespace dplb::cli
