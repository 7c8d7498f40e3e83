#include "dplb/conf/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dplb::conf {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kSample = std::string(DPLB_SOURCE_DIR) + "/conf/dplb.toml.sample";

// The message of a config that must be rejected.
std::string error_of(std::string_view text) {
  auto r = parse_config(text, "dplb.toml");
  EXPECT_FALSE(r.is_ok()) << "accepted:\n" << text;
  if (r.is_ok()) return {};
  EXPECT_EQ(r.status().code(), EINVAL);
  return r.status().message();
}

Config loaded(std::string_view text) {
  auto r = parse_config(text, "/etc/dplb/dplb.toml");
  EXPECT_TRUE(r.is_ok()) << r.status().message() << "\n" << text;
  return r.is_ok() ? *r : Config{};
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- the sample and the defaults ----

TEST(ConfigSample, LoadsWithTheDocumentedValues) {
  auto r = load_config(kSample);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  const Config& c = *r;
  std::string dir = std::filesystem::absolute(std::filesystem::path(kSample).parent_path()).string();
  EXPECT_EQ(c.source, kSample);
  EXPECT_EQ(c.log_level, "info");
  EXPECT_FALSE(c.forwarding);
  EXPECT_EQ(c.dpip_batch, std::vector<std::string>{dir + "/routes.batch"});
  EXPECT_EQ(c.ipvs_rules, dir + "/rules.ipvs");
  ASSERT_EQ(c.eal_args.size(), 6u);
  EXPECT_EQ(c.eal_args[0], "--no-huge");
  EXPECT_EQ(c.eal_args[5], "--vdev=net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap");
  EXPECT_EQ(c.ipc_socket, "/var/run/dplb.ipc");
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].name, "dpdk0");
  EXPECT_EQ(c.ports[0].rx_queues, 1);
  ASSERT_EQ(c.ports[0].addresses.size(), 1u);
  EXPECT_EQ(to_string(c.ports[0].addresses[0]), "10.0.0.1/24");
  ASSERT_EQ(c.workers.size(), 1u);
  EXPECT_EQ(c.workers[0].lcore, 1u);
  EXPECT_EQ(c.workers[0].queues, (std::vector<QueueMap>{{"dpdk0", 0, 0}}));
  // Apart from what the sample sets differently, it shows the defaults.
  Config expected = default_config();
  expected.source = c.source;
  expected.dpip_batch = c.dpip_batch;
  expected.ipvs_rules = c.ipvs_rules;
  expected.eal_args = c.eal_args;
  // The sample turns the metrics endpoint on (the default is off).
  EXPECT_EQ(c.metrics_listen, "127.0.0.1:9469");
  EXPECT_EQ(to_string(c.metrics_addr), "127.0.0.1");
  EXPECT_EQ(c.metrics_port, 9469);
  expected.metrics_listen = c.metrics_listen;
  expected.metrics_addr = c.metrics_addr;
  expected.metrics_port = c.metrics_port;
  PortConf port{.name = "dpdk0", .rx_queues = 1, .tx_queues = 1, .addresses = c.ports[0].addresses};
  expected.ports = {port};
  expected.workers = c.workers;
  EXPECT_EQ(c, expected);
}

TEST(ConfigSample, SetsEveryKeyTheLoaderKnows) {
  std::vector<std::string> not_set;
  auto r = parse_config(read_text(kSample), kSample, &not_set);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_THAT(not_set, ::testing::IsEmpty());
}

TEST(ConfigSample, CommentsEveryKey) {
  // A key line is documented by a comment on the same line or on the line just above.
  std::istringstream in(read_text(kSample));
  std::string line;
  std::string previous;
  int keys = 0;
  while (std::getline(in, line)) {
    bool is_key = !line.empty() && line[0] != '#' && line[0] != '[' &&
                  line.find(" = ") != std::string::npos && line.find(" = ") < line.find('#');
    if (is_key) {
      ++keys;
      bool documented = line.find('#') != std::string::npos || previous.starts_with("#");
      EXPECT_TRUE(documented) << "undocumented: " << line;
    }
    previous = line;
  }
  EXPECT_EQ(keys, 30);
}

TEST(ConfigSample, KeysNotSetListsEveryKeyOfAnEmptyFile) {
  std::vector<std::string> not_set;
  ASSERT_TRUE(parse_config("", "x.toml", &not_set).is_ok());
  EXPECT_THAT(not_set, ::testing::UnorderedElementsAre(
                           "global.log_level", "global.forwarding", "global.dpip_batch", "global.ipvs_rules",
                           "eal.args", "ctrl.socket", "ctrl.group", "ctrl.msg_timeout_ms", "ctrl.msg_burst",
                           "dataplane.idle_backoff", "dataplane.idle_polls", "dataplane.idle_sleep_us",
                           "dataplane.tx_drain_us", "dataplane.mbufs_per_pool", "dataplane.mbuf_cache",
                           "dataplane.icmp_rate_per_sec", "dataplane.conn_prefetch_min", "ipvs.conn_capacity",
                           "metrics.listen", "global", "eal", "ctrl",
                           "dataplane", "ipvs", "metrics", "ports", "workers"));
}

TEST(ConfigDefaults, MatchTheDocumentation) {
  Config c = default_config();
  EXPECT_EQ(c.source, "<defaults>");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_FALSE(c.forwarding);
  EXPECT_TRUE(c.dpip_batch.empty());
  EXPECT_EQ(c.ipvs_rules, "");
  EXPECT_TRUE(c.eal_args.empty());
  EXPECT_EQ(c.ipc_socket, "/var/run/dplb.ipc");
  EXPECT_EQ(c.ipc_group, "");
  EXPECT_EQ(c.msg_timeout_ms, 2000u);
  EXPECT_EQ(c.msg_burst, 32u);
  EXPECT_TRUE(c.idle_backoff);
  EXPECT_EQ(c.idle_polls, 256u);
  EXPECT_EQ(c.idle_sleep_us, 100u);
  EXPECT_EQ(c.tx_drain_us, 100u);
  EXPECT_EQ(c.mbufs_per_pool, 16383u);
  EXPECT_EQ(c.mbuf_cache, 256u);
  EXPECT_EQ(c.icmp_rate_per_sec, 1000u);
  EXPECT_EQ(c.conn_capacity, 1u << 20);
  EXPECT_TRUE(c.ports.empty());
  EXPECT_TRUE(c.workers.empty());
}

TEST(ConfigDefaults, EmptyFileGivesTheDefaults) {
  Config c = loaded("# nothing but a comment\n");
  Config expected = default_config();
  expected.source = "/etc/dplb/dplb.toml";
  EXPECT_EQ(c, expected);
}

TEST(ConfigDefaults, UnlistedPortKeysKeepTheirDefaults) {
  Config c = loaded("[ports.dpdk1]\nmtu = 9000\n");
  ASSERT_EQ(c.ports.size(), 1u);
  PortConf expected{.name = "dpdk1", .mtu = 9000};
  EXPECT_EQ(c.ports[0], expected);
}

// ---- every key takes effect ----

TEST(ConfigLoader, ReadsEveryKey) {
  Config c = loaded(R"(
[global]
log_level = "trace"
forwarding = true
dpip_batch = ["a.batch", "/abs/b.batch"]
ipvs_rules = "/abs/rules"
[eal]
args = ["-l", "0-2"]
[ctrl]
socket = "/run/x.ipc"
group = "dplb"
msg_timeout_ms = 7
msg_burst = 8
[dataplane]
idle_backoff = false
idle_polls = 9
idle_sleep_us = 10
tx_drain_us = 11
mbufs_per_pool = 4095
mbuf_cache = 0
icmp_rate_per_sec = 0
[ipvs]
conn_capacity = 12
[ports.dpdk1]
mtu = 9000
rx_queues = 2
tx_queues = 3
rx_desc = 512
tx_desc = 2048
promisc = true
addresses = ["10.1.0.1/16", "192.168.7.9"]
kni = true
unclaimed = "drop"
[ports.dpdk0]
[[workers]]
lcore = 2
queues = [{ port = "dpdk1", rx = 1, tx = 2 }, { port = "dpdk0", tx = 0 }]
[[workers]]
lcore = 1
queues = [{ port = "dpdk1", rx = 0 }]
)");
  EXPECT_EQ(c.log_level, "trace");
  EXPECT_TRUE(c.forwarding);
  EXPECT_EQ(c.dpip_batch, (std::vector<std::string>{"/etc/dplb/a.batch", "/abs/b.batch"}));
  EXPECT_EQ(c.ipvs_rules, "/abs/rules");
  EXPECT_EQ(c.eal_args, (std::vector<std::string>{"-l", "0-2"}));
  EXPECT_EQ(c.ipc_socket, "/run/x.ipc");
  EXPECT_EQ(c.ipc_group, "dplb");
  EXPECT_EQ(c.msg_timeout_ms, 7u);
  EXPECT_EQ(c.msg_burst, 8u);
  EXPECT_FALSE(c.idle_backoff);
  EXPECT_EQ(c.idle_polls, 9u);
  EXPECT_EQ(c.idle_sleep_us, 10u);
  EXPECT_EQ(c.tx_drain_us, 11u);
  EXPECT_EQ(c.mbufs_per_pool, 4095u);
  EXPECT_EQ(c.mbuf_cache, 0u);
  EXPECT_EQ(c.icmp_rate_per_sec, 0u);
  EXPECT_EQ(c.conn_capacity, 12u);
  ASSERT_EQ(c.ports.size(), 2u);
  EXPECT_EQ(c.ports[0], PortConf{.name = "dpdk0"});
  PortConf p1{.name = "dpdk1",
              .mtu = 9000,
              .rx_queues = 2,
              .tx_queues = 3,
              .rx_desc = 512,
              .tx_desc = 2048,
              .promisc = true,
              .addresses = {Ip4Prefix{Ip4::of(10, 1, 0, 1), 16}, Ip4Prefix{Ip4::of(192, 168, 7, 9), 32}},
              .kni = true,
              .unclaimed = UnclaimedPolicy::drop};
  EXPECT_EQ(c.ports[1], p1);
  ASSERT_EQ(c.workers.size(), 2u);
  EXPECT_EQ(c.workers[0], (WorkerConf{2, {{"dpdk1", 1, 2}, {"dpdk0", std::nullopt, 0}}}));
  EXPECT_EQ(c.workers[1], (WorkerConf{1, {{"dpdk1", 0, std::nullopt}}}));
}

TEST(ConfigLoader, OrdersPortsByEthdevId) {
  Config c = loaded("[ports.dpdk10]\n[ports.dpdk2]\n[ports.dpdk1]\n");
  ASSERT_EQ(c.ports.size(), 3u);
  EXPECT_EQ(c.ports[0].name, "dpdk1");
  EXPECT_EQ(c.ports[1].name, "dpdk2");
  EXPECT_EQ(c.ports[2].name, "dpdk10");
}

TEST(ConfigLoader, AcceptsDottedKeysAndInlineTables) {
  Config c = loaded("global.forwarding = true\nports = { dpdk0 = { mtu = 1400 } }\n");
  EXPECT_TRUE(c.forwarding);
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].mtu, 1400);
}

// ---- paths ----

TEST(ConfigPaths, RelativePathsResolveAgainstTheFilesDirectory) {
  Config c = loaded(
      "[global]\ndpip_batch = [\"a.batch\", \"sub/b.batch\", \"../c.batch\", \"/abs/d\"]\n"
      "ipvs_rules = \"rules.ipvs\"\n");
  EXPECT_EQ(c.dpip_batch, (std::vector<std::string>{"/etc/dplb/a.batch", "/etc/dplb/sub/b.batch",
                                                    "/etc/dplb/../c.batch", "/abs/d"}));
  EXPECT_EQ(c.ipvs_rules, "/etc/dplb/rules.ipvs");
}

TEST(ConfigPaths, RelativeConfigFileIsTakenFromTheWorkingDirectory) {
  auto r = parse_config("global.dpip_batch = [\"a.batch\"]\nglobal.ipvs_rules = \"r\"\n", "conf/dplb.toml");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(r->dpip_batch, std::vector<std::string>{cwd + "/conf/a.batch"});
  EXPECT_EQ(r->ipvs_rules, cwd + "/conf/r");
  auto bare = parse_config("global.ipvs_rules = \"r\"\n", "dplb.toml");
  ASSERT_TRUE(bare.is_ok());
  EXPECT_EQ(bare->ipvs_rules, cwd + "/r");
}

TEST(ConfigPaths, EmptyRulesPathMeansNone) { EXPECT_EQ(loaded("global.ipvs_rules = \"\"\n").ipvs_rules, ""); }

TEST(ConfigPaths, EmptyBatchPathIsAnError) {
  EXPECT_EQ(error_of("[global]\ndpip_batch = [\"a\", \"\"]\n"),
            "dplb.toml:2: global.dpip_batch[1]: empty path");
}

// ---- reading the file ----

TEST(ConfigFile, MissingFile) {
  auto r = load_config("/nonexistent/dplb.toml");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ENOENT);
  EXPECT_EQ(r.status().message(), "/nonexistent/dplb.toml: cannot read: No such file or directory");
}

TEST(ConfigFile, DirectoryIsNotAFile) {
  auto r = load_config("/");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), EISDIR);
  EXPECT_EQ(r.status().message(), "/: cannot read: Is a directory");
}

TEST(ConfigFile, LoadsARealFile) {
  std::string dir = ::testing::TempDir() + "dplb_conf_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::string path = dir + "/my.toml";
  std::ofstream(path) << "[global]\nipvs_rules = \"r.ipvs\"\n[ports.dpdk0]\naddresses = [\"10.9.8.7/8\"]\n";
  auto r = load_config(path);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->source, path);
  EXPECT_EQ(r->ipvs_rules, std::filesystem::absolute(dir).string() + "/r.ipvs");
  EXPECT_EQ(to_string(r->ports.at(0).addresses.at(0)), "10.9.8.7/8");
}

// ---- syntax errors ----

TEST(ConfigErrors, SyntaxErrorHasLineAndColumn) {
  std::string m = error_of("[global]\nforwarding = \n");
  EXPECT_THAT(m, StartsWith("dplb.toml:2:14: "));
  EXPECT_THAT(m, HasSubstr("expected"));
}

TEST(ConfigErrors, DuplicateKeyIsASyntaxError) {
  EXPECT_THAT(error_of("[ctrl]\nmsg_burst = 1\nmsg_burst = 2\n"), StartsWith("dplb.toml:3:"));
}

TEST(ConfigErrors, DuplicateTableIsASyntaxError) {
  EXPECT_THAT(error_of("[ports.dpdk0]\nmtu = 1500\n[ports.dpdk0]\n"), StartsWith("dplb.toml:3:"));
}

// ---- unknown keys and tables, at every level ----

TEST(ConfigErrors, UnknownGlobalKey) {
  EXPECT_EQ(error_of("[global]\nforwarding = true\nlog_levl = \"debug\"\n"),
            "dplb.toml:3: global.log_levl: unknown key");
}

TEST(ConfigErrors, UnknownTopLevelTable) {
  EXPECT_EQ(error_of("[globl]\nlog_level = \"debug\"\n"), "dplb.toml:1: globl: unknown table");
}

TEST(ConfigErrors, UnknownTopLevelKey) {
  EXPECT_EQ(error_of("verbose = true\n"), "dplb.toml:1: verbose: unknown key");
}

TEST(ConfigErrors, UnknownKeyInEachSection) {
  for (std::string section : {"eal", "ctrl", "dataplane", "ipvs", "ports.dpdk0"}) {
    EXPECT_EQ(error_of("[" + section + "]\nbogus = 1\n"), "dplb.toml:2: " + section + ".bogus: unknown key");
  }
}

TEST(ConfigErrors, UnknownSubTable) {
  EXPECT_EQ(error_of("[ctrl.extra]\nx = 1\n"), "dplb.toml:1: ctrl.extra: unknown table");
}

TEST(ConfigErrors, UnknownKeyInWorker) {
  EXPECT_EQ(error_of("[[workers]]\nlcore = 1\nqueues = [{ port = \"dpdk0\", rx = 0 }]\ncore = 2\n"),
            "dplb.toml:4: workers[0].core: unknown key");
}

TEST(ConfigErrors, UnknownKeyInQueueMap) {
  EXPECT_EQ(
      error_of(
          "[[workers]]\nlcore = 1\nqueues = [{ port = \"dpdk0\", rx = 0 }, { port = \"dpdk0\", rxq = 1 }]\n"),
      "dplb.toml:3: workers[0].queues[1].rxq: unknown key\n"
      "dplb.toml:3: workers[0].queues[1]: needs rx, tx or both");
}

// ---- wrong types ----

TEST(ConfigErrors, WrongTypes) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"global.forwarding = \"yes\"", "global.forwarding: expected a boolean, got string"},
      {"global.log_level = 3", "global.log_level: expected a string, got integer"},
      {"global.dpip_batch = \"a\"", "global.dpip_batch: expected an array of strings, got string"},
      {"global.ipvs_rules = [\"a\"]", "global.ipvs_rules: expected a string, got array"},
      {"eal.args = [\"-l\", 1]", "eal.args[1]: expected a string, got integer"},
      {"ctrl.msg_burst = 1.5", "ctrl.msg_burst: expected an integer, got floating-point number"},
      {"ctrl.msg_burst = \"32\"", "ctrl.msg_burst: expected an integer, got string"},
      {"dataplane.idle_backoff = 1", "dataplane.idle_backoff: expected a boolean, got integer"},
      {"ipvs.conn_capacity = true", "ipvs.conn_capacity: expected an integer, got boolean"},
      {"ports.dpdk0.addresses = \"10.0.0.1/24\"",
       "ports.dpdk0.addresses: expected an array of strings (\"a.b.c.d/len\"), got string"},
      {"ports.dpdk0.addresses = [1]", "ports.dpdk0.addresses[0]: expected a string, got integer"},
      {"ports.dpdk0 = 1", "ports.dpdk0: expected a table, got integer"},
      {"ports = 1", "ports: expected a table ([ports.dpdk0]), got integer"},
      {"global = 1", "global: expected a table, got integer"},
      {"workers = 1", "workers: expected an array of tables ([[workers]]), got integer"},
      {"workers = [1]", "workers[0]: expected a table, got integer"},
      {"[workers]\nlcore = 1", "workers: expected an array of tables ([[workers]]), got table"},
      {"[[workers]]\nlcore = 1\nqueues = { port = \"dpdk0\", rx = 0 }",
       "workers[0].queues: expected an array of tables ([{ port = \"dpdk0\", rx = 0, tx = 0 }]), got table"},
      {"[[workers]]\nlcore = 1\nqueues = [\"dpdk0\"]",
       "workers[0].queues[0]: expected a table ({ port = \"dpdk0\", rx = 0, tx = 0 }), got string"},
      {"[[workers]]\nlcore = 1\nqueues = [{ port = 0, rx = 0 }]",
       "workers[0].queues[0].port: expected a string, got integer"},
      {"[[workers]]\nlcore = \"1\"\nqueues = [{ port = \"dpdk0\", rx = 0 }]",
       "workers[0].lcore: expected an integer, got string"},
  };
  for (const Case& c : cases) {
    std::string m = error_of(std::string(c.text) + "\n");
    EXPECT_THAT(m, StartsWith("dplb.toml:")) << c.text;
    EXPECT_THAT(m, HasSubstr(std::string(": ") + c.message)) << c.text;
    EXPECT_EQ(m.find('\n'), std::string::npos) << "one problem expected: " << m;
  }
}

// ---- integer ranges: the limits are accepted, one beyond each is rejected ----

struct RangeCase {
  const char* text;  // "{}" is replaced by the value
  const char* key;
  int64_t lo;
  int64_t hi;
};

class ConfigRange : public ::testing::TestWithParam<RangeCase> {};

std::string with_value(const char* text, int64_t v) {
  std::string s = text;
  s.replace(s.find("{}"), 2, std::to_string(v));
  return s + "\n";
}

TEST_P(ConfigRange, AcceptsLimitsRejectsBeyond) {
  const RangeCase& c = GetParam();
  EXPECT_TRUE(parse_config(with_value(c.text, c.lo), "dplb.toml").is_ok()) << with_value(c.text, c.lo);
  EXPECT_TRUE(parse_config(with_value(c.text, c.hi), "dplb.toml").is_ok()) << with_value(c.text, c.hi);
  std::string range = std::to_string(c.lo) + ".." + std::to_string(c.hi);
  for (int64_t bad : {c.lo - 1, c.hi + 1}) {
    std::string m = error_of(with_value(c.text, bad));
    EXPECT_THAT(m, HasSubstr(std::string(c.key) + ": " + std::to_string(bad) + " is out of range " + range));
  }
}

constexpr const char* kWorkerLcore = "[[workers]]\nlcore = {}\nqueues = [{ port = \"dpdk0\", rx = 0 }]";
constexpr const char* kQueueRx = "[[workers]]\nlcore = 1\nqueues = [{ port = \"dpdk0\", rx = {} }]";
constexpr const char* kQueueTx = "[[workers]]\nlcore = 1\nqueues = [{ port = \"dpdk0\", tx = {} }]";

INSTANTIATE_TEST_SUITE_P(
    Keys, ConfigRange,
    ::testing::Values(RangeCase{"ports.dpdk0.mtu = {}", "ports.dpdk0.mtu", 68, 9600},
                      RangeCase{"ports.dpdk0.rx_queues = {}", "ports.dpdk0.rx_queues", 0, 64},
                      RangeCase{"ports.dpdk0.tx_queues = {}", "ports.dpdk0.tx_queues", 0, 64},
                      RangeCase{"ports.dpdk0.rx_desc = {}", "ports.dpdk0.rx_desc", 32, 16384},
                      RangeCase{"ports.dpdk0.tx_desc = {}", "ports.dpdk0.tx_desc", 32, 16384},
                      RangeCase{"ctrl.msg_timeout_ms = {}", "ctrl.msg_timeout_ms", 1, 3600000},
                      RangeCase{"ctrl.msg_burst = {}", "ctrl.msg_burst", 1, 4096},
                      RangeCase{"dataplane.idle_polls = {}", "dataplane.idle_polls", 1, 1 << 24},
                      RangeCase{"dataplane.idle_sleep_us = {}", "dataplane.idle_sleep_us", 1, 1000000},
                      RangeCase{"dataplane.tx_drain_us = {}", "dataplane.tx_drain_us", 1, 1000000},
                      RangeCase{"dataplane.mbufs_per_pool = {}", "dataplane.mbufs_per_pool", 1024, 1 << 24},
                      RangeCase{"dataplane.mbuf_cache = {}", "dataplane.mbuf_cache", 0, 512},
                      RangeCase{"dataplane.icmp_rate_per_sec = {}", "dataplane.icmp_rate_per_sec", 0,
                                1000000},
                      RangeCase{"ipvs.conn_capacity = {}", "ipvs.conn_capacity", 1, 16 << 20},
                      RangeCase{kWorkerLcore, "workers[0].lcore", 0, 127},
                      RangeCase{kQueueRx, "workers[0].queues[0].rx", 0, 63},
                      RangeCase{kQueueTx, "workers[0].queues[0].tx", 0, 63}));

TEST(ConfigErrors, HugeIntegerIsOutOfRangeNotTruncated) {
  EXPECT_EQ(error_of("[ports.dpdk0]\nmtu = 4294968796\n"),
            "dplb.toml:2: ports.dpdk0.mtu: 4294968796 is out of range 68..9600");
}

// ---- addresses ----

std::string address_error(const std::string& address) {
  return error_of("[ports.dpdk0]\nmtu = 1500\naddresses = [\"10.0.0.1/24\", \"" + address + "\"]\n");
}

TEST(ConfigAddresses, NotAnAddress) {
  EXPECT_EQ(address_error("10.0.0.300/24"),
            "dplb.toml:3: ports.dpdk0.addresses[1]: \"10.0.0.300/24\" is not an IPv4 address/prefix");
  EXPECT_EQ(address_error("10.0.0.2 /24"),
            "dplb.toml:3: ports.dpdk0.addresses[1]: \"10.0.0.2 /24\" is not an IPv4 address/prefix");
  EXPECT_EQ(address_error("host"),
            "dplb.toml:3: ports.dpdk0.addresses[1]: \"host\" is not an IPv4 address/prefix");
}

TEST(ConfigAddresses, BadPrefixLength) {
  for (std::string bad : {"10.0.0.2/33", "10.0.0.2/0", "10.0.0.2/", "10.0.0.2/x", "10.0.0.2/024"}) {
    EXPECT_EQ(address_error(bad),
              "dplb.toml:3: ports.dpdk0.addresses[1]: \"" + bad + "\": prefix length must be 1..32");
  }
}

TEST(ConfigAddresses, UnusableAddresses) {
  struct Case {
    const char* address;
    const char* problem;
  };
  const Case cases[] = {
      {"0.0.0.0/8", "0.0.0.0 is the unspecified address"},
      {"127.0.0.1/8", "127.0.0.1 is a loopback address"},
      {"224.0.0.5/24", "224.0.0.5 is a multicast address"},
      {"255.255.255.255/32", "255.255.255.255 is the broadcast address"},
      {"240.0.0.1/8", "240.0.0.1 is a reserved (class E) address"},
      {"10.2.0.0/16", "10.2.0.0 is the network address of its subnet"},
      {"10.2.255.255/16", "10.2.255.255 is the broadcast address of its subnet"},
      {"10.2.3.4/30", "10.2.3.4 is the network address of its subnet"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(address_error(c.address),
              std::string("dplb.toml:3: ports.dpdk0.addresses[1]: \"") + c.address + "\": " + c.problem);
  }
}

TEST(ConfigAddresses, PointToPointAndHostAddressesAreFine) {
  Config c =
      loaded("ports.dpdk0.addresses = [\"10.0.0.0/31\", \"10.0.0.3/31\", \"10.0.1.0/32\", \"10.0.2.1\"]\n");
  ASSERT_EQ(c.ports.at(0).addresses.size(), 4u);
  EXPECT_EQ(to_string(c.ports[0].addresses[3]), "10.0.2.1/32");
}

TEST(ConfigAddresses, DuplicateOnOnePort) {
  EXPECT_EQ(address_error("10.0.0.1/16"),
            "dplb.toml:3: ports.dpdk0.addresses[1]: \"10.0.0.1/16\": duplicate address 10.0.0.1 "
            "(also ports.dpdk0.addresses[0])");
}

TEST(ConfigAddresses, DuplicateAcrossPorts) {
  EXPECT_EQ(
      error_of(
          "[ports.dpdk0]\naddresses = [\"10.0.0.1/24\"]\n[ports.dpdk1]\naddresses = [\"10.0.0.1/24\"]\n"),
      "dplb.toml:4: ports.dpdk1.addresses[0]: \"10.0.0.1/24\": duplicate address 10.0.0.1 "
      "(also ports.dpdk0.addresses[0])");
}

// ---- enums and names ----

TEST(ConfigErrors, BadLogLevel) {
  EXPECT_EQ(
      error_of("[global]\nlog_level = \"verbose\"\n"),
      "dplb.toml:2: global.log_level: \"verbose\" is not one of trace|debug|info|warn|error|critical|off");
}

TEST(ConfigErrors, BadUnclaimedPolicy) {
  EXPECT_EQ(error_of("[ports.dpdk0]\nunclaimed = \"forward\"\n"),
            "dplb.toml:2: ports.dpdk0.unclaimed: \"forward\" is not one of kernel|drop");
}

TEST(ConfigErrors, BadPortNames) {
  for (std::string bad : {"eth0", "dpdk", "dpdk01", "dpdk32", "dpdk-1", "DPDK0", "dpdk0x"}) {
    EXPECT_EQ(
        error_of("[ports." + bad + "]\nmtu = 1500\n"),
        "dplb.toml:1: ports." + bad + ": \"" + bad + "\" is not a port name (dpdk<N>, N = ethdev id 0..31)");
  }
}

TEST(ConfigErrors, BadPortNameInQueueMap) {
  EXPECT_EQ(
      error_of("[[workers]]\nlcore = 1\nqueues = [{ port = \"eth0\", rx = 0 }]\n"),
      "dplb.toml:3: workers[0].queues[0].port: \"eth0\" is not a port name (dpdk<N>, N = ethdev id 0..31)");
}

TEST(ConfigErrors, PortIdFromName) {
  EXPECT_EQ(port_id_from_name("dpdk0"), 0);
  EXPECT_EQ(port_id_from_name("dpdk31"), 31);
  EXPECT_EQ(port_id_from_name("dpdk32"), -1);
  EXPECT_EQ(port_id_from_name("dpdk007"), -1);
  EXPECT_EQ(port_id_from_name("dpdk+1"), -1);
  EXPECT_EQ(port_id_from_name(""), -1);
}

TEST(ConfigErrors, SocketPath) {
  EXPECT_EQ(error_of("[ctrl]\nsocket = \"\"\n"), "dplb.toml:2: ctrl.socket: empty path");
  std::string long_path = "/" + std::string(107, 's');
  EXPECT_EQ(error_of("[ctrl]\nsocket = \"" + long_path + "\"\n"),
            "dplb.toml:2: ctrl.socket: path is 108 bytes, longer than a unix socket allows (107)");
  EXPECT_EQ(loaded("[ctrl]\nsocket = \"" + long_path.substr(1) + "\"\n").ipc_socket, long_path.substr(1));
}

// ---- workers ----

TEST(ConfigWorkers, DuplicateLcore) {
  EXPECT_EQ(error_of("[[workers]]\nlcore = 1\nqueues = [{ port = \"dpdk0\", rx = 0 }]\n"
                     "[[workers]]\nlcore = 1\nqueues = [{ port = \"dpdk0\", rx = 1 }]\n"),
            "dplb.toml:5: workers[1].lcore: lcore 1 is already used by workers[0]");
}

TEST(ConfigWorkers, EmptyQueueList) {
  EXPECT_EQ(error_of("[[workers]]\nlcore = 1\nqueues = []\n"),
            "dplb.toml:3: workers[0].queues: a worker needs at least one queue");
}

TEST(ConfigWorkers, MissingQueues) {
  EXPECT_EQ(error_of("[[workers]]\nlcore = 1\n"),
            "dplb.toml:1: workers[0].queues: is required (a worker needs at least one queue)");
}

TEST(ConfigWorkers, MissingLcore) {
  EXPECT_EQ(error_of("[[workers]]\nqueues = [{ port = \"dpdk0\", rx = 0 }]\n"),
            "dplb.toml:1: workers[0].lcore: is required (the lcore this worker runs on)");
}

TEST(ConfigWorkers, QueueMapWithoutPort) {
  EXPECT_EQ(error_of("[[workers]]\nlcore = 1\nqueues = [{ rx = 0 }]\n"),
            "dplb.toml:3: workers[0].queues[0].port: is required (the port's name, e.g. \"dpdk0\")");
}

TEST(ConfigWorkers, QueueMapWithoutQueues) {
  EXPECT_EQ(error_of("[[workers]]\nlcore = 1\nqueues = [{ port = \"dpdk0\" }]\n"),
            "dplb.toml:3: workers[0].queues[0]: needs rx, tx or both");
}

// ---- many problems at once ----

TEST(ConfigErrors, ReportsEveryProblemInFileOrder) {
  std::string m = error_of(
      "[ports.dpdk0]\nmtu = 1\n[global]\nlog_level = \"loud\"\nbogus = 1\n[ipvs]\nconn_capacity = 0\n");
  EXPECT_EQ(m,
            "dplb.toml:2: ports.dpdk0.mtu: 1 is out of range 68..9600\n"
            "dplb.toml:4: global.log_level: \"loud\" is not one of trace|debug|info|warn|error|critical|off\n"
            "dplb.toml:5: global.bogus: unknown key\n"
            "dplb.toml:7: ipvs.conn_capacity: 0 is out of range 1..16777216");
}

TEST(ConfigErrors, CapsTheNumberOfProblemsShown) {
  std::string text = "[global]\n";
  for (int i = 0; i < 25; ++i) {
    text += 'k';
    text += std::to_string(i);
    text += " = 1\n";
  }
  std::string m = error_of(text);
  EXPECT_EQ(std::count(m.begin(), m.end(), '\n'), 20);
  EXPECT_THAT(m, HasSubstr("\ndplb.toml: 5 more problems not shown"));
}

TEST(ConfigMetrics, ListenIsAddressAndPortOrEmpty) {
  EXPECT_EQ(default_config().metrics_listen, "");
  auto on = parse_config("[metrics]\nlisten = \"0.0.0.0:80\"\n", "x.toml");
  ASSERT_TRUE(on.is_ok()) << on.status().message();
  EXPECT_EQ(on->metrics_port, 80);
  auto off = parse_config("[metrics]\nlisten = \"\"\n", "x.toml");
  ASSERT_TRUE(off.is_ok());
  EXPECT_EQ(off->metrics_listen, "");
  for (const char* bad : {"9469", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "localhost:9469", "1.2.3.4:9x"}) {
    auto r = parse_config(std::string("[metrics]\nlisten = \"") + bad + "\"\n", "x.toml");
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_NE(r.status().message().find("metrics.listen"), std::string::npos) << r.status().message();
  }
  EXPECT_FALSE(parse_config("[metrics]\nport = 1\n", "x.toml").is_ok());
}

}  // namespace
}  // namespace dplb::conf
