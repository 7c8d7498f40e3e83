// Control requests built from ipvsadm commands: exact records, byte for byte; and the rules text
// (-S output read back by -R and by the daemon's rules file).
#include "cli/ipvsadm/ipvsadm_request.h"

#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "cli/ipvsadm/ipvsadm_format.h"
#include "cli/ipvsadm/ipvsadm_rules.h"

namespace dplb::cli {
namespace {

template <typename T>
T zeroed() {
  T v;
  std::memset(&v, 0, sizeof v);
  return v;
}

template <typename T>
std::vector<uint8_t> bytes_of(const T& v) {
  std::vector<uint8_t> b(sizeof v);
  std::memcpy(b.data(), &v, sizeof v);
  return b;
}

std::vector<Request> requests_of(std::initializer_list<const char*> a) {
  std::vector<std::string> args(a.begin(), a.end());
  auto cmd = parse_ipvsadm(args);
  EXPECT_TRUE(cmd) << cmd.status().message();
  if (!cmd) return {};
  auto r = build_requests(*cmd);
  EXPECT_TRUE(r) << r.status().message();
  return r ? *r : std::vector<Request>{};
}

const uint32_t kVip = Ip4::of(10, 0, 0, 1).v;
const uint32_t kRip = Ip4::of(10, 1, 0, 2).v;

proto::ServiceRecord key(uint8_t proto, uint32_t addr, uint16_t port) {
  auto s = zeroed<proto::ServiceRecord>();
  s.proto = proto;
  s.addr = addr;
  s.port = port;
  return s;
}

TEST(IpvsadmRequest, Services) {
  auto add = key(6, kVip, 80);
  std::memcpy(add.sched, "sh", 2);
  add.flags = ipvs::kSvcFlagSched1 | ipvs::kSvcFlagSched2;
  EXPECT_EQ(requests_of({"-A", "-t", "10.0.0.1:80", "-s", "sh", "-b", "sh-port,sh-fallback"}),
            (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsAddService, bytes_of(add)}}));

  auto edit = key(17, kVip, 53);
  std::memcpy(edit.sched, "wlc", 3);
  EXPECT_EQ(requests_of({"-E", "-u", "10.0.0.1:53"}),
            (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsEditService, bytes_of(edit)}}));

  EXPECT_EQ(requests_of({"-D", "-t", "10.0.0.1:80"}),
            (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsDelService, bytes_of(key(6, kVip, 80))}}));
}

TEST(IpvsadmRequest, Dests) {
  auto op = zeroed<proto::DestOp>();
  op.service = key(6, kVip, 80);
  op.dest.addr = kRip;
  op.dest.port = 80;
  op.dest.weight = 1;
  op.dest.fwd = proto::kFwdMasq;
  EXPECT_EQ(requests_of({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-m"}),
            (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsAddDest, bytes_of(op)}}));

  op.dest.port = 8080;
  op.dest.weight = 0;
  EXPECT_EQ(requests_of({"-e", "-t", "10.0.0.1:80", "-r", "10.1.0.2:8080", "-w", "0", "-m"}),
            (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsEditDest, bytes_of(op)}}));
  // As ipvsadm: without a forwarding option the method is direct routing, for -e too; direct routing
  // and tunnels keep the service's port.
  op.dest.fwd = proto::kFwdDroute;
  op.dest.port = 80;
  EXPECT_EQ(requests_of({"-e", "-t", "10.0.0.1:80", "-r", "10.1.0.2:8080", "-w", "0"}),
            (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsEditDest, bytes_of(op)}}));
  op.dest.fwd = proto::kFwdTunnel;
  EXPECT_EQ(requests_of({"-e", "-t", "10.0.0.1:80", "-r", "10.1.0.2:8080", "-w", "0", "-i", "--tun-type", "ipip"}),
            (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsEditDest, bytes_of(op)}}));
  op.dest.fwd = proto::kFwdDroute;
  EXPECT_EQ(requests_of({"-e", "-t", "10.0.0.1:80", "-r", "10.1.0.2:8080", "-w", "0", "--gatewaying"}),
            (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsEditDest, bytes_of(op)}}));

  auto del = zeroed<proto::DestOp>();
  del.service = key(17, kVip, 53);
  del.dest.addr = kRip;
  del.dest.port = 53;
  EXPECT_EQ(requests_of({"-d", "-u", "10.0.0.1:53", "-r", "10.1.0.2"}),
            (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsDelDest, bytes_of(del)}}));
}

TEST(IpvsadmRequest, TableWideCommands) {
  EXPECT_EQ(requests_of({"-C"}), (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsClear, {}}}));

  auto all = zeroed<proto::ServiceQuery>();
  EXPECT_EQ(requests_of({"-Z"}),
            (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsZero, bytes_of(all)}}));
  auto one = zeroed<proto::ServiceQuery>();
  one.has_service = 1;
  one.service = key(6, kVip, 80);
  EXPECT_EQ(requests_of({"-Z", "-t", "10.0.0.1:80"}),
            (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsZero, bytes_of(one)}}));

  EXPECT_EQ(requests_of({"--set", "900", "0", "300"}),
            (std::vector<Request>{{ctrl::Kind::kSet, proto::kOpIpvsSetTimeouts,
                                   bytes_of(proto::IpvsTimeouts{900, 0, 300, 0})}}));
}

TEST(IpvsadmRequest, Listings) {
  auto all = zeroed<proto::ServiceQuery>();
  const std::vector<Request> list_all = {{ctrl::Kind::kGet, proto::kOpIpvsInfo, {}},
                                         {ctrl::Kind::kGet, proto::kOpIpvsList, bytes_of(all)}};
  EXPECT_EQ(requests_of({}), list_all);
  EXPECT_EQ(requests_of({"-L", "-n", "--stats"}), list_all);

  auto one = zeroed<proto::ServiceQuery>();
  one.has_service = 1;
  one.service = key(17, kVip, 53);
  EXPECT_EQ(requests_of({"-L", "-u", "10.0.0.1:53"}),
            (std::vector<Request>{{ctrl::Kind::kGet, proto::kOpIpvsList, bytes_of(one)}}));
  EXPECT_EQ(
      requests_of({"-L", "-c"}),
      (std::vector<Request>{{ctrl::Kind::kGet, proto::kOpIpvsConns, bytes_of(zeroed<proto::ConnQuery>())}}));
  EXPECT_EQ(requests_of({"-L", "--timeout"}),
            (std::vector<Request>{{ctrl::Kind::kGet, proto::kOpIpvsGetTimeouts, {}}}));
  EXPECT_EQ(requests_of({"-S", "-n"}),
            (std::vector<Request>{{ctrl::Kind::kGet, proto::kOpIpvsList, bytes_of(all)}}));
  EXPECT_TRUE(requests_of({"-R"}).empty());
  EXPECT_TRUE(requests_of({"-h"}).empty());
  EXPECT_TRUE(requests_of({"-v"}).empty());
}

TEST(IpvsadmRequest, ASchedulerNameThatDoesNotFitIsRefused) {
  IpvsCommand c;
  c.cmd = IpvsCmd::kAddService;
  c.has_service = true;
  c.service = {6, Ip4(kVip), 80};
  c.sched = std::string(proto::kSchedNameSize, 'r');
  auto r = build_requests(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), EINVAL);
  c.sched.pop_back();  // 15 characters and the NUL fit
  EXPECT_TRUE(build_requests(c));
}

// ---------------------------------------------------------------- rules text

TEST(IpvsadmRules, SplitLines) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split_rule_line("-A -t 10.0.0.1:80 -s rr"), (V{"-A", "-t", "10.0.0.1:80", "-s", "rr"}));
  EXPECT_EQ(split_rule_line("ipvsadm -A\t-t  10.0.0.1:80\r"), (V{"-A", "-t", "10.0.0.1:80"}));
  EXPECT_EQ(split_rule_line("  -C   # clear everything"), (V{"-C"}));
  EXPECT_EQ(split_rule_line("-A -t 10.0.0.1:80#no space before the comment"), (V{"-A", "-t", "10.0.0.1:80"}));
  EXPECT_EQ(split_rule_line(""), V{});
  EXPECT_EQ(split_rule_line(" \t\r"), V{});
  EXPECT_EQ(split_rule_line("# -C"), V{});
  EXPECT_EQ(split_rule_line("ipvsadm"), V{});
  EXPECT_EQ(split_rule_line("-a ipvsadm"), (V{"-a", "ipvsadm"})) << "only a leading program name is dropped";
}

TEST(IpvsadmRules, ParseRulesChecksEveryLineFirst) {
  auto rules = parse_rules(
      "# saved by ipvsadm -S\n"
      "-A -t 10.0.0.1:80 -s rr\n"
      "\n"
      "ipvsadm -a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 1\r\n"
      "--set 900 120 300");
  ASSERT_TRUE(rules) << rules.status().message();
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].line_no, 2u);
  EXPECT_EQ((*rules)[0].text, "-A -t 10.0.0.1:80 -s rr");
  EXPECT_EQ((*rules)[0].requests, requests_of({"-A", "-t", "10.0.0.1:80", "-s", "rr"}));
  EXPECT_EQ((*rules)[1].line_no, 4u);
  EXPECT_EQ((*rules)[1].requests,
            requests_of({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2:80", "-m", "-w", "1"}));
  EXPECT_EQ((*rules)[2].line_no, 5u);
  EXPECT_EQ((*rules)[2].command.cmd, IpvsCmd::kSetTimeouts);

  auto empty = parse_rules("\n# nothing\n\n");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());

  auto bad = parse_rules("-A -t 10.0.0.1\n-C\n-A -t 10.0.0.1:80 -s rr -p\n-C\n");  // line 1 first
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), kParseUsage);
  EXPECT_EQ(bad.status().message(), "line 1: Zero port specified for non-persistent service");

  bad = parse_rules("-C\n-C\n-A -t 10.0.0.1:80 -s rr --pe sip\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), kParseUnsupported);
  EXPECT_EQ(bad.status().message(),
            "line 3: dplb supports address persistence only (no persistence engines): --pe is not supported");

  for (const char* not_a_rule : {"-L -n", "-S", "-R", "-h", "-v"}) {
    auto r = parse_rules(std::string("-C\n") + not_a_rule + "\n");
    ASSERT_FALSE(r) << not_a_rule;
    EXPECT_EQ(r.status().code(), kParseUsage);
    EXPECT_EQ(r.status().message().rfind("line 2: not a rule command", 0), 0u) << r.status().message();
  }
  auto no_command = parse_rules("-t 10.0.0.1:80 -A\n");
  ASSERT_FALSE(no_command);
  EXPECT_EQ(no_command.status().code(), kParseNoCommand);
}

// -S output read back by the -R path gives exactly the requests that built the configuration.
TEST(IpvsadmRules, SaveOutputReadsBackAsTheSameRequests) {
  const std::vector<std::vector<const char*>> commands = {
      {"-A", "-t", "10.0.0.1:80", "-s", "rr"},
      {"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.1:8080", "-m", "-w", "2"},
      {"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2:80", "-m", "-w", "0"},
      {"-A", "-t", "10.0.0.2:443", "-s", "wlc"},
      {"-A", "-u", "10.0.0.1:53", "-s", "mh", "-b", "mh-fallback,mh-port,flag-3"},
      {"-a", "-u", "10.0.0.1:53", "-r", "10.1.0.3:53", "-m", "-w", "65535"},
  };
  std::vector<Request> built;
  std::vector<ServiceEntry> state;  // what the daemon would list afterwards
  for (const auto& a : commands) {
    std::vector<std::string> args(a.begin(), a.end());
    auto cmd = parse_ipvsadm(args);
    ASSERT_TRUE(cmd) << cmd.status().message();
    auto r = build_requests(*cmd);
    ASSERT_TRUE(r);
    built.insert(built.end(), r->begin(), r->end());
    if (cmd->cmd == IpvsCmd::kAddService) {
      ServiceEntry e{zeroed<proto::ServiceRecord>(), {}};
      ASSERT_TRUE(ctrl::decode_pod((*r)[0].payload, e.service));
      state.push_back(e);
    } else {
      auto op = zeroed<proto::DestOp>();
      ASSERT_TRUE(ctrl::decode_pod((*r)[0].payload, op));
      state.back().dests.push_back(op.dest);
    }
  }
  std::string saved = format_rules(state, ListFormat{});
  auto back = parse_rules(saved);
  ASSERT_TRUE(back) << back.status().message() << "\n" << saved;
  std::vector<Request> replayed;
  for (const auto& line : *back) replayed.insert(replayed.end(), line.requests.begin(), line.requests.end());
  EXPECT_EQ(replayed, built) << saved;
}

}  // namespace
}  // namespace dplb::cli
