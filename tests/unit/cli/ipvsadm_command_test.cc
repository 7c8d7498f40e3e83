// The ipvsadm command line: every supported form, ipvsadm 1.31's messages and exit codes for its
// errors, and dplb's refusals of what it does not do.
#include "cli/ipvsadm/ipvsadm_command.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <random>
#include <string>
#include <vector>

namespace dplb::cli {
namespace {

using ipvs::kProtoTcp;
using ipvs::kProtoUdp;

const Ip4 kVip = Ip4::of(10, 0, 0, 1);
const Ip4 kRip = Ip4::of(10, 1, 0, 2);

std::vector<std::string> argv_of(std::initializer_list<const char*> a) { return {a.begin(), a.end()}; }

Result<IpvsCommand> parse(std::initializer_list<const char*> a) { return parse_ipvsadm(argv_of(a)); }

IpvsCommand ok(std::initializer_list<const char*> a) {
  auto r = parse(a);
  EXPECT_TRUE(r) << r.status().message();
  return r ? *r : IpvsCommand{};
}

std::string joined(std::initializer_list<const char*> a) {
  std::string s;
  for (const char* x : a) s += std::string(s.empty() ? "" : " ") + x;
  return s;
}

void expect_error(std::initializer_list<const char*> a, int code, const std::string& message) {
  auto r = parse(a);
  ASSERT_FALSE(r) << joined(a);
  EXPECT_EQ(r.status().code(), code) << joined(a) << ": " << r.status().message();
  EXPECT_EQ(r.status().message(), message) << joined(a);
}

void expect_unsupported(std::initializer_list<const char*> a, const std::string& message) {
  expect_error(a, kParseUnsupported, message);
}

// ---------------------------------------------------------------- supported forms

TEST(IpvsadmParse, NoArgumentsListsTheTable) {
  IpvsCommand c = ok({});
  EXPECT_EQ(c.cmd, IpvsCmd::kList);
  EXPECT_EQ(c.list, ListWhat::kAll);
  EXPECT_EQ(c, IpvsCommand{});
}

TEST(IpvsadmParse, ListSpellings) {
  for (auto args : {argv_of({"-L"}), argv_of({"-l"}), argv_of({"--list"})}) {
    auto c = parse_ipvsadm(args);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->cmd, IpvsCmd::kList);
    EXPECT_EQ(c->list, ListWhat::kAll);
    EXPECT_FALSE(c->format.numeric);
  }
  for (auto args :
       {argv_of({"-Ln"}), argv_of({"-L", "-n"}), argv_of({"-ln"}), argv_of({"--list", "--numeric"}),
        argv_of({"-n", "-L"}) /* not a command first: checked below */}) {
    auto c = parse_ipvsadm(args);
    if (args.front() == "-n") {
      ASSERT_FALSE(c);
      EXPECT_EQ(c.status().code(), kParseNoCommand);
      continue;
    }
    ASSERT_TRUE(c) << c.status().message();
    EXPECT_TRUE(c->format.numeric);
  }
}

TEST(IpvsadmParse, ListFormats) {
  EXPECT_TRUE(ok({"-L", "--stats"}).format.stats);
  EXPECT_TRUE(ok({"-L", "--rate"}).format.rate);
  EXPECT_TRUE(ok({"-L", "--thresholds"}).format.thresholds);
  EXPECT_TRUE(ok({"-L", "--persistent-conn"}).format.persistent_conn);
  EXPECT_TRUE(ok({"-L", "--tun-info"}).format.tun_info);
  EXPECT_TRUE(ok({"-L", "--nosort"}).format.nosort);
  EXPECT_TRUE(ok({"-L", "--exact"}).format.exact);
  EXPECT_TRUE(ok({"-LX"}).format.exact);
  EXPECT_EQ(ok({"-L", "--sort"}).format, ListFormat{});  // a no-op, and may be repeated
  EXPECT_EQ(ok({"-L", "--sort", "--sort"}).format, ListFormat{});

  IpvsCommand c = ok({"-L", "-n", "--stats", "--exact", "--nosort"});
  ListFormat want;
  want.numeric = want.stats = want.exact = want.nosort = true;
  EXPECT_EQ(c.format, want);
  EXPECT_EQ(c.list, ListWhat::kAll);
}

TEST(IpvsadmParse, ListWhat) {
  IpvsCommand s = ok({"-L", "-n", "-t", "10.0.0.1:80"});
  EXPECT_EQ(s.list, ListWhat::kService);
  EXPECT_TRUE(s.has_service);
  EXPECT_EQ(s.service, (ipvs::ServiceKey{kProtoTcp, kVip, 80}));
  EXPECT_EQ(ok({"-L", "-u", "10.0.0.1:53"}).service, (ipvs::ServiceKey{kProtoUdp, kVip, 53}));
  EXPECT_EQ(ok({"-Lc"}).list, ListWhat::kConnections);
  EXPECT_EQ(ok({"-L", "--connection", "-n"}).list, ListWhat::kConnections);
  IpvsCommand pc = ok({"-L", "-c", "--persistent-conn"});
  EXPECT_EQ(pc.list, ListWhat::kConnections);
  EXPECT_TRUE(pc.format.persistent_conn);
  EXPECT_EQ(ok({"-L", "--timeout"}).list, ListWhat::kTimeouts);
}

TEST(IpvsadmParse, AddService) {
  IpvsCommand c = ok({"-A", "-t", "10.0.0.1:80", "-s", "rr"});
  EXPECT_EQ(c.cmd, IpvsCmd::kAddService);
  EXPECT_TRUE(c.has_service);
  EXPECT_EQ(c.service, (ipvs::ServiceKey{kProtoTcp, kVip, 80}));
  EXPECT_EQ(c.sched, "rr");
  EXPECT_EQ(c.sched_flags, 0u);
  EXPECT_FALSE(c.has_dest);

  // ipvsadm's default scheduler, also for -E (which resets what is not given, as ipvsadm does)
  EXPECT_EQ(ok({"-A", "-u", "10.0.0.1:53"}).sched, "wlc");
  EXPECT_EQ(ok({"-A", "-u", "10.0.0.1:53"}).service.proto, kProtoUdp);
  EXPECT_EQ(ok({"-A", "-t", "10.0.0.1:80", "-s", ""}).sched, "wlc");
  IpvsCommand e = ok({"-E", "-t", "10.0.0.1:80"});
  EXPECT_EQ(e.cmd, IpvsCmd::kEditService);
  EXPECT_EQ(e.sched, "wlc");
  for (const char* s : {"rr", "wrr", "lc", "wlc", "sh", "mh"})
    EXPECT_EQ(ok({"-A", "-t", "10.0.0.1:80", "-s", s}).sched, s);
}

TEST(IpvsadmParse, LongOptionsAndPoptSpellings) {
  const IpvsCommand want = ok({"-A", "-t", "10.0.0.1:80", "-s", "sh", "-b", "sh-port"});
  for (auto args : {
           argv_of({"--add-service", "--tcp-service", "10.0.0.1:80", "--scheduler", "sh", "--sched-flags",
                    "sh-port"}),
           argv_of({"--add-service", "--tcp-service=10.0.0.1:80", "--scheduler=sh", "--sched-flags=sh-port"}),
           argv_of({"-At10.0.0.1:80", "-ssh", "-bsh-port"}),
           argv_of({"-A", "-t=10.0.0.1:80", "-s=sh", "-b=sh-port"}),
           argv_of(
               {"-A", "-b", "sh-port", "-s", "sh", "-t", "10.0.0.1:80"}),  // any order: flags checked last
       }) {
    auto c = parse_ipvsadm(args);
    ASSERT_TRUE(c) << c.status().message();
    EXPECT_EQ(*c, want);
  }
  EXPECT_EQ(want.sched_flags, ipvs::kSvcFlagSched2);
  // A required argument is the next word, whatever it looks like (popt), so this is a bad address.
  expect_error({"-A", "-t", "-s", "rr"}, kParseUsage, "illegal virtual server address[:port] specified");
}

TEST(IpvsadmParse, SchedulerFlags) {
  auto flags = [](const char* sched, const char* b) {
    return ok({"-A", "-t", "10.0.0.1:80", "-s", sched, "-b", b}).sched_flags;
  };
  EXPECT_EQ(flags("sh", "sh-fallback"), ipvs::kSvcFlagSched1);
  EXPECT_EQ(flags("sh", "sh-fallback,sh-port"), ipvs::kSvcFlagSched1 | ipvs::kSvcFlagSched2);
  EXPECT_EQ(flags("mh", "mh-port"), ipvs::kSvcFlagSched2);
  EXPECT_EQ(flags("mh", "mh-fallback,mh-port"), ipvs::kSvcFlagSched1 | ipvs::kSvcFlagSched2);
  EXPECT_EQ(flags("rr", "flag-1,flag-2,flag-3"), ipvs::kSvcFlagsSupported);
  EXPECT_EQ(flags("sh", "flag-3,sh-port"), ipvs::kSvcFlagSched3 | ipvs::kSvcFlagSched2);
  EXPECT_EQ(flags("wrr", ",,flag-1,"), ipvs::kSvcFlagSched1);  // empty items are skipped
  EXPECT_EQ(flags("wrr", ""), 0u);
  EXPECT_EQ(ok({"-E", "-t", "10.0.0.1:80", "-b", "flag-2"}).sched_flags,
            ipvs::kSvcFlagSched2);  // default wlc

  expect_error({"-A", "-t", "10.0.0.1:80", "-s", "rr", "-b", "sh-port"}, kParseUsage,
               "incompatible scheduler flag `sh-port'");
  expect_error({"-A", "-t", "10.0.0.1:80", "-b", "sh-fallback"}, kParseUsage,
               "incompatible scheduler flag `sh-fallback'");
  expect_error({"-A", "-t", "10.0.0.1:80", "-s", "sh", "-b", "mh-port"}, kParseUsage,
               "incompatible scheduler flag `mh-port'");
  expect_error({"-A", "-t", "10.0.0.1:80", "-s", "mh", "-b", "mh-port,sh-port"}, kParseUsage,
               "incompatible scheduler flag `sh-port'");
  expect_error({"-A", "-t", "10.0.0.1:80", "-s", "sh", "-b", "sh-port,bogus"}, kParseUsage,
               "invalid scheduler flag `bogus'");
  expect_error({"-A", "-t", "10.0.0.1:80", "-b", "flag-4"}, kParseUsage, "invalid scheduler flag `flag-4'");
}

TEST(IpvsadmParse, DestCommandsAndTheDefaultPortRule) {
  IpvsCommand a = ok({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-m"});
  EXPECT_EQ(a.cmd, IpvsCmd::kAddDest);
  EXPECT_EQ(a.service, (ipvs::ServiceKey{kProtoTcp, kVip, 80}));
  EXPECT_TRUE(a.has_dest);
  EXPECT_EQ(a.dest_addr, kRip);
  EXPECT_EQ(a.dest_port, 80) << "no port: the service's";
  EXPECT_EQ(a.weight, 1u) << "ipvsadm's default weight";

  IpvsCommand b = ok({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2:8080", "-m", "-w", "5"});
  EXPECT_EQ(b.dest_port, 8080);
  EXPECT_EQ(b.weight, 5u);
  EXPECT_EQ(ok({"-a", "-r", "10.1.0.2", "-t", "10.0.0.1:81", "-m"}).dest_port, 81) << "-r before -t";
  EXPECT_EQ(ok({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2:0", "-m"}).dest_port, 0) << "given, even if 0";
  EXPECT_EQ(ok({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-w", "0"}).weight, 0u)
      << "-m implied, weight 0 drains";
  EXPECT_EQ(ok({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-w", "65535"}).weight, 65535u);
  EXPECT_EQ(ok({"--add-server", "--udp-service", "10.0.0.1:53", "--real-server", "10.1.0.2", "--masquerading",
                "--weight", "7"}),
            ok({"-a", "-u", "10.0.0.1:53", "-r", "10.1.0.2:53", "-m", "-w", "7"}));

  IpvsCommand e = ok({"-e", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-m"});
  EXPECT_EQ(e.cmd, IpvsCmd::kEditDest);
  EXPECT_EQ(e.weight, 1u) << "ipvsadm -e resets an omitted weight to 1";
  EXPECT_EQ(e.dest_port, 80);

  IpvsCommand d = ok({"-d", "-t", "10.0.0.1:80", "-r", "10.1.0.2"});
  EXPECT_EQ(d.cmd, IpvsCmd::kDelDest);
  EXPECT_EQ(d.dest_port, 80);
  EXPECT_EQ(ok({"--delete-server", "-t", "10.0.0.1:80", "-r", "10.1.0.2:90"}).dest_port, 90);
}

TEST(IpvsadmParse, OtherCommands) {
  IpvsCommand del = ok({"-D", "-u", "10.0.0.1:53"});
  EXPECT_EQ(del.cmd, IpvsCmd::kDelService);
  EXPECT_EQ(del.service, (ipvs::ServiceKey{kProtoUdp, kVip, 53}));
  EXPECT_EQ(ok({"--delete-service", "--tcp-service", "10.0.0.1:80"}).cmd, IpvsCmd::kDelService);
  EXPECT_EQ(ok({"-C"}).cmd, IpvsCmd::kClear);
  EXPECT_EQ(ok({"--clear"}).cmd, IpvsCmd::kClear);
  EXPECT_EQ(ok({"-Z"}).cmd, IpvsCmd::kZero);
  EXPECT_FALSE(ok({"--zero"}).has_service);
  IpvsCommand z = ok({"-Z", "-t", "10.0.0.1:80"});
  EXPECT_TRUE(z.has_service);
  EXPECT_EQ(z.service.vport, 80);
  EXPECT_EQ(ok({"-S"}).cmd, IpvsCmd::kSave);
  EXPECT_TRUE(ok({"--save", "-n"}).format.numeric);
  EXPECT_EQ(ok({"-R"}).cmd, IpvsCmd::kRestore);
  EXPECT_EQ(ok({"--restore"}).cmd, IpvsCmd::kRestore);
  for (auto h : {"-h", "--help"}) EXPECT_EQ(ok({h}).cmd, IpvsCmd::kHelp);
  for (auto v : {"-v", "--version"}) EXPECT_EQ(ok({v}).cmd, IpvsCmd::kVersion);
  EXPECT_EQ(ok({"-h", "--bogus", "x"}).cmd, IpvsCmd::kHelp) << "ipvsadm answers -h at once";
}

TEST(IpvsadmParse, SetTimeouts) {
  IpvsCommand s = ok({"--set", "900", "120", "300"});
  EXPECT_EQ(s.cmd, IpvsCmd::kSetTimeouts);
  EXPECT_EQ(s.timeouts, (Timeouts{900, 120, 300}));
  EXPECT_EQ(ok({"--set", "0", "0", "0"}).timeouts, (Timeouts{}));
  EXPECT_EQ(ok({"--set", "2678400", "1", "2"}).timeouts.tcp, 2678400u) << "ipvsadm's maximum, 31 days";
  // popt leaves non-options aside wherever they are
  EXPECT_EQ(ok({"900", "--set", "120", "--", "300"}).timeouts, (Timeouts{900, 120, 300}));

  expect_error({"--set", "900", "120"}, kParseUsage, "--set option requires 3 timeout values");
  expect_error({"--set"}, kParseUsage, "--set option requires 3 timeout values");
  expect_error({"--set", "900", "x", "300"}, kParseUsage, "invalid timeout value `x' specified");
  expect_error({"--set", "900", "120", "2678401"}, kParseUsage, "invalid timeout value `2678401' specified");
  expect_error({"--set", "--", "-1", "120", "300"}, kParseUsage, "invalid timeout value `-1' specified");
  expect_error({"--set", "-1", "120", "300"}, kParseBadOption, "-1: unknown option");  // popt reads an option
  expect_error({"--set", "1", "2", "3", "4"}, kParseUsage, "unexpected argument 4");
}

// ---------------------------------------------------------------- ipvsadm's errors

TEST(IpvsadmParse, BadServiceAddresses) {
  const std::string illegal = "illegal virtual server address[:port] specified";
  for (const char* bad :
       {"", "80", "10.0.0", "10.0.0.1.2:80", "host:80", "localhost", "10.0.0.1:", "10.0.0.1:65536",
        "10.0.0.1:http", "256.0.0.1:80", "10.0.0.1:-1", "10.0.0.1:8o", " 10.0.0.1:80", "10.0.0.1 :80"}) {
    expect_error({"-A", "-t", bad}, kParseUsage, illegal);
    expect_error({"-D", "-u", bad}, kParseUsage, illegal);
  }
  EXPECT_EQ(ok({"-A", "-t", "10.0.0.1:65535"}).service.vport, 65535);
  EXPECT_EQ(ok({"-A", "-t", "10.0.0.1:00080"}).service.vport, 80);

  const std::string illegal_rs = "illegal real server address[:port] specified";
  for (const char* bad : {"", "2", "10.1.0", "rs1", "10.1.0.2:", "10.1.0.2:99999", "10.1.0.2:x"}) {
    expect_error({"-a", "-t", "10.0.0.1:80", "-r", bad}, kParseUsage, illegal_rs);
  }
}

TEST(IpvsadmParse, ZeroPortServices) {
  const std::string zero = "Zero port specified for non-persistent service";
  expect_error({"-A", "-t", "10.0.0.1"}, kParseUsage, zero);
  expect_error({"-A", "-t", "10.0.0.1:0"}, kParseUsage, zero);
  expect_error({"-E", "-u", "10.0.0.1"}, kParseUsage, zero);
  // only adding and editing need a port; the other commands pass the key on (the daemon answers)
  EXPECT_EQ(ok({"-D", "-t", "10.0.0.1"}).service.vport, 0);
}

TEST(IpvsadmParse, BadWeights) {
  for (const char* bad : {"-1", "abc", "", "1.5", "2147483648", "99999999999999999999"}) {
    expect_error({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-w", bad}, kParseUsage,
                 "illegal weight specified");
  }
  // valid for ipvsadm (0..INT_MAX) but beyond dplb's weights
  expect_unsupported({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-w", "65536"},
                     "dplb supports weights 0 to 65535 only: weight 65536 is not supported");
  expect_unsupported({"-e", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-w", "2147483647"},
                     "dplb supports weights 0 to 65535 only: weight 2147483647 is not supported");
}

TEST(IpvsadmParse, Schedulers) {
  expect_error({"-A", "-t", "10.0.0.1:80", "-s", "foo"}, kParseNoScheduler, "Scheduler not found: foo");
  expect_error({"-E", "-t", "10.0.0.1:80", "-s", "RR"}, kParseNoScheduler, "Scheduler not found: RR");
  expect_error({"-A", "-t", "10.0.0.1:80", "-s", "a-very-long-scheduler-name"}, kParseNoScheduler,
               "Scheduler not found: a-very-long-scheduler-name");
  for (const char* s : {"lblc", "lblcr", "dh", "sed", "nq", "fo", "ovf", "twos"}) {
    expect_unsupported({"-A", "-t", "10.0.0.1:80", "-s", s},
                       "dplb supports the rr, wrr, lc, wlc, sh and mh schedulers only: scheduler '" +
                           std::string(s) + "' is not supported");
  }
}

TEST(IpvsadmParse, MissingRequiredOptions) {
  expect_error({"-A"}, kParseUsage,
               "You need to supply the 'service-address' option for the 'add-service' command");
  expect_error({"-E", "-s", "rr"}, kParseUsage,
               "You need to supply the 'service-address' option for the 'edit-service' command");
  expect_error({"-D"}, kParseUsage,
               "You need to supply the 'service-address' option for the 'delete-service' command");
  expect_error({"-a", "-r", "10.1.0.2"}, kParseUsage,
               "You need to supply the 'service-address' option for the 'add-server' command");
  expect_error({"-a", "-t", "10.0.0.1:80", "-w", "3"}, kParseUsage,
               "You need to supply the 'real-server' option for the 'add-server' command");
  expect_error({"-e", "-t", "10.0.0.1:80"}, kParseUsage,
               "You need to supply the 'real-server' option for the 'edit-server' command");
  expect_error({"-d", "-t", "10.0.0.1:80"}, kParseUsage,
               "You need to supply the 'real-server' option for the 'delete-server' command");
}

TEST(IpvsadmParse, IllegalOptionCombinations) {
  expect_error({"-A", "-t", "10.0.0.1:80", "-w", "1"}, kParseUsage,
               "Illegal 'weight' option with the 'add-service' command");
  expect_error({"-A", "-t", "10.0.0.1:80", "-r", "10.1.0.2"}, kParseUsage,
               "Illegal 'real-server' option with the 'add-service' command");
  expect_error({"-A", "-t", "10.0.0.1:80", "-m"}, kParseUsage,
               "Illegal 'forwarding-method' option with the 'add-service' command");
  // checked in ipvsadm's option order, not the command line's
  expect_error({"-A", "-w", "1", "-n", "-t", "10.0.0.1:80"}, kParseUsage,
               "Illegal 'numeric' option with the 'add-service' command");
  expect_error({"-E", "-t", "10.0.0.1:80", "--stats"}, kParseUsage,
               "Illegal 'stats' option with the 'edit-service' command");
  expect_error({"-D", "-t", "10.0.0.1:80", "-s", "rr"}, kParseUsage,
               "Illegal 'scheduler' option with the 'delete-service' command");
  expect_error({"-D", "-t", "10.0.0.1:80", "-b", "flag-1"}, kParseUsage,
               "Illegal 'sched-flags' option with the 'delete-service' command");
  expect_error({"-d", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-w", "1"}, kParseUsage,
               "Illegal 'weight' option with the 'delete-server' command");
  expect_error({"-d", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-m"}, kParseUsage,
               "Illegal 'forwarding-method' option with the 'delete-server' command");
  expect_error({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-s", "rr"}, kParseUsage,
               "Illegal 'scheduler' option with the 'add-server' command");
  expect_error({"-C", "-t", "10.0.0.1:80"}, kParseUsage,
               "Illegal 'service-address' option with the 'flush' command");
  expect_error({"-C", "-n"}, kParseUsage, "Illegal 'numeric' option with the 'flush' command");
  expect_error({"-S", "-t", "10.0.0.1:80"}, kParseUsage,
               "Illegal 'service-address' option with the 'save' command");
  expect_error({"-S", "--stats"}, kParseUsage, "Illegal 'stats' option with the 'save' command");
  expect_error({"-Z", "-n"}, kParseUsage, "Illegal 'numeric' option with the 'zero' command");
  expect_error({"-R", "-n"}, kParseUsage, "Illegal 'numeric' option with the 'restore' command");
  expect_error({"--set", "1", "2", "3", "-n"}, kParseUsage,
               "Illegal 'numeric' option with the 'set' command");
  expect_error({"-L", "-s", "rr"}, kParseUsage, "Illegal 'scheduler' option with the 'list' command");
  expect_error({"-L", "-b", "flag-1"}, kParseUsage, "Illegal 'sched-flags' option with the 'list' command");
  expect_error({"-L", "-t", "10.0.0.1:80", "-r", "10.1.0.2"}, kParseUsage,
               "Illegal 'real-server' option with the 'list' command");
}

TEST(IpvsadmParse, ListConflicts) {
  expect_error({"-L", "-c", "-t", "10.0.0.1:80"}, kParseUsage,
               "The option 'service-address' conflicts with the 'connection' option in the 'list' command");
  expect_error({"-L", "--timeout", "-c"}, kParseUsage,
               "The option 'timeout' conflicts with the 'connection' option in the 'list' command");
  expect_error({"-L", "--timeout", "-u", "10.0.0.1:53"}, kParseUsage,
               "The option 'timeout' conflicts with the 'service-address' option in the 'list' command");
  const std::string conflicts = "options conflicts in the list command";
  expect_error({"-L", "-c", "--stats"}, kParseUsage, conflicts);
  expect_error({"-L", "-c", "--rate"}, kParseUsage, conflicts);
  expect_error({"-L", "-c", "--thresholds"}, kParseUsage, conflicts);
  expect_error({"-L", "--timeout", "--stats"}, kParseUsage, conflicts);
  expect_error({"-L", "--timeout", "--persistent-conn"}, kParseUsage, conflicts);
  EXPECT_TRUE(parse({"-L", "--stats", "--rate"})) << "ipvsadm lets --stats win";
}

TEST(IpvsadmParse, RepeatedOptions) {
  expect_error({"-A", "-t", "10.0.0.1:80", "-u", "10.0.0.1:80"}, kParseUsage,
               "multiple 'service-address' options specified");
  expect_error({"-A", "-t", "10.0.0.1:80", "-t", "10.0.0.2:80"}, kParseUsage,
               "multiple 'service-address' options specified");
  expect_error({"-A", "-t", "10.0.0.1:80", "-s", "rr", "-s", "wrr"}, kParseUsage,
               "multiple 'scheduler' options specified");
  expect_error({"-A", "-t", "10.0.0.1:80", "-b", "flag-1", "-b", "flag-2"}, kParseUsage,
               "multiple 'sched-flags' options specified");
  expect_error({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-r", "10.1.0.3"}, kParseUsage,
               "multiple 'real-server' options specified");
  expect_error({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-m", "-m"}, kParseUsage,
               "multiple 'forwarding-method' options specified");
  expect_error({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-w", "1", "-w", "2"}, kParseUsage,
               "multiple 'weight' options specified");
  expect_error({"-L", "-n", "-n"}, kParseUsage, "multiple 'numeric' options specified");
  expect_error({"-Lnn"}, kParseUsage, "multiple 'numeric' options specified");
  expect_error({"-L", "--stats", "--stats"}, kParseUsage, "multiple 'stats' options specified");
  expect_error({"-L", "-X", "--exact"}, kParseUsage, "multiple 'exact' options specified");
  // a second command is just an invalid option (ipvsadm's "multiple commands" is never reached)
  expect_error({"-A", "-L"}, kParseUsage, "invalid option `-L'");
  expect_error({"-L", "-h"}, kParseUsage, "invalid option `-h'");
  expect_error({"-L", "--save"}, kParseUsage, "invalid option `--save'");
  expect_error({"-AC"}, kParseUsage, "invalid option `-AC'");
}

TEST(IpvsadmParse, Persistence) {
  IpvsCommand d = ok({"-A", "-t", "10.0.0.1:80", "-s", "rr", "-p"});
  EXPECT_EQ(d.persist_seconds, 300u);  // ipvsadm's default
  EXPECT_EQ(d.persist_netmask, 0u);
  IpvsCommand p = ok({"-E", "-t", "10.0.0.1:80", "--persistent=60", "-M", "255.255.255.0"});
  EXPECT_EQ(p.persist_seconds, 60u);
  EXPECT_EQ(p.persist_netmask, 0xffffff00u);
  EXPECT_EQ(ok({"-A", "-t", "10.0.0.1:80", "-p", "7"}).persist_seconds, 7u);
  EXPECT_EQ(ok({"-A", "-t", "10.0.0.1:80"}).persist_seconds, 0u);
  expect_error({"-A", "-t", "10.0.0.1:80", "-p", "0"}, kParseUsage, "illegal timeout for persistent service specified");
  expect_error({"-A", "-t", "10.0.0.1:80", "-p", "-M", "x"}, kParseUsage, "illegal virtual server netmask specified");
  expect_error({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.1", "-p"}, kParseUsage,
               "Illegal 'persistent' option with the 'add-server' command");
}

TEST(IpvsadmParse, TheFirstProblemInArgumentOrderWins) {
  expect_error({"-A", "-t", "bad", "-w", "x"}, kParseUsage,
               "illegal virtual server address[:port] specified");
  expect_error({"-A", "-t", "10.0.0.1:80", "-p", "-g"}, kParseUsage,
               "Illegal 'forwarding-method' option with the 'add-service' command");
  expect_error({"-a", "-i", "--tun-type", "gue", "-t", "bad"}, kParseUnsupported,
               "dplb tunnels with IP-in-IP (ipip) only: --tun-type gue is not supported");
  // option problems come before the command's checks
  expect_error({"-A", "-t", "10.0.0.1", "-s", "rr", "-s", "rr"}, kParseUsage,
               "multiple 'scheduler' options specified");
  // and the command's checks before the scheduler's existence (the kernel's answer, last)
  expect_error({"-A", "-t", "10.0.0.1", "-s", "foo"}, kParseUsage,
               "Zero port specified for non-persistent service");
}

TEST(IpvsadmParse, PoptErrors) {
  expect_error({"-L", "--foo"}, kParseBadOption, "--foo: unknown option");
  expect_error({"-L", "--li"}, kParseBadOption, "--li: unknown option");  // no abbreviations
  expect_error({"-Lq"}, kParseBadOption, "-Lq: unknown option");
  expect_error({"-L", "---x"}, kParseBadOption, "---x: unknown option");
  expect_error({"-A", "-t"}, kParseBadOption, "-t: missing argument");
  expect_error({"-A", "--tcp-service"}, kParseBadOption, "--tcp-service: missing argument");
  expect_error({"-L", "--stats=1"}, kParseBadOption, "--stats=1: option does not take an argument");
  expect_error({"-L", "-n=x"}, kParseBadOption, "-n=x: option does not take an argument");
}

TEST(IpvsadmParse, NoCommandFirst) {
  for (auto args : {argv_of({"--foo"}), argv_of({"-t", "10.0.0.1:80", "-A"}), argv_of({"foo"}),
                    argv_of({"--"}), argv_of({"-n", "-L"}), argv_of({"--", "-L"}), argv_of({"-q"})}) {
    auto c = parse_ipvsadm(args);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.status().code(), kParseNoCommand) << args.front();
  }
  EXPECT_EQ(try_help_hint("/sbin/ipvsadm"),
            "Try `/sbin/ipvsadm -h' or '/sbin/ipvsadm --help' for more information.");
}

TEST(IpvsadmParse, UnexpectedArguments) {
  expect_error({"-L", "extra"}, kParseUsage, "unexpected argument extra");
  expect_error({"-C", "--", "-A"}, kParseUsage, "unexpected argument -A");
  expect_error({"-A", "-", "-t", "10.0.0.1:80"}, kParseUsage, "unexpected argument -");
}

// ---------------------------------------------------------------- what dplb does not do

TEST(IpvsadmParse, UnsupportedOptionsAreRefusedClearly) {
  const std::string ipip = "dplb tunnels with IP-in-IP (ipip) only: ";
  expect_unsupported({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-i", "--tun-type", "gue"},
                     ipip + "--tun-type gue is not supported");
  expect_unsupported({"-a", "-t", "10.0.0.1:80", "--tun-type", "gre"}, ipip + "--tun-type gre is not supported");
  expect_unsupported({"-a", "-t", "10.0.0.1:80", "--tun-port", "6080"}, ipip + "--tun-port is not supported");
  expect_unsupported({"-a", "-t", "10.0.0.1:80", "--tun-nocsum"}, ipip + "--tun-nocsum is not supported");
  expect_unsupported({"-a", "-t", "10.0.0.1:80", "--tun-csum"}, ipip + "--tun-csum is not supported");
  expect_unsupported({"-a", "-t", "10.0.0.1:80", "--tun-remcsum"}, ipip + "--tun-remcsum is not supported");

  const std::string persist = "dplb supports address persistence only (no persistence engines): ";
  expect_unsupported({"-A", "-t", "10.0.0.1:80", "--pe", "sip"}, persist + "--pe is not supported");
  expect_unsupported({"-A", "-t", "10.0.0.1", "-p"},
                     "dplb supports address:port services only: port 0 is not supported");

  expect_unsupported({"-A", "-f", "1"},
                     "dplb supports address:port services only: --fwmark-service (-f) is not supported");
  expect_unsupported({"-A", "--fwmark-service", "1"},
                     "dplb supports address:port services only: --fwmark-service (-f) is not supported");
  expect_unsupported({"-A", "--sctp-service", "10.0.0.1:80"},
                     "dplb supports TCP and UDP services only: --sctp-service is not supported");
  expect_unsupported({"-A", "-6"}, "dplb supports IPv4 only: --ipv6 (-6) is not supported");
  expect_unsupported({"-A", "-t", "[2001:db8::1]:80"},
                     "dplb supports IPv4 only: IPv6 service address '[2001:db8::1]:80' is not supported");
  expect_unsupported({"-A", "-t", "::1"},
                     "dplb supports IPv4 only: IPv6 service address '::1' is not supported");
  expect_unsupported({"-a", "-t", "10.0.0.1:80", "-r", "[::1]:80"},
                     "dplb supports IPv4 only: IPv6 real server address '[::1]:80' is not supported");

  const std::string thr = "dplb supports weights only, not connection thresholds: ";
  expect_unsupported({"-a", "-t", "10.0.0.1:80", "-x", "100"}, thr + "--u-threshold (-x) is not supported");
  expect_unsupported({"-a", "-t", "10.0.0.1:80", "--l-threshold", "10"},
                     thr + "--l-threshold (-y) is not supported");
  expect_unsupported({"-A", "-u", "10.0.0.1:53", "-o"},
                     "dplb supports per-connection scheduling only: --ops (-o) is not supported");

  const std::string sync = "dplb runs no connection sync daemon: ";
  expect_unsupported({"--start-daemon", "master"}, sync + "--start-daemon is not supported");
  expect_unsupported({"--stop-daemon", "backup"}, sync + "--stop-daemon is not supported");
  expect_unsupported({"-L", "--daemon"}, sync + "--daemon is not supported");
  for (const char* o :
       {"--mcast-interface", "--syncid", "--mcast-group", "--mcast-port", "--mcast-ttl", "--sync-maxlen"}) {
    auto r = parse({"-L", o, "1"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status().code(), kParseUnsupported);
    EXPECT_EQ(r.status().message(), sync + o + " is not supported");
  }
}

TEST(IpvsadmParse, ExitCodesFollowIpvsadm) {
  EXPECT_EQ(exit_code_of_parse_error(kParseUsage), 2);
  EXPECT_EQ(exit_code_of_parse_error(kParseBadOption), 255);
  EXPECT_EQ(exit_code_of_parse_error(kParseNoCommand), 255);
  EXPECT_EQ(exit_code_of_parse_error(kParseNoScheduler), 255);
  EXPECT_EQ(exit_code_of_parse_error(kParseUnsupported), 1);
}

TEST(IpvsadmParse, RuleCommands) {
  for (auto c :
       {IpvsCmd::kAddService, IpvsCmd::kEditService, IpvsCmd::kDelService, IpvsCmd::kClear, IpvsCmd::kAddDest,
        IpvsCmd::kEditDest, IpvsCmd::kDelDest, IpvsCmd::kSetTimeouts, IpvsCmd::kZero}) {
    EXPECT_TRUE(is_rule_command(c));
  }
  for (auto c : {IpvsCmd::kList, IpvsCmd::kSave, IpvsCmd::kRestore, IpvsCmd::kHelp, IpvsCmd::kVersion}) {
    EXPECT_FALSE(is_rule_command(c));
  }
}

// Random command lines from ipvsadm's vocabulary: the parser never crashes, every refusal has a known
// code and a message, and every accepted command is one the daemon can take as it is.
TEST(IpvsadmParse, RandomCommandLinesGiveValidCommandsOrClearErrors) {
  const std::vector<std::string> words = {"-A",
                                          "-E",
                                          "-D",
                                          "-C",
                                          "-L",
                                          "-l",
                                          "-Z",
                                          "-a",
                                          "-e",
                                          "-d",
                                          "-S",
                                          "-R",
                                          "--set",
                                          "-t",
                                          "-u",
                                          "-r",
                                          "-s",
                                          "-w",
                                          "-b",
                                          "-m",
                                          "-g",
                                          "-n",
                                          "-c",
                                          "--stats",
                                          "--rate",
                                          "--timeout",
                                          "--exact",
                                          "-p",
                                          "10.0.0.1:80",
                                          "10.0.0.1",
                                          "10.1.0.2:8080",
                                          "rr",
                                          "sh",
                                          "mh",
                                          "foo",
                                          "sh-port",
                                          "flag-1,flag-2",
                                          "0",
                                          "1",
                                          "65535",
                                          "70000",
                                          "900",
                                          "-Ln",
                                          "-At10.0.0.1:80",
                                          "--",
                                          "-",
                                          "--tcp-service=10.0.0.1:81",
                                          "-s=wrr",
                                          "x",
                                          "",
                                          "-h"};
  std::mt19937 rng(7);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::string> args(rng() % 8);
    for (auto& a : args) a = words[rng() % words.size()];
    auto r = parse_ipvsadm(args);
    if (!r) {
      int code = r.status().code();
      EXPECT_TRUE(code == kParseUsage || code == kParseBadOption || code == kParseNoCommand ||
                  code == kParseUnsupported || code == kParseNoScheduler)
          << code;
      EXPECT_FALSE(r.status().message().empty());
      continue;
    }
    ++accepted;
    const IpvsCommand& c = *r;
    if (c.cmd == IpvsCmd::kAddService || c.cmd == IpvsCmd::kEditService) {
      EXPECT_TRUE(c.has_service);
      EXPECT_NE(c.service.vport, 0);
      EXPECT_TRUE(ipvs::parse_sched(c.sched).has_value()) << c.sched;
      EXPECT_EQ(c.sched_flags & ~ipvs::kSvcFlagsSupported, 0u);
    }
    if (c.cmd == IpvsCmd::kAddDest || c.cmd == IpvsCmd::kEditDest || c.cmd == IpvsCmd::kDelDest) {
      EXPECT_TRUE(c.has_service && c.has_dest);
      EXPECT_LE(c.weight, ipvs::kMaxWeight);
    }
    if (c.cmd == IpvsCmd::kDelService) {
      EXPECT_TRUE(c.has_service);
    }
  }
  EXPECT_GT(accepted, 200);
}

}  // namespace
}  // namespace dplb::cli
