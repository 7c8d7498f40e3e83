#include "dplb/conf/config_loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <system_error>

#include "dplb/base/addr.h"
#include "dplb/base/one_line.h"

namespace dplb::conf {

namespace {

constexpr size_t kMaxFileBytes = 16u << 20;
constexpr size_t kMaxReportedProblems = 20;
constexpr size_t kMaxUnixSocketPath = 107;  // sizeof(sockaddr_un::sun_path) - 1
constexpr std::array<std::string_view, 7> kLogLevelChoices = {"trace", "debug",    "info", "warn",
                                                              "error", "critical", "off"};
constexpr std::array<std::string_view, 2> kUnclaimedChoices = {"kernel", "drop"};

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "table";
    case toml::node_type::array: return "array";
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "floating-point number";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string join(std::span<const std::string_view> items, std::string_view sep) {
  std::string out;
  for (std::string_view item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

uint32_t line_of(const toml::node& n) { return n.source().begin.line; }
uint32_t line_of(const toml::key& k) { return k.source().begin.line; }


// Every problem found, reported together in file order.
class Problems {
 public:
  Problems(std::string file, std::vector<std::string>* keys_not_set)
      : file_(std::move(file)), keys_not_set_(keys_not_set) {}

  void add(uint32_t line, std::string_view key, std::string_view problem) {
    std::string text = file_;
    if (line > 0) text += ":" + std::to_string(line);
    text += ": ";
    if (!key.empty()) text += std::string(key) + ": ";
    text += problem;
    entries_.push_back({line, one_line(text)});
  }

  void not_set(std::string key) {
    if (keys_not_set_ != nullptr) keys_not_set_->push_back(std::move(key));
  }

  bool empty() const { return entries_.empty(); }

  Status status() {
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const Entry& a, const Entry& b) { return a.line < b.line; });
    std::string message;
    size_t shown = std::min(entries_.size(), kMaxReportedProblems);
    for (size_t i = 0; i < shown; ++i) {
      if (i > 0) message += '\n';
      message += entries_[i].text;
    }
    if (entries_.size() > shown) {
      message += "\n" + file_ + ": " + std::to_string(entries_.size() - shown) + " more problems not shown";
    }
    return Status::invalid(std::move(message));
  }

 private:
  struct Entry {
    uint32_t line;
    std::string text;
  };
  std::string file_;
  std::vector<std::string>* keys_not_set_;
  std::vector<Entry> entries_;
};

// Reads one TOML table: typed getters that report wrong types and ranges, and a final check that the
// table holds no key nobody asked for (so a typo is an error, not a silently ignored setting).
class TableReader {
 public:
  TableReader(Problems& problems, const toml::table& table, std::string path)
      : problems_(problems), table_(table), path_(std::move(path)) {}

  std::string key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  const std::string& path() const { return path_; }
  const toml::table& table() const { return table_; }
  Problems& problems() { return problems_; }

  // The key's value, or null when absent. Every key looked up is a known key.
  const toml::node* get(std::string_view key) {
    known_.emplace(key);
    const toml::node* n = table_.get(key);
    if (n == nullptr) problems_.not_set(key_path(key));
    return n;
  }

  // As get(), reporting an absent key.
  const toml::node* require(std::string_view key, std::string_view why) {
    const toml::node* n = get(key);
    if (n == nullptr) problems_.add(line_of(table_), key_path(key), "is required (" + std::string(why) + ")");
    return n;
  }

  void problem(const toml::node& n, std::string_view key, std::string_view text) {
    problems_.add(line_of(n), key_path(key), text);
  }

  void wrong_type(const toml::node& n, std::string_view key, std::string_view expected) {
    problem(n, key, "expected " + std::string(expected) + ", got " + std::string(type_name(n)));
  }

  void check_unknown() {
    for (auto&& [key, value] : table_) {
      if (known_.contains(key.str())) continue;
      problems_.add(line_of(key), key_path(key.str()), value.is_table() ? "unknown table" : "unknown key");
    }
  }

 private:
  Problems& problems_;
  const toml::table& table_;
  std::string path_;
  std::set<std::string, std::less<>> known_;
};

bool read_bool(TableReader& r, std::string_view key, bool& out) {
  const toml::node* n = r.get(key);
  if (n == nullptr) return false;
  if (auto v = n->value_exact<bool>()) {
    out = *v;
    return true;
  }
  r.wrong_type(*n, key, "a boolean");
  return false;
}

// An integer within lo..hi from an optional node (already looked up).
template <typename T>
bool read_uint_node(TableReader& r, const toml::node* n, std::string_view key, T& out, int64_t lo,
                    int64_t hi) {
  if (n == nullptr) return false;
  const auto* i = n->as_integer();
  if (i == nullptr) {
    r.wrong_type(*n, key, "an integer");
    return false;
  }
  int64_t v = i->get();
  if (v < lo || v > hi) {
    r.problem(*n, key,
              std::to_string(v) + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
    return false;
  }
  out = static_cast<T>(v);
  return true;
}

template <typename T>
bool read_uint(TableReader& r, std::string_view key, T& out, int64_t lo, int64_t hi) {
  return read_uint_node(r, r.get(key), key, out, lo, hi);
}

bool read_string_node(TableReader& r, const toml::node* n, std::string_view key, std::string& out) {
  if (n == nullptr) return false;
  if (auto v = n->value_exact<std::string>()) {
    out = std::move(*v);
    return true;
  }
  r.wrong_type(*n, key, "a string");
  return false;
}

bool read_string(TableReader& r, std::string_view key, std::string& out) {
  return read_string_node(r, r.get(key), key, out);
}

bool read_choice(TableReader& r, std::string_view key, std::span<const std::string_view> choices,
                 std::string& out) {
  const toml::node* n = r.get(key);
  std::string value;
  if (!read_string_node(r, n, key, value)) return false;
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    r.problem(*n, key, in_quotes(value) + " is not one of " + join(choices, "|"));
    return false;
  }
  out = std::move(value);
  return true;
}

// An array of strings; `item_problem` vets each (returning a problem text, or "" when fine).
template <typename Check>
bool read_string_list(TableReader& r, std::string_view key, std::vector<std::string>& out,
                      Check item_problem) {
  const toml::node* n = r.get(key);
  if (n == nullptr) return false;
  const toml::array* arr = n->as_array();
  if (arr == nullptr) {
    r.wrong_type(*n, key, "an array of strings");
    return false;
  }
  std::vector<std::string> items;
  bool ok = true;
  for (size_t i = 0; i < arr->size(); ++i) {
    std::string item_key = std::string(key) + "[" + std::to_string(i) + "]";
    const toml::node& item = *arr->get(i);
    std::string value;
    if (!read_string_node(r, &item, item_key, value)) {
      ok = false;
      continue;
    }
    if (std::string problem = item_problem(value); !problem.empty()) {
      r.problem(item, item_key, problem);
      ok = false;
      continue;
    }
    items.push_back(std::move(value));
  }
  if (ok) out = std::move(items);
  return ok;
}

std::string any_string(const std::string&) { return {}; }
std::string non_empty_path(const std::string& s) { return s.empty() ? "empty path" : std::string(); }

// A section of the root table, or `empty` when absent (so its keys still count as looked for).
const toml::table& section(TableReader& root, std::string_view name, const toml::table& empty) {
  const toml::node* n = root.get(name);
  if (n == nullptr) return empty;
  if (const toml::table* t = n->as_table()) return *t;
  root.wrong_type(*n, name, "a table");
  return empty;
}

// Relative paths in the file are relative to the file's directory, not to the daemon's working directory.
std::string resolve_path(const std::string& config_path, const std::string& p) {
  namespace fs = std::filesystem;
  fs::path rel(p);
  if (p.empty() || rel.is_absolute()) return p;
  fs::path joined = fs::path(config_path).parent_path() / rel;
  std::error_code ec;
  fs::path abs = fs::absolute(joined, ec);
  return ec ? joined.string() : abs.string();
}

void read_global(Problems& problems, const toml::table& table, Config& c) {
  TableReader r(problems, table, "global");
  read_choice(r, "log_level", kLogLevelChoices, c.log_level);
  read_bool(r, "forwarding", c.forwarding);
  if (read_string_list(r, "dpip_batch", c.dpip_batch, non_empty_path)) {
    for (std::string& p : c.dpip_batch) p = resolve_path(c.source, p);
  }
  if (read_string(r, "ipvs_rules", c.ipvs_rules)) c.ipvs_rules = resolve_path(c.source, c.ipvs_rules);
  r.check_unknown();
}

void read_eal(Problems& problems, const toml::table& table, Config& c) {
  TableReader r(problems, table, "eal");
  read_string_list(r, "args", c.eal_args, any_string);
  r.check_unknown();
}

void read_ctrl(Problems& problems, const toml::table& table, Config& c) {
  TableReader r(problems, table, "ctrl");
  const toml::node* socket = r.get("socket");
  std::string path;
  if (read_string_node(r, socket, "socket", path)) {
    if (path.empty()) {
      r.problem(*socket, "socket", "empty path");
    } else if (path.size() > kMaxUnixSocketPath) {
      r.problem(*socket, "socket",
                "path is " + std::to_string(path.size()) + " bytes, longer than a unix socket allows (" +
                    std::to_string(kMaxUnixSocketPath) + ")");
    } else {
      c.ipc_socket = std::move(path);
    }
  }
  read_string(r, "group", c.ipc_group);
  read_uint(r, "msg_timeout_ms", c.msg_timeout_ms, 1, 3'600'000);
  read_uint(r, "msg_burst", c.msg_burst, 1, 4096);
  r.check_unknown();
}

void read_dataplane(Problems& problems, const toml::table& table, Config& c) {
  TableReader r(problems, table, "dataplane");
  read_bool(r, "idle_backoff", c.idle_backoff);
  read_uint(r, "idle_polls", c.idle_polls, 1, 1 << 24);
  read_uint(r, "idle_sleep_us", c.idle_sleep_us, 1, 1'000'000);
  read_uint(r, "tx_drain_us", c.tx_drain_us, 1, 1'000'000);
  read_uint(r, "mbufs_per_pool", c.mbufs_per_pool, 1024, 1 << 24);
  read_uint(r, "mbuf_cache", c.mbuf_cache, 0, kMaxMbufCache);
  read_uint(r, "conn_prefetch_min", c.conn_prefetch_min, 0, 1u << 24);
  read_uint(r, "icmp_rate_per_sec", c.icmp_rate_per_sec, 0, 1'000'000);
  r.check_unknown();
}

// "127.0.0.1:9469": an IPv4 address and a port 1..65535; "" turns the endpoint off.
void read_metrics(Problems& problems, const toml::table& table, Config& c) {
  TableReader r(problems, table, "metrics");
  const toml::node* listen = r.get("listen");
  std::string text;
  if (read_string_node(r, listen, "listen", text)) {
    const size_t colon = text.rfind(':');
    std::optional<Ip4> addr = colon == std::string::npos ? std::nullopt : parse_ip4(text.substr(0, colon));
    unsigned port = 0;
    bool port_ok = false;
    if (colon != std::string::npos) {
      const char* first = text.data() + colon + 1;
      const char* last = text.data() + text.size();
      auto [end, ec] = std::from_chars(first, last, port);
      port_ok = ec == std::errc() && end == last && first != last && port >= 1 && port <= 65535;
    }
    if (text.empty()) {
      c.metrics_listen.clear();
    } else if (!addr || !port_ok) {
      r.problem(*listen, "listen", in_quotes(text) + " is not ADDRESS:PORT (an IPv4 address, a port 1..65535), or \"\" for off");
    } else {
      c.metrics_listen = text;
      c.metrics_addr = *addr;
      c.metrics_port = static_cast<uint16_t>(port);
    }
  }
  r.check_unknown();
}

void read_ipvs(Problems& problems, const toml::table& table, Config& c) {
  TableReader r(problems, table, "ipvs");
  read_uint(r, "conn_capacity", c.conn_capacity, 1, 16 << 20);
  r.check_unknown();
}

std::string port_name_problem(std::string_view name) {
  return in_quotes(name) + " is not a port name (dpdk<N>, N = ethdev id 0.." + std::to_string(kMaxPorts - 1) +
         ")";
}

// An interface address: a unicast host address with a prefix length 1..32, not the network or broadcast
// address of its own subnet (for subnets that have those).
std::string address_problem(const std::string& text, Ip4Prefix& out) {
  size_t slash = text.find('/');
  auto addr = parse_ip4(std::string_view(text).substr(0, slash));
  if (!addr) return in_quotes(text) + " is not an IPv4 address/prefix";
  auto prefix = parse_ip4_prefix(text, 32);
  if (!prefix || prefix->len == 0) return in_quotes(text) + ": prefix length must be 1..32";
  Ip4 a = prefix->addr;
  std::string what;
  if (a.is_zero())
    what = "the unspecified address";
  else if (a.is_loopback())
    what = "a loopback address";
  else if (a.is_limited_broadcast())
    what = "the broadcast address";
  else if (a.is_multicast())
    what = "a multicast address";
  else if ((a.v >> 28) == 0xf)
    what = "a reserved (class E) address";
  else if (prefix->len <= 30 && a == prefix->network())
    what = "the network address of its subnet";
  else if (prefix->len <= 30 && a == prefix->broadcast())
    what = "the broadcast address of its subnet";
  if (!what.empty()) return in_quotes(text) + ": " + to_string(a) + " is " + what;
  out = *prefix;
  return {};
}

void read_addresses(TableReader& r, PortConf& port, std::map<Ip4, std::string>& owners) {
  const toml::node* n = r.get("addresses");
  if (n == nullptr) return;
  const toml::array* arr = n->as_array();
  if (arr == nullptr) {
    r.wrong_type(*n, "addresses", "an array of strings (\"a.b.c.d/len\")");
    return;
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    std::string key = "addresses[" + std::to_string(i) + "]";
    const toml::node& item = *arr->get(i);
    std::string text;
    if (!read_string_node(r, &item, key, text)) continue;
    Ip4Prefix prefix;
    if (std::string problem = address_problem(text, prefix); !problem.empty()) {
      r.problem(item, key, problem);
      continue;
    }
    auto [it, inserted] = owners.emplace(prefix.addr, r.key_path(key));
    if (!inserted) {
      r.problem(
          item, key,
          in_quotes(text) + ": duplicate address " + to_string(prefix.addr) + " (also " + it->second + ")");
      continue;
    }
    port.addresses.push_back(prefix);
  }
}

void read_ports(TableReader& root, Config& c) {
  const toml::node* n = root.get("ports");
  if (n == nullptr) return;
  const toml::table* ports = n->as_table();
  if (ports == nullptr) {
    root.wrong_type(*n, "ports", "a table ([ports.dpdk0])");
    return;
  }
  std::map<Ip4, std::string> address_owners;
  for (auto&& [name, value] : *ports) {
    std::string path = "ports." + std::string(name.str());
    if (port_id_from_name(name.str()) < 0) {
      root.problems().add(line_of(name), path, port_name_problem(name.str()));
      continue;
    }
    const toml::table* table = value.as_table();
    if (table == nullptr) {
      root.problems().add(line_of(value), path, "expected a table, got " + std::string(type_name(value)));
      continue;
    }
    PortConf port;
    port.name = name.str();
    TableReader r(root.problems(), *table, path);
    read_uint(r, "mtu", port.mtu, 68, 9600);
    read_uint(r, "rx_queues", port.rx_queues, 0, kMaxQueuesPerPort);
    read_uint(r, "tx_queues", port.tx_queues, 0, kMaxQueuesPerPort);
    read_uint(r, "rx_desc", port.rx_desc, 32, 16384);
    read_uint(r, "tx_desc", port.tx_desc, 32, 16384);
    read_bool(r, "promisc", port.promisc);
    read_addresses(r, port, address_owners);
    read_bool(r, "kni", port.kni);
    std::string unclaimed;
    if (read_choice(r, "unclaimed", kUnclaimedChoices, unclaimed)) {
      port.unclaimed = unclaimed == "drop" ? UnclaimedPolicy::drop : UnclaimedPolicy::kernel;
    }
    r.check_unknown();
    c.ports.push_back(std::move(port));
  }
  // The TOML table is ordered by name ("dpdk10" before "dpdk2"); keep ports in ethdev id order.
  std::sort(c.ports.begin(), c.ports.end(), [](const PortConf& a, const PortConf& b) {
    return port_id_from_name(a.name) < port_id_from_name(b.name);
  });
}

std::optional<QueueMap> read_queue_map(TableReader& worker, const toml::node& node, const std::string& path) {
  const toml::table* table = node.as_table();
  if (table == nullptr) {
    worker.problems().add(
        line_of(node), path,
        "expected a table ({ port = \"dpdk0\", rx = 0, tx = 0 }), got " + std::string(type_name(node)));
    return std::nullopt;
  }
  TableReader r(worker.problems(), *table, path);
  QueueMap q;
  bool ok = true;
  const toml::node* port = r.require("port", "the port's name, e.g. \"dpdk0\"");
  if (port == nullptr) {
    ok = false;
  } else if (!read_string_node(r, port, "port", q.port)) {
    ok = false;
  } else if (port_id_from_name(q.port) < 0) {
    r.problem(*port, "port", port_name_problem(q.port));
    ok = false;
  }
  const toml::node* rx = r.get("rx");
  const toml::node* tx = r.get("tx");
  uint16_t index = 0;
  if (rx != nullptr) {
    if (read_uint_node(r, rx, "rx", index, 0, kMaxQueuesPerPort - 1))
      q.rx_queue = index;
    else
      ok = false;
  }
  if (tx != nullptr) {
    if (read_uint_node(r, tx, "tx", index, 0, kMaxQueuesPerPort - 1))
      q.tx_queue = index;
    else
      ok = false;
  }
  r.check_unknown();  // first: a misspelt "rx" explains the problem below
  if (rx == nullptr && tx == nullptr) {
    r.problems().add(line_of(*table), path, "needs rx, tx or both");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return q;
}

void read_workers(TableReader& root, Config& c) {
  const toml::node* n = root.get("workers");
  if (n == nullptr) return;
  const toml::array* workers = n->as_array();
  if (workers == nullptr) {
    root.wrong_type(*n, "workers", "an array of tables ([[workers]])");
    return;
  }
  std::map<unsigned, std::string> lcore_owners;
  for (size_t i = 0; i < workers->size(); ++i) {
    std::string path = "workers[" + std::to_string(i) + "]";
    const toml::node& node = *workers->get(i);
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      root.problems().add(line_of(node), path, "expected a table, got " + std::string(type_name(node)));
      continue;
    }
    TableReader r(root.problems(), *table, path);
    WorkerConf worker;
    const toml::node* lcore = r.require("lcore", "the lcore this worker runs on");
    if (read_uint_node(r, lcore, "lcore", worker.lcore, 0, kMaxLcores - 1)) {
      auto [it, inserted] = lcore_owners.emplace(worker.lcore, path);
      if (!inserted)
        r.problem(*lcore, "lcore",
                  "lcore " + std::to_string(worker.lcore) + " is already used by " + it->second);
    }
    const toml::node* queues = r.require("queues", "a worker needs at least one queue");
    if (queues != nullptr) {
      const toml::array* arr = queues->as_array();
      if (arr == nullptr) {
        r.wrong_type(*queues, "queues", "an array of tables ([{ port = \"dpdk0\", rx = 0, tx = 0 }])");
      } else if (arr->empty()) {
        r.problem(*queues, "queues", "a worker needs at least one queue");
      } else {
        for (size_t j = 0; j < arr->size(); ++j) {
          auto q = read_queue_map(r, *arr->get(j), r.key_path("queues[" + std::to_string(j) + "]"));
          if (q) worker.queues.push_back(std::move(*q));
        }
      }
    }
    r.check_unknown();
    c.workers.push_back(std::move(worker));
  }
}

}  // namespace

int port_id_from_name(std::string_view name) {
  constexpr std::string_view kPrefix = "dpdk";
  if (!name.starts_with(kPrefix)) return -1;
  std::string_view digits = name.substr(kPrefix.size());
  if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) return -1;
  unsigned id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size() || id >= kMaxPorts) return -1;
  return static_cast<int>(id);
}

Config default_config() { return Config{}; }

Result<Config> parse_config(std::string_view text, const std::string& path,
                            std::vector<std::string>* keys_not_set) {
  if (keys_not_set != nullptr) keys_not_set->clear();
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    const toml::source_position& at = e.source().begin;
    return Status::invalid(one_line(path + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " +
                                    std::string(e.description())));
  }

  Config c = default_config();
  c.source = path;
  Problems problems(path, keys_not_set);
  TableReader r(problems, root, "");
  const toml::table empty;
  read_global(problems, section(r, "global", empty), c);
  read_eal(problems, section(r, "eal", empty), c);
  read_ctrl(problems, section(r, "ctrl", empty), c);
  read_dataplane(problems, section(r, "dataplane", empty), c);
  read_ipvs(problems, section(r, "ipvs", empty), c);
  read_metrics(problems, section(r, "metrics", empty), c);
  read_ports(r, c);
  read_workers(r, c);
  r.check_unknown();
  if (!problems.empty()) return problems.status();
  return c;
}

Result<Config> load_config(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  auto cannot_read = [&path](int code) {
    return Status::error(code, path + ": cannot read: " + std::generic_category().message(code));
  };
  if (!file) return cannot_read(errno);
  std::string text;
  char buf[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, file.get())) > 0) {
    text.append(buf, n);
    if (text.size() > kMaxFileBytes) {
      return Status::error(
          EFBIG, path + ": cannot read: larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB");
    }
  }
  if (std::ferror(file.get())) return cannot_read(errno);
  return parse_config(text, path);
}

}  // namespace dplb::conf
