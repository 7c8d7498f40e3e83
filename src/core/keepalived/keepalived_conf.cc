#include "dplb/keepalived/keepalived_conf.h"

#include <fnmatch.h>
#include <glob.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <system_error>
#include <variant>

#include "dplb/base/one_line.h"

namespace dplb::keepalived {

namespace {

using std::chrono::seconds;

constexpr unsigned kMaxBlockDepth = 32;
constexpr size_t kMaxReportedProblems = 20;
constexpr uint64_t kMaxTimerSeconds = 86400;
constexpr uint32_t kDefaultPersistence = 360;  // keepalived: `persistence_timeout` alone, 6 minutes

// The top-level blocks and statements of keepalived.conf that are not the checker's (VRRP, global
// settings, other checkers' tracking): skipped whole, without a word.
constexpr std::array<std::string_view, 25> kSkippedTopLevel = {
    "global_defs",      "vrrp_instance",       "vrrp_sync_group",          "vrrp_script",
    "static_ipaddress", "static_routes",       "static_rules",             "static_track_group",
    "linkbeat_interfaces", "interface_up_down_delays", "track_file",       "vrrp_track_file",
    "track_process",    "vrrp_track_process",  "bfd_instance",             "garp_group",
    "SSL",              "net_namespace",       "net_namespace_ipvs",       "namespace_with_ipsets",
    "instance",         "use_pid_dir",         "linkbeat_use_polling",     "child_wait_time",
    "vrrp_gna_interval"};
constexpr std::array<std::string_view, 6> kOtherCheckers = {"SMTP_CHECK", "DNS_CHECK", "BFD_CHECK",
                                                            "UDP_CHECK",  "PING_CHECK", "FILE_CHECK"};
constexpr std::array<std::string_view, 6> kIncludeWords = {"include",  "includer", "includem",
                                                           "includew", "includeb", "includea"};

template <size_t N>
bool one_of(const std::array<std::string_view, N>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}


std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string normal_name(std::string_view name) {
  return std::filesystem::path(name).lexically_normal().string();
}

// ---------------------------------------------------------------- diagnostics

struct Token {
  std::string text;
  uint32_t file = 0;
  uint32_t line = 0;
  size_t seq = 0;      // position in the expanded stream: diagnostics are shown in this order
  bool quoted = false;
  bool bol = false;    // first token of its line
};

bool is_open(const Token& t) { return !t.quoted && t.text == "{"; }
bool is_close(const Token& t) { return !t.quoted && t.text == "}"; }
bool is_brace(const Token& t) { return is_open(t) || is_close(t); }

class Diagnostics {
 public:
  uint32_t add_file(std::string name) {
    files_.push_back(std::move(name));
    return static_cast<uint32_t>(files_.size() - 1);
  }
  const std::string& file(uint32_t i) const { return files_[i]; }

  void error(uint32_t file, uint32_t line, size_t seq, std::string_view key, std::string_view problem) {
    errors_.push_back({seq, one_line(prefix(file, line, key) + std::string(problem))});
  }
  void error(const Token& at, std::string_view key, std::string_view problem) {
    error(at.file, at.line, at.seq, key, problem);
  }
  void warn(const Token& at, std::string_view key, std::string_view problem) {
    warn(at.file, at.line, at.seq, key, problem);
  }
  void warn(uint32_t file, uint32_t line, size_t seq, std::string_view key, std::string_view problem) {
    std::string text = key.empty() ? std::string(problem) : std::string(key) + ": " + std::string(problem);
    warnings_.push_back({seq, Warning{{files_[file], line}, std::move(text)}});
  }

  bool has_errors() const { return !errors_.empty(); }

  Status status() {
    std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string message;
    size_t shown = std::min(errors_.size(), kMaxReportedProblems);
    for (size_t i = 0; i < shown; ++i) {
      if (i > 0) message += '\n';
      message += errors_[i].second;
    }
    if (errors_.size() > shown)
      message += "\n" + one_line(files_[0]) + ": " + std::to_string(errors_.size() - shown) +
                 " more problems not shown";
    return Status::invalid(std::move(message));
  }

  std::vector<Warning> take_warnings() {
    std::stable_sort(warnings_.begin(), warnings_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Warning> out;
    out.reserve(warnings_.size());
    for (auto& w : warnings_) out.push_back(std::move(w.second));
    return out;
  }

 private:
  std::string prefix(uint32_t file, uint32_t line, std::string_view key) const {
    std::string text = files_[file];
    if (line > 0) text += ":" + std::to_string(line);
    text += ": ";
    if (!key.empty()) text += std::string(key) + ": ";
    return text;
  }

  std::vector<std::string> files_;
  std::vector<std::pair<size_t, std::string>> errors_;
  std::vector<std::pair<size_t, Warning>> warnings_;
};

// ---------------------------------------------------------------- lexer (and includes)

// Backslash escape inside quotes, `s[i]` being the character after the backslash: appends what it
// stands for and returns the index after it.
size_t unescape(std::string_view s, size_t i, std::string& out) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  char c = s[i++];
  switch (c) {
    case 'a': out += '\a'; return i;
    case 'b': out += '\b'; return i;
    case 'E': out += '\x1b'; return i;
    case 'f': out += '\f'; return i;
    case 'n': out += '\n'; return i;
    case 'r': out += '\r'; return i;
    case 't': out += '\t'; return i;
    case 'v': out += '\v'; return i;
    case 'x': {
      int v = 0, n = 0;
      while (n < 2 && i < s.size() && hex(s[i]) >= 0) v = v * 16 + hex(s[i++]), ++n;
      out += n == 0 ? 'x' : static_cast<char>(v);
      return i;
    }
    case 'c':
      if (i < s.size()) out += static_cast<char>(s[i++] & 0x1f);
      else out += 'c';
      return i;
    default: break;
  }
  if (c >= '0' && c <= '7') {
    int v = c - '0', n = 1;
    while (n < 3 && i < s.size() && s[i] >= '0' && s[i] <= '7') v = v * 8 + (s[i++] - '0'), ++n;
    out += static_cast<char>(v & 0xff);
    return i;
  }
  out += c;
  return i;
}

class Lexer {
 public:
  Lexer(Diagnostics& d, const IncludeLoader& loader) : d_(d), loader_(loader) {}

  std::vector<Token> run(std::string_view text, const std::string& name) {
    uint32_t file = d_.add_file(name);
    stack_.push_back(normal_name(name));
    lex_file(text, file);
    return std::move(tokens_);
  }

 private:
  void lex_file(std::string_view text, uint32_t file) {
    uint32_t line_no = 0;
    while (!text.empty() && !stopped_) {
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
      ++line_no;
      std::vector<Token> words = split_line(line, file, line_no);
      if (words.empty()) continue;
      if (!words[0].quoted && one_of(kIncludeWords, words[0].text)) {
        // The pattern is read without braces as words: "conf.d/{a,b}.conf" is one glob.
        std::string_view rest = line.substr(line.find(words[0].text) + words[0].text.size());
        std::vector<Token> include_words = split_line(rest, file, line_no, false);
        include_words.insert(include_words.begin(), words[0]);
        include(include_words, file, line_no);
        continue;
      }
      words[0].bol = true;
      for (Token& t : words) {
        t.seq = tokens_.size();
        tokens_.push_back(std::move(t));
      }
    }
  }

  // The tokens of one line; '{' and '}' are tokens of their own unless `braces` is false.
  std::vector<Token> split_line(std::string_view s, uint32_t file, uint32_t line_no, bool braces = true) {
    std::vector<Token> out;
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
    size_t i = 0;
    while (i < s.size()) {
      char c = s[i];
      if (blank(c)) {
        ++i;
        continue;
      }
      if (c == '#' || c == '!') break;
      Token t;
      t.file = file;
      t.line = line_no;
      if (braces && (c == '{' || c == '}')) {
        t.text = c;
        out.push_back(std::move(t));
        ++i;
        continue;
      }
      while (i < s.size()) {
        c = s[i];
        if (c == '"' || c == '\'') {
          t.quoted = true;
          bool closed = false;
          for (++i; i < s.size();) {
            if (s[i] == c) {
              closed = true;
              ++i;
              break;
            }
            if (s[i] == '\\' && i + 1 < s.size()) {
              i = unescape(s, i + 1, t.text);
              continue;
            }
            t.text += s[i++];
          }
          if (!closed) {  // reported; the string runs to the end of the line
            d_.error(file, line_no, tokens_.size(), "", "unterminated quoted string");
            out.push_back(std::move(t));
            return out;
          }
          continue;
        }
        if (blank(c) || c == '#' || c == '!' || (braces && (c == '{' || c == '}'))) break;
        t.text += c;
        ++i;
      }
      out.push_back(std::move(t));
    }
    return out;
  }

  void include(const std::vector<Token>& words, uint32_t file, uint32_t line_no) {
    const std::string& key = words[0].text;
    size_t seq = tokens_.size();
    if (words.size() < 2) {
      d_.error(file, line_no, seq, key, "expects a file name (a glob pattern)");
      return;
    }
    for (size_t i = 2; i < words.size(); ++i)
      d_.warn(file, line_no, seq, key, "extra value " + in_quotes(words[i].text) + " ignored");
    const std::string& pattern = words[1].text;
    if (!loader_) {
      d_.error(file, line_no, seq, key, "cannot include " + in_quotes(pattern) + " here (no files are read)");
      return;
    }
    if (stack_.size() > kMaxIncludeDepth) {
      d_.error(file, line_no, seq, key,
               "cannot include " + in_quotes(pattern) + ": includes nested deeper than " +
                   std::to_string(kMaxIncludeDepth) + " files");
      return;
    }
    Result<std::vector<SourceFile>> found = loader_(pattern, d_.file(file));
    if (!found) {
      d_.error(file, line_no, seq, key, found.status().message());
      return;
    }
    if (found->empty()) d_.warn(file, line_no, seq, key, "no file matches " + in_quotes(pattern));
    for (const SourceFile& f : *found) {
      std::string id = normal_name(f.name);
      if (std::find(stack_.begin(), stack_.end(), id) != stack_.end()) {
        std::string cycle;
        for (const std::string& s : stack_) cycle += s + " -> ";
        d_.error(file, line_no, seq, key, "include cycle: " + cycle + id);
        continue;
      }
      bytes_ += f.text.size();
      if (++included_ > kMaxIncludedFiles || bytes_ > kMaxFileBytes) {
        d_.error(file, line_no, seq, key,
                 "too much included: more than " + std::to_string(kMaxIncludedFiles) + " files or " +
                     std::to_string(kMaxFileBytes >> 20) + " MiB");
        stopped_ = true;
        return;
      }
      uint32_t sub = d_.add_file(f.name);
      stack_.push_back(std::move(id));
      lex_file(f.text, sub);
      stack_.pop_back();
      if (stopped_) return;
    }
  }

  Diagnostics& d_;
  const IncludeLoader& loader_;
  std::vector<Token> tokens_;
  std::vector<std::string> stack_;  // the files being read, outermost first
  unsigned included_ = 0;
  size_t bytes_ = 0;
  bool stopped_ = false;
};

// ---------------------------------------------------------------- statements and blocks

struct Stmt {
  std::vector<Token> words;  // words[0]: the keyword
  bool has_block = false;
  std::vector<Stmt> children;

  const std::string& key() const { return words[0].text; }
  size_t nargs() const { return words.size() - 1; }
  const Token& arg(size_t i) const { return words[i + 1]; }
};

class TreeBuilder {
 public:
  TreeBuilder(Diagnostics& d, const std::vector<Token>& t) : d_(d), t_(t) {}

  std::vector<Stmt> build() { return block(0, nullptr, ""); }

 private:
  std::vector<Stmt> block(unsigned depth, const Token* open, const std::string& owner) {
    std::vector<Stmt> out;
    while (pos_ < t_.size()) {
      const Token& tok = t_[pos_];
      if (is_close(tok)) {
        ++pos_;
        if (open != nullptr) return out;
        d_.error(tok, "", "unexpected '}' (no block is open)");
        continue;
      }
      Stmt s;
      if (is_open(tok)) {
        d_.error(tok, "", "'{' without a keyword before it");
      } else {
        s.words.push_back(tok);
        ++pos_;
        while (pos_ < t_.size() && !t_[pos_].bol && !is_brace(t_[pos_])) s.words.push_back(t_[pos_++]);
      }
      // The block opens on the keyword's line or the next one.
      if (pos_ < t_.size() && is_open(t_[pos_])) {
        const Token& o = t_[pos_++];
        if (depth + 1 > kMaxBlockDepth) {
          d_.error(o, "", "blocks nested deeper than " + std::to_string(kMaxBlockDepth));
          pos_ = t_.size();
          aborted_ = true;
          return out;
        }
        s.has_block = true;
        s.children = block(depth + 1, &o, s.words.empty() ? std::string() : s.key());
      }
      if (!s.words.empty()) out.push_back(std::move(s));
    }
    if (open != nullptr && !aborted_) d_.error(*open, owner, "'{' is never closed");
    return out;
  }

  Diagnostics& d_;
  const std::vector<Token>& t_;
  size_t pos_ = 0;
  bool aborted_ = false;  // nested too deep: the rest is not read, nor reported as unclosed
};

// ---------------------------------------------------------------- values

std::optional<uint64_t> parse_u64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// "3", "2.5", "0.000001": seconds to the microsecond (digits past the sixth are dropped).
std::optional<Micros> parse_seconds(std::string_view s) {
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (whole.empty() && frac.empty()) return std::nullopt;
  if (dot != std::string_view::npos && frac.empty()) return std::nullopt;
  uint64_t w = 0;
  if (!whole.empty()) {
    auto v = parse_u64(whole);
    if (!v || *v > kMaxTimerSeconds) return std::nullopt;
    w = *v;
  }
  uint64_t us = 0;
  for (size_t i = 0; i < frac.size(); ++i) {
    if (frac[i] < '0' || frac[i] > '9') return std::nullopt;
    if (i < 6) us = us * 10 + uint64_t(frac[i] - '0');
  }
  for (size_t i = frac.size(); i < 6; ++i) us *= 10;
  return Micros(int64_t(w * 1000000 + us));
}

bool is_contiguous_mask(Ip4 m) { return m.v == 0 || ((~m.v + 1) & ~m.v) == 0; }

// A virtual_server_group or local_address_group entry: "A.B.C.D", "A.B.C.D-E" (last octet),
// "A.B.C.D-E.F.G.H", "A.B.C.D/NN". Returns the first and last address, or a problem.
struct Range {
  Ip4 first, last;
};
std::variant<Range, std::string> parse_range(std::string_view s) {
  auto bad = [&] { return std::variant<Range, std::string>(in_quotes(s) + " is not an IPv4 address or range"); };
  if (s.find(':') != std::string_view::npos) return in_quotes(s) + ": IPv6 is not supported by dplb";
  size_t dash = s.find('-');
  size_t slash = s.find('/');
  if (dash != std::string_view::npos) {
    auto a = parse_ip4(s.substr(0, dash));
    std::string_view end = s.substr(dash + 1);
    if (!a) return bad();
    Ip4 last;
    if (end.find('.') == std::string_view::npos) {
      auto octet = parse_u64(end);
      if (!octet || *octet > 255 || end.size() > 3) return bad();
      last = Ip4((a->v & 0xffffff00u) | uint32_t(*octet));
    } else {
      auto b = parse_ip4(end);
      if (!b) return bad();
      last = *b;
    }
    if (last < *a) return in_quotes(s) + ": the range ends before it starts";
    return Range{*a, last};
  }
  if (slash != std::string_view::npos) {
    auto p = parse_ip4_prefix(s);
    if (!p) return bad();
    return Range{p->network(), p->broadcast()};
  }
  auto a = parse_ip4(s);
  if (!a) return bad();
  return Range{*a, *a};
}

// ---------------------------------------------------------------- the model, before defaults

// Settings a checker takes from its real server, which takes them from its virtual server.
struct Defaults {
  std::optional<Micros> connect_timeout, delay_loop, delay_before_retry, warmup;
  std::optional<unsigned> retry;
  std::optional<bool> alpha;
  std::optional<std::string> virtualhost;
};

struct PendingChecker {
  Checker c;
  Defaults d;
  std::optional<Ip4> connect_ip;
  std::optional<uint16_t> connect_port;
  std::optional<Micros> misc_timeout;
};

struct PendingRs {
  RealServer rs;
  Defaults d;
  Token at;
  std::optional<LbKind> lb_kind;
  std::optional<bool> inhibit;
  std::vector<PendingChecker> checkers;
};

struct PendingVs {
  VirtualServer vs;
  Defaults d;
  Token at;
  bool fwmark = false;
  bool port_given = false;
  std::optional<Token> laddr_at;
  std::vector<PendingRs> rss;
};

struct PendingGroup {
  Token at;
  std::vector<Endpoint> entries;
};

template <typename T>
T pick(const std::optional<T>& a, const std::optional<T>& b, const std::optional<T>& c, T otherwise) {
  return a ? *a : b ? *b : c ? *c : otherwise;
}

// ---------------------------------------------------------------- the interpreter

class Interpreter {
 public:
  explicit Interpreter(Diagnostics& d) : d_(d) {}

  KeepalivedConf run(const std::vector<Stmt>& top) {
    for (const Stmt& s : top) top_level(s);
    return resolve();
  }

 private:
  // ---- shape checks

  // At least `min` values; values past `max` are warned about and ignored.
  bool args(const Stmt& s, size_t min, size_t max) {
    if (s.nargs() < min) {
      d_.error(s.words[0], s.key(), min == 1 ? "expects a value" : "expects " + std::to_string(min) + " values");
      return false;
    }
    for (size_t i = max; i < s.nargs(); ++i)
      d_.warn(s.arg(i), s.key(), "extra value " + in_quotes(s.arg(i).text) + " ignored");
    return true;
  }
  bool no_block(const Stmt& s) {
    if (!s.has_block) return true;
    d_.error(s.words[0], s.key(), "takes no block");
    return false;
  }
  bool value_stmt(const Stmt& s, size_t min, size_t max) { return no_block(s) && args(s, min, max); }
  bool need_block(const Stmt& s) {
    if (s.has_block) return true;
    d_.error(s.words[0], s.key(), "expects a block '{ ... }'");
    return false;
  }
  void unknown(const Stmt& s, std::string_view where) {
    d_.warn(s.words[0], "",
            std::string(s.has_block ? "unknown block " : "unknown keyword ") + in_quotes(s.key()) + " in " +
                std::string(where) + ", ignored");
  }

  // ---- values

  std::optional<uint64_t> number(const Stmt& s, size_t i, uint64_t lo, uint64_t hi) {
    const Token& t = s.arg(i);
    auto v = parse_u64(t.text);
    if (!v) {
      d_.error(t, s.key(), in_quotes(t.text) + " is not a number");
      return std::nullopt;
    }
    if (*v < lo || *v > hi) {
      d_.error(t, s.key(), t.text + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
      return std::nullopt;
    }
    return v;
  }
  std::optional<Micros> timer(const Stmt& s) {
    if (!value_stmt(s, 1, 1)) return std::nullopt;
    const Token& t = s.arg(0);
    auto v = parse_seconds(t.text);
    if (!v)
      d_.error(t, s.key(), in_quotes(t.text) + " is not a time in seconds 0.." + std::to_string(kMaxTimerSeconds));
    return v;
  }
  std::optional<Ip4> ip(const Stmt& s, size_t i) {
    const Token& t = s.arg(i);
    if (t.text.find(':') != std::string::npos) {
      d_.error(t, s.key(), in_quotes(t.text) + ": IPv6 is not supported by dplb");
      return std::nullopt;
    }
    auto a = parse_ip4(t.text);
    if (!a) d_.error(t, s.key(), in_quotes(t.text) + " is not an IPv4 address");
    return a;
  }
  std::optional<uint16_t> port(const Stmt& s, size_t i) {
    auto v = number(s, i, 0, 65535);
    if (!v) return std::nullopt;
    return static_cast<uint16_t>(*v);
  }
  // `keyword` alone is on; else one of keepalived's <BOOL> words.
  std::optional<bool> flag(const Stmt& s) {
    if (!value_stmt(s, 0, 1)) return std::nullopt;
    if (s.nargs() == 0) return true;
    const std::string& v = s.arg(0).text;
    if (v == "on" || v == "true" || v == "yes") return true;
    if (v == "off" || v == "false" || v == "no") return false;
    d_.error(s.arg(0), s.key(), in_quotes(v) + " is not one of on|off|true|false|yes|no");
    return std::nullopt;
  }
  std::optional<Script> script(const Stmt& s) {
    if (!value_stmt(s, 1, SIZE_MAX)) return std::nullopt;
    Script sc{s.arg(0).text, ""};
    if (sc.command.empty()) {
      d_.error(s.arg(0), s.key(), "empty command");
      return std::nullopt;
    }
    for (size_t i = 1; i < s.nargs(); ++i) sc.run_as += (i > 1 ? " " : "") + s.arg(i).text;
    return sc;
  }
  std::optional<std::string> word(const Stmt& s) {
    if (!value_stmt(s, 1, 1)) return std::nullopt;
    return s.arg(0).text;
  }
  std::optional<LbKind> lb_kind(const Stmt& s) {
    if (!value_stmt(s, 1, SIZE_MAX)) return std::nullopt;
    const std::string& v = s.arg(0).text;
    if (v == "NAT") return LbKind::nat;
    if (v == "DR") return LbKind::dr;
    if (v == "FNAT") return LbKind::fnat;
    if (v == "TUN") return LbKind::tun;
    d_.error(s.arg(0), s.key(), in_quotes(v) + " is not one of NAT|DR|TUN|FNAT");
    return std::nullopt;
  }

  // The settings every level may set for the checkers below it. True when `s` was one of them.
  bool defaults(const Stmt& s, Defaults& d, bool http) {
    const std::string& k = s.key();
    if (k == "connect_timeout") {
      if (auto v = timer(s)) d.connect_timeout = v;
    } else if (k == "delay_loop") {
      if (auto v = timer(s)) d.delay_loop = v;
    } else if (k == "delay_before_retry") {
      if (auto v = timer(s)) d.delay_before_retry = v;
    } else if (k == "warmup") {
      if (auto v = timer(s)) d.warmup = v;
    } else if (k == "retry" || (http && k == "nb_get_retry")) {
      if (value_stmt(s, 1, 1))
        if (auto v = number(s, 0, 0, UINT32_MAX)) d.retry = static_cast<unsigned>(*v);
    } else if (k == "alpha") {
      if (auto v = flag(s)) d.alpha = v;
    } else if (k == "virtualhost") {
      if (auto v = word(s)) d.virtualhost = v;
    } else {
      return false;
    }
    return true;
  }

  // ---- top level

  void top_level(const Stmt& s) {
    const std::string& k = s.key();
    if (k == "virtual_server") virtual_server(s);
    else if (k == "virtual_server_group") address_group(s, false);
    else if (k == "local_address_group") address_group(s, true);
    else if (!one_of(kSkippedTopLevel, k)) unknown(s, "keepalived.conf");
  }

  void address_group(const Stmt& s, bool local) {
    if (!need_block(s) || !args(s, 1, 1)) return;
    const std::string& name = s.arg(0).text;
    const std::string owner = s.key() + " " + name;
    auto& seen = local ? lgroup_at_ : vgroup_at_;
    if (auto it = seen.find(name); it != seen.end()) {
      d_.error(s.words[0], s.key(), in_quotes(name) + " is already defined at " + it->second);
      return;
    }
    seen.emplace(name, d_.file(s.words[0].file) + ":" + std::to_string(s.words[0].line));
    PendingGroup g{s.words[0], {}};
    LocalAddressGroup lg{name, {d_.file(s.words[0].file), s.words[0].line}, {}};
    size_t count = 0;
    for (const Stmt& e : s.children) {
      if (e.has_block) {
        d_.error(e.words[0], owner, "an entry takes no block");
        continue;
      }
      if (!local && e.key() == "fwmark") {
        d_.warn(e.words[0], owner, "fwmark entries are not supported by dplb, skipped");
        continue;
      }
      auto r = parse_range(e.key());
      if (auto* why = std::get_if<std::string>(&r)) {
        d_.error(e.words[0], owner, *why);
        continue;
      }
      Range range = std::get<Range>(r);
      uint64_t n = uint64_t(range.last.v) - range.first.v + 1;
      if (count + n > kMaxAddresses) {
        d_.error(e.words[0], owner, "more than " + std::to_string(kMaxAddresses) + " addresses");
        return;
      }
      if (expanded_ + n > 4 * kMaxAddresses) {
        d_.error(e.words[0], owner,
                 "more than " + std::to_string(4 * kMaxAddresses) + " addresses in all groups together");
        return;
      }
      count += n;
      expanded_ += n;
      uint16_t p = 0;
      std::string ifname;
      if (local) {
        if (e.nargs() >= 1) ifname = e.arg(0).text;
      } else if (e.nargs() >= 1) {
        auto v = number(e, 0, 0, 65535);
        if (!v) continue;
        p = static_cast<uint16_t>(*v);
      }
      for (size_t i = 1; i < e.nargs(); ++i)
        d_.warn(e.arg(i), owner, "extra value " + in_quotes(e.arg(i).text) + " ignored");
      for (uint64_t a = range.first.v; a <= range.last.v; ++a) {
        if (local) lg.addresses.push_back({Ip4(uint32_t(a)), ifname});
        else g.entries.push_back({Ip4(uint32_t(a)), p});
      }
    }
    if (local) local_groups_.push_back(std::move(lg));
    else vgroups_.emplace(name, std::move(g));
  }

  void virtual_server(const Stmt& s) {
    PendingVs p;
    p.at = s.words[0];
    p.vs.where = {d_.file(s.words[0].file), s.words[0].line};
    bool ok = need_block(s) && args(s, 1, 3);
    if (ok) {
      const Token& a = s.arg(0);
      if (a.text == "fwmark" || a.text == "group") {
        if (s.nargs() < 2) {
          d_.error(a, s.key(), a.text == "fwmark" ? "fwmark expects a number" : "group expects a name");
          ok = false;
        } else if (a.text == "fwmark") {
          if (number(s, 1, 1, UINT32_MAX)) {
            d_.warn(s.words[0], s.key(),
                    "fwmark " + s.arg(1).text + ": fwmark services are not supported by dplb, skipped");
          }
          p.fwmark = true;
        } else {
          p.vs.group = s.arg(1).text;
        }
        if (s.nargs() > 2) d_.warn(s.arg(2), s.key(), "extra value " + in_quotes(s.arg(2).text) + " ignored");
      } else {
        auto addr = ip(s, 0);
        std::optional<uint16_t> pt = uint16_t(0);
        if (s.nargs() >= 2) {
          pt = port(s, 1);
          p.port_given = true;
        }
        if (s.nargs() > 2) d_.warn(s.arg(2), s.key(), "extra value " + in_quotes(s.arg(2).text) + " ignored");
        if (addr && pt) p.vs.addresses.push_back({*addr, *pt});
        else ok = false;
      }
    }
    for (const Stmt& c : s.children) vs_keyword(c, p);
    if (ok && !p.fwmark) pending_.push_back(std::move(p));
  }

  void vs_keyword(const Stmt& s, PendingVs& p) {
    VirtualServer& vs = p.vs;
    const std::string& k = s.key();
    if (defaults(s, p.d, false)) return;
    if (k == "lb_algo" || k == "lvs_sched") {
      if (!value_stmt(s, 1, 1)) return;
      static constexpr std::array<LbAlgo, 6> kAll = {LbAlgo::rr, LbAlgo::wrr, LbAlgo::lc,
                                                     LbAlgo::wlc, LbAlgo::sh, LbAlgo::mh};
      for (LbAlgo a : kAll) {
        if (to_string(a) == s.arg(0).text) {
          vs.lb_algo = a;
          return;
        }
      }
      d_.error(s.arg(0), k,
               "scheduler " + in_quotes(s.arg(0).text) + " is not supported by dplb (rr|wrr|lc|wlc|sh|mh)");
    } else if (k == "lb_kind" || k == "lvs_method") {
      if (auto v = lb_kind(s)) vs.lb_kind = *v;
    } else if (k == "protocol") {
      if (!value_stmt(s, 1, 1)) return;
      const std::string& v = s.arg(0).text;
      if (v == "TCP") vs.protocol = Protocol::tcp;
      else if (v == "UDP") vs.protocol = Protocol::udp;
      else if (v == "SCTP") d_.error(s.arg(0), k, "SCTP is not supported by dplb");
      else d_.error(s.arg(0), k, in_quotes(v) + " is not one of TCP|UDP");
    } else if (k == "persistence_timeout") {
      if (!value_stmt(s, 0, 1)) return;
      if (s.nargs() == 0) vs.persistence_timeout = kDefaultPersistence;
      else if (auto v = number(s, 0, 1, UINT32_MAX)) vs.persistence_timeout = static_cast<uint32_t>(*v);
    } else if (k == "persistence_granularity") {
      if (!value_stmt(s, 1, 1)) return;
      auto m = ip(s, 0);
      if (m && !is_contiguous_mask(*m)) d_.error(s.arg(0), k, in_quotes(s.arg(0).text) + " is not a netmask");
      else if (m) vs.persistence_granularity = m;
    } else if (k == "quorum" || k == "hysteresis") {
      if (!value_stmt(s, 1, 1)) return;
      if (auto v = number(s, 0, k == "quorum" ? 1 : 0, UINT32_MAX))
        (k == "quorum" ? vs.quorum : vs.hysteresis) = uint32_t(*v);
    } else if (k == "quorum_up" || k == "quorum_down") {
      if (auto v = script(s)) (k == "quorum_up" ? vs.quorum_up : vs.quorum_down) = *v;
    } else if (k == "sorry_server") {
      if (!value_stmt(s, 1, 2)) return;
      auto a = ip(s, 0);
      std::optional<uint16_t> pt = uint16_t(0);
      if (s.nargs() >= 2) pt = port(s, 1);
      if (a && pt) vs.sorry_server = Endpoint{*a, *pt};
    } else if (k == "inhibit_on_failure") {
      if (auto v = flag(s)) vs.inhibit_on_failure = *v;
    } else if (k == "omega" || k == "ha_suspend" || k == "ops") {
      if (auto v = flag(s)) (k == "omega" ? vs.omega : k == "ops" ? vs.ops : vs.ha_suspend) = *v;
    } else if (k == "laddr_group_name") {
      if (auto v = word(s)) {
        vs.laddr_group_name = *v;
        p.laddr_at = s.arg(0);
      }
    } else if (k == "real_server") {
      real_server(s, p);
    } else {
      unknown(s, "virtual_server");
    }
  }

  void real_server(const Stmt& s, PendingVs& p) {
    PendingRs r;
    r.at = s.words[0];
    r.rs.where = {d_.file(s.words[0].file), s.words[0].line};
    bool ok = need_block(s) && args(s, 1, 2);
    if (ok) {
      auto a = ip(s, 0);
      std::optional<uint16_t> pt = uint16_t(0);
      if (s.nargs() >= 2) pt = port(s, 1);
      if (a && pt) r.rs.addr = {*a, *pt};
      else ok = false;
    }
    for (const Stmt& c : s.children) {
      const std::string& k = c.key();
      if (defaults(c, r.d, false)) continue;
      if (k == "weight") {
        if (value_stmt(c, 1, 1))
          if (auto v = number(c, 0, 0, 65535)) r.rs.weight = uint32_t(*v);
      } else if (k == "inhibit_on_failure") {
        if (auto v = flag(c)) r.inhibit = v;
      } else if (k == "lb_kind" || k == "lvs_method") {
        if (auto v = lb_kind(c)) r.lb_kind = v;
      } else if (k == "notify_up" || k == "notify_down") {
        if (auto v = script(c)) (k == "notify_up" ? r.rs.notify_up : r.rs.notify_down) = *v;
      } else if (k == "TCP_CHECK" || k == "HTTP_GET" || k == "SSL_GET" || k == "MISC_CHECK") {
        checker(c, r);
      } else if (one_of(kOtherCheckers, k)) {
        d_.warn(c.words[0], k, "this checker is not supported by dplb, ignored");
      } else {
        unknown(c, "real_server");
      }
    }
    if (ok && !p.fwmark) p.rss.push_back(std::move(r));
  }

  void checker(const Stmt& s, PendingRs& r) {
    PendingChecker pc;
    Checker& c = pc.c;
    const std::string& k = s.key();
    c.kind = k == "TCP_CHECK" ? CheckerKind::tcp : k == "HTTP_GET" ? CheckerKind::http
             : k == "SSL_GET" ? CheckerKind::ssl : CheckerKind::misc;
    c.where = {d_.file(s.words[0].file), s.words[0].line};
    const bool http = c.kind == CheckerKind::http || c.kind == CheckerKind::ssl;
    const bool misc = c.kind == CheckerKind::misc;
    bool ok = need_block(s);
    if (ok) args(s, 0, 0);
    for (const Stmt& o : s.children) {
      const std::string& key = o.key();
      if (defaults(o, pc.d, http)) continue;
      if (!misc && key == "connect_ip") {
        if (value_stmt(o, 1, 1)) pc.connect_ip = ip(o, 0);
      } else if (!misc && key == "connect_port") {
        if (value_stmt(o, 1, 1)) pc.connect_port = port(o, 0);
      } else if (!misc && key == "bindto") {
        if (value_stmt(o, 1, 1)) c.bindto = ip(o, 0);
      } else if (!misc && key == "bind_port") {
        if (value_stmt(o, 1, 1))
          if (auto v = port(o, 0)) c.bind_port = *v;
      } else if (http && key == "url") {
        url(o, c);
      } else if (misc && key == "misc_path") {
        if (!value_stmt(o, 1, SIZE_MAX)) continue;
        c.misc_path.clear();
        for (size_t i = 0; i < o.nargs(); ++i) c.misc_path += (i > 0 ? " " : "") + o.arg(i).text;
      } else if (misc && key == "misc_timeout") {
        if (value_stmt(o, 1, 1))
          if (auto v = number(o, 0, 1, kMaxTimerSeconds)) pc.misc_timeout = seconds(*v);
      } else if (misc && key == "misc_dynamic") {
        if (auto v = flag(o)) c.misc_dynamic = *v;
      } else if (misc && key == "user") {
        if (!value_stmt(o, 1, SIZE_MAX)) continue;
        c.user.clear();
        for (size_t i = 0; i < o.nargs(); ++i) c.user += (i > 0 ? " " : "") + o.arg(i).text;
      } else {
        unknown(o, k);
      }
    }
    if (!ok) return;
    // As keepalived: a checker with nothing to check is dropped with a word.
    if (http && c.urls.empty()) {
      d_.warn(s.words[0], k, "no url with a path, checker ignored");
      return;
    }
    if (misc && c.misc_path.empty()) {
      d_.warn(s.words[0], k, "no misc_path, checker ignored");
      return;
    }
    r.checkers.push_back(std::move(pc));
  }

  void url(const Stmt& s, Checker& c) {
    if (!need_block(s)) return;
    args(s, 0, 0);
    Url u;
    u.where = {d_.file(s.words[0].file), s.words[0].line};
    for (const Stmt& o : s.children) {
      const std::string& k = o.key();
      if (k == "path") {
        if (auto v = word(o)) u.path = *v;
      } else if (k == "virtualhost") {
        if (auto v = word(o)) u.virtualhost = *v;
      } else if (k == "digest") {
        if (!value_stmt(o, 1, 1)) continue;
        std::string hex = o.arg(0).text;
        auto is_hex = [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; };
        bool good = hex.size() == 32 && std::all_of(hex.begin(), hex.end(), is_hex);
        if (!good) {
          d_.error(o.arg(0), k, in_quotes(hex) + " is not an MD5 digest (32 hex digits, as genhash prints)");
          continue;
        }
        for (char& ch : hex) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        u.digest = hex;
      } else if (k == "status_code") {
        if (!value_stmt(o, 1, SIZE_MAX)) continue;
        for (size_t i = 0; i < o.nargs(); ++i) {
          const std::string& v = o.arg(i).text;
          size_t dash = v.find('-');
          auto lo = parse_u64(v.substr(0, dash));
          auto hi = dash == std::string::npos ? lo : parse_u64(v.substr(dash + 1));
          if (!lo || !hi || *lo < 100 || *hi > 599 || *hi < *lo) {
            d_.error(o.arg(i), k, in_quotes(v) + " is not a status code or range within 100..599");
            continue;
          }
          u.status_codes.push_back({uint16_t(*lo), uint16_t(*hi)});
        }
      } else {
        unknown(o, "url");
      }
    }
    if (u.path.empty()) {
      d_.warn(s.words[0], "url", "no path, url ignored");
      return;
    }
    c.urls.push_back(std::move(u));
  }

  // ---- after the whole file: groups, defaults, checks across virtual servers

  KeepalivedConf resolve() {
    KeepalivedConf out;
    std::map<std::pair<Endpoint, Protocol>, std::string> owner;  // virtual address -> where defined
    size_t total = 0;
    for (PendingVs& p : pending_) {
      VirtualServer& vs = p.vs;
      if (!vs.group.empty()) {
        auto it = vgroups_.find(vs.group);
        if (it == vgroups_.end()) {
          d_.error(p.at, "virtual_server", "group " + in_quotes(vs.group) + ": no virtual_server_group of that name");
          continue;
        }
        vs.addresses = it->second.entries;
      }
      if (!vs.laddr_group_name.empty() && !lgroup_at_.contains(vs.laddr_group_name))
        d_.error(*p.laddr_at, "laddr_group_name",
                 in_quotes(vs.laddr_group_name) + ": no local_address_group of that name");
      total += vs.addresses.size();
      if (total > kMaxAddresses) {
        d_.error(p.at, "virtual_server", "more than " + std::to_string(kMaxAddresses) + " virtual addresses in all");
        break;
      }
      const std::string here = vs.where.file + ":" + std::to_string(vs.where.line);
      bool duplicate = false;
      for (const Endpoint& e : vs.addresses) {
        auto [it, inserted] = owner.emplace(std::make_pair(e, vs.protocol), here);
        if (!inserted && !duplicate) {
          d_.error(p.at, "virtual_server",
                   to_string(e) + " " + std::string(to_string(vs.protocol)) + " is already defined at " + it->second);
          duplicate = true;
        }
      }
      // As keepalived: a port 0 address is only valid persistent, so persistence is set.
      bool zero_port =
          std::any_of(vs.addresses.begin(), vs.addresses.end(), [](const Endpoint& e) { return e.port == 0; });
      if (zero_port && !vs.persistence_timeout) {
        d_.warn(p.at, "virtual_server",
                "port 0 is only valid for a persistent service, persistence_timeout set to 360");
        vs.persistence_timeout = kDefaultPersistence;
      }
      vs.delay_loop = p.d.delay_loop.value_or(seconds(60));
      vs.alpha = p.d.alpha.value_or(false);
      vs.virtualhost = p.d.virtualhost.value_or("");
      const uint16_t vs_port = vs.group.empty() && !vs.addresses.empty() ? vs.addresses[0].port : 0;
      std::set<Endpoint> seen_rs;
      for (PendingRs& r : p.rss) {
        RealServer rs = std::move(r.rs);
        if (rs.addr.port == 0) rs.addr.port = vs_port;
        if (!seen_rs.insert(rs.addr).second) {
          d_.warn(r.at, "real_server", to_string(rs.addr) + " is a duplicate, ignored");
          continue;
        }
        rs.lb_kind = r.lb_kind.value_or(vs.lb_kind);
        rs.inhibit_on_failure = r.inhibit.value_or(vs.inhibit_on_failure);
        for (PendingChecker& pc : r.checkers) {
          Checker c = std::move(pc.c);
          const bool http = c.kind == CheckerKind::http || c.kind == CheckerKind::ssl;
          c.connect = {pc.connect_ip.value_or(rs.addr.ip), pc.connect_port.value_or(rs.addr.port)};
          c.connect_timeout = pick(pc.d.connect_timeout, r.d.connect_timeout, p.d.connect_timeout, Micros(seconds(5)));
          c.delay_loop = pick(pc.d.delay_loop, r.d.delay_loop, p.d.delay_loop, Micros(seconds(60)));
          c.warmup = pick(pc.d.warmup, r.d.warmup, p.d.warmup, c.delay_loop);
          c.delay_before_retry = pick(pc.d.delay_before_retry, r.d.delay_before_retry, p.d.delay_before_retry,
                                      Micros(seconds(http ? 3 : 1)));
          c.retry = pick(pc.d.retry, r.d.retry, p.d.retry, c.kind == CheckerKind::misc ? 0u : 1u);
          c.alpha = pick(pc.d.alpha, r.d.alpha, p.d.alpha, false);
          c.virtualhost = pick(pc.d.virtualhost, r.d.virtualhost, p.d.virtualhost, std::string());
          c.misc_timeout = pc.misc_timeout.value_or(c.delay_loop);
          rs.checkers.push_back(std::move(c));
        }
        vs.real_servers.push_back(std::move(rs));
      }
      out.virtual_servers.push_back(std::move(vs));
    }
    out.local_address_groups = std::move(local_groups_);
    return out;
  }

  Diagnostics& d_;
  std::vector<PendingVs> pending_;
  std::map<std::string, PendingGroup> vgroups_;
  std::map<std::string, std::string> vgroup_at_, lgroup_at_;  // name -> "FILE:LINE"
  std::vector<LocalAddressGroup> local_groups_;
  size_t expanded_ = 0;  // addresses of all groups, bounded so that a few bytes cannot take gigabytes
};

std::string read_file(const std::string& path, Status& st) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  auto cannot_read = [&path](int code) {
    return Status::error(code, path + ": cannot read: " + std::generic_category().message(code));
  };
  if (!file) {
    st = cannot_read(errno);
    return {};
  }
  std::string text;
  char buf[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, file.get())) > 0) {
    text.append(buf, n);
    if (text.size() > kMaxFileBytes) {
      st = Status::error(EFBIG, path + ": cannot read: larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB");
      return {};
    }
  }
  if (std::ferror(file.get())) st = cannot_read(errno ? errno : EIO);
  return text;
}

// The pattern as the including file sees it: relative to its directory.
std::string beside(std::string_view pattern, std::string_view including_file) {
  std::filesystem::path p{std::string(pattern)};
  if (p.is_absolute()) return p.lexically_normal().string();
  return (std::filesystem::path(std::string(including_file)).parent_path() / p).lexically_normal().string();
}

}  // namespace

std::string_view to_string(LbAlgo a) {
  switch (a) {
    case LbAlgo::rr: return "rr";
    case LbAlgo::wrr: return "wrr";
    case LbAlgo::lc: return "lc";
    case LbAlgo::wlc: return "wlc";
    case LbAlgo::sh: return "sh";
    case LbAlgo::mh: return "mh";
  }
  return "?";
}

std::string_view to_string(LbKind k) {
  switch (k) {
    case LbKind::nat: return "NAT";
    case LbKind::dr: return "DR";
    case LbKind::tun: return "TUN";
    case LbKind::fnat: return "FNAT";
  }
  return "?";
}

std::string_view to_string(Protocol p) { return p == Protocol::udp ? "UDP" : "TCP"; }

std::string_view to_string(CheckerKind k) {
  switch (k) {
    case CheckerKind::tcp: return "TCP_CHECK";
    case CheckerKind::http: return "HTTP_GET";
    case CheckerKind::ssl: return "SSL_GET";
    case CheckerKind::misc: return "MISC_CHECK";
  }
  return "?";
}

std::string to_string(const Endpoint& e) { return dplb::to_string(e.ip) + ":" + std::to_string(e.port); }

std::string Warning::to_string() const {
  return one_line(where.file + (where.line > 0 ? ":" + std::to_string(where.line) : std::string()) + ": " + message);
}

Result<KeepalivedConf> parse_keepalived(std::string_view text, const std::string& file_name,
                                        const IncludeLoader& include_loader) {
  Diagnostics d;
  std::vector<Token> tokens = Lexer(d, include_loader).run(text, file_name);
  std::vector<Stmt> top = TreeBuilder(d, tokens).build();
  KeepalivedConf conf = Interpreter(d).run(top);
  if (d.has_errors()) return d.status();
  conf.warnings = d.take_warnings();
  return conf;
}

IncludeLoader disk_include_loader() {
  return [](std::string_view pattern, std::string_view including_file) -> Result<std::vector<SourceFile>> {
    std::string full = beside(pattern, including_file);
    glob_t g{};
    int rc = ::glob(full.c_str(), GLOB_MARK | GLOB_BRACE, nullptr, &g);
    std::unique_ptr<glob_t, void (*)(glob_t*)> guard(&g, &::globfree);
    std::vector<SourceFile> out;
    if (rc == GLOB_NOMATCH) return out;
    if (rc != 0) return Status::error(EIO, full + ": cannot read: glob failed");
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      std::string name = g.gl_pathv[i];
      if (name.ends_with('/')) continue;  // a directory
      Status st;
      std::string text = read_file(name, st);
      if (!st.is_ok()) return st;
      out.push_back({std::move(name), std::move(text)});
    }
    return out;
  };
}

IncludeLoader memory_include_loader(std::map<std::string, std::string> files) {
  return [files = std::move(files)](std::string_view pattern,
                                    std::string_view including_file) -> Result<std::vector<SourceFile>> {
    std::string full = beside(pattern, including_file);
    std::vector<SourceFile> out;
    for (const auto& [name, text] : files)
      if (::fnmatch(full.c_str(), normal_name(name).c_str(), FNM_PATHNAME) == 0) out.push_back({name, text});
    return out;
  };
}

Result<KeepalivedConf> load_keepalived(const std::string& path) {
  Status st;
  std::string text = read_file(path, st);
  if (!st.is_ok()) return st;
  return parse_keepalived(text, path, disk_include_loader());
}

std::string to_ipvsadm_rules(const KeepalivedConf& conf) {
  std::string out;
  for (const VirtualServer& vs : conf.virtual_servers) {
    for (const Endpoint& vip : vs.addresses) {
      std::string svc = std::string(vs.protocol == Protocol::udp ? "-u " : "-t ") + to_string(vip);
      out += "-A " + svc + " -s " + std::string(to_string(vs.lb_algo));
      if (vs.persistence_timeout) {
        out += " -p " + std::to_string(*vs.persistence_timeout);
        if (vs.persistence_granularity) out += " -M " + dplb::to_string(*vs.persistence_granularity);
      }
      if (vs.ops) out += " -o";
      out += '\n';
      for (const RealServer& rs : vs.real_servers) {
        Endpoint to{rs.addr.ip, rs.addr.port != 0 ? rs.addr.port : vip.port};
        const char* fwd = rs.lb_kind == LbKind::dr ? "-g" : rs.lb_kind == LbKind::tun ? "-i"
                          : rs.lb_kind == LbKind::fnat ? "-b" : "-m";
        out += "-a " + svc + " -r " + to_string(to) + " " + fwd + " -w " + std::to_string(rs.weight) + "\n";
      }
    }
  }
  return out;
}

}  // namespace dplb::keepalived
