// dpip's parser: every command form, ip's keyword prefixes, and every error with its exact text.
#include "cli/dpip/parser.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "dplb/ctrl/proto.h"

namespace dplb::dpip {
namespace {

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream is(line);
  for (std::string w; is >> w;) out.push_back(w);
  return out;
}

Result<Command> P(const std::string& line) { return parse(words(line)); }

// The command must parse; returns it.
Command ok(const std::string& line) {
  auto c = P(line);
  EXPECT_TRUE(c.is_ok()) << line << " -> " << c.status().message();
  return c.is_ok() ? *c : Command{};
}

// The command must fail with exactly this message.
void fails(const std::string& line, const std::string& message) {
  auto c = P(line);
  ASSERT_FALSE(c.is_ok()) << line;
  EXPECT_EQ(c.status().code(), EINVAL) << line;
  EXPECT_EQ(c.status().message(), message) << line;
}

Ip4 ip(const char* s) { return *parse_ip4(s); }

// ---- global options ----------------------------------------------------------------------------

TEST(DpipParser, GlobalOptions) {
  Command c = ok("-s -s -j -p -v -x /tmp/d.sock link");
  EXPECT_EQ(c.options.stats, 2);
  EXPECT_TRUE(c.options.json);
  EXPECT_TRUE(c.options.pretty);
  EXPECT_TRUE(c.options.verbose);
  EXPECT_EQ(c.options.socket, "/tmp/d.sock");
  EXPECT_EQ(c.object, Object::kLink);

  c = ok("-stats -statistics --json -pretty -verbose link");
  EXPECT_EQ(c.options.stats, 2);
  EXPECT_TRUE(c.options.json);
  EXPECT_TRUE(c.options.pretty);
  EXPECT_TRUE(c.options.verbose);
  EXPECT_EQ(ok("-4 link").object, Object::kLink);

  c = ok("-force -batch /tmp/file route add ignored");
  EXPECT_EQ(c.verb, Verb::kBatch);
  EXPECT_TRUE(c.options.force);
  EXPECT_EQ(c.options.batch_file, "/tmp/file");
  EXPECT_EQ(ok("-b -").options.batch_file, "-");

  EXPECT_EQ(ok("-V").verb, Verb::kVersion);
  EXPECT_EQ(ok("-h").verb, Verb::kHelp);
  EXPECT_EQ(ok("-help").object, Object::kNone);
  EXPECT_EQ(ok("").verb, Verb::kHelp);
  EXPECT_EQ(ok("help").verb, Verb::kHelp);
  EXPECT_EQ(ok("-- link").object, Object::kLink);
}

TEST(DpipParser, GlobalOptionErrors) {
  fails("-q link", "Option \"-q\" is unknown, try \"dpip -help\".");
  fails("-jsonx link", "Option \"-jsonx\" is unknown, try \"dpip -help\".");
  fails("-x", "Option \"-x\" requires the control socket path.");
  auto c = P("-batch");
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().message().rfind("Usage: dpip [ OPTIONS ] OBJECT", 0), 0u);
  fails("foo", "Object \"foo\" is unknown, try \"dpip help\".");
}

// ---- objects and commands: ip's prefixes -------------------------------------------------------

TEST(DpipParser, ObjectAndCommandPrefixes) {
  struct Case {
    const char* line;
    Object object;
    Verb verb;
  };
  const Case cases[] = {
      {"l", Object::kLink, Verb::kShow},
      {"link", Object::kLink, Verb::kShow},
      {"link list", Object::kLink, Verb::kShow},
      {"link lst", Object::kLink, Verb::kShow},
      {"li s", Object::kLink, Verb::kShow},
      {"link help", Object::kLink, Verb::kHelp},
      {"a", Object::kAddr, Verb::kShow},
      {"addr", Object::kAddr, Verb::kShow},
      {"address list", Object::kAddr, Verb::kShow},
      {"a s dev dpdk0", Object::kAddr, Verb::kShow},
      {"a a 1.2.3.4 dev d", Object::kAddr, Verb::kAdd},
      {"a d 1.2.3.4 dev d", Object::kAddr, Verb::kDel},
      {"a f dev d", Object::kAddr, Verb::kFlush},
      {"a h", Object::kAddr, Verb::kHelp},
      {"n", Object::kNeigh, Verb::kShow},
      {"neighbour show", Object::kNeigh, Verb::kShow},
      {"neighbor", Object::kNeigh, Verb::kShow},
      {"neigh fl dev d", Object::kNeigh, Verb::kFlush},
      {"r", Object::kRoute, Verb::kShow},
      {"r s", Object::kRoute, Verb::kShow},
      {"route list", Object::kRoute, Verb::kShow},
      {"r a 1.0.0.0/8 dev d", Object::kRoute, Verb::kAdd},
      {"r d 1.0.0.0/8", Object::kRoute, Verb::kDel},
      {"r c 1.0.0.0/8 dev d", Object::kRoute, Verb::kChange},
      {"r chg 1.0.0.0/8 dev d", Object::kRoute, Verb::kChange},
      {"r replace 1.0.0.0/8 dev d", Object::kRoute, Verb::kReplace},
      {"r app 1.0.0.0/8 dev d", Object::kRoute, Verb::kAppend},
      {"r g 1.2.3.4", Object::kRoute, Verb::kGet},
      {"r f", Object::kRoute, Verb::kFlush},
      {"r h", Object::kRoute, Verb::kHelp},
      {"sync", Object::kSync, Verb::kShow},
      {"s show", Object::kSync, Verb::kShow},
      {"sync help", Object::kSync, Verb::kHelp},
  };
  for (const Case& c : cases) {
    Command got = ok(c.line);
    EXPECT_EQ(got.object, c.object) << c.line;
    EXPECT_EQ(got.verb, c.verb) << c.line;
  }
}

TEST(DpipParser, UnknownCommands) {
  fails("link set dpdk0 up", "Command \"set\" is unknown, try \"dpip link help\".");
  fails("addr foo", "Command \"foo\" is unknown, try \"dpip address help\".");
  fails("neigh foo", "Command \"foo\" is unknown, try \"dpip neigh help\".");
  fails("route prepend 1.0.0.0/8 dev d", "Command \"prepend\" is unknown, try \"dpip route help\".");
  fails("sync now", "Command \"now\" is unknown, try \"dpip sync help\".");
  fails("sync show extra", "Error: either \"show\" is duplicate, or \"extra\" is a garbage.");
}

// ---- link ------------------------------------------------------------------------------------

TEST(DpipParser, LinkShow) {
  EXPECT_EQ(std::get<DevArgs>(ok("link").args).dev, "");
  EXPECT_EQ(std::get<DevArgs>(ok("link show dpdk0").args).dev, "dpdk0");
  EXPECT_EQ(std::get<DevArgs>(ok("link show dev dpdk1").args).dev, "dpdk1");
  fails("link show dpdk0 foo", "Error: either \"dev\" is duplicate, or \"foo\" is a garbage.");
  fails("link show dev a dev b", "Error: duplicate \"dev\": \"b\" is the second value.");
  fails("link show dev", "Command line is not complete. Try option \"help\"");
  fails("link show 0123456789abcdef",
        "Error: argument \"0123456789abcdef\" is wrong: \"dev\" not a valid ifname");
  EXPECT_EQ(std::get<DevArgs>(ok("link show 0123456789abcde").args).dev, "0123456789abcde");
}

// ---- addr ------------------------------------------------------------------------------------

TEST(DpipParser, AddrAddDel) {
  auto a = std::get<AddrArgs>(ok("addr add 10.0.0.1/24 dev dpdk0").args);
  EXPECT_EQ(a.prefix.addr, ip("10.0.0.1"));
  EXPECT_EQ(a.prefix.len, 24);
  EXPECT_EQ(a.dev, "dpdk0");
  EXPECT_FALSE(a.scope.has_value());

  a = std::get<AddrArgs>(ok("addr add dev dpdk0 10.0.0.9").args);  // any order; no /len = /32
  EXPECT_EQ(a.prefix.len, 32);
  a = std::get<AddrArgs>(ok("addr del local 10.0.0.1/24 dev dpdk0 scope host").args);
  EXPECT_EQ(a.scope, proto::kScopeHost);
  a = std::get<AddrArgs>(ok("addr add 10.0.0.1/24 dev dpdk0 scope site").args);
  EXPECT_EQ(a.scope, proto::kScopeSite);
  a = std::get<AddrArgs>(ok("addr add 10.0.0.1/24 dev dpdk0 scope 17").args);
  EXPECT_EQ(a.scope, 17);
}

TEST(DpipParser, AddrErrors) {
  fails("addr add 10.0.0.1/24", "Not enough information: \"dev\" argument is required.");
  fails("addr add dev dpdk0", "Not enough information: \"local\" argument is required.");
  fails("addr add 10.0.0.1/33 dev dpdk0", "Error: any valid prefix is expected rather than \"10.0.0.1/33\".");
  fails("addr add 10.0.0.300/24 dev dpdk0",
        "Error: any valid prefix is expected rather than \"10.0.0.300/24\".");
  fails("addr add 10.0.0.1/24 dev dpdk0 foo",
        "Error: either \"local\" is duplicate, or \"foo\" is a garbage.");
  fails("addr add 10.0.0.1/24 dev dpdk0 dev dpdk1",
        "Error: duplicate \"dev\": \"dpdk1\" is the second value.");
  fails("addr add 10.0.0.1/24 dev dpdk0 scope bogus",
        "Error: argument \"bogus\" is wrong: invalid scope value.");
  fails("addr add 10.0.0.1/24 dev dpdk0 scope 256", "Error: argument \"256\" is wrong: invalid scope value.");
  fails("addr add 10.0.0.1/24 dev dpdk0 scope link scope host",
        "Error: duplicate \"scope\": \"host\" is the second value.");
  fails("addr add 10.0.0.1/24 dev", "Command line is not complete. Try option \"help\"");
  fails("addr add local", "Command line is not complete. Try option \"help\"");
  fails("addr flush", "Flush requires arguments.");
  fails("addr show dev a b", "Error: either \"dev\" is duplicate, or \"b\" is a garbage.");
}

TEST(DpipParser, AddrShowFlush) {
  EXPECT_EQ(std::get<DevArgs>(ok("addr").args).dev, "");
  EXPECT_EQ(std::get<DevArgs>(ok("addr show dev dpdk0").args).dev, "dpdk0");
  EXPECT_EQ(std::get<DevArgs>(ok("addr show dpdk0").args).dev, "dpdk0");
  EXPECT_EQ(std::get<DevArgs>(ok("addr flush dev dpdk0").args).dev, "dpdk0");
}

// ---- neigh -----------------------------------------------------------------------------------

TEST(DpipParser, Neigh) {
  auto n = std::get<NeighArgs>(ok("neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev dpdk0").args);
  EXPECT_EQ(n.addr, ip("10.0.0.2"));
  ASSERT_TRUE(n.lladdr.has_value());
  EXPECT_EQ(n.lladdr->b[5], 2);
  EXPECT_EQ(n.dev, "dpdk0");
  ok("neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev dpdk0 nud permanent");
  ok("neigh add to 10.0.0.2 lladdr 02:00:00:00:00:02 nud perm dev dpdk0");
  n = std::get<NeighArgs>(ok("neigh del 10.0.0.2 dev dpdk0").args);
  EXPECT_FALSE(n.lladdr.has_value());
  EXPECT_EQ(std::get<DevArgs>(ok("neigh show dev dpdk0").args).dev, "dpdk0");
  EXPECT_EQ(std::get<DevArgs>(ok("neigh").args).dev, "");
  EXPECT_EQ(std::get<DevArgs>(ok("neigh flush dev dpdk0").args).dev, "dpdk0");
}

TEST(DpipParser, NeighErrors) {
  fails("neigh add 10.0.0.2 lladdr zz dev dpdk0", "\"zz\" is invalid lladdr.");
  fails("neigh add 10.0.0.2 lladdr 02:00:00:00:00:0g dev dpdk0", "\"02:00:00:00:00:0g\" is invalid lladdr.");
  fails("neigh add 10.0.0.2 lladdr 02:00:00:00:00:02", "Device and destination are required arguments.");
  fails("neigh add lladdr 02:00:00:00:00:02 dev dpdk0", "Device and destination are required arguments.");
  fails("neigh add 10.0.0.2 dev dpdk0", "Not enough information: \"lladdr\" argument is required.");
  fails("neigh add 10.0.0.2000 lladdr 02:00:00:00:00:02 dev dpdk0",
        "Error: any valid address is expected rather than \"10.0.0.2000\".");
  fails("neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev dpdk0 foo",
        "Error: either \"to\" is duplicate, or \"foo\" is a garbage.");
  fails("neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev dpdk0 nud reachable",
        "Error: argument \"reachable\" is wrong: nud state is bad (dplb keeps only permanent entries)");
  fails("neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 lladdr 02:00:00:00:00:03 dev d",
        "Error: duplicate \"lladdr\": \"02:00:00:00:00:03\" is the second value.");
  fails("neigh del 10.0.0.2 dev d dev e", "Error: duplicate \"dev\": \"e\" is the second value.");
  fails("neigh flush", "Flush requires arguments.");
  fails("neigh show foo", "Error: either \"to\" is duplicate, or \"foo\" is a garbage.");
}

// ---- route -----------------------------------------------------------------------------------

TEST(DpipParser, RouteAddSinglePath) {
  auto r = std::get<RouteArgs>(
      ok("route add 10.1.0.0/16 via 10.0.0.2 dev dpdk0 src 10.0.0.1 metric 10 mtu 1400 scope global onlink")
          .args);
  EXPECT_EQ(r.dst.addr, ip("10.1.0.0"));
  EXPECT_EQ(r.dst.len, 16);
  ASSERT_EQ(r.nexthops.size(), 1u);
  EXPECT_EQ(r.nexthops[0].via, ip("10.0.0.2"));
  EXPECT_EQ(r.nexthops[0].dev, "dpdk0");
  EXPECT_TRUE(r.nexthops[0].onlink);
  EXPECT_EQ(r.src, ip("10.0.0.1"));
  EXPECT_EQ(r.metric, 10u);
  EXPECT_EQ(r.mtu, 1400u);
  EXPECT_EQ(r.scope, proto::kScopeGlobal);
  EXPECT_FALSE(r.multipath);

  r = std::get<RouteArgs>(ok("route add default via 10.0.0.254").args);
  EXPECT_EQ(r.dst.addr, Ip4(0));
  EXPECT_EQ(r.dst.len, 0);
  r = std::get<RouteArgs>(ok("route add to 10.9.9.9 dev dpdk0 scope kni_host").args);
  EXPECT_EQ(r.dst.len, 32);  // no /len: a host route
  EXPECT_EQ(r.scope, proto::kScopeHost);  // kni_host: host, marked kni (200 is Linux's site)
  EXPECT_TRUE(r.kni);
  r = std::get<RouteArgs>(ok("route add 10.9.0.0/16 dev dpdk0 scope 200").args);
  EXPECT_EQ(r.scope, proto::kScopeSite);
  EXPECT_FALSE(r.kni);
  EXPECT_EQ(r.nexthops[0].dev, "dpdk0");
  EXPECT_FALSE(r.nexthops[0].via.has_value());
  // metric synonyms and prefixes, as ip
  EXPECT_EQ(std::get<RouteArgs>(ok("route add 1.0.0.0/8 dev d met 7").args).metric, 7u);
  EXPECT_EQ(std::get<RouteArgs>(ok("route add 1.0.0.0/8 dev d priority 8").args).metric, 8u);
  EXPECT_EQ(std::get<RouteArgs>(ok("route add 1.0.0.0/8 dev d preference 9").args).metric, 9u);
  EXPECT_EQ(std::get<RouteArgs>(ok("route add 1.0.0.0/8 dev d metric 4294967295").args).metric, 4294967295u);
  EXPECT_EQ(std::get<RouteArgs>(ok("route add 1.0.0.0/8 dev d metric 0x10").args).metric, 16u);
  // nothing but the prefix: no next hop (the daemon says what is missing)
  EXPECT_TRUE(std::get<RouteArgs>(ok("route del 1.0.0.0/8").args).nexthops.empty());
}

TEST(DpipParser, RouteAddMultipath) {
  auto r = std::get<RouteArgs>(ok("route add 10.2.0.0/16 metric 5 nexthop via 10.0.0.2 dev dpdk0 weight 1 "
                                  "nexthop via 10.0.1.2 dev dpdk1 weight 256 onlink nexthop dev dpdk2")
                                   .args);
  EXPECT_TRUE(r.multipath);
  EXPECT_EQ(r.metric, 5u);
  ASSERT_EQ(r.nexthops.size(), 3u);
  EXPECT_EQ(r.nexthops[0].via, ip("10.0.0.2"));
  EXPECT_EQ(r.nexthops[0].weight, 1);
  EXPECT_EQ(r.nexthops[1].dev, "dpdk1");
  EXPECT_EQ(r.nexthops[1].weight, 256);
  EXPECT_TRUE(r.nexthops[1].onlink);
  EXPECT_FALSE(r.nexthops[2].via.has_value());
  EXPECT_EQ(r.nexthops[2].weight, 1);  // default weight
  EXPECT_EQ(r.nexthops[2].dev, "dpdk2");

  std::string sixteen = "route add 10.3.0.0/16";
  for (int i = 0; i < 16; ++i) sixteen += " nexthop via 10.0.0." + std::to_string(i + 1);
  EXPECT_EQ(std::get<RouteArgs>(ok(sixteen).args).nexthops.size(), 16u);
  fails(sixteen + " nexthop via 10.0.0.99", "Error: too many \"nexthop\": at most 16 are supported.");
}

TEST(DpipParser, RouteAddErrors) {
  fails("route add 10.0.0.0/33 dev dpdk0",
        "Error: any valid prefix is expected rather than \"10.0.0.0/33\".");
  fails("route add foo via 10.0.0.1", "Error: any valid prefix is expected rather than \"foo\".");
  fails("route add 10.9.0.0/16 via 10.0.0.300 dev dpdk0",
        "Error: inet address is expected rather than \"10.0.0.300\".");
  fails("route add 10.9.0.0/16 via 10.0.0.2 dev dpdk0 foo",
        "Error: either \"to\" is duplicate, or \"foo\" is a garbage.");
  fails("route add 10.9.0.0/16 10.8.0.0/16 dev dpdk0",
        "Error: either \"to\" is duplicate, or \"10.8.0.0/16\" is a garbage.");
  fails("route add 10.9.0.0/16 via 10.0.0.2 via 10.0.0.3",
        "Error: argument \"via\" is wrong: use nexthop syntax to specify multiple via");
  fails("route add 10.9.0.0/16 dev dpdk0 dev dpdk1",
        "Error: duplicate \"dev\": \"dpdk1\" is the second value.");
  fails("route add 10.9.0.0/16 dev dpdk0 metric 1 metric 2",
        "Error: duplicate \"metric\": \"2\" is the second value.");
  fails("route add 10.9.0.0/16 dev dpdk0 src 10.0.0.1 src 10.0.0.5",
        "Error: duplicate \"src\": \"10.0.0.5\" is the second value.");
  fails("route add 10.9.0.0/16 dev dpdk0 mtu 1400 mtu 1500",
        "Error: duplicate \"mtu\": \"1500\" is the second value.");
  fails("route add 10.9.0.0/16 dev dpdk0 scope link scope host",
        "Error: duplicate \"scope\": \"host\" is the second value.");
  fails("route add 10.9.0.0/16 via 10.0.0.2 metric 4294967296",
        "Error: argument \"4294967296\" is wrong: \"metric\" value is invalid");
  fails("route add 10.9.0.0/16 via 10.0.0.2 metric 99999999999999999999999",
        "Error: argument \"99999999999999999999999\" is wrong: \"metric\" value is invalid");
  fails("route add 10.9.0.0/16 via 10.0.0.2 metric abc",
        "Error: argument \"abc\" is wrong: \"metric\" value is invalid");
  fails("route add 10.9.0.0/16 via 10.0.0.2 metric -1",
        "Error: argument \"-1\" is wrong: \"metric\" value is invalid");
  fails("route add 10.9.0.0/16 via 10.0.0.2 mtu abc",
        "Error: argument \"abc\" is wrong: \"mtu\" value is invalid");
  fails("route add 10.9.0.0/16 via 10.0.0.2 scope foo",
        "Error: argument \"foo\" is wrong: invalid \"scope\" value");
  fails("route add 10.9.0.0/16 dev dpdk0 src 1.2.3.400",
        "Error: inet address is expected rather than \"1.2.3.400\".");
  fails("route add 10.9.0.0/16 nexthop via 10.0.0.2 weight 0",
        "Error: argument \"0\" is wrong: \"weight\" is invalid");
  fails("route add 10.9.0.0/16 nexthop via 10.0.0.2 weight 257",
        "Error: argument \"257\" is wrong: \"weight\" is invalid");
  fails("route add 10.9.0.0/16 nexthop via 10.0.0.2 weight 1 weight 2",
        "Error: duplicate \"weight\": \"2\" is the second value.");
  fails("route add 10.9.0.0/16 nexthop via 10.0.0.2 dev dpdk0 bogus",
        "Error: \"nexthop\" or end of line is expected instead of \"bogus\"");
  fails("route add 10.9.0.0/16 nexthop via 10.0.0.2 metric 5",
        "Error: \"nexthop\" or end of line is expected instead of \"metric\"");
  fails("route add 10.9.0.0/16 nexthop via 10.0.0.2 via 10.0.0.3",
        "Error: duplicate \"via\": \"10.0.0.3\" is the second value.");
  fails("route add 10.9.0.0/16 via 10.0.0.1 nexthop via 10.0.0.2",
        "Error: argument \"nexthop\" is wrong: \"via\", \"dev\" and \"onlink\" go inside each nexthop");
  fails("route add 10.9.0.0/16 via", "Command line is not complete. Try option \"help\"");
  fails("route add 10.9.0.0/16 nexthop via 10.0.0.2 weight",
        "Command line is not complete. Try option \"help\"");
  fails("route add 10.9.0.0/16 dev 0123456789abcdef",
        "Error: argument \"0123456789abcdef\" is wrong: \"dev\" not a valid ifname");
  auto c = P("route add");
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().message().rfind("Usage: dpip route { list | flush } SELECTOR\n", 0), 0u);
}

TEST(DpipParser, RouteShowFlushSelector) {
  auto s = std::get<RouteSelector>(ok("route").args);
  EXPECT_EQ(s.table, RouteTable::kMain);
  EXPECT_TRUE(s.dev.empty());
  EXPECT_FALSE(s.via || s.prefix);

  s = std::get<RouteSelector>(ok("route show table local").args);
  EXPECT_EQ(s.table, RouteTable::kLocal);
  s = std::get<RouteSelector>(ok("route list tab all dev dpdk0 via 10.0.0.2 10.0.0.0/8").args);
  EXPECT_EQ(s.table, RouteTable::kAll);
  EXPECT_EQ(s.dev, "dpdk0");
  EXPECT_EQ(s.via, ip("10.0.0.2"));
  ASSERT_TRUE(s.prefix.has_value());
  EXPECT_EQ(s.prefix->len, 8);
  s = std::get<RouteSelector>(ok("route show to default").args);
  EXPECT_EQ(s.prefix->len, 0);

  s = std::get<RouteSelector>(ok("route flush dev dpdk0").args);
  EXPECT_EQ(s.dev, "dpdk0");
  EXPECT_EQ(std::get<RouteSelector>(ok("route flush table main").args).dev, "");
  EXPECT_EQ(ok("route flush").verb, Verb::kFlush);

  fails("route show table foo", "Error: argument \"foo\" is wrong: table id value is invalid");
  fails("route show table", "Command line is not complete. Try option \"help\"");
  fails("route show foo", "Error: any valid prefix is expected rather than \"foo\".");
  fails("route show 10.0.0.0/8 10.0.0.0/16",
        "Error: either \"to\" is duplicate, or \"10.0.0.0/16\" is a garbage.");
  fails("route show table main table local", "Error: duplicate \"table\": \"local\" is the second value.");
  fails("route flush table local",
        "Error: argument \"local\" is wrong: only the main table can be flushed (local routes follow the "
        "addresses)");
  // the daemon flushes by device only: anything else would silently flush more than asked
  fails("route flush 10.0.0.0/8",
        "Error: argument \"10.0.0.0/8\" is wrong: \"dpip route flush\" selects routes by \"dev\" only");
  fails("route flush via 10.0.0.1",
        "Error: argument \"via\" is wrong: \"dpip route flush\" selects routes by \"dev\" only");
  fails("route flush dev a dev b", "Error: duplicate \"dev\": \"b\" is the second value.");
}

TEST(DpipParser, RouteGet) {
  auto g = std::get<RouteGetArgs>(ok("route get 10.1.2.3").args);
  EXPECT_EQ(g.dst, ip("10.1.2.3"));
  EXPECT_FALSE(g.from.has_value());
  g = std::get<RouteGetArgs>(ok("route get to 10.1.2.3 from 10.0.0.5 oif dpdk0").args);
  EXPECT_EQ(g.from, ip("10.0.0.5"));
  EXPECT_EQ(g.oif, "dpdk0");
  EXPECT_EQ(std::get<RouteGetArgs>(ok("r g 10.1.2.3 dev dpdk1").args).oif, "dpdk1");
  EXPECT_EQ(std::get<RouteGetArgs>(ok("r g 10.1.2.3/32").args).dst, ip("10.1.2.3"));

  fails("route get", "need at least a destination address");
  fails("route get 10.0.0.999", "Error: any valid prefix is expected rather than \"10.0.0.999\".");
  fails("route get 10.0.0.0/24", "Error: any valid prefix is expected rather than \"10.0.0.0/24\".");
  fails("route get 1.2.3.4 from 1.2.3.400", "Error: inet prefix is expected rather than \"1.2.3.400\".");
  fails("route get 1.2.3.4 foo", "Error: either \"to\" is duplicate, or \"foo\" is a garbage.");
  fails("route get 1.2.3.4 oif a oif b", "Error: duplicate \"oif\": \"b\" is the second value.");
}

// ---- batch lines -----------------------------------------------------------------------------

TEST(DpipParser, BatchLineSplitting) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split_batch_line("route add 1.0.0.0/8 dev d"), (V{"route", "add", "1.0.0.0/8", "dev", "d"}));
  EXPECT_EQ(split_batch_line("  \t route\tshow  \r"), (V{"route", "show"}));
  EXPECT_EQ(split_batch_line("# a comment"), V{});
  EXPECT_EQ(split_batch_line("   "), V{});
  EXPECT_EQ(split_batch_line("link show # trailing comment"), (V{"link", "show"}));
  EXPECT_EQ(split_batch_line("link show a#b"), (V{"link", "show", "a#b"}));  // '#' inside a word
  EXPECT_EQ(split_batch_line("x \"a b\" 'c d' \"unterminated"), (V{"x", "a b", "c d", "unterminated"}));
}

TEST(DpipParser, BatchLinesKeepGlobalOptions) {
  GlobalOptions o;
  o.json = true;
  o.stats = 1;
  auto c = parse_object(split_batch_line("r a 1.0.0.0/8 dev d"), o);
  ASSERT_TRUE(c.is_ok());
  EXPECT_TRUE(c->options.json);
  EXPECT_EQ(c->options.stats, 1);
  EXPECT_TRUE(is_route_change(*c));
  EXPECT_FALSE(is_route_change(*parse_object(split_batch_line("r s"), o)));
  EXPECT_FALSE(is_route_change(*parse_object(split_batch_line("r g 1.2.3.4"), o)));
  EXPECT_TRUE(is_route_change(*parse_object(split_batch_line("r del 1.0.0.0/8"), o)));
  EXPECT_TRUE(is_route_change(*parse_object(split_batch_line("r append 1.0.0.0/8 dev d"), o)));
  // options inside a batch line are not options: "-s" is an unknown object there
  auto bad = parse_object(split_batch_line("-s link"), o);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(), "Object \"-s\" is unknown, try \"dpip help\".");
}

// Random sentences over dpip's vocabulary: parse() always answers (a command or an EINVAL line) and
// what it accepts respects the wire limits. A cheap stand-in until the libFuzzer target exists.
TEST(DpipParser, RandomWordSequences) {
  const std::vector<std::string> vocab = {"link",
                                          "l",
                                          "addr",
                                          "a",
                                          "neigh",
                                          "n",
                                          "route",
                                          "r",
                                          "sync",
                                          "help",
                                          "show",
                                          "add",
                                          "del",
                                          "flush",
                                          "get",
                                          "replace",
                                          "append",
                                          "change",
                                          "dev",
                                          "via",
                                          "src",
                                          "metric",
                                          "mtu",
                                          "scope",
                                          "onlink",
                                          "nexthop",
                                          "weight",
                                          "table",
                                          "local",
                                          "main",
                                          "all",
                                          "from",
                                          "oif",
                                          "to",
                                          "lladdr",
                                          "nud",
                                          "permanent",
                                          "default",
                                          "10.0.0.1",
                                          "10.0.0.0/24",
                                          "0.0.0.0/0",
                                          "1.2.3.4/33",
                                          "02:00:00:00:00:01",
                                          "dpdk0",
                                          "0",
                                          "1",
                                          "256",
                                          "257",
                                          "4294967295",
                                          "4294967296",
                                          "-s",
                                          "-j",
                                          "-x",
                                          "-batch",
                                          "-",
                                          "",
                                          "#",
                                          "host",
                                          "kni_host",
                                          "\"",
                                          "0x10"};
  std::mt19937 rng(12345);
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<std::string> line(rng() % 14);
    for (auto& w : line) w = vocab[rng() % vocab.size()];
    auto c = parse(line);
    if (!c.is_ok()) {
      EXPECT_EQ(c.status().code(), EINVAL);
      EXPECT_FALSE(c.status().message().empty());
      continue;
    }
    if (const auto* r = std::get_if<RouteArgs>(&c->args)) {
      EXPECT_LE(r->nexthops.size(), proto::kMaxNexthops);
      EXPECT_LE(r->dst.len, 32);
      for (const auto& nh : r->nexthops) {
        EXPECT_GE(nh.weight, 1);
        EXPECT_LE(nh.weight, 256);
        EXPECT_LT(nh.dev.size(), proto::kIfNameSize);
      }
    }
  }
}

}  // namespace
}  // namespace dplb::dpip
