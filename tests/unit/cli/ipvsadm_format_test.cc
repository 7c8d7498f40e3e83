// ipvsadm's listings for hand-built replies, against text laid out as ipvsadm 1.31 prints it (the
// expected lines are written out literally, trailing blanks included), and the reply codecs.
#include "cli/ipvsadm/ipvsadm_format.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "cli/ipvsadm/ipvsadm_reply.h"
#include "dplb/ctrl/wire.h"

namespace dplb::cli {
namespace {

uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return Ip4::of(a, b, c, d).v; }

proto::ServiceRecord service(uint8_t proto, uint32_t addr, uint16_t port, const char* sched,
                             uint32_t flags = 0) {
  proto::ServiceRecord s;
  std::memset(&s, 0, sizeof s);
  s.proto = proto;
  s.addr = addr;
  s.port = port;
  EXPECT_TRUE(ctrl::set_fixed_string(s.sched, sched));
  s.flags = flags;
  return s;
}

proto::DestRecord dest(uint32_t addr, uint16_t port, uint32_t weight, uint32_t active = 0,
                       uint32_t inactive = 0) {
  proto::DestRecord d;
  std::memset(&d, 0, sizeof d);
  d.addr = addr;
  d.port = port;
  d.weight = weight;
  d.fwd = proto::kFwdMasq;
  d.active_conns = active;
  d.inactive_conns = inactive;
  return d;
}

// Three services, given out of order (the daemon's order is not trusted by the listing).
std::vector<ServiceEntry> sample() {
  std::vector<ServiceEntry> v;
  v.push_back({service(17, ip(10, 0, 0, 1), 53, "sh", ipvs::kSvcFlagSched1 | ipvs::kSvcFlagSched2),
               {dest(ip(10, 1, 0, 3), 53, 1, 0, 7)}});
  v.push_back({service(6, ip(10, 0, 0, 2), 443, "wlc"), {}});
  v.push_back({service(6, ip(10, 0, 0, 1), 80, "rr"),
               {dest(ip(10, 1, 0, 2), 80, 1, 3, 4), dest(ip(10, 1, 0, 1), 8080, 2)}});
  return v;
}

const char* const kTitle =
    "Prot LocalAddress:Port Scheduler Flags\n"
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

TEST(IpvsadmFormat, ListNumeric) {
  ListFormat f;
  f.numeric = true;
  EXPECT_EQ(format_services(sample(), f),
            std::string(kTitle) +
                "TCP  10.0.0.1:80 rr\n"
                "  -> 10.1.0.1:8080                Masq    2      0          0         \n"
                "  -> 10.1.0.2:80                  Masq    1      3          4         \n"
                "TCP  10.0.0.2:443 wlc\n"
                "UDP  10.0.0.1:53 sh (sh-fallback,sh-port)\n"
                "  -> 10.1.0.3:53                  Masq    1      0          7         \n");
  EXPECT_EQ(format_services({}, f), kTitle);
}

TEST(IpvsadmFormat, NoSortKeepsTheDaemonsOrder) {
  ListFormat f;
  f.nosort = true;
  EXPECT_EQ(format_services(sample(), f),
            std::string(kTitle) +
                "UDP  10.0.0.1:53 sh (sh-fallback,sh-port)\n"
                "  -> 10.1.0.3:53                  Masq    1      0          7         \n"
                "TCP  10.0.0.2:443 wlc\n"
                "TCP  10.0.0.1:80 rr\n"
                "  -> 10.1.0.2:80                  Masq    1      3          4         \n"
                "  -> 10.1.0.1:8080                Masq    2      0          0         \n");
}

TEST(IpvsadmFormat, SortOrderIsProtocolAddressPortThenDestAddressPort) {
  // addresses compare as numbers (10.0.0.9 < 10.0.0.10), not as text
  std::vector<ServiceEntry> v;
  v.push_back({service(6, ip(10, 0, 0, 10), 80, "rr"),
               {dest(ip(10, 1, 0, 10), 80, 1), dest(ip(10, 1, 0, 9), 81, 1), dest(ip(10, 1, 0, 9), 80, 1)}});
  v.push_back({service(6, ip(10, 0, 0, 9), 8080, "rr"), {}});
  v.push_back({service(6, ip(10, 0, 0, 9), 80, "rr"), {}});
  EXPECT_EQ(format_rules(v, {}),
            "-A -t 10.0.0.9:80 -s rr\n"
            "-A -t 10.0.0.9:8080 -s rr\n"
            "-A -t 10.0.0.10:80 -s rr\n"
            "-a -t 10.0.0.10:80 -r 10.1.0.9:80 -m -w 1\n"
            "-a -t 10.0.0.10:80 -r 10.1.0.9:81 -m -w 1\n"
            "-a -t 10.0.0.10:80 -r 10.1.0.10:80 -m -w 1\n");
}

TEST(IpvsadmFormat, SaveRules) {
  EXPECT_EQ(format_rules(sample(), {}),
            "-A -t 10.0.0.1:80 -s rr\n"
            "-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 2\n"
            "-a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 1\n"
            "-A -t 10.0.0.2:443 -s wlc\n"
            "-A -u 10.0.0.1:53 -s sh -b sh-fallback,sh-port\n"
            "-a -u 10.0.0.1:53 -r 10.1.0.3:53 -m -w 1\n");
  EXPECT_EQ(format_rules({}, {}), "");
}

TEST(IpvsadmFormat, SchedulerFlagNamesFollowTheScheduler) {
  auto line = [](const char* sched, uint32_t flags) {
    std::vector<ServiceEntry> v{{service(6, ip(10, 0, 0, 1), 80, sched, flags), {}}};
    std::string rules = format_rules(v, {});
    std::string list = format_services(v, {});
    return rules.substr(0, rules.size() - 1) + " | " +
           list.substr(std::strlen(kTitle), list.size() - std::strlen(kTitle) - 1);
  };
  EXPECT_EQ(line("sh", ipvs::kSvcFlagSched1),
            "-A -t 10.0.0.1:80 -s sh -b sh-fallback | TCP  10.0.0.1:80 sh (sh-fallback)");
  EXPECT_EQ(line("mh", ipvs::kSvcFlagSched2),
            "-A -t 10.0.0.1:80 -s mh -b mh-port | TCP  10.0.0.1:80 mh (mh-port)");
  EXPECT_EQ(line("mh", ipvs::kSvcFlagSched1 | ipvs::kSvcFlagSched2),
            "-A -t 10.0.0.1:80 -s mh -b mh-fallback,mh-port | TCP  10.0.0.1:80 mh (mh-fallback,mh-port)");
  EXPECT_EQ(line("rr", ipvs::kSvcFlagsSupported),
            "-A -t 10.0.0.1:80 -s rr -b flag-1,flag-2,flag-3 | TCP  10.0.0.1:80 rr (flag-1,flag-2,flag-3)");
  // flag-3 for sh and mh: ipvsadm prints nothing for it (and a "-b " that cannot be read back)
  EXPECT_EQ(line("sh", ipvs::kSvcFlagSched3),
            "-A -t 10.0.0.1:80 -s sh -b flag-3 | TCP  10.0.0.1:80 sh (flag-3)");
  EXPECT_EQ(line("mh", ipvs::kSvcFlagsSupported),
            "-A -t 10.0.0.1:80 -s mh -b mh-fallback,mh-port,flag-3 | TCP  10.0.0.1:80 mh "
            "(mh-fallback,mh-port,flag-3)");
  // bits outside the scheduler flags are not shown
  EXPECT_EQ(line("wlc", 0x0001 | 0x0004), "-A -t 10.0.0.1:80 -s wlc | TCP  10.0.0.1:80 wlc");
}

TEST(IpvsadmFormat, LargeNumbers) {
  EXPECT_EQ(format_largenum(0, false), "        0");
  EXPECT_EQ(format_largenum(99999999, false), " 99999999");
  EXPECT_EQ(format_largenum(100000000, false), "  100000K");
  EXPECT_EQ(format_largenum(999999999, false), "  999999K");
  EXPECT_EQ(format_largenum(1000000000, false), "    1000M");
  EXPECT_EQ(format_largenum(99999999999ULL, false), "   99999M");
  EXPECT_EQ(format_largenum(100000000000ULL, false), "     100G");
  EXPECT_EQ(format_largenum(99999999999999ULL, false), "   99999G");
  EXPECT_EQ(format_largenum(100000000000000ULL, false), "     100T");
  EXPECT_EQ(format_largenum(UINT64_MAX, false), "18446744T");
  EXPECT_EQ(format_largenum(0, true), "        0");
  EXPECT_EQ(format_largenum(12345678, true), " 12345678");
  EXPECT_EQ(format_largenum(123456789, true), " 123456789");
  EXPECT_EQ(format_largenum(UINT64_MAX, true), " 18446744073709551615");
}

std::vector<ServiceEntry> with_stats() {
  std::vector<ServiceEntry> v{{service(6, ip(10, 0, 0, 1), 80, "rr"), {dest(ip(10, 1, 0, 1), 8080, 2)}}};
  v[0].service.stats = proto::IpvsStats{12, 99999999, 100000000, 123456789012ULL, 987654321098765ULL,
                                        3,  40,       35,        123456789,       5000};
  v[0].dests[0].stats = proto::IpvsStats{5, 1234567890, 0,         100000000000000ULL, 99999999999999ULL,
                                         1, 20,         123456789, 2000000000,         7};
  return v;
}

TEST(IpvsadmFormat, Stats) {
  ListFormat f;
  f.stats = true;
  EXPECT_EQ(format_services(with_stats(), f),
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
            "  -> RemoteAddress:Port\n"
            "TCP  10.0.0.1:80                        12 99999999  100000K     123G     987T\n"
            "  -> 10.1.0.1:8080                       5    1234M        0     100T   99999G\n");
  f.exact = true;
  std::string exact = format_services(with_stats(), f);
  EXPECT_NE(
      exact.find(
          "TCP  10.0.0.1:80                        12 99999999 100000000 123456789012 987654321098765\n"),
      std::string::npos)
      << exact;
}

TEST(IpvsadmFormat, Rate) {
  ListFormat f;
  f.rate = true;
  // a dest's cps, inpps and outpps are printed whole (%8llu), its byte rates as large numbers
  EXPECT_EQ(format_services(with_stats(), f),
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
            "  -> RemoteAddress:Port\n"
            "TCP  10.0.0.1:80                         3       40       35  123456K     5000\n"
            "  -> 10.1.0.1:8080                       1       20 123456789    2000M        7\n");
}

TEST(IpvsadmFormat, ThresholdsPersistentConnAndTunInfo) {
  std::vector<ServiceEntry> v{{service(6, ip(10, 0, 0, 1), 80, "rr"), {dest(ip(10, 1, 0, 2), 80, 1, 3, 4)}}};
  v[0].dests[0].persist_conns = 0;
  ListFormat f;
  f.thresholds = true;
  EXPECT_EQ(format_services(v, f),
            "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
            "  -> RemoteAddress:Port\n"
            "TCP  10.0.0.1:80 rr\n"
            "  -> 10.1.0.2:80                  0          0          3          4         \n");
  f = {};
  f.persistent_conn = true;
  EXPECT_EQ(format_services(v, f),
            "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
            "  -> RemoteAddress:Port\n"
            "TCP  10.0.0.1:80 rr\n"
            "  -> 10.1.0.2:80                  1         0           3          4         \n");
  f = {};
  f.tun_info = true;
  EXPECT_EQ(format_services(v, f),
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
            "TCP  10.0.0.1:80 rr\n"
            "  -> 10.1.0.2:80                  Masq    n/a           1      3          4         \n");
}

TEST(IpvsadmFormat, ForwardingMethodNames) {
  // dplb only masquerades, but the names follow the record as ipvsadm's do
  std::vector<ServiceEntry> v{{service(6, ip(10, 0, 0, 1), 80, "rr"), {}}};
  for (uint32_t fwd : {proto::kFwdMasq, proto::kFwdLocal, proto::kFwdTunnel, proto::kFwdDroute}) {
    auto d = dest(ip(10, 1, 0, 1) + fwd, 80, 1);
    d.fwd = fwd;
    v[0].dests.push_back(d);
  }
  std::string list = format_services(v, {});
  EXPECT_NE(list.find("  -> 10.1.0.1:80                  Masq    1"), std::string::npos) << list;
  EXPECT_NE(list.find("  -> 10.1.0.2:80                  Local   1"), std::string::npos) << list;
  EXPECT_NE(list.find("  -> 10.1.0.3:80                  Tunnel  1"), std::string::npos) << list;
  EXPECT_NE(list.find("  -> 10.1.0.4:80                  Route   1"), std::string::npos) << list;
  EXPECT_EQ(format_rules(v, {}),
            "-A -t 10.0.0.1:80 -s rr\n"
            "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 1\n"
            "-a -t 10.0.0.1:80 -r 10.1.0.2:80 -g -w 1\n"
            "-a -t 10.0.0.1:80 -r 10.1.0.3:80 -i -w 1\n"
            "-a -t 10.0.0.1:80 -r 10.1.0.4:80 -g -w 1\n");
}

proto::ConnRecord conn(uint8_t proto, const char* state, uint32_t c, uint16_t cp, uint32_t v, uint16_t vp,
                       uint32_t d, uint16_t dp, uint32_t expires_ms) {
  proto::ConnRecord r;
  std::memset(&r, 0, sizeof r);
  r.proto = proto;
  EXPECT_TRUE(ctrl::set_fixed_string(r.state, state));
  r.caddr = c;
  r.cport = cp;
  r.vaddr = v;
  r.vport = vp;
  r.daddr = d;
  r.dport = dp;
  r.expires_ms = expires_ms;
  return r;
}

ConnList sample_conns() {
  ConnList l;
  l.total = 3;
  l.conns.push_back(
      conn(6, "ESTABLISHED", ip(192, 168, 1, 10), 51234, ip(10, 0, 0, 1), 80, ip(10, 1, 0, 2), 80, 899999));
  l.conns.push_back(
      conn(17, "UDP", ip(172, 16, 0, 1), 5353, ip(10, 0, 0, 1), 53, ip(10, 1, 0, 3), 53, 6000000));
  l.conns.push_back(
      conn(6, "SYN_RECV", ip(255, 255, 255, 255), 65535, ip(10, 0, 0, 1), 80, ip(10, 1, 0, 1), 8080, 999));
  return l;
}

TEST(IpvsadmFormat, Connections) {
  const char* rows =
      "TCP 14:59  ESTABLISHED 192.168.1.10:51234 10.0.0.1:80        10.1.0.2:80\n"
      "UDP 100:00 UDP         172.16.0.1:5353    10.0.0.1:53        10.1.0.3:53\n"
      "TCP 00:00  SYN_RECV    255.255.255.255:65535 10.0.0.1:80        10.1.0.1:8080\n";
  EXPECT_EQ(format_connections(sample_conns(), {}),
            std::string("IPVS connection entries\n"
                        "pro expire state       source             virtual            destination\n") +
                rows);
  ListFormat pc;
  pc.persistent_conn = true;
  EXPECT_EQ(
      format_connections(sample_conns(), pc),
      std::string(
          "IPVS connection entries\n"
          "pro expire state       source             virtual            destination        pe name          "
          "pe_data\n") +
          rows);
  EXPECT_EQ(format_connections({}, {}),
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination\n");
}

TEST(IpvsadmFormat, TimeoutsAndVersion) {
  EXPECT_EQ(format_timeouts(proto::IpvsTimeouts{900, 120, 300, 0}),
            "Timeout (tcp tcpfin udp): 900 120 300\n");
  EXPECT_EQ(format_version_header(proto::IpvsInfo{0x010201, 4096, 3, 2}),
            "IP Virtual Server version 1.2.1 (size=4096)\n");
  EXPECT_EQ(format_version_header(proto::IpvsInfo{0x020a03, 1048576, 0, 1}),
            "IP Virtual Server version 2.10.3 (size=1048576)\n");
}

// ---------------------------------------------------------------- reply codecs

TEST(IpvsadmReply, ListRoundTripAndCounts) {
  auto v = sample();
  std::vector<uint8_t> bytes = encode_list(v);
  EXPECT_EQ(bytes.size(), 8 + 3 * sizeof(proto::ServiceRecord) + 3 * sizeof(proto::DestRecord));
  auto back = decode_list(bytes);
  ASSERT_TRUE(back) << back.status().message();
  ASSERT_EQ(back->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*back)[i].service.n_dests, v[i].dests.size());
    EXPECT_EQ(std::memcmp(&(*back)[i].service.sched, &v[i].service.sched, sizeof v[i].service.sched), 0);
    ASSERT_EQ((*back)[i].dests.size(), v[i].dests.size());
    for (size_t j = 0; j < v[i].dests.size(); ++j) {
      EXPECT_EQ(std::memcmp(&(*back)[i].dests[j], &v[i].dests[j], sizeof(proto::DestRecord)), 0);
    }
  }
  auto empty = decode_list(encode_list({}));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(IpvsadmReply, MalformedListsAreRefused) {
  std::vector<uint8_t> good = encode_list(sample());
  // every truncation, and one trailing byte
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(decode_list(std::span<const uint8_t>(good.data(), n))) << n;
  }
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  EXPECT_FALSE(decode_list(longer));
  // counts far beyond the bytes present are refused before anything is allocated
  std::vector<uint8_t> huge_services = good;
  uint32_t n = 0xffffffffu;
  std::memcpy(huge_services.data(), &n, 4);
  EXPECT_FALSE(decode_list(huge_services));
  std::vector<uint8_t> huge_dests = good;
  std::memcpy(huge_dests.data() + 8 + offsetof(proto::ServiceRecord, n_dests), &n, 4);
  auto r = decode_list(huge_dests);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), EINVAL);
}

TEST(IpvsadmReply, ConnsInfoAndTimeouts) {
  ConnList l = sample_conns();
  l.total = 1000;
  auto bytes = encode_conns(l);
  EXPECT_EQ(bytes.size(), 16 + 3 * sizeof(proto::ConnRecord));
  auto back = decode_conns(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->total, 1000u);
  ASSERT_EQ(back->conns.size(), 3u);
  EXPECT_EQ(std::memcmp(back->conns.data(), l.conns.data(), 3 * sizeof(proto::ConnRecord)), 0);
  EXPECT_FALSE(decode_conns(std::span<const uint8_t>(bytes.data(), bytes.size() - 1)));
  bytes.push_back(1);
  EXPECT_FALSE(decode_conns(bytes));
  EXPECT_FALSE(decode_conns({}));

  proto::IpvsInfo info{0x010201, 4096, 1, 2};
  auto i = decode_info(ctrl::encode_pod(info));
  ASSERT_TRUE(i);
  EXPECT_EQ(i->conn_table_size, 4096u);
  EXPECT_FALSE(decode_info(std::vector<uint8_t>(15)));
  EXPECT_FALSE(decode_timeouts(std::vector<uint8_t>(17)));
  auto t = decode_timeouts(ctrl::encode_pod(proto::IpvsTimeouts{1, 2, 3, 0}));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->udp, 3u);
}

}  // namespace
}  // namespace dplb::cli
