// keepalived.conf parser: real-world-shaped files (files in memory), then the errors, the warnings,
// the includes, and the ipvsadm rules the model implies.
#include "dplb/keepalived/keepalived_conf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/ipvsadm/ipvsadm_rules.h"

namespace dplb::keepalived {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kMain = "/etc/keepalived/keepalived.conf";

KeepalivedConf parsed(std::string_view text, std::map<std::string, std::string> files = {}) {
  auto r = parse_keepalived(text, kMain, memory_include_loader(std::move(files)));
  EXPECT_TRUE(r.is_ok()) << r.status().message() << "\n" << text;
  return r.is_ok() ? *r : KeepalivedConf{};
}

// The message of a file that must be rejected.
std::string error_of(std::string_view text, std::map<std::string, std::string> files = {}) {
  auto r = parse_keepalived(text, "keepalived.conf", memory_include_loader(std::move(files)));
  EXPECT_FALSE(r.is_ok()) << "accepted:\n" << text;
  if (r.is_ok()) return {};
  EXPECT_EQ(r.status().code(), EINVAL);
  return r.status().message();
}

std::vector<std::string> warnings_of(std::string_view text) {
  auto r = parse_keepalived(text, "keepalived.conf");
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  std::vector<std::string> out;
  if (r.is_ok())
    for (const Warning& w : r->warnings) out.push_back(w.to_string());
  return out;
}

Endpoint ep(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) { return {Ip4::of(a, b, c, d), port}; }

// ---- real-world-shaped files

constexpr std::string_view kNatFarm = R"(! Configuration File for keepalived
virtual_server 192.168.10.100 80 {
    delay_loop 6
    lb_algo wlc
    lb_kind NAT
    protocol TCP
    connect_timeout 4          # inherited by both checkers

    real_server 10.0.0.11 8080 {
        weight 3
        HTTP_GET {
            url {
              path /health
              status_code 200-299 301
              digest 9B3A0C85A887A256D6939DA88AABD8CD
            }
            url { path /ready }
            nb_get_retry 3
            delay_before_retry 2.5
        }
    }
    real_server 10.0.0.12 8080
    {
        TCP_CHECK {
            connect_port 8081
            bindto 10.0.0.1
        }
    }
}
)";

TEST(KeepalivedNatFarm, VirtualServerSettings) {
  KeepalivedConf c = parsed(kNatFarm);
  ASSERT_EQ(c.virtual_servers.size(), 1u);
  const VirtualServer& vs = c.virtual_servers[0];
  EXPECT_THAT(vs.addresses, ElementsAre(ep(192, 168, 10, 100, 80)));
  EXPECT_EQ(vs.where, (Location{kMain, 2}));
  EXPECT_EQ(vs.lb_algo, LbAlgo::wlc);
  EXPECT_EQ(vs.lb_kind, LbKind::nat);
  EXPECT_EQ(vs.protocol, Protocol::tcp);
  EXPECT_EQ(vs.delay_loop, seconds(6));
  EXPECT_FALSE(vs.persistence_timeout);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(KeepalivedNatFarm, HttpGetWithUrlsAndInheritedTimeout) {
  KeepalivedConf c = parsed(kNatFarm);
  ASSERT_EQ(c.virtual_servers.size(), 1u);
  ASSERT_EQ(c.virtual_servers[0].real_servers.size(), 2u);
  const RealServer& rs = c.virtual_servers[0].real_servers[0];
  EXPECT_EQ(rs.addr, ep(10, 0, 0, 11, 8080));
  EXPECT_EQ(rs.weight, 3u);
  EXPECT_EQ(rs.lb_kind, LbKind::nat);
  ASSERT_EQ(rs.checkers.size(), 1u);
  const Checker& h = rs.checkers[0];
  EXPECT_EQ(h.kind, CheckerKind::http);
  EXPECT_EQ(h.where.line, 11u);
  EXPECT_EQ(h.connect, ep(10, 0, 0, 11, 8080));  // the real server by default
  EXPECT_EQ(h.connect_timeout, seconds(4));      // from the virtual server
  EXPECT_EQ(h.retry, 3u);                        // nb_get_retry
  EXPECT_EQ(h.delay_before_retry, milliseconds(2500));
  EXPECT_EQ(h.delay_loop, seconds(6));
  EXPECT_EQ(h.warmup, seconds(6));  // defaults to delay_loop
  ASSERT_EQ(h.urls.size(), 2u);
  EXPECT_EQ(h.urls[0].path, "/health");
  EXPECT_EQ(h.urls[0].status_codes, (std::vector<StatusRange>{{200, 299}, {301, 301}}));
  EXPECT_EQ(h.urls[0].digest, "9b3a0c85a887a256d6939da88aabd8cd");
  EXPECT_EQ(h.urls[1].path, "/ready");
  EXPECT_TRUE(h.urls[1].status_codes.empty());  // keepalived's 200-299
}

TEST(KeepalivedNatFarm, TcpCheckOnBlockOpenedOnTheNextLine) {
  KeepalivedConf c = parsed(kNatFarm);
  ASSERT_EQ(c.virtual_servers.size(), 1u);
  ASSERT_EQ(c.virtual_servers[0].real_servers.size(), 2u);
  const RealServer& rs = c.virtual_servers[0].real_servers[1];
  EXPECT_EQ(rs.addr, ep(10, 0, 0, 12, 8080));
  EXPECT_EQ(rs.weight, 1u);
  ASSERT_EQ(rs.checkers.size(), 1u);
  const Checker& t = rs.checkers[0];
  EXPECT_EQ(t.kind, CheckerKind::tcp);
  EXPECT_EQ(t.connect, ep(10, 0, 0, 12, 8081));
  EXPECT_EQ(t.bindto, Ip4::of(10, 0, 0, 1));
  EXPECT_EQ(t.connect_timeout, seconds(4));
  EXPECT_EQ(t.retry, 1u);                        // keepalived's default
  EXPECT_EQ(t.delay_before_retry, seconds(1));  // 1 s for TCP_CHECK (3 s is HTTP's)
}

constexpr std::string_view kDrGroup = R"(virtual_server_group web_vips {
    10.1.0.10 80
    10.1.0.20-22 80     # a range of the last octet
}

virtual_server group web_vips {
    lvs_sched sh
    lvs_method DR
    protocol TCP
    persistence_timeout 600
    persistence_granularity 255.255.255.0
    real_server 192.168.1.21 {      # no port: each virtual address's
        MISC_CHECK {
            misc_path "/usr/local/bin/check_web.sh --fast"
            misc_timeout 5
            misc_dynamic
            user nobody
        }
    }
}
)";

TEST(KeepalivedDrGroup, GroupExpandedWithPersistence) {
  KeepalivedConf c = parsed(kDrGroup);
  ASSERT_EQ(c.virtual_servers.size(), 1u);
  const VirtualServer& vs = c.virtual_servers[0];
  EXPECT_EQ(vs.group, "web_vips");
  EXPECT_THAT(vs.addresses, ElementsAre(ep(10, 1, 0, 10, 80), ep(10, 1, 0, 20, 80), ep(10, 1, 0, 21, 80),
                                        ep(10, 1, 0, 22, 80)));
  EXPECT_EQ(vs.lb_algo, LbAlgo::sh);
  EXPECT_EQ(vs.lb_kind, LbKind::dr);
  EXPECT_EQ(vs.persistence_timeout, 600u);
  EXPECT_EQ(vs.persistence_granularity, Ip4::of(255, 255, 255, 0));
  ASSERT_EQ(vs.real_servers.size(), 1u);
  EXPECT_EQ(vs.real_servers[0].addr, ep(192, 168, 1, 21, 0));
  EXPECT_EQ(vs.real_servers[0].lb_kind, LbKind::dr);
}

TEST(KeepalivedDrGroup, MiscCheck) {
  KeepalivedConf c = parsed(kDrGroup);
  ASSERT_EQ(c.virtual_servers.size(), 1u);
  ASSERT_EQ(c.virtual_servers[0].real_servers.size(), 1u);
  ASSERT_EQ(c.virtual_servers[0].real_servers[0].checkers.size(), 1u);
  const Checker& m = c.virtual_servers[0].real_servers[0].checkers[0];
  EXPECT_EQ(m.kind, CheckerKind::misc);
  EXPECT_EQ(m.misc_path, "/usr/local/bin/check_web.sh --fast");
  EXPECT_EQ(m.misc_timeout, seconds(5));
  EXPECT_TRUE(m.misc_dynamic);
  EXPECT_EQ(m.user, "nobody");
  EXPECT_EQ(m.retry, 0u);  // MISC_CHECK's default
}

constexpr std::string_view kDpvsFnat = R"(local_address_group laddr_g1 {
    192.168.100.200 dpdk0
    192.168.100.201-202 dpdk0
}

virtual_server 10.0.0.100 443 {
    delay_loop 3
    lb_algo rr
    lb_kind FNAT
    protocol TCP
    laddr_group_name laddr_g1
    syn_proxy
    real_server 192.168.100.2 443 {
        weight 100
        inhibit_on_failure
        TCP_CHECK {
            retry 2
            connect_timeout 3
        }
    }
}
)";

TEST(KeepalivedDpvsFnat, LocalAddressGroupAndFullNat) {
  KeepalivedConf c = parsed(kDpvsFnat);
  ASSERT_EQ(c.local_address_groups.size(), 1u);
  const LocalAddressGroup& g = c.local_address_groups[0];
  EXPECT_EQ(g.name, "laddr_g1");
  EXPECT_THAT(g.addresses, ElementsAre(LocalAddress{Ip4::of(192, 168, 100, 200), "dpdk0"},
                                       LocalAddress{Ip4::of(192, 168, 100, 201), "dpdk0"},
                                       LocalAddress{Ip4::of(192, 168, 100, 202), "dpdk0"}));
  ASSERT_EQ(c.virtual_servers.size(), 1u);
  const VirtualServer& vs = c.virtual_servers[0];
  EXPECT_EQ(vs.lb_kind, LbKind::fnat);
  EXPECT_EQ(vs.laddr_group_name, "laddr_g1");
  ASSERT_EQ(vs.real_servers.size(), 1u);
  EXPECT_EQ(vs.real_servers[0].weight, 100u);
  EXPECT_TRUE(vs.real_servers[0].inhibit_on_failure);
  ASSERT_EQ(vs.real_servers[0].checkers.size(), 1u);
  EXPECT_EQ(vs.real_servers[0].checkers[0].retry, 2u);
  EXPECT_EQ(vs.real_servers[0].checkers[0].connect_timeout, seconds(3));
}

// syn_proxy is DPVS's, unknown to dplb: one warning naming its line, the file still loads.
TEST(KeepalivedDpvsFnat, UnknownDpvsKeywordIsOneWarning) {
  KeepalivedConf c = parsed(kDpvsFnat);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0].where, (Location{kMain, 12}));
  EXPECT_EQ(c.warnings[0].to_string(),
            std::string(kMain).append(":12: unknown keyword \"syn_proxy\" in virtual_server, ignored"));
}

constexpr std::string_view kOperatorsFile = R"(global_defs {
   router_id LVS_A
   notification_email {
       ops@example.com
   }
}
vrrp_script chk_nginx {
    script "/usr/bin/pgrep nginx"
    interval 2
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        192.168.10.100/24 dev eth0
    }
    track_script {
        chk_nginx
    }
}
static_ipaddress {
    10.9.0.1/24 dev eth1
}
include conf.d/*.conf
)";

const std::map<std::string, std::string> kConfD = {
    {"/etc/keepalived/conf.d/web.conf", "virtual_server 192.168.10.100 80 {\n  real_server 10.0.0.11 80 {\n  }\n}\n"},
    {"/etc/keepalived/conf.d/api.conf",
     "\n\nvirtual_server 192.168.10.100 8443 {\n  real_server 10.0.0.21 8443 {\n  }\n}\n"},
    {"/etc/keepalived/conf.d/notes.txt", "not included: the glob wants *.conf\n"},
};

TEST(KeepalivedOperatorsFile, OtherBlocksSkippedSilentlyAndIncludesRead) {
  KeepalivedConf c = parsed(kOperatorsFile, kConfD);
  EXPECT_TRUE(c.warnings.empty());
  ASSERT_EQ(c.virtual_servers.size(), 2u);
  // glob order (sorted names): api before web; each remembers its own file and line.
  EXPECT_THAT(c.virtual_servers[0].addresses, ElementsAre(ep(192, 168, 10, 100, 8443)));
  EXPECT_EQ(c.virtual_servers[0].where, (Location{"/etc/keepalived/conf.d/api.conf", 3}));
  EXPECT_THAT(c.virtual_servers[1].addresses, ElementsAre(ep(192, 168, 10, 100, 80)));
  EXPECT_EQ(c.virtual_servers[1].where, (Location{"/etc/keepalived/conf.d/web.conf", 1}));
  EXPECT_EQ(c.virtual_servers[1].real_servers[0].where, (Location{"/etc/keepalived/conf.d/web.conf", 2}));
}

// ---- grammar

TEST(KeepalivedGrammar, CommentsStartAnywhereOutsideQuotes) {
  KeepalivedConf c = parsed(
      "virtual_server 10.0.0.1 80 { # comment\n"
      "  lb_algo rr! a comment without a blank before it\n"
      "  real_server 10.0.0.2 80 {\n"
      "    MISC_CHECK { misc_path \"/bin/check #1 !2\" }\n"
      "  }\n"
      "}\n");
  ASSERT_EQ(c.virtual_servers.size(), 1u);
  EXPECT_EQ(c.virtual_servers[0].lb_algo, LbAlgo::rr);
  EXPECT_EQ(c.virtual_servers[0].real_servers.at(0).checkers.at(0).misc_path, "/bin/check #1 !2");
}

// keepalived.conf(5): quotes join with what touches them, and escapes work inside quotes.
TEST(KeepalivedGrammar, QuotedStringsJoinAndUnescape) {
  KeepalivedConf c = parsed(
      "virtual_server 10.0.0.1 80 {\n"
      "  quorum_up 'abcd\" efg h jkl \"mnop' root\n"
      "  quorum_down \"a\\tb\\x41\\101\\\"\"\n"
      "}\n");
  ASSERT_EQ(c.virtual_servers.size(), 1u);
  EXPECT_EQ(c.virtual_servers[0].quorum_up, (Script{"abcd\" efg h jkl \"mnop", "root"}));
  EXPECT_EQ(c.virtual_servers[0].quorum_down, (Script{"a\tbAA\"", ""}));
}

TEST(KeepalivedGrammar, StatementsOnTheLinesOfBracesAndCrlf) {
  KeepalivedConf c = parsed(
      "virtual_server 10.0.0.1 80 { lb_algo lc\r\n"
      "  real_server 10.0.0.2 80 { weight 7 }\r\n"
      "  real_server 10.0.0.3 80 { HTTP_GET { url { path / status_code 200 } } } }\r\n");
  ASSERT_EQ(c.virtual_servers.size(), 1u);
  const VirtualServer& vs = c.virtual_servers[0];
  EXPECT_EQ(vs.lb_algo, LbAlgo::lc);
  ASSERT_EQ(vs.real_servers.size(), 2u);
  EXPECT_EQ(vs.real_servers[0].weight, 7u);
  ASSERT_EQ(vs.real_servers[1].checkers.size(), 1u);
  // "path / status_code 200" is one statement: path takes one value, the rest is warned about.
  EXPECT_EQ(vs.real_servers[1].checkers[0].urls.at(0).path, "/");
  EXPECT_FALSE(c.warnings.empty());
}

TEST(KeepalivedGrammar, DefaultsAndInheritance) {
  KeepalivedConf c = parsed(
      "virtual_server 10.0.0.1 80 {\n"
      "  retry 4\n"
      "  warmup 0\n"
      "  inhibit_on_failure\n"
      "  virtualhost www.example.com\n"
      "  real_server 10.0.0.2 {\n"         // port omitted: the virtual server's
      "    inhibit_on_failure off\n"
      "    delay_before_retry 7\n"
      "    SSL_GET {\n"
      "      url {\n"
      "        path /x\n"
      "        virtualhost other.example.com\n"
      "      }\n"
      "    }\n"
      "  }\n"
      "  real_server 10.0.0.3 81 { lvs_method DR }\n"
      "}\n");
  ASSERT_EQ(c.virtual_servers.size(), 1u);
  const VirtualServer& vs = c.virtual_servers[0];
  EXPECT_EQ(vs.lb_algo, LbAlgo::wlc);  // keepalived's default
  EXPECT_EQ(vs.virtualhost, "www.example.com");
  ASSERT_EQ(vs.real_servers.size(), 2u);
  const RealServer& a = vs.real_servers[0];
  EXPECT_EQ(a.addr, ep(10, 0, 0, 2, 80));
  EXPECT_FALSE(a.inhibit_on_failure);
  const Checker& s = a.checkers.at(0);
  EXPECT_EQ(s.kind, CheckerKind::ssl);
  EXPECT_EQ(s.retry, 4u);
  EXPECT_EQ(s.warmup, seconds(0));
  EXPECT_EQ(s.delay_before_retry, seconds(7));
  EXPECT_EQ(s.connect_timeout, seconds(5));
  EXPECT_EQ(s.virtualhost, "www.example.com");
  EXPECT_EQ(s.urls.at(0).virtualhost, "other.example.com");
  EXPECT_TRUE(vs.real_servers[1].inhibit_on_failure);
  EXPECT_EQ(vs.real_servers[1].lb_kind, LbKind::dr);
}

// ---- errors: one line each, naming file and line

TEST(KeepalivedErrors, BlockNeverClosed) {
  EXPECT_EQ(error_of("virtual_server 10.0.0.1 80 {\n"
                     "    real_server 10.0.0.2 80 {\n"
                     "        weight 1\n"
                     "}\n"),
            "keepalived.conf:1: virtual_server: '{' is never closed");
}

TEST(KeepalivedErrors, BraceClosingNothing) {
  EXPECT_EQ(error_of("virtual_server 10.0.0.1 80 {\n"
                     "}\n"
                     "}\n"),
            "keepalived.conf:3: unexpected '}' (no block is open)");
}

TEST(KeepalivedErrors, BlockKeywordWithoutItsBrace) {
  EXPECT_EQ(error_of("virtual_server 10.0.0.1 80 {\n"
                     "    real_server 10.0.0.2 80\n"
                     "}\n"),
            "keepalived.conf:2: real_server: expects a block '{ ... }'");
}

TEST(KeepalivedErrors, ValueMissing) {
  EXPECT_EQ(error_of("virtual_server 10.0.0.1 80 {\n"
                     "    lb_algo\n"
                     "}\n"),
            "keepalived.conf:2: lb_algo: expects a value");
}

TEST(KeepalivedErrors, BadAddressPortAndNumber) {
  EXPECT_EQ(error_of("virtual_server 10.0.0.1 65536 {\n"
                     "  real_server 10.0.0.256 80 {\n"
                     "    weight 70000\n"
                     "    TCP_CHECK { connect_timeout soon }\n"
                     "  }\n"
                     "}\n"),
            "keepalived.conf:1: virtual_server: 65536 is out of range 0..65535\n"
            "keepalived.conf:2: real_server: \"10.0.0.256\" is not an IPv4 address\n"
            "keepalived.conf:3: weight: 70000 is out of range 0..65535\n"
            "keepalived.conf:4: connect_timeout: \"soon\" is not a time in seconds 0..86400");
}

TEST(KeepalivedErrors, SchedulerNamedWhenUnsupported) {
  EXPECT_EQ(error_of("virtual_server 10.0.0.1 80 {\n  lb_algo lblc\n}\n"),
            "keepalived.conf:2: lb_algo: scheduler \"lblc\" is not supported by dplb (rr|wrr|lc|wlc|sh|mh)");
}

TEST(KeepalivedErrors, UnknownGroupsNamedAtTheirUse) {
  EXPECT_EQ(error_of("virtual_server group nope {\n"
                     "}\n"
                     "virtual_server 10.0.0.1 80 {\n"
                     "  lb_kind FNAT\n"
                     "  laddr_group_name lg\n"
                     "}\n"),
            "keepalived.conf:1: virtual_server: group \"nope\": no virtual_server_group of that name\n"
            "keepalived.conf:5: laddr_group_name: \"lg\": no local_address_group of that name");
}

TEST(KeepalivedErrors, SameVirtualAddressTwice) {
  EXPECT_EQ(error_of("virtual_server_group g {\n  10.0.0.1-3 80\n}\n"
                     "virtual_server 10.0.0.2 80 {\n}\n"
                     "virtual_server group g {\n}\n"),
            "keepalived.conf:6: virtual_server: 10.0.0.2:80 TCP is already defined at keepalived.conf:4");
}

TEST(KeepalivedErrors, UnterminatedQuote) {
  EXPECT_EQ(error_of("virtual_server 10.0.0.1 80 {\n  quorum_up \"/bin/up\n}\n"),
            "keepalived.conf:2: unterminated quoted string");
}

TEST(KeepalivedErrors, RangesCheckedAndBounded) {
  EXPECT_EQ(error_of("virtual_server_group g {\n"
                     "  10.0.0.9-3 80\n"
                     "  10.0.0.0/8 80\n"
                     "  fe80::1 80\n"
                     "}\n"),
            "keepalived.conf:2: virtual_server_group g: \"10.0.0.9-3\": the range ends before it starts\n"
            "keepalived.conf:3: virtual_server_group g: more than 65536 addresses");
}

// Nesting is bounded (the parser recurses): one error, not one per unclosed block.
TEST(KeepalivedErrors, DeepNestingStopsWithOneError) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "x {\n";
  EXPECT_EQ(error_of(text), "keepalived.conf:33: blocks nested deeper than 32");
}

// A few bytes may not expand to gigabytes: all groups together are bounded too.
TEST(KeepalivedErrors, GroupsBoundedTogether) {
  std::string text;
  for (int i = 0; i < 5; ++i) {
    std::string n = std::to_string(i);
    text += std::string("local_address_group g").append(n).append(" {\n  10.").append(n).append(".0.0/16\n}\n");
  }
  EXPECT_EQ(error_of(text),
            "keepalived.conf:14: local_address_group g4: more than 262144 addresses in all groups together");
}

// An escaped newline inside quotes must not split the message: every line names the file.
TEST(KeepalivedErrors, ControlCharactersEscaped) {
  EXPECT_EQ(error_of("virtual_server 10.0.0.1 80 {\n  lb_algo \"r\\nr\"\n}\n"),
            "keepalived.conf:2: lb_algo: scheduler \"r\\nr\" is not supported by dplb (rr|wrr|lc|wlc|sh|mh)");
}

// ---- warnings: unknown keywords ignored, as keepalived does

TEST(KeepalivedWarnings, UnknownKeywordsAtEveryLevel) {
  EXPECT_THAT(warnings_of("virtual_server 10.0.0.1 80 {\n"
                          "  smtp_alert\n"
                          "  real_server 10.0.0.2 80 {\n"
                          "    uthreshold 10\n"
                          "    HTTP_GET {\n"
                          "      url { path / regex \"ok\" }\n"
                          "      url {\n"
                          "        path /x\n"
                          "        regex_no_match\n"
                          "      }\n"
                          "      http_protocol 1.1\n"
                          "    }\n"
                          "    PING_CHECK {\n"
                          "    }\n"
                          "  }\n"
                          "}\n"
                          "bogus_block {\n  x 1\n}\n"),
              ElementsAre("keepalived.conf:2: unknown keyword \"smtp_alert\" in virtual_server, ignored",
                          "keepalived.conf:4: unknown keyword \"uthreshold\" in real_server, ignored",
                          "keepalived.conf:6: path: extra value \"regex\" ignored",
                          "keepalived.conf:6: path: extra value \"ok\" ignored",
                          "keepalived.conf:9: unknown keyword \"regex_no_match\" in url, ignored",
                          "keepalived.conf:11: unknown keyword \"http_protocol\" in HTTP_GET, ignored",
                          "keepalived.conf:13: PING_CHECK: this checker is not supported by dplb, ignored",
                          "keepalived.conf:17: unknown block \"bogus_block\" in keepalived.conf, ignored"));
}

TEST(KeepalivedWarnings, FwmarkServicesReportedAndSkipped) {
  auto r = parse_keepalived("virtual_server fwmark 7 {\n  real_server 10.0.0.2 80 {\n  }\n}\n", "keepalived.conf");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_TRUE(r->virtual_servers.empty());
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0].to_string(),
            "keepalived.conf:1: virtual_server: fwmark 7: fwmark services are not supported by dplb, skipped");
}

TEST(KeepalivedWarnings, ZeroPortMadePersistentAsKeepalivedDoes) {
  auto r = parse_keepalived("virtual_server 10.0.0.1 {\n}\n", "keepalived.conf");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  ASSERT_EQ(r->virtual_servers.size(), 1u);
  EXPECT_EQ(r->virtual_servers[0].persistence_timeout, 360u);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_THAT(r->warnings[0].message, HasSubstr("persistent"));
}

// ---- includes

TEST(KeepalivedIncludes, RelativeToTheIncludingFile) {
  KeepalivedConf c = parsed("include sub/a.conf\n",
                            {{"/etc/keepalived/sub/a.conf", "include b.conf\n"},
                             {"/etc/keepalived/sub/b.conf", "virtual_server 10.0.0.1 80 {\n}\n"},
                             {"/etc/keepalived/b.conf", "wrong file: b.conf is beside a.conf\n"}});
  ASSERT_EQ(c.virtual_servers.size(), 1u);
  EXPECT_EQ(c.virtual_servers[0].where.file, "/etc/keepalived/sub/b.conf");
}

TEST(KeepalivedIncludes, BlockMaySpanFiles) {
  KeepalivedConf c = parsed("virtual_server 10.0.0.1 80 {\n  include rs.conf\n}\n",
                            {{"/etc/keepalived/rs.conf", "real_server 10.0.0.2 80 {\n  weight 5\n}\n"}});
  ASSERT_EQ(c.virtual_servers.size(), 1u);
  EXPECT_EQ(c.virtual_servers[0].real_servers.at(0).weight, 5u);
}

TEST(KeepalivedIncludes, CycleRefusedAtTheIncludeLine) {
  EXPECT_EQ(error_of("include a.conf\n", {{"a.conf", "\ninclude b.conf\n"}, {"b.conf", "\n\ninclude ./a.conf\n"}}),
            "b.conf:3: include: include cycle: keepalived.conf -> a.conf -> b.conf -> a.conf");
}

// The main file is known by its name too: including it again is a cycle.
TEST(KeepalivedIncludes, MainFileIncludingItself) {
  EXPECT_EQ(error_of("\ninclude *.conf\n", {{"keepalived.conf", "\ninclude *.conf\n"}}),
            "keepalived.conf:2: include: include cycle: keepalived.conf -> keepalived.conf");
}

TEST(KeepalivedIncludes, DepthLimited) {
  std::map<std::string, std::string> chain;
  auto name = [](int i) { return std::string("f").append(std::to_string(i)).append(".conf"); };
  for (int i = 0; i < 12; ++i) chain[name(i)] = std::string("include ").append(name(i + 1)).append("\n");
  std::string msg = error_of("include f0.conf\n", chain);
  EXPECT_EQ(msg, "f7.conf:1: include: cannot include \"f8.conf\": includes nested deeper than 8 files");
}

TEST(KeepalivedIncludes, NoMatchIsAWarningAsInKeepalived) {
  auto r = parse_keepalived("\ninclude conf.d/*.conf\n", "keepalived.conf", memory_include_loader({}));
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0].to_string(), "keepalived.conf:2: include: no file matches \"conf.d/*.conf\"");
}

TEST(KeepalivedIncludes, RefusedWithoutALoader) {
  auto r = parse_keepalived("include x.conf\n", "keepalived.conf");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message(), "keepalived.conf:1: include: cannot include \"x.conf\" here (no files are read)");
}

// Errors from several files come in reading order, each naming its own file.
TEST(KeepalivedIncludes, ErrorsNameTheIncludedFile) {
  EXPECT_EQ(error_of("virtual_server 10.0.0.1 80 {\n  include rs.conf\n  lb_algo x\n}\n",
                     {{"rs.conf", "\nreal_server 10.0.0.2 80 {\n  weight -1\n}\n"}}),
            "rs.conf:3: weight: \"-1\" is not a number\n"
            "keepalived.conf:3: lb_algo: scheduler \"x\" is not supported by dplb (rr|wrr|lc|wlc|sh|mh)");
}

TEST(KeepalivedIncludes, FromDiskWithGlobAndBraces) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / std::string("dplb_keepalived_").append(std::to_string(::getpid()));
  fs::create_directories(dir / "conf.d");
  std::ofstream(dir / "keepalived.conf") << "global_defs {\n}\ninclude conf.d/{web,api}.conf\n";
  std::ofstream(dir / "conf.d/web.conf") << "virtual_server 10.0.0.1 80 {\n}\n";
  std::ofstream(dir / "conf.d/api.conf") << "virtual_server 10.0.0.1 8080 {\n}\n";
  auto r = load_keepalived((dir / "keepalived.conf").string());
  auto missing = load_keepalived((dir / "nope.conf").string());
  fs::remove_all(dir);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  ASSERT_EQ(r->virtual_servers.size(), 2u);
  EXPECT_EQ(r->virtual_servers[0].addresses[0].port, 80);  // brace order, as glob(3) gives it
  EXPECT_EQ(r->virtual_servers[1].addresses[0].port, 8080);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), ENOENT);
  EXPECT_THAT(missing.status().message(), HasSubstr("nope.conf: cannot read: No such file or directory"));
}

// ---- the ipvsadm rules the model implies

TEST(KeepalivedIpvsadmRules, NatDrAndFullNat) {
  std::string text = std::string(kNatFarm) + std::string(kDrGroup) + std::string(kDpvsFnat);
  EXPECT_EQ(to_ipvsadm_rules(parsed(text)),
            "-A -t 192.168.10.100:80 -s wlc\n"
            "-a -t 192.168.10.100:80 -r 10.0.0.11:8080 -m -w 3\n"
            "-a -t 192.168.10.100:80 -r 10.0.0.12:8080 -m -w 1\n"
            "-A -t 10.1.0.10:80 -s sh -p 600 -M 255.255.255.0\n"
            "-a -t 10.1.0.10:80 -r 192.168.1.21:80 -g -w 1\n"
            "-A -t 10.1.0.20:80 -s sh -p 600 -M 255.255.255.0\n"
            "-a -t 10.1.0.20:80 -r 192.168.1.21:80 -g -w 1\n"
            "-A -t 10.1.0.21:80 -s sh -p 600 -M 255.255.255.0\n"
            "-a -t 10.1.0.21:80 -r 192.168.1.21:80 -g -w 1\n"
            "-A -t 10.1.0.22:80 -s sh -p 600 -M 255.255.255.0\n"
            "-a -t 10.1.0.22:80 -r 192.168.1.21:80 -g -w 1\n"
            "-A -t 10.0.0.100:443 -s rr\n"
            "-a -t 10.0.0.100:443 -r 192.168.100.2:443 -b -w 100\n");
}

TEST(KeepalivedIpvsadmRules, OnePacketScheduling) {
  EXPECT_EQ(to_ipvsadm_rules(parsed("virtual_server 10.2.0.1 53 {\n  protocol UDP\n  ops\n}\n")),
            "-A -u 10.2.0.1:53 -s wlc -o\n");
}

// dplb's own ipvsadm reads what a NAT configuration produces (dplb forwards with NAT only so far;
// -g -i -b, -p and -o are for ipvsadm and DPVS).
TEST(KeepalivedIpvsadmRules, ReadByDplbIpvsadm) {
  std::string text = std::string(kNatFarm) +
                     "virtual_server 10.2.0.1 53 {\n  protocol UDP\n  lb_algo mh\n"
                     "  real_server 10.3.0.1 53 {\n    weight 0\n  }\n}\n";
  std::string rules = to_ipvsadm_rules(parsed(text));
  EXPECT_THAT(rules, HasSubstr("-A -u 10.2.0.1:53 -s mh\n-a -u 10.2.0.1:53 -r 10.3.0.1:53 -m -w 0\n"));
  auto r = cli::parse_rules(rules);
  ASSERT_TRUE(r.is_ok()) << r.status().message() << "\n" << rules;
  EXPECT_EQ(r->size(), 5u);
}

}  // namespace
}  // namespace dplb::keepalived
