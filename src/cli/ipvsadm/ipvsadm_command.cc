// ipvsadm's option scanner (popt's rules, as ipvsadm 1.31 uses them) and its command checks.
#include "cli/ipvsadm/ipvsadm_command.h"

#include <algorithm>
#include <array>
#include <climits>
#include <optional>
#include <vector>

namespace dplb::cli {
namespace {

// ---------------------------------------------------------------- the option table (ipvsadm 1.31's)

enum class Arg : uint8_t { kNone, kRequired, kOptional };

// clang-format off
enum class Opt : uint8_t {
  // commands: only valid as the first option
  kAddService, kEditService, kDelService, kClear, kList, kZero, kAddServer, kEditServer, kDelServer,
  kSet, kHelp, kVersion, kRestore, kSave, kStartDaemon, kStopDaemon,
  // options
  kTcp, kUdp, kSctp, kFwmark, kScheduler, kPersistent, kNetmask, kRealServer, kMasq, kIpip,
  kGatewaying, kWeight, kUThreshold, kLThreshold, kNumeric, kConnection, kMcastInterface, kSyncId,
  kTimeout, kDaemon, kStats, kRate, kThresholds, kPersistentConn, kNoSort, kSort, kExact, kIpv6, kOps,
  kPe, kSchedFlags, kMcastGroup, kMcastPort, kMcastTtl, kSyncMaxlen, kTunInfo, kTunType, kTunPort,
  kTunNoCsum, kTunCsum, kTunRemCsum,
};
// clang-format on

struct OptSpec {
  std::string_view long_name;
  char short_name;  // 0 = long only
  Arg arg;
  Opt id;
};

// clang-format off
constexpr OptSpec kOpts[] = {
    {"add-service", 'A', Arg::kNone, Opt::kAddService},
    {"edit-service", 'E', Arg::kNone, Opt::kEditService},
    {"delete-service", 'D', Arg::kNone, Opt::kDelService},
    {"clear", 'C', Arg::kNone, Opt::kClear},
    {"list", 'L', Arg::kNone, Opt::kList},
    {"list", 'l', Arg::kNone, Opt::kList},
    {"zero", 'Z', Arg::kNone, Opt::kZero},
    {"add-server", 'a', Arg::kNone, Opt::kAddServer},
    {"edit-server", 'e', Arg::kNone, Opt::kEditServer},
    {"delete-server", 'd', Arg::kNone, Opt::kDelServer},
    {"set", 0, Arg::kNone, Opt::kSet},
    {"help", 'h', Arg::kNone, Opt::kHelp},
    {"version", 'v', Arg::kNone, Opt::kVersion},
    {"restore", 'R', Arg::kNone, Opt::kRestore},
    {"save", 'S', Arg::kNone, Opt::kSave},
    {"start-daemon", 0, Arg::kRequired, Opt::kStartDaemon},
    {"stop-daemon", 0, Arg::kRequired, Opt::kStopDaemon},
    {"tcp-service", 't', Arg::kRequired, Opt::kTcp},
    {"udp-service", 'u', Arg::kRequired, Opt::kUdp},
    {"sctp-service", 0, Arg::kRequired, Opt::kSctp},
    {"fwmark-service", 'f', Arg::kRequired, Opt::kFwmark},
    {"scheduler", 's', Arg::kRequired, Opt::kScheduler},
    {"persistent", 'p', Arg::kOptional, Opt::kPersistent},
    {"netmask", 'M', Arg::kRequired, Opt::kNetmask},
    {"real-server", 'r', Arg::kRequired, Opt::kRealServer},
    {"masquerading", 'm', Arg::kNone, Opt::kMasq},
    {"ipip", 'i', Arg::kNone, Opt::kIpip},
    {"gatewaying", 'g', Arg::kNone, Opt::kGatewaying},
    {"weight", 'w', Arg::kRequired, Opt::kWeight},
    {"u-threshold", 'x', Arg::kRequired, Opt::kUThreshold},
    {"l-threshold", 'y', Arg::kRequired, Opt::kLThreshold},
    {"numeric", 'n', Arg::kNone, Opt::kNumeric},
    {"connection", 'c', Arg::kNone, Opt::kConnection},
    {"mcast-interface", 0, Arg::kRequired, Opt::kMcastInterface},
    {"syncid", 0, Arg::kRequired, Opt::kSyncId},
    {"timeout", 0, Arg::kNone, Opt::kTimeout},
    {"daemon", 0, Arg::kNone, Opt::kDaemon},
    {"stats", 0, Arg::kNone, Opt::kStats},
    {"rate", 0, Arg::kNone, Opt::kRate},
    {"thresholds", 0, Arg::kNone, Opt::kThresholds},
    {"persistent-conn", 0, Arg::kNone, Opt::kPersistentConn},
    {"nosort", 0, Arg::kNone, Opt::kNoSort},
    {"sort", 0, Arg::kNone, Opt::kSort},
    {"exact", 'X', Arg::kNone, Opt::kExact},
    {"ipv6", '6', Arg::kNone, Opt::kIpv6},
    {"ops", 'o', Arg::kNone, Opt::kOps},
    {"pe", 0, Arg::kRequired, Opt::kPe},
    {"sched-flags", 'b', Arg::kRequired, Opt::kSchedFlags},
    {"mcast-group", 0, Arg::kRequired, Opt::kMcastGroup},
    {"mcast-port", 0, Arg::kRequired, Opt::kMcastPort},
    {"mcast-ttl", 0, Arg::kRequired, Opt::kMcastTtl},
    {"sync-maxlen", 0, Arg::kRequired, Opt::kSyncMaxlen},
    {"tun-info", 0, Arg::kNone, Opt::kTunInfo},
    {"tun-type", 0, Arg::kRequired, Opt::kTunType},
    {"tun-port", 0, Arg::kRequired, Opt::kTunPort},
    {"tun-nocsum", 0, Arg::kNone, Opt::kTunNoCsum},
    {"tun-csum", 0, Arg::kNone, Opt::kTunCsum},
    {"tun-remcsum", 0, Arg::kNone, Opt::kTunRemCsum},
};
// clang-format on

const OptSpec* find_long(std::string_view name) {
  for (const auto& o : kOpts) {
    if (o.long_name == name) return &o;
  }
  return nullptr;
}

const OptSpec* find_short(char c) {
  for (const auto& o : kOpts) {
    if (o.short_name == c) return &o;
  }
  return nullptr;
}

// ---------------------------------------------------------------- the scanner (popt's rules)
// Long options take "--name=value" or "--name value"; short ones cluster ("-Ln") and take the rest of
// the cluster ("-srr", "-s=rr") or the next argument, whatever it starts with; an optional argument
// is the next one only when it does not start with '-'. Other arguments, and everything after "--",
// are left over for the command (--set's values).

struct Event {
  enum Type : uint8_t { kOption, kEnd, kError } type = kEnd;
  const OptSpec* spec = nullptr;
  bool has_value = false;
  std::string value;
  std::string token;       // the argument holding the option (popt's poptBadOption)
  std::string_view error;  // popt's poptStrerror text
};

class Scanner {
 public:
  explicit Scanner(std::span<const std::string> args) : args_(args) {}

  Event next() {
    if (cluster_pos_ == 0) {
      for (;;) {
        if (next_ >= args_.size()) return Event{};
        const std::string& tok = args_[next_++];
        if (only_args_) {
          leftovers_.push_back(tok);
        } else if (tok == "--") {
          only_args_ = true;
        } else if (tok.size() < 2 || tok[0] != '-') {
          leftovers_.push_back(tok);
        } else if (tok[1] == '-') {
          return long_option(tok);
        } else {
          cluster_ = next_ - 1;
          cluster_pos_ = 1;
          break;
        }
      }
    }
    return short_option();
  }

  const std::vector<std::string>& leftovers() const { return leftovers_; }

 private:
  static Event error(const std::string& token, std::string_view what) {
    Event e;
    e.type = Event::kError;
    e.token = token;
    e.error = what;
    return e;
  }

  Event option(const OptSpec* spec, const std::string& token) const {
    Event e;
    e.type = Event::kOption;
    e.spec = spec;
    e.token = token;
    return e;
  }

  // The separate argument of an option, when the option itself carries none.
  bool take_next(Event& e) {
    if (e.spec->arg == Arg::kRequired) {
      if (next_ >= args_.size()) return false;
    } else if (next_ >= args_.size() || args_[next_].starts_with('-')) {
      return true;  // an optional argument that is not there
    }
    e.has_value = true;
    e.value = args_[next_++];
    return true;
  }

  Event long_option(const std::string& tok) {
    std::string_view body = std::string_view(tok).substr(2);
    size_t eq = body.find('=');
    const OptSpec* spec = find_long(body.substr(0, eq));
    if (spec == nullptr) return error(tok, "unknown option");
    Event e = option(spec, tok);
    if (eq != std::string_view::npos) {
      if (spec->arg == Arg::kNone) return error(tok, "option does not take an argument");
      e.has_value = true;
      e.value = std::string(body.substr(eq + 1));
      return e;
    }
    if (spec->arg != Arg::kNone && !take_next(e)) return error(tok, "missing argument");
    return e;
  }

  Event short_option() {
    const std::string& tok = args_[cluster_];
    const OptSpec* spec = find_short(tok[cluster_pos_]);
    ++cluster_pos_;
    if (spec == nullptr) {
      cluster_pos_ = 0;
      return error(tok, "unknown option");
    }
    Event e = option(spec, tok);
    if (spec->arg == Arg::kNone) {
      if (cluster_pos_ < tok.size() && tok[cluster_pos_] == '=') {
        cluster_pos_ = 0;
        return error(tok, "option does not take an argument");
      }
      if (cluster_pos_ >= tok.size()) cluster_pos_ = 0;
      return e;
    }
    std::string_view rest = std::string_view(tok).substr(cluster_pos_);
    cluster_pos_ = 0;
    if (!rest.empty()) {
      if (rest.front() == '=') rest.remove_prefix(1);
      e.has_value = true;
      e.value = std::string(rest);
      return e;
    }
    if (!take_next(e)) return error(tok, "missing argument");
    return e;
  }

  std::span<const std::string> args_;
  size_t next_ = 0;         // next argument to look at
  size_t cluster_ = 0;      // the short-option cluster being read
  size_t cluster_pos_ = 0;  // its next character; 0 = not in a cluster
  bool only_args_ = false;  // after "--"
  std::vector<std::string> leftovers_;
};

// ---------------------------------------------------------------- ipvsadm's command/option rules

// The options dplb accepts, in ipvsadm's column order (its optnames), which decides which problem is
// reported first.
enum Col : uint8_t {
  kColNumeric,
  kColConnection,
  kColService,
  kColScheduler,
  kColPersistent,
  kColNetmask,
  kColRealServer,
  kColForward,
  kColWeight,
  kColTimeout,
  kColStats,
  kColRate,
  kColThresholds,
  kColPersistentConn,
  kColNoSort,
  kColExact,
  kColSchedFlags,
  kColTunInfo,
  kColCount,
};

constexpr std::array<std::string_view, kColCount> kColNames = {
    "numeric", "connection", "service-address", "scheduler", "persistent", "netmask", "real-server",
    "forwarding-method", "weight", "timeout", "stats", "rate", "thresholds", "persistent-conn",
    "nosort",  "exact",      "sched-flags",     "tun-info",
};

// ipvsadm's commands_v_options restricted to those columns: '+' compulsory, 'x' illegal, '1' at
// most one of the '1's, ' ' optional.
struct CmdRules {
  IpvsCmd cmd;
  std::string_view name;  // ipvsadm's cmdnames
  std::string_view rules;
};
// clang-format off
constexpr CmdRules kCmdRules[] = {
    //                                         n c s s p M r f w t s r t p s e b t
    {IpvsCmd::kAddService, "add-service",     "xx+   xxxxxxxxxx x"},
    {IpvsCmd::kEditService, "edit-service",   "xx+   xxxxxxxxxx x"},
    {IpvsCmd::kDelService, "delete-service",  "xx+xxxxxxxxxxxxxxx"},
    {IpvsCmd::kClear, "flush",                "xxxxxxxxxxxxxxxxxx"},
    {IpvsCmd::kList, "list",                  " 11xxxxxx1      x "},
    {IpvsCmd::kAddDest, "add-server",         "xx+xxx+  xxxxxxxxx"},
    {IpvsCmd::kDelDest, "delete-server",      "xx+xxx+xxxxxxxxxxx"},
    {IpvsCmd::kEditDest, "edit-server",       "xx+xxx+  xxxxxxxxx"},
    {IpvsCmd::kSetTimeouts, "set",            "xxxxxxxxxxxxxxxxxx"},
    {IpvsCmd::kRestore, "restore",            "xxxxxxxxxxxxxxxxxx"},
    {IpvsCmd::kSave, "save",                  " xxxxxxxxxxxxxxxxx"},
    {IpvsCmd::kZero, "zero",                  "xx xxxxxxxxxxxxxxx"},
};
// clang-format on

constexpr uint32_t kMaxTimeout = 86400 * 31;  // ipvsadm's MAX_TIMEOUT

Status usage(std::string message) { return Status::error(kParseUsage, std::move(message)); }

Status unsupported(std::string_view why, std::string_view what) {
  return Status::error(kParseUnsupported, std::string(why) + ": " + std::string(what) + " is not supported");
}

// The option as ipvsadm's help names it, for unsupported-option messages.
std::string option_display(const OptSpec& o) {
  std::string s = "--" + std::string(o.long_name);
  if (o.short_name != 0) s += std::string(" (-") + o.short_name + ")";
  return s;
}

// ipvsadm's string_to_number: a decimal number in [min, max] (strtol's optional sign and leading
// blanks are not accepted here), or nothing.
std::optional<uint64_t> to_number(std::string_view s, uint64_t min, uint64_t max) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  if (v < min || v > max) return std::nullopt;
  return v;
}

enum ServiceParse : unsigned { kServiceNone = 0, kServiceAddr = 1, kServicePort = 2 };

// ipvsadm's parse_service, numeric IPv4 only: "addr" or "addr:port". IPv6 forms are reported apart
// so they can be refused as unsupported rather than as malformed.
struct ParsedAddr {
  unsigned what = kServiceNone;
  bool ipv6 = false;
  Ip4 addr;
  uint16_t port = 0;
};

ParsedAddr parse_service(std::string_view s) {
  ParsedAddr p;
  if (s.empty() || std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return p;
  if (s.front() == '[' || std::count(s.begin(), s.end(), ':') >= 2) {
    p.ipv6 = true;
    return p;
  }
  size_t colon = s.rfind(':');
  auto addr = parse_ip4(s.substr(0, colon));
  if (!addr) return p;
  p.addr = *addr;
  if (colon == std::string_view::npos) {
    p.what = kServiceAddr;
    return p;
  }
  auto port = to_number(s.substr(colon + 1), 0, 65535);
  if (!port) return p;
  p.port = uint16_t(*port);
  p.what = kServiceAddr | kServicePort;
  return p;
}

constexpr std::string_view kIpipOnly = "dplb tunnels with IP-in-IP (ipip) only";
constexpr std::string_view kNoPersistence = "dplb supports address persistence only (no persistence engines)";
constexpr std::string_view kNoFwmark = "dplb supports address:port services only";
constexpr std::string_view kTcpUdpOnly = "dplb supports TCP and UDP services only";
constexpr std::string_view kIpv4Only = "dplb supports IPv4 only";
constexpr std::string_view kNoThresholds = "dplb supports weights only, not connection thresholds";
constexpr std::string_view kNoOps = "dplb supports per-connection scheduling only";
constexpr std::string_view kNoSync = "dplb runs no connection sync daemon";

// IPVS schedulers that dplb does not implement (they exist in the kernel, so they are refused as
// unsupported rather than unknown).
constexpr std::string_view kIpvsOnlySchedulers[] = {"lblc", "lblcr", "dh", "sed", "nq", "fo", "ovf", "twos"};

class CommandParser {
 public:
  explicit CommandParser(IpvsCmd cmd) { c_.cmd = cmd; }

  Status option(const Event& ev) {
    const OptSpec& o = *ev.spec;
    const std::string& v = ev.value;
    switch (o.id) {
      case Opt::kAddService:
      case Opt::kEditService:
      case Opt::kDelService:
      case Opt::kClear:
      case Opt::kList:
      case Opt::kZero:
      case Opt::kAddServer:
      case Opt::kEditServer:
      case Opt::kDelServer:
      case Opt::kSet:
      case Opt::kHelp:
      case Opt::kVersion:
      case Opt::kRestore:
      case Opt::kSave: return usage("invalid option `" + ev.token + "'");
      case Opt::kTcp:
      case Opt::kUdp: {
        if (Status s = set_option(kColService); !s) return s;
        c_.has_service = true;
        c_.service.proto = o.id == Opt::kTcp ? ipvs::kProtoTcp : ipvs::kProtoUdp;
        ParsedAddr p = parse_service(v);
        if (p.ipv6) return unsupported(kIpv4Only, "IPv6 service address '" + v + "'");
        if ((p.what & kServiceAddr) == 0) return usage("illegal virtual server address[:port] specified");
        c_.service.vip = p.addr;
        c_.service.vport = p.port;
        return Status::ok();
      }
      case Opt::kScheduler:
        if (Status s = set_option(kColScheduler); !s) return s;
        c_.sched = v;
        return Status::ok();
      case Opt::kRealServer: {
        if (Status s = set_option(kColRealServer); !s) return s;
        ParsedAddr p = parse_service(v);
        if (p.ipv6) return unsupported(kIpv4Only, "IPv6 real server address '" + v + "'");
        if ((p.what & kServiceAddr) == 0) return usage("illegal real server address[:port] specified");
        c_.has_dest = true;
        c_.dest_addr = p.addr;
        c_.dest_port = p.port;
        dest_port_given_ = (p.what & kServicePort) != 0;
        return Status::ok();
      }
      case Opt::kMasq:
      case Opt::kGatewaying:
      case Opt::kIpip:
        c_.fwd = o.id == Opt::kMasq ? ipvs::FwdMethod::masq
                 : o.id == Opt::kIpip ? ipvs::FwdMethod::tunnel
                                      : ipvs::FwdMethod::droute;
        return set_option(kColForward);
      case Opt::kTunType:
        if (v == "ipip") return Status::ok();  // the default tunnel type
        if (v == "gue" || v == "gre") return unsupported(kIpipOnly, "--tun-type " + v);
        return usage("illegal tunnel type specified");
      case Opt::kWeight: {
        if (Status s = set_option(kColWeight); !s) return s;
        auto w = to_number(v, 0, INT_MAX);
        if (!w) return usage("illegal weight specified");
        if (*w > ipvs::kMaxWeight) return unsupported("dplb supports weights 0 to 65535 only", "weight " + v);
        c_.weight = uint32_t(*w);
        return Status::ok();
      }
      case Opt::kNumeric: c_.format.numeric = true; return set_option(kColNumeric);
      case Opt::kConnection: return set_option(kColConnection);
      case Opt::kTimeout: return set_option(kColTimeout);
      case Opt::kStats: c_.format.stats = true; return set_option(kColStats);
      case Opt::kRate: c_.format.rate = true; return set_option(kColRate);
      case Opt::kThresholds: c_.format.thresholds = true; return set_option(kColThresholds);
      case Opt::kPersistentConn: c_.format.persistent_conn = true; return set_option(kColPersistentConn);
      case Opt::kNoSort: c_.format.nosort = true; return set_option(kColNoSort);
      case Opt::kSort:  // the default; ipvsadm keeps it for backwards compatibility
        return Status::ok();
      case Opt::kExact: c_.format.exact = true; return set_option(kColExact);
      case Opt::kTunInfo: c_.format.tun_info = true; return set_option(kColTunInfo);
      case Opt::kSchedFlags:
        if (Status s = set_option(kColSchedFlags); !s) return s;
        sched_flags_arg_ = v;
        return Status::ok();
      // ---- valid ipvsadm that dplb does not do
      case Opt::kTunPort:
      case Opt::kTunNoCsum:
      case Opt::kTunCsum:
      case Opt::kTunRemCsum: return unsupported(kIpipOnly, option_display(o));
      case Opt::kPersistent: {
        if (Status s = set_option(kColPersistent); !s) return s;
        c_.persist_seconds = ipvs::kPersistDefaultSeconds;
        if (v.empty()) return Status::ok();
        auto t = to_number(v, 1, ipvs::kMaxPersistSeconds);
        if (!t) return usage("illegal timeout for persistent service specified");
        c_.persist_seconds = uint32_t(*t);
        return Status::ok();
      }
      case Opt::kNetmask: {
        if (Status s = set_option(kColNetmask); !s) return s;
        auto m = parse_ip4(v);
        if (!m) return usage("illegal virtual server netmask specified");
        c_.persist_netmask = m->v;
        return Status::ok();
      }
      case Opt::kPe: return unsupported(kNoPersistence, option_display(o));
      case Opt::kFwmark: return unsupported(kNoFwmark, option_display(o));
      case Opt::kSctp: return unsupported(kTcpUdpOnly, option_display(o));
      case Opt::kIpv6: return unsupported(kIpv4Only, option_display(o));
      case Opt::kUThreshold:
      case Opt::kLThreshold: return unsupported(kNoThresholds, option_display(o));
      case Opt::kOps: return unsupported(kNoOps, option_display(o));
      case Opt::kStartDaemon:
      case Opt::kStopDaemon:
      case Opt::kMcastInterface:
      case Opt::kSyncId:
      case Opt::kDaemon:
      case Opt::kMcastGroup:
      case Opt::kMcastPort:
      case Opt::kMcastTtl:
      case Opt::kSyncMaxlen: return unsupported(kNoSync, option_display(o));
    }
    return usage("invalid option `" + ev.token + "'");
  }

  Result<IpvsCommand> finish(const std::vector<std::string>& leftovers) {
    size_t used = 0;
    if (c_.cmd == IpvsCmd::kSetTimeouts) {
      if (leftovers.size() < 3) return usage("--set option requires 3 timeout values");
      uint32_t* dst[3] = {&c_.timeouts.tcp, &c_.timeouts.tcp_fin, &c_.timeouts.udp};
      for (size_t i = 0; i < 3; ++i) {
        auto t = to_number(leftovers[i], 0, kMaxTimeout);
        if (!t) return usage("invalid timeout value `" + leftovers[i] + "' specified");
        *dst[i] = uint32_t(*t);
      }
      used = 3;
    }
    if (leftovers.size() > used) return usage("unexpected argument " + leftovers[used]);
    if (!sched_flags_arg_.empty()) {
      if (Status s = parse_sched_flags(); !s) return s;
    }
    if (Status s = check_options(); !s) return s;

    switch (c_.cmd) {
      case IpvsCmd::kAddService:
      case IpvsCmd::kEditService:
        if (c_.service.vport == 0)
          return c_.persist_seconds ? unsupported("dplb supports address:port services only", "port 0")
                                    : usage("Zero port specified for non-persistent service");
        if (c_.sched.empty()) c_.sched = ipvs::sched_name(ipvs::kDefaultSched);
        if (Status s = check_scheduler(); !s) return s;
        break;
      case IpvsCmd::kAddDest:
      case IpvsCmd::kEditDest:
      case IpvsCmd::kDelDest:
        if (!dest_port_given_) c_.dest_port = c_.service.vport;  // ipvsadm: the service's port
        break;
      case IpvsCmd::kList:
        if (((has(kColConnection) || has(kColTimeout)) &&
             (has(kColStats) || has(kColRate) || has(kColThresholds))) ||
            (has(kColTimeout) && has(kColPersistentConn))) {
          return usage("options conflicts in the list command");
        }
        c_.list = has(kColConnection) ? ListWhat::kConnections
                  : has(kColService)  ? ListWhat::kService
                  : has(kColTimeout)  ? ListWhat::kTimeouts
                                      : ListWhat::kAll;
        break;
      default: break;
    }
    return c_;
  }

 private:
  bool has(Col col) const { return (options_ & (1u << col)) != 0; }

  Status set_option(Col col) {
    if (has(col)) return usage("multiple '" + std::string(kColNames[col]) + "' options specified");
    options_ |= 1u << col;
    return Status::ok();
  }

  // ipvsadm's parse_sched_flags: comma-separated, empty items skipped; the scheduler-specific flags
  // only with their scheduler (the default one when -s is not given).
  Status parse_sched_flags() {
    std::string_view sched =
        c_.sched.empty() ? ipvs::sched_name(ipvs::kDefaultSched) : std::string_view(c_.sched);
    std::string_view rest = sched_flags_arg_;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view flag = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (flag.empty()) continue;
      std::string_view needs;
      uint32_t bit = 0;
      if (flag == "flag-1") {
        bit = ipvs::kSvcFlagSched1;
      } else if (flag == "flag-2") {
        bit = ipvs::kSvcFlagSched2;
      } else if (flag == "flag-3") {
        bit = ipvs::kSvcFlagSched3;
      } else if (flag == "sh-fallback" || flag == "mh-fallback") {
        bit = ipvs::kSvcFlagSched1;
        needs = flag.substr(0, 2);
      } else if (flag == "sh-port" || flag == "mh-port") {
        bit = ipvs::kSvcFlagSched2;
        needs = flag.substr(0, 2);
      } else {
        return usage("invalid scheduler flag `" + std::string(flag) + "'");
      }
      if (!needs.empty() && sched != needs)
        return usage("incompatible scheduler flag `" + std::string(flag) + "'");
      c_.sched_flags |= bit;
    }
    return Status::ok();
  }

  // ipvsadm's generic_opt_check.
  Status check_options() const {
    const CmdRules* rules = nullptr;
    for (const auto& r : kCmdRules) {
      if (r.cmd == c_.cmd) rules = &r;
    }
    if (rules == nullptr) return Status::ok();
    int first_exclusive = -1;
    for (int j = 0; j < kColCount; ++j) {
      char rule = rules->rules[size_t(j)];
      if (!has(Col(j))) {
        if (rule == '+') {
          return usage("You need to supply the '" + std::string(kColNames[size_t(j)]) + "' option for the '" +
                       std::string(rules->name) + "' command");
        }
      } else if (rule == 'x') {
        return usage("Illegal '" + std::string(kColNames[size_t(j)]) + "' option with the '" +
                     std::string(rules->name) + "' command");
      } else if (rule == '1') {
        if (first_exclusive < 0) {
          first_exclusive = j;
        } else {
          return usage("The option '" + std::string(kColNames[size_t(j)]) + "' conflicts with the '" +
                       std::string(kColNames[size_t(first_exclusive)]) + "' option in the '" +
                       std::string(rules->name) + "' command");
        }
      }
    }
    return Status::ok();
  }

  Status check_scheduler() const {
    if (ipvs::parse_sched(c_.sched)) return Status::ok();
    for (auto s : kIpvsOnlySchedulers) {
      if (c_.sched == s) {
        return unsupported("dplb supports the rr, wrr, lc, wlc, sh and mh schedulers only",
                           "scheduler '" + c_.sched + "'");
      }
    }
    return Status::error(kParseNoScheduler, "Scheduler not found: " + c_.sched);
  }

  IpvsCommand c_;
  uint32_t options_ = 0;  // bit per Col
  bool dest_port_given_ = false;
  std::string sched_flags_arg_;
};

std::optional<IpvsCmd> command_of(Opt id) {
  switch (id) {
    case Opt::kAddService: return IpvsCmd::kAddService;
    case Opt::kEditService: return IpvsCmd::kEditService;
    case Opt::kDelService: return IpvsCmd::kDelService;
    case Opt::kClear: return IpvsCmd::kClear;
    case Opt::kList: return IpvsCmd::kList;
    case Opt::kZero: return IpvsCmd::kZero;
    case Opt::kAddServer: return IpvsCmd::kAddDest;
    case Opt::kEditServer: return IpvsCmd::kEditDest;
    case Opt::kDelServer: return IpvsCmd::kDelDest;
    case Opt::kSet: return IpvsCmd::kSetTimeouts;
    case Opt::kHelp: return IpvsCmd::kHelp;
    case Opt::kVersion: return IpvsCmd::kVersion;
    case Opt::kRestore: return IpvsCmd::kRestore;
    case Opt::kSave: return IpvsCmd::kSave;
    default: return std::nullopt;
  }
}

}  // namespace

int exit_code_of_parse_error(int code) {
  switch (code) {
    case kParseUsage: return 2;
    case kParseUnsupported: return 1;
    default: return kExitRefused;  // kParseBadOption, kParseNoCommand, kParseNoScheduler
  }
}

std::string try_help_hint(std::string_view program) {
  std::string p(program);
  return "Try `" + p + " -h' or '" + p + " --help' for more information.";
}

std::string parse_error_text(std::string_view program, const Status& s) {
  return s.code() == kParseNoCommand ? try_help_hint(program) : s.message();
}

bool is_rule_command(IpvsCmd cmd) {
  switch (cmd) {
    case IpvsCmd::kAddService:
    case IpvsCmd::kEditService:
    case IpvsCmd::kDelService:
    case IpvsCmd::kClear:
    case IpvsCmd::kAddDest:
    case IpvsCmd::kEditDest:
    case IpvsCmd::kDelDest:
    case IpvsCmd::kSetTimeouts:
    case IpvsCmd::kZero: return true;
    default: return false;
  }
}

Result<IpvsCommand> parse_ipvsadm(std::span<const std::string> args) {
  if (args.empty()) return IpvsCommand{};  // ipvsadm alone lists the table
  const Status no_command(kParseNoCommand, "no command given (the first option must be a command)");
  Scanner scanner(args);
  Event ev = scanner.next();
  // ipvsadm: the first option must be a command, else only the "Try -h" hint.
  if (ev.type != Event::kOption) return no_command;
  if (ev.spec->id == Opt::kStartDaemon || ev.spec->id == Opt::kStopDaemon) {
    return unsupported(kNoSync, option_display(*ev.spec));
  }
  auto cmd = command_of(ev.spec->id);
  if (!cmd) return no_command;
  if (*cmd == IpvsCmd::kHelp || *cmd == IpvsCmd::kVersion) {  // ipvsadm answers these at once
    IpvsCommand c;
    c.cmd = *cmd;
    return c;
  }
  CommandParser parser(*cmd);
  while ((ev = scanner.next()).type == Event::kOption) {
    if (Status s = parser.option(ev); !s) return s;
  }
  if (ev.type == Event::kError)
    return Status::error(kParseBadOption, ev.token + ": " + std::string(ev.error));
  return parser.finish(scanner.leftovers());
}

}  // namespace dplb::cli
