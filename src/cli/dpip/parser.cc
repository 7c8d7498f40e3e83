#include "cli/dpip/parser.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "cli/dpip/usage.h"
#include "dplb/ctrl/proto.h"

namespace dplb::dpip {
namespace {

// Built by appends: g++ 12 reports a false -Wrestrict for "\"" + std::string(s) + "\"".
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

Status fail(std::string line) { return Status::invalid(std::move(line)); }

// ip's matches(): word is a non-empty prefix of keyword.
bool matches(std::string_view word, std::string_view keyword) {
  return !word.empty() && word.size() <= keyword.size() && keyword.substr(0, word.size()) == word;
}

// iproute2's messages (lib/utils.c), word for word.
Status incomplete() { return fail("Command line is not complete. Try option \"help\""); }
Status duparg(std::string_view key, std::string_view arg) {
  return fail("Error: duplicate " + quoted(key) + ": " + quoted(arg) + " is the second value.");
}
Status duparg2(std::string_view key, std::string_view arg) {
  return fail("Error: either " + quoted(key) + " is duplicate, or " + quoted(arg) + " is a garbage.");
}
Status invarg(std::string_view msg, std::string_view arg) {
  return fail("Error: argument " + quoted(arg) + " is wrong: " + std::string(msg));
}
Status bad_prefix(std::string_view arg) {
  return fail("Error: any valid prefix is expected rather than " + quoted(arg) + ".");
}
Status bad_inet_address(std::string_view arg) {
  return fail("Error: inet address is expected rather than " + quoted(arg) + ".");
}

// Walks the words of one command; next() fetches a keyword's value or reports the line incomplete.
class Words {
 public:
  explicit Words(std::span<const std::string> w) : w_(w) {}
  bool done() const { return i_ >= w_.size(); }
  const std::string& peek() const { return w_[i_]; }
  const std::string& take() { return w_[i_++]; }
  // The value after the current keyword; nullptr when the line ends first.
  const std::string* value() {
    if (i_ >= w_.size()) return nullptr;
    return &w_[i_++];
  }

 private:
  std::span<const std::string> w_;
  size_t i_ = 0;
};

// Unsigned decimal or 0x-hex (ip's get_unsigned accepts both), at most max.
std::optional<uint64_t> parse_unsigned(std::string_view s, uint64_t max) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

std::optional<Ip4Prefix> parse_route_prefix(std::string_view s) {
  if (s == "default") return Ip4Prefix{Ip4(0), 0};
  return parse_ip4_prefix(s, 32);
}

Result<std::string> parse_dev(std::string_view word) {
  if (word.empty() || word.size() >= proto::kIfNameSize || word.find('/') != std::string_view::npos ||
      word.find_first_of(" \t\n") != std::string_view::npos) {
    return invarg("\"dev\" not a valid ifname", word);
  }
  return std::string(word);
}

std::optional<uint8_t> parse_scope(std::string_view s) {
  if (s == "global" || s == "universe") return proto::kScopeGlobal;
  if (s == "link") return proto::kScopeLink;
  if (s == "host") return proto::kScopeHost;
  if (s == "site") return proto::kScopeSite;
  if (auto n = parse_unsigned(s, 255)) return static_cast<uint8_t>(*n);
  return std::nullopt;
}

// Stores a keyword's string value once; a second occurrence is ip's duparg().
Status set_dev_once(std::string& dst, std::string_view key, const std::string* value) {
  if (value == nullptr) return incomplete();
  if (!dst.empty()) return duparg(key, *value);
  auto dev = parse_dev(*value);
  if (!dev) return dev.status();
  dst = *dev;
  return Status::ok();
}

// ---- addr ------------------------------------------------------------------------------------

Result<Command> parse_addr_change(Command c, Words& w) {
  AddrArgs a;
  bool have_prefix = false;
  while (!w.done()) {
    const std::string& word = w.take();
    if (word == "dev") {
      if (Status s = set_dev_once(a.dev, "dev", w.value()); !s) return s;
    } else if (word == "scope") {
      const std::string* v = w.value();
      if (v == nullptr) return incomplete();
      if (a.scope) return duparg("scope", *v);
      auto scope = parse_scope(*v);
      if (!scope) return invarg("invalid scope value.", *v);
      a.scope = *scope;
    } else {
      const std::string* text = &word;
      if (word == "local") {
        text = w.value();
        if (text == nullptr) return incomplete();
      }
      if (have_prefix) return duparg2("local", *text);
      auto p = parse_ip4_prefix(*text, 32);
      if (!p) return bad_prefix(*text);
      a.prefix = *p;
      have_prefix = true;
    }
  }
  if (!have_prefix) return fail("Not enough information: \"local\" argument is required.");
  if (a.dev.empty()) return fail("Not enough information: \"dev\" argument is required.");
  c.args = a;
  return c;
}

// link show [dev] DEV, addr show [dev] DEV; addr flush dev DEV.
Result<Command> parse_dev_selector(Command c, Words& w, bool dev_required) {
  DevArgs a;
  while (!w.done()) {
    const std::string& word = w.take();
    if (word == "dev") {
      if (Status s = set_dev_once(a.dev, "dev", w.value()); !s) return s;
    } else {
      if (!a.dev.empty()) return duparg2("dev", word);
      auto dev = parse_dev(word);
      if (!dev) return dev.status();
      a.dev = *dev;
    }
  }
  if (dev_required && a.dev.empty()) return fail("Flush requires arguments.");
  c.args = a;
  return c;
}

Result<Command> parse_dev_show(Command c, Words& w) { return parse_dev_selector(std::move(c), w, false); }
Result<Command> parse_dev_flush(Command c, Words& w) { return parse_dev_selector(std::move(c), w, true); }

// ---- neigh -----------------------------------------------------------------------------------

Result<Command> parse_neigh_change(Command c, Words& w) {
  NeighArgs a;
  bool have_addr = false;
  while (!w.done()) {
    const std::string& word = w.take();
    if (word == "dev") {
      if (Status s = set_dev_once(a.dev, "dev", w.value()); !s) return s;
    } else if (word == "lladdr") {
      const std::string* v = w.value();
      if (v == nullptr) return incomplete();
      if (a.lladdr) return duparg("lladdr", *v);
      auto mac = parse_mac(*v);
      if (!mac) return fail(quoted(*v) + " is invalid lladdr.");
      a.lladdr = *mac;
    } else if (word == "nud") {
      const std::string* v = w.value();
      if (v == nullptr) return incomplete();
      if (!matches(*v, "permanent"))
        return invarg("nud state is bad (dplb keeps only permanent entries)", *v);
    } else {
      const std::string* text = &word;
      if (word == "to") {
        text = w.value();
        if (text == nullptr) return incomplete();
      }
      if (have_addr) return duparg2("to", *text);
      auto addr = parse_ip4(*text);
      if (!addr) return fail("Error: any valid address is expected rather than " + quoted(*text) + ".");
      a.addr = *addr;
      have_addr = true;
    }
  }
  if (!have_addr || a.dev.empty()) return fail("Device and destination are required arguments.");
  if (c.verb == Verb::kAdd && !a.lladdr)
    return fail("Not enough information: \"lladdr\" argument is required.");
  c.args = a;
  return c;
}

// neigh show [dev DEV]; neigh flush dev DEV: only the "dev" keyword, any other word is ip's duparg2.
Result<Command> parse_neigh_selector(Command c, Words& w, bool dev_required) {
  DevArgs a;
  while (!w.done()) {
    const std::string& word = w.take();
    if (word != "dev") return duparg2("to", word);
    if (Status s = set_dev_once(a.dev, "dev", w.value()); !s) return s;
  }
  if (dev_required && a.dev.empty()) return fail("Flush requires arguments.");
  c.args = a;
  return c;
}
Result<Command> parse_neigh_show(Command c, Words& w) { return parse_neigh_selector(std::move(c), w, false); }
Result<Command> parse_neigh_flush(Command c, Words& w) { return parse_neigh_selector(std::move(c), w, true); }

// ---- route -----------------------------------------------------------------------------------

Status parse_metric(RouteArgs& a, const std::string* v) {
  if (v == nullptr) return incomplete();
  if (a.metric) return duparg("metric", *v);
  auto n = parse_unsigned(*v, UINT32_MAX);
  if (!n) return invarg("\"metric\" value is invalid", *v);
  a.metric = static_cast<uint32_t>(*n);
  return Status::ok();
}

Status parse_weight(NexthopArgs& nh, const std::string* v) {
  if (v == nullptr) return incomplete();
  if (nh.weight_given) return duparg("weight", *v);
  auto n = parse_unsigned(*v, 256);
  if (!n || *n == 0) return invarg("\"weight\" is invalid", *v);
  nh.weight = static_cast<uint16_t>(*n);
  nh.weight_given = true;
  return Status::ok();
}

Status parse_via(std::optional<Ip4>& via, const std::string* v) {
  if (v == nullptr) return incomplete();
  std::string_view text = *v;
  if (text == "inet") return bad_inet_address(text);  // ip's FAMILY word; only inet exists here
  auto a = parse_ip4(text);
  if (!a) return bad_inet_address(text);
  via = *a;
  return Status::ok();
}

// The words after `nexthop`: via/dev/weight/onlink until the next `nexthop` or the end of the line.
Status parse_nexthops(RouteArgs& a, Words& w) {
  a.multipath = true;
  while (true) {
    if (a.nexthops.size() >= proto::kMaxNexthops) {
      return fail("Error: too many \"nexthop\": at most " + std::to_string(proto::kMaxNexthops) +
                  " are supported.");
    }
    NexthopArgs nh;
    while (!w.done() && w.peek() != "nexthop") {
      const std::string& word = w.take();
      if (word == "via") {
        const std::string* v = w.value();
        if (v != nullptr && nh.via) return duparg("via", *v);
        if (Status s = parse_via(nh.via, v); !s) return s;
      } else if (word == "dev") {
        if (Status s = set_dev_once(nh.dev, "dev", w.value()); !s) return s;
      } else if (word == "weight") {
        if (Status s = parse_weight(nh, w.value()); !s) return s;
      } else if (word == "onlink") {
        nh.onlink = true;
      } else {
        return fail("Error: \"nexthop\" or end of line is expected instead of " + quoted(word));
      }
    }
    a.nexthops.push_back(nh);
    if (w.done()) return Status::ok();
    w.take();  // the next "nexthop"
  }
}

Result<Command> parse_route_change(Command c, Words& w) {
  RouteArgs a;
  NexthopArgs single;
  bool have_dst = false;
  bool single_given = false;
  while (!w.done()) {
    const std::string& word = w.take();
    if (word == "via") {
      const std::string* v = w.value();
      if (v != nullptr && single.via) return invarg("use nexthop syntax to specify multiple via", "via");
      if (Status s = parse_via(single.via, v); !s) return s;
      single_given = true;
    } else if (word == "dev" || word == "oif") {
      if (Status s = set_dev_once(single.dev, "dev", w.value()); !s) return s;
      single_given = true;
    } else if (word == "onlink") {
      single.onlink = true;
      single_given = true;
    } else if (word == "src") {
      const std::string* v = w.value();
      if (v == nullptr) return incomplete();
      if (a.src) return duparg("src", *v);
      auto src = parse_ip4(*v);
      if (!src) return bad_inet_address(*v);
      a.src = *src;
    } else if (matches(word, "metric") || matches(word, "priority") || word == "preference") {
      if (Status s = parse_metric(a, w.value()); !s) return s;
    } else if (word == "mtu") {
      const std::string* v = w.value();
      if (v == nullptr) return incomplete();
      if (a.mtu) return duparg("mtu", *v);
      auto n = parse_unsigned(*v, UINT32_MAX);
      if (!n) return invarg("\"mtu\" value is invalid", *v);
      a.mtu = static_cast<uint32_t>(*n);
    } else if (word == "scope") {
      const std::string* v = w.value();
      if (v == nullptr) return incomplete();
      if (a.scope) return duparg("scope", *v);
      if (*v == "kni_host") {  // dplb's, not a Linux scope number: host, marked kni
        a.scope = proto::kScopeHost;
        a.kni = true;
        continue;
      }
      auto scope = parse_scope(*v);
      if (!scope) return invarg("invalid \"scope\" value", *v);
      a.scope = *scope;
    } else if (matches(word, "nexthop")) {
      if (single_given) {
        return invarg("\"via\", \"dev\" and \"onlink\" go inside each nexthop", "nexthop");
      }
      if (Status s = parse_nexthops(a, w); !s) return s;
    } else {
      const std::string* text = &word;
      if (word == "to") {
        text = w.value();
        if (text == nullptr) return incomplete();
      }
      if (have_dst) return duparg2("to", *text);
      auto p = parse_route_prefix(*text);
      if (!p) return bad_prefix(*text);
      a.dst = *p;
      have_dst = true;
    }
  }
  if (!have_dst) return fail(std::string(usage_text(Object::kRoute)));
  if (single_given) a.nexthops.push_back(single);
  c.args = a;
  return c;
}

Result<Command> parse_route_selector(Command c, Words& w) {
  RouteSelector s;
  bool table_given = false;
  while (!w.done()) {
    const std::string& word = w.take();
    if (matches(word, "table")) {
      const std::string* v = w.value();
      if (v == nullptr) return incomplete();
      if (table_given) return duparg("table", *v);
      if (*v == "main") {
        s.table = RouteTable::kMain;
      } else if (*v == "local") {
        s.table = RouteTable::kLocal;
      } else if (*v == "all") {
        s.table = RouteTable::kAll;
      } else {
        return invarg("table id value is invalid", *v);
      }
      table_given = true;
    } else if (word == "dev" || word == "oif") {
      if (Status st = set_dev_once(s.dev, "dev", w.value()); !st) return st;
    } else if (word == "via") {
      const std::string* v = w.value();
      if (v != nullptr && s.via) return duparg("via", *v);
      if (Status st = parse_via(s.via, v); !st) return st;
    } else {
      const std::string* text = &word;
      if (word == "to") {
        text = w.value();
        if (text == nullptr) return incomplete();
      }
      // iproute2: [to] { root | match | exact } PREFIX; a bare PREFIX is exact.
      using M = RouteSelector::PrefixMatch;
      M how = M::kExact;
      bool keyword = true;
      if (matches(*text, "root")) {
        how = M::kRoot;
      } else if (matches(*text, "match")) {
        how = M::kMatch;
      } else if (!matches(*text, "exact")) {
        keyword = false;
      }
      if (keyword) {
        text = w.value();
        if (text == nullptr) return incomplete();
      }
      if (s.prefix) return duparg2("to", *text);
      s.prefix_match = how;
      auto p = parse_route_prefix(*text);
      if (!p) return bad_prefix(*text);
      s.prefix = *p;
    }
  }
  c.args = s;
  return c;
}

// route flush [dev DEV]: the daemon flushes the main table, all of it or one device's routes.
Result<Command> parse_route_flush(Command c, Words& w) {
  RouteSelector s;
  while (!w.done()) {
    const std::string& word = w.take();
    if (word == "dev" || word == "oif") {
      if (Status st = set_dev_once(s.dev, "dev", w.value()); !st) return st;
    } else if (matches(word, "table")) {
      const std::string* v = w.value();
      if (v == nullptr) return incomplete();
      if (*v != "main")
        return invarg("only the main table can be flushed (local routes follow the addresses)", *v);
    } else {
      return invarg("\"dpip route flush\" selects routes by \"dev\" only", word);
    }
  }
  c.args = s;
  return c;
}

Result<Command> parse_route_get(Command c, Words& w) {
  RouteGetArgs a;
  bool have_dst = false;
  while (!w.done()) {
    const std::string& word = w.take();
    if (word == "from") {
      const std::string* v = w.value();
      if (v == nullptr) return incomplete();
      if (a.from) return duparg("from", *v);
      auto from = parse_ip4(*v);
      if (!from) return fail("Error: inet prefix is expected rather than " + quoted(*v) + ".");
      a.from = *from;
    } else if (word == "oif" || word == "dev") {
      if (Status s = set_dev_once(a.oif, "oif", w.value()); !s) return s;
    } else {
      const std::string* text = &word;
      if (word == "to") {
        text = w.value();
        if (text == nullptr) return incomplete();
      }
      if (have_dst) return duparg2("to", *text);
      auto p = parse_ip4_prefix(*text, 32);
      if (!p || p->len != 32) return bad_prefix(*text);
      a.dst = p->addr;
      have_dst = true;
    }
  }
  if (!have_dst) return fail("need at least a destination address");
  c.args = a;
  return c;
}

// ---- sync ------------------------------------------------------------------------------------

Result<Command> parse_sync_show(Command c, Words& w) {
  if (!w.done()) return duparg2("show", w.peek());
  return c;
}

// ---- dispatch ----------------------------------------------------------------------------------

// help: the rest of the line is ignored, as ip does.
Result<Command> parse_nothing(Command c, Words&) { return c; }

using ArgsParser = Result<Command> (*)(Command, Words&);

// One verb of an object: the words that name it, each also accepted as any non-empty prefix (ip's
// matches()), plus one word accepted only whole (ip's "chg"); and the parser of its arguments.
struct VerbRule {
  Verb verb;
  std::array<std::string_view, 3> names;
  std::string_view whole_name;
  ArgsParser parse;
};

constexpr VerbRule kShowDevs{Verb::kShow, {"show", "list", "lst"}, {}, parse_dev_show};
constexpr VerbRule kHelpVerb{Verb::kHelp, {"help"}, {}, parse_nothing};

// In ip's order within each object: the first rule a prefix matches wins.
constexpr VerbRule kLinkVerbs[] = {kShowDevs, kHelpVerb};
constexpr VerbRule kAddrVerbs[] = {
    {Verb::kAdd, {"add"}, {}, parse_addr_change},
    {Verb::kDel, {"delete"}, {}, parse_addr_change},
    kShowDevs,
    {Verb::kFlush, {"flush"}, {}, parse_dev_flush},
    kHelpVerb,
};
constexpr VerbRule kNeighVerbs[] = {
    {Verb::kAdd, {"add"}, {}, parse_neigh_change},
    {Verb::kDel, {"delete"}, {}, parse_neigh_change},
    {Verb::kShow, {"show", "list", "lst"}, {}, parse_neigh_show},
    {Verb::kFlush, {"flush"}, {}, parse_neigh_flush},
    kHelpVerb,
};
constexpr VerbRule kRouteVerbs[] = {
    {Verb::kAdd, {"add"}, {}, parse_route_change},
    {Verb::kChange, {"change"}, "chg", parse_route_change},
    {Verb::kReplace, {"replace"}, {}, parse_route_change},
    {Verb::kAppend, {"append"}, {}, parse_route_change},
    {Verb::kDel, {"delete"}, {}, parse_route_change},
    {Verb::kShow, {"list", "show", "lst"}, {}, parse_route_selector},
    {Verb::kGet, {"get"}, {}, parse_route_get},
    {Verb::kFlush, {"flush"}, {}, parse_route_flush},
    kHelpVerb,
};
constexpr VerbRule kSyncVerbs[] = {
    kHelpVerb,
    {Verb::kShow, {"show", "list"}, {}, parse_sync_show},
};

// An object: the words that name it (prefixes accepted), the name its unknown-verb error suggests
// ("dpip NAME help"), and its verbs. A line that ends after the object means `show`.
struct ObjectRule {
  Object object;
  std::array<std::string_view, 2> names;
  std::string_view help_name;
  std::span<const VerbRule> verbs;
};

// ip's table order: address before addrlabel, route before rule, neighbour before ntable, link
// before l2tp; the first match wins for a prefix.
constexpr ObjectRule kObjects[] = {
    {Object::kAddr, {"address"}, "address", kAddrVerbs},
    {Object::kRoute, {"route"}, "route", kRouteVerbs},
    {Object::kNeigh, {"neighbor", "neighbour"}, "neigh", kNeighVerbs},
    {Object::kLink, {"link"}, "link", kLinkVerbs},
    {Object::kSync, {"sync"}, "sync", kSyncVerbs},
};

template <size_t N>
bool matches_any(std::string_view word, const std::array<std::string_view, N>& names) {
  for (std::string_view name : names) {
    if (matches(word, name)) return true;
  }
  return false;
}

const VerbRule* find_verb(const ObjectRule& o, std::string_view word) {
  for (const VerbRule& v : o.verbs) {
    if (matches_any(word, v.names) || (!v.whole_name.empty() && word == v.whole_name)) return &v;
  }
  return nullptr;
}

Result<Command> parse_verb(const ObjectRule& o, Command c, Words& w) {
  c.object = o.object;
  const VerbRule* v = nullptr;
  if (w.done()) {
    for (const VerbRule& r : o.verbs) {
      if (r.verb == Verb::kShow) v = &r;
    }
  } else {
    const std::string& word = w.take();
    v = find_verb(o, word);
    if (v == nullptr) {
      return fail("Command " + quoted(word) + " is unknown, try \"dpip " + std::string(o.help_name) + " help\".");
    }
  }
  c.verb = v->verb;
  return v->parse(std::move(c), w);
}

}  // namespace

Result<Command> parse_object(std::span<const std::string> args, const GlobalOptions& options) {
  Command c;
  c.options = options;
  if (args.empty()) {
    c.object = Object::kNone;
    c.verb = Verb::kHelp;
    return c;
  }
  Words w(args);
  const std::string& object = w.take();
  for (const ObjectRule& o : kObjects) {
    if (matches_any(object, o.names)) return parse_verb(o, std::move(c), w);
  }
  if (matches(object, "help")) {
    c.verb = Verb::kHelp;
    return c;
  }
  return fail("Object " + quoted(object) + " is unknown, try \"dpip help\".");
}

Result<Command> parse(std::span<const std::string> args) {
  GlobalOptions o;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    std::string_view opt = args[i];
    if (opt.size() < 2 || opt[0] != '-') break;
    if (opt == "--") {
      ++i;
      break;
    }
    if (opt[1] == '-') opt.remove_prefix(1);  // --json = -json, as ip
    if (opt == "-x") {
      if (i + 1 >= args.size()) return fail("Option \"-x\" requires the control socket path.");
      o.socket = args[++i];
      if (o.socket.empty()) return fail("Option \"-x\" requires the control socket path.");
    } else if (opt == "-4") {
      // IPv4 is the only family: accepted for scripts written for ip.
    } else if (matches(opt, "-stats") || matches(opt, "-statistics")) {
      ++o.stats;
    } else if (matches(opt, "-json")) {
      o.json = true;
    } else if (matches(opt, "-pretty")) {
      o.pretty = true;
    } else if (matches(opt, "-verbose")) {
      o.verbose = true;
    } else if (matches(opt, "-force")) {
      o.force = true;
    } else if (matches(opt, "-batch")) {
      if (i + 1 >= args.size()) return fail(std::string(usage_text(Object::kNone)));
      o.batch_file = args[++i];
    } else if (matches(opt, "-Version")) {
      Command c;
      c.options = o;
      c.verb = Verb::kVersion;
      return c;
    } else if (matches(opt, "-help")) {
      Command c;
      c.options = o;
      c.verb = Verb::kHelp;
      return c;
    } else {
      return fail("Option " + quoted(args[i]) + " is unknown, try \"dpip -help\".");
    }
  }
  if (!o.batch_file.empty()) {
    Command c;
    c.options = o;
    c.verb = Verb::kBatch;
    return c;  // like ip, words after -batch FILE are ignored
  }
  return parse_object(args.subspan(i), o);
}

std::vector<std::string> split_batch_line(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  auto blank = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; };
  while (i < line.size()) {
    while (i < line.size() && blank(line[i])) ++i;
    if (i >= line.size() || line[i] == '#') break;
    std::string word;
    if (line[i] == '"' || line[i] == '\'') {
      char quote = line[i++];
      while (i < line.size() && line[i] != quote) word += line[i++];
      if (i < line.size()) ++i;  // closing quote
    } else {
      while (i < line.size() && !blank(line[i])) word += line[i++];
    }
    words.push_back(std::move(word));
  }
  return words;
}

}  // namespace dplb::dpip
