// Formatters against iproute2 6.1's real output. The expected strings were captured from `ip` on
// this host (veth devices renamed dpdkN in a scratch namespace) and edited only where dpip is
// documented to differ: no qdisc/group/qlen, no "uid 0", no "linkdown", no "@peer".
#include "cli/dpip/format.h"

#include <gtest/gtest.h>

#include "dplb/ctrl/wire.h"

namespace dplb::dpip {
namespace {

uint32_t ip(const char* s) { return parse_ip4(s)->v; }

GlobalOptions text() { return GlobalOptions{}; }
GlobalOptions json(bool pretty = false) {
  GlobalOptions o;
  o.json = true;
  o.pretty = pretty;
  return o;
}

// ---- routes ----------------------------------------------------------------------------------

proto::NexthopRecord nh(const char* dev, const char* via, uint16_t weight = 1, uint8_t flags = 0) {
  proto::NexthopRecord n{};
  ctrl::set_fixed_string(n.ifname, dev);
  n.gateway = via ? ip(via) : 0;
  n.weight = weight;
  n.flags = flags;
  return n;
}

proto::RouteRecord rt(const char* dst, uint8_t len, std::initializer_list<proto::NexthopRecord> hops,
                      uint8_t scope = proto::kScopeGlobal, const char* src = nullptr, uint32_t metric = 0,
                      uint32_t mtu = 0, uint32_t flags = 0) {
  proto::RouteRecord r{};
  r.dst = ip(dst);
  r.dst_len = len;
  r.scope = scope;
  r.src = src ? ip(src) : 0;
  r.metric = metric;
  r.mtu = mtu;
  r.flags = flags;
  for (const auto& h : hops) r.nh[r.n_nexthops++] = h;
  return r;
}

constexpr uint32_t kKernel = proto::kRouteFlagForward | proto::kRouteFlagProtoKernel;
constexpr uint32_t kLocalKernel = proto::kRouteFlagLocal | proto::kRouteFlagProtoKernel;
constexpr uint32_t kLocalKni = proto::kRouteFlagLocal | proto::kRouteFlagKni;

// The scratch namespace's routes, main table first, then the local table.
std::vector<proto::RouteRecord> sample_routes() {
  return {
      rt("0.0.0.0", 0, {nh("dpdk0", "10.0.0.254")}),
      rt("10.0.0.0", 24, {nh("dpdk0", nullptr)}, proto::kScopeLink, "10.0.0.1", 0, 0, kKernel),
      rt("10.0.1.0", 24, {nh("dpdk2", nullptr)}, proto::kScopeLink, "10.0.1.1", 0, 0, kKernel),
      rt("10.1.0.0", 16, {nh("dpdk0", "10.0.0.2")}, proto::kScopeGlobal, nullptr, 10, 1400),
      rt("10.2.0.0", 16, {nh("dpdk0", "10.0.0.2", 1), nh("dpdk2", "10.0.1.2", 3)}),
      rt("10.3.0.0", 16, {nh("dpdk2", nullptr)}, proto::kScopeLink, "10.0.1.1"),
      rt("10.4.0.0", 16, {nh("dpdk0", "10.9.9.9", 1, proto::kNexthopOnlink)}),
      rt("10.0.0.1", 32, {nh("dpdk0", nullptr)}, proto::kScopeHost, "10.0.0.1", 0, 0, kLocalKernel),
      rt("10.0.0.5", 32, {nh("dpdk0", nullptr)}, proto::kScopeHost, "10.0.0.1", 0, 0, kLocalKernel),
  };
}

TEST(DpipFormatRoute, ShowMainText) {
  EXPECT_EQ(format_routes(sample_routes(), RouteSelector{}, text()),
            "default via 10.0.0.254 dev dpdk0 \n"
            "10.0.0.0/24 dev dpdk0 proto kernel scope link src 10.0.0.1 \n"
            "10.0.1.0/24 dev dpdk2 proto kernel scope link src 10.0.1.1 \n"
            "10.1.0.0/16 via 10.0.0.2 dev dpdk0 metric 10 mtu 1400 \n"
            "10.2.0.0/16 \n"
            "\tnexthop via 10.0.0.2 dev dpdk0 weight 1 \n"
            "\tnexthop via 10.0.1.2 dev dpdk2 weight 3 \n"
            "10.3.0.0/16 dev dpdk2 scope link src 10.0.1.1 \n"
            "10.4.0.0/16 via 10.9.9.9 dev dpdk0 onlink \n");
}

TEST(DpipFormatRoute, ShowMainJson) {
  EXPECT_EQ(
      format_routes(sample_routes(), RouteSelector{}, json()),
      "[{\"dst\":\"default\",\"gateway\":\"10.0.0.254\",\"dev\":\"dpdk0\",\"flags\":[]},"
      "{\"dst\":\"10.0.0.0/24\",\"dev\":\"dpdk0\",\"protocol\":\"kernel\",\"scope\":\"link\","
      "\"prefsrc\":\"10.0.0.1\",\"flags\":[]},"
      "{\"dst\":\"10.0.1.0/24\",\"dev\":\"dpdk2\",\"protocol\":\"kernel\",\"scope\":\"link\","
      "\"prefsrc\":\"10.0.1.1\",\"flags\":[]},"
      "{\"dst\":\"10.1.0.0/16\",\"gateway\":\"10.0.0.2\",\"dev\":\"dpdk0\",\"metric\":10,\"flags\":[],"
      "\"metrics\":[{\"mtu\":1400}]},"
      "{\"dst\":\"10.2.0.0/16\",\"flags\":[],\"nexthops\":[{\"gateway\":\"10.0.0.2\",\"dev\":\"dpdk0\","
      "\"weight\":1,\"flags\":[]},{\"gateway\":\"10.0.1.2\",\"dev\":\"dpdk2\",\"weight\":3,\"flags\":[]}]},"
      "{\"dst\":\"10.3.0.0/16\",\"dev\":\"dpdk2\",\"scope\":\"link\",\"prefsrc\":\"10.0.1.1\",\"flags\":[]},"
      "{\"dst\":\"10.4.0.0/16\",\"gateway\":\"10.9.9.9\",\"dev\":\"dpdk0\",\"flags\":[\"onlink\"]}]\n");
}

TEST(DpipFormatRoute, ShowPrettyJson) {
  std::vector<proto::RouteRecord> one = {sample_routes()[3]};
  EXPECT_EQ(format_routes(one, RouteSelector{}, json(true)),
            "[ {\n"
            "        \"dst\": \"10.1.0.0/16\",\n"
            "        \"gateway\": \"10.0.0.2\",\n"
            "        \"dev\": \"dpdk0\",\n"
            "        \"metric\": 10,\n"
            "        \"flags\": [ ],\n"
            "        \"metrics\": [ {\n"
            "                \"mtu\": 1400\n"
            "            } ]\n"
            "    } ]\n");
  EXPECT_EQ(format_routes({}, RouteSelector{}, json(true)), "[ ]\n");
  EXPECT_EQ(format_routes({}, RouteSelector{}, json()), "[]\n");
  EXPECT_EQ(format_routes({}, RouteSelector{}, text()), "");
}

TEST(DpipFormatRoute, FilteredFieldsAreLeftOut) {
  // ip route show dev dpdk0 (the daemon returned dpdk0's routes)
  auto all = sample_routes();
  std::vector<proto::RouteRecord> dpdk0 = {all[0], all[1], all[3], all[6]};
  RouteSelector by_dev;
  by_dev.dev = "dpdk0";
  EXPECT_EQ(format_routes(dpdk0, by_dev, text()),
            "default via 10.0.0.254 \n"
            "10.0.0.0/24 proto kernel scope link src 10.0.0.1 \n"
            "10.1.0.0/16 via 10.0.0.2 metric 10 mtu 1400 \n"
            "10.4.0.0/16 via 10.9.9.9 onlink \n");
  EXPECT_EQ(format_routes(dpdk0, by_dev, json()),
            "[{\"dst\":\"default\",\"gateway\":\"10.0.0.254\",\"flags\":[]},"
            "{\"dst\":\"10.0.0.0/"
            "24\",\"protocol\":\"kernel\",\"scope\":\"link\",\"prefsrc\":\"10.0.0.1\",\"flags\":[]},"
            "{\"dst\":\"10.1.0.0/"
            "16\",\"gateway\":\"10.0.0.2\",\"metric\":10,\"flags\":[],\"metrics\":[{\"mtu\":1400}]},"
            "{\"dst\":\"10.4.0.0/16\",\"gateway\":\"10.9.9.9\",\"flags\":[\"onlink\"]}]\n");
  // ip route show via 10.0.0.2
  RouteSelector by_via;
  by_via.via = Ip4(ip("10.0.0.2"));
  EXPECT_EQ(format_routes({all[3]}, by_via, text()), "10.1.0.0/16 dev dpdk0 metric 10 mtu 1400 \n");
}

TEST(DpipFormatRoute, LocalAndAllTables) {
  RouteSelector local;
  local.table = RouteTable::kLocal;
  auto routes = sample_routes();
  routes.push_back(
      rt("10.0.0.7", 32, {nh("dpdk0", nullptr)}, proto::kScopeHost, "10.0.0.7", 0, 0, kLocalKni));
  routes.push_back(rt("10.0.0.8", 32, {nh("dpdk0", nullptr)}, proto::kScopeHost, "10.0.0.8", 0, 0,
                      proto::kRouteFlagLocal));  // added by hand: not "proto kernel"
  EXPECT_EQ(format_routes(routes, local, text()),
            "local 10.0.0.1 dev dpdk0 proto kernel scope host src 10.0.0.1 \n"
            "local 10.0.0.5 dev dpdk0 proto kernel scope host src 10.0.0.1 \n"
            "kni 10.0.0.7 dev dpdk0 scope kni_host src 10.0.0.7 \n"
            "local 10.0.0.8 dev dpdk0 scope host src 10.0.0.8 \n");
  EXPECT_EQ(format_routes({routes[7]}, local, json()),
            "[{\"type\":\"local\",\"dst\":\"10.0.0.1\",\"dev\":\"dpdk0\",\"protocol\":\"kernel\",\"scope\":"
            "\"host\","
            "\"prefsrc\":\"10.0.0.1\",\"flags\":[]}]\n");
  RouteSelector all;
  all.table = RouteTable::kAll;
  EXPECT_EQ(format_routes({routes[0], routes[7], routes[9]}, all, text()),
            "default via 10.0.0.254 dev dpdk0 \n"
            "local 10.0.0.1 dev dpdk0 table local proto kernel scope host src 10.0.0.1 \n"
            "kni 10.0.0.7 dev dpdk0 table local scope kni_host src 10.0.0.7 \n");
  EXPECT_EQ(format_routes({routes[7]}, all, json()),
            "[{\"type\":\"local\",\"dst\":\"10.0.0.1\",\"dev\":\"dpdk0\",\"table\":\"local\",\"protocol\":"
            "\"kernel\","
            "\"scope\":\"host\",\"prefsrc\":\"10.0.0.1\",\"flags\":[]}]\n");
}

TEST(DpipFormatRoute, DeadNexthopsAndFlags) {
  auto r = rt(
      "10.5.0.0", 16,
      {nh("dpdk0", "10.0.0.2", 2, proto::kNexthopDead), nh("dpdk1", "10.0.1.2", 256, proto::kNexthopOnlink)},
      proto::kScopeGlobal, nullptr, 20);
  EXPECT_EQ(format_routes({r}, RouteSelector{}, text()),
            "10.5.0.0/16 metric 20 \n"
            "\tnexthop via 10.0.0.2 dev dpdk0 weight 2 dead \n"
            "\tnexthop via 10.0.1.2 dev dpdk1 weight 256 onlink \n");
  EXPECT_EQ(format_routes({r}, RouteSelector{}, json()),
            "[{\"dst\":\"10.5.0.0/16\",\"metric\":20,\"flags\":[],\"nexthops\":["
            "{\"gateway\":\"10.0.0.2\",\"dev\":\"dpdk0\",\"weight\":2,\"flags\":[\"dead\"]},"
            "{\"gateway\":\"10.0.1.2\",\"dev\":\"dpdk1\",\"weight\":256,\"flags\":[\"onlink\"]}]}]\n");
  auto single = rt("10.6.0.0", 16, {nh("dpdk0", "10.0.0.3", 1, proto::kNexthopDead | proto::kNexthopOnlink)});
  EXPECT_EQ(format_routes({single}, RouteSelector{}, text()),
            "10.6.0.0/16 via 10.0.0.3 dev dpdk0 dead onlink \n");
  // a /32 prints without its length; a non-zero /0 is not "default"
  EXPECT_EQ(format_routes({rt("10.7.0.1", 32, {nh("dpdk0", "10.0.0.2")})}, RouteSelector{}, text()),
            "10.7.0.1 via 10.0.0.2 dev dpdk0 \n");
}

TEST(DpipFormatRoute, KernelProtocolAndTables) {
  // "proto kernel" comes from the daemon's flag, not from the route's look
  EXPECT_TRUE(
      route_is_kernel(rt("10.0.0.0", 24, {nh("d", nullptr)}, proto::kScopeLink, "10.0.0.1", 0, 0, kKernel)));
  EXPECT_FALSE(route_is_kernel(rt("10.0.0.0", 24, {nh("d", nullptr)}, proto::kScopeLink, "10.0.0.1")));
  EXPECT_EQ(format_routes({rt("10.0.0.0", 24, {nh("d", nullptr)}, proto::kScopeLink, "10.0.0.1")},
                          RouteSelector{}, text()),
            "10.0.0.0/24 dev d scope link src 10.0.0.1 \n");
  // a kni_host route wider than /32 stays in main, still typed kni
  auto wide_kni =
      rt("10.8.0.0", 24, {nh("d", nullptr)}, proto::kScopeHost, nullptr, 0, 0, proto::kRouteFlagKni);
  EXPECT_TRUE(route_in_table(wide_kni, RouteTable::kMain));
  EXPECT_EQ(format_routes({wide_kni}, RouteSelector{}, text()), "kni 10.8.0.0/24 dev d scope kni_host \n");
  EXPECT_TRUE(route_in_table(sample_routes()[7], RouteTable::kLocal));
  EXPECT_FALSE(route_in_table(sample_routes()[7], RouteTable::kMain));
  EXPECT_TRUE(route_in_table(sample_routes()[0], RouteTable::kMain));
  EXPECT_TRUE(route_in_table(sample_routes()[0], RouteTable::kAll));
}

proto::RouteGetReply got(const proto::RouteRecord& r, const char* dev, const char* next_hop, const char* src,
                         uint32_t mtu) {
  proto::RouteGetReply g{};
  g.route = r;
  ctrl::set_fixed_string(g.dev, dev);
  g.next_hop = ip(next_hop);
  g.src = src ? ip(src) : 0;
  g.mtu = mtu;
  return g;
}

TEST(DpipFormatRoute, Get) {
  auto routes = sample_routes();
  RouteGetArgs q;
  q.dst = Ip4(ip("10.1.2.3"));
  auto via = got(routes[3], "dpdk0", "10.0.0.2", "10.0.0.1", 1400);
  EXPECT_EQ(format_route_get(via, q, text()),
            "10.1.2.3 via 10.0.0.2 dev dpdk0 src 10.0.0.1 \n    cache mtu 1400 \n");
  EXPECT_EQ(format_route_get(via, q, json()),
            "[{\"dst\":\"10.1.2.3\",\"gateway\":\"10.0.0.2\",\"dev\":\"dpdk0\",\"prefsrc\":\"10.0.0.1\","
            "\"flags\":[],"
            "\"cache\":[],\"metrics\":[{\"mtu\":1400}]}]\n");

  q.dst = Ip4(ip("10.0.0.1"));
  auto local = got(routes[7], "dpdk0", "10.0.0.1", "10.0.0.1", 1500);
  EXPECT_EQ(format_route_get(local, q, text()),
            "local 10.0.0.1 dev dpdk0 src 10.0.0.1 \n    cache <local> \n");
  EXPECT_EQ(
      format_route_get(local, q, json()),
      "[{\"type\":\"local\",\"dst\":\"10.0.0.1\",\"dev\":\"dpdk0\",\"prefsrc\":\"10.0.0.1\",\"flags\":[],"
      "\"cache\":[\"local\"]}]\n");

  q.dst = Ip4(ip("10.0.0.7"));  // a kni_host address: its traffic goes to the kernel, not <local>
  auto kni =
      got(rt("10.0.0.7", 32, {nh("dpdk0", nullptr)}, proto::kScopeHost, "10.0.0.7", 0, 0, kLocalKni),
          "dpdk0", "10.0.0.7", "10.0.0.7", 1500);
  EXPECT_EQ(format_route_get(kni, q, text()), "kni 10.0.0.7 dev dpdk0 src 10.0.0.7 \n    cache \n");

  q.dst = Ip4(ip("10.0.0.3"));  // on-link: the next hop is the destination, no "via"
  auto onlink = got(routes[1], "dpdk0", "10.0.0.3", "10.0.0.1", 1500);
  EXPECT_EQ(format_route_get(onlink, q, text()), "10.0.0.3 dev dpdk0 src 10.0.0.1 \n    cache \n");
  q.from = Ip4(ip("10.0.0.5"));  // with from: ip prints it and no src
  EXPECT_EQ(format_route_get(onlink, q, text()), "10.0.0.3 from 10.0.0.5 dev dpdk0 \n    cache \n");
  EXPECT_EQ(format_route_get(onlink, q, json()),
            "[{\"dst\":\"10.0.0.3\",\"from\":\"10.0.0.5\",\"dev\":\"dpdk0\",\"flags\":[],\"cache\":[]}]\n");
}

// ---- neighbours ------------------------------------------------------------------------------

proto::NeighRecord neigh(const char* addr, uint8_t last, uint8_t state, const char* dev = "dpdk0") {
  proto::NeighRecord n{};
  ctrl::set_fixed_string(n.ifname, dev);
  n.addr = ip(addr);
  n.mac[0] = 2;
  n.mac[5] = last;
  n.state = state;
  return n;
}

TEST(DpipFormatNeigh, TextAndJson) {
  std::vector<proto::NeighRecord> n = {neigh("10.0.0.8", 8, 4), neigh("10.0.0.2", 2, 6),
                                       neigh("10.0.0.7", 7, 5), neigh("10.0.0.4", 4, 1),
                                       neigh("10.0.0.6", 6, 3), neigh("10.0.0.3", 3, 2)};
  EXPECT_EQ(format_neighs(n, DevArgs{}, text()),
            "10.0.0.8 dev dpdk0 lladdr 02:00:00:00:00:08 PROBE \n"
            "10.0.0.2 dev dpdk0 lladdr 02:00:00:00:00:02 PERMANENT \n"
            "10.0.0.7 dev dpdk0 FAILED \n"
            "10.0.0.4 dev dpdk0 INCOMPLETE \n"
            "10.0.0.6 dev dpdk0 lladdr 02:00:00:00:00:06 STALE \n"
            "10.0.0.3 dev dpdk0 lladdr 02:00:00:00:00:03 REACHABLE \n");
  EXPECT_EQ(
      format_neighs({n[0], n[1], n[2], n[3]}, DevArgs{}, json()),
      "[{\"dst\":\"10.0.0.8\",\"dev\":\"dpdk0\",\"lladdr\":\"02:00:00:00:00:08\",\"state\":[\"PROBE\"]},"
      "{\"dst\":\"10.0.0.2\",\"dev\":\"dpdk0\",\"lladdr\":\"02:00:00:00:00:02\",\"state\":[\"PERMANENT\"]},"
      "{\"dst\":\"10.0.0.7\",\"dev\":\"dpdk0\",\"state\":[\"FAILED\"]},"
      "{\"dst\":\"10.0.0.4\",\"dev\":\"dpdk0\",\"state\":[\"INCOMPLETE\"]}]\n");
  EXPECT_EQ(format_neighs({n[1], n[2]}, DevArgs{"dpdk0"}, text()),
            "10.0.0.2 lladdr 02:00:00:00:00:02 PERMANENT \n"
            "10.0.0.7 FAILED \n");
  EXPECT_EQ(format_neighs({n[1]}, DevArgs{"dpdk0"}, json()),
            "[{\"dst\":\"10.0.0.2\",\"lladdr\":\"02:00:00:00:00:02\",\"state\":[\"PERMANENT\"]}]\n");
  EXPECT_EQ(std::string(neigh_state_name(0)), "NONE");
  EXPECT_EQ(std::string(neigh_state_name(99)), "NONE");
}

// ---- links and addresses ---------------------------------------------------------------------

proto::LinkRecord link(const char* name, uint32_t port, uint32_t flags) {
  proto::LinkRecord r{};
  ctrl::set_fixed_string(r.ifname, name);
  r.ifindex = port;
  r.mtu = 1500;
  r.flags = flags;
  const uint8_t mac[6] = {0xae, 0x6a, 0x01, 0xf6, 0x3d, 0x96};
  std::memcpy(r.mac, mac, 6);
  return r;
}

constexpr uint32_t kUp = proto::kLinkUp | proto::kLinkLowerUp;

LinkShowData links(std::vector<proto::LinkRecord> recs) {
  LinkShowData d;
  for (auto& r : recs) d.links.push_back(LinkInfo{r, {}});
  return d;
}

TEST(DpipFormatLink, Text) {
  auto d = links({link("dpdk0", 2, kUp), link("dpdk1", 1, 0), link("dpdk2", 4, proto::kLinkUp),
                  link("dpdk3", 5, kUp | proto::kLinkPromisc)});
  EXPECT_EQ(format_links(d, text()),
            "3: dpdk0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP mode DEFAULT\n"
            "    link/ether ae:6a:01:f6:3d:96 brd ff:ff:ff:ff:ff:ff\n"
            "2: dpdk1: <BROADCAST,MULTICAST> mtu 1500 state DOWN mode DEFAULT\n"
            "    link/ether ae:6a:01:f6:3d:96 brd ff:ff:ff:ff:ff:ff\n"
            "5: dpdk2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 state DOWN mode DEFAULT\n"
            "    link/ether ae:6a:01:f6:3d:96 brd ff:ff:ff:ff:ff:ff\n"
            "6: dpdk3: <BROADCAST,MULTICAST,PROMISC,UP,LOWER_UP> mtu 1500 state UP mode DEFAULT\n"
            "    link/ether ae:6a:01:f6:3d:96 brd ff:ff:ff:ff:ff:ff\n");
}

TEST(DpipFormatLink, Json) {
  auto d = links({link("dpdk0", 2, kUp)});
  EXPECT_EQ(
      format_links(d, json()),
      "[{\"ifindex\":3,\"ifname\":\"dpdk0\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],"
      "\"mtu\":1500,\"operstate\":\"UP\",\"linkmode\":\"DEFAULT\",\"link_type\":\"ether\","
      "\"address\":\"ae:6a:01:f6:3d:96\",\"broadcast\":\"ff:ff:ff:ff:ff:ff\"}]\n");
}

// Two workers whose counters add up to ip -s link show dpdk2's (1006 bytes, 13 packets each way).
LinkShowData stats_sample() {
  LinkShowData d;
  d.with_stats = true;
  d.n_workers = 2;
  d.reasons = {"eth_not_for_us", "ipv4_no_route", "tx_full"};
  LinkInfo l{link("dpdk2", 4, kUp), {}};
  l.workers.push_back(WorkerLinkStats{{0, 1, 10, 806, 9, 706, 0, 0}, {0, 0, 0}});
  l.workers.push_back(WorkerLinkStats{{1, 2, 3, 200, 4, 300, 0, 0}, {0, 0, 0}});
  d.links.push_back(l);
  return d;
}

TEST(DpipFormatLink, StatsLikeIp) {
  GlobalOptions o;
  o.stats = 1;
  EXPECT_EQ(format_links(stats_sample(), o),
            "5: dpdk2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP mode DEFAULT\n"
            "    link/ether ae:6a:01:f6:3d:96 brd ff:ff:ff:ff:ff:ff\n"
            "    RX:  bytes packets errors dropped  missed   mcast           \n"
            "          1006      13      0       0       0       0 \n"
            "    TX:  bytes packets errors dropped carrier collsns           \n"
            "          1006      13      0       0       0       0 \n"
            "    handover to the owner worker:\n"
            "        worker 0 lcore 1: handed_over 0 ring_full 0\n"
            "        worker 1 lcore 2: handed_over 0 ring_full 0\n");
}

TEST(DpipFormatLink, StatsDropsKniAndWideColumns) {
  LinkShowData d = stats_sample();
  LinkInfo& l = d.links[0];
  l.workers[0].counters.rx_bytes = 123456789012;  // 12 digits: the bytes column widens for RX and TX
  l.workers[0].drops = {5, 0, 2};
  l.workers[1].drops = {1, 0, 40};
  l.workers[1].counters.tx_dropped = 7;
  l.rec.hw_ierrors = 3;
  l.rec.hw_imissed = 100;
  l.rec.hw_rx_nombuf = 11;
  l.rec.hw_oerrors = 4;
  ctrl::set_fixed_string(l.rec.kni_ifname, "dpdk2.kni");
  l.rec.kni_rx_packets = 21;
  l.rec.kni_tx_packets = 22;
  l.rec.kni_dropped = 23;
  GlobalOptions o;
  o.stats = 1;
  // RX: packets 13, bytes 123456789012 + 200; dropped = all drops (48); missed = imissed + nombuf.
  EXPECT_EQ(format_links(d, o),
            "5: dpdk2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP mode DEFAULT\n"
            "    link/ether ae:6a:01:f6:3d:96 brd ff:ff:ff:ff:ff:ff\n"
            "    RX:    bytes packets errors dropped  missed   mcast           \n"
            "    123456789212      13      3      48     111       0 \n"
            "    TX:    bytes packets errors dropped carrier collsns           \n"
            "            1006      13      4       7       0       0 \n"
            "    drops:\n"
            "        eth_not_for_us 6\n"
            "        tx_full        42\n"
            "    handover to the owner worker:\n"
            "        worker 0 lcore 1: handed_over 0 ring_full 0\n"
            "        worker 1 lcore 2: handed_over 0 ring_full 0\n"
            "    kni dpdk2.kni: to_kernel 21 from_kernel 22 dropped 23\n");

  o.verbose = true;
  std::string v = format_links(d, o);
  EXPECT_NE(
      v.find(
          "    kni dpdk2.kni: to_kernel 21 from_kernel 22 dropped 23\n"
          "    worker 0 lcore 1: rx_packets 10 rx_bytes 123456789012 tx_packets 9 tx_bytes 706 tx_dropped 0\n"
          "        drops: eth_not_for_us 5 tx_full 2\n"
          "    worker 1 lcore 2: rx_packets 3 rx_bytes 200 tx_packets 4 tx_bytes 300 tx_dropped 7\n"
          "        drops: eth_not_for_us 1 tx_full 40\n"),
      std::string::npos)
      << v;
  // -v alone: the worker lines without the RX/TX blocks
  o.stats = 0;
  v = format_links(d, o);
  EXPECT_EQ(v.find("RX:"), std::string::npos);
  EXPECT_NE(v.find("    worker 1 lcore 2: rx_packets 3"), std::string::npos);
}

TEST(DpipFormatLink, StatsJson) {
  GlobalOptions o = json();
  o.stats = 1;
  LinkShowData d = stats_sample();
  d.links[0].workers[1].drops = {0, 9, 0};
  EXPECT_EQ(
      format_links(d, o),
      "[{\"ifindex\":5,\"ifname\":\"dpdk2\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],"
      "\"mtu\":1500,\"operstate\":\"UP\",\"linkmode\":\"DEFAULT\",\"link_type\":\"ether\","
      "\"address\":\"ae:6a:01:f6:3d:96\",\"broadcast\":\"ff:ff:ff:ff:ff:ff\","
      "\"stats64\":{\"rx\":{\"bytes\":1006,\"packets\":13,\"errors\":0,\"dropped\":9,\"over_errors\":0,"
      "\"multicast\":0},\"tx\":{\"bytes\":1006,\"packets\":13,\"errors\":0,\"dropped\":0,\"carrier_errors\":"
      "0,"
      "\"collisions\":0}},"
      "\"drops\":{\"eth_not_for_us\":0,\"ipv4_no_route\":9,\"tx_full\":0},"
      "\"handover\":[{\"worker\":0,\"lcore\":1,\"handed_over\":0,\"ring_full\":0},"
      "{\"worker\":1,\"lcore\":2,\"handed_over\":0,\"ring_full\":0}]}]\n");
  o.verbose = true;
  ctrl::set_fixed_string(d.links[0].rec.kni_ifname, "k0");
  std::string v = format_links(d, o);
  EXPECT_NE(
      v.find(",\"kni\":{\"ifname\":\"k0\",\"to_kernel\":0,\"from_kernel\":0,\"dropped\":0},"
             "\"workers\":[{\"worker\":0,\"lcore\":1,\"rx_packets\":10,\"rx_bytes\":806,\"tx_packets\":9,"
             "\"tx_bytes\":706,\"tx_dropped\":0,\"drops\":{\"eth_not_for_us\":0,\"ipv4_no_route\":0,"
             "\"tx_full\":0}},{\"worker\":1,"),
      std::string::npos)
      << v;
}

// The packets each worker handed to the connection's owner worker, and those refused by its full
// ring (the redirect_full drops), under -s; with one worker there is nothing to hand over.
TEST(DpipFormatLink, HandoverPerWorker) {
  LinkShowData d = stats_sample();
  d.reasons = {"eth_not_for_us", "redirect_full", "tx_full"};
  d.links[0].workers[0].counters.redirected = 7;
  d.links[0].workers[0].drops = {0, 2, 0};
  d.links[0].workers[1].counters.redirected = 1234567;
  GlobalOptions o;
  o.stats = 1;
  std::string t = format_links(d, o);
  EXPECT_NE(t.find("    drops:\n"
                   "        redirect_full 2\n"
                   "    handover to the owner worker:\n"
                   "        worker 0 lcore 1: handed_over 7 ring_full 2\n"
                   "        worker 1 lcore 2: handed_over 1234567 ring_full 0\n"),
            std::string::npos)
      << t;
  GlobalOptions j = json();
  j.stats = 1;
  std::string js = format_links(d, j);
  EXPECT_NE(js.find("\"handover\":[{\"worker\":0,\"lcore\":1,\"handed_over\":7,\"ring_full\":2},"
                    "{\"worker\":1,\"lcore\":2,\"handed_over\":1234567,\"ring_full\":0}]"),
            std::string::npos)
      << js;
  // Without -s, or with one worker: no handover section.
  EXPECT_EQ(format_links(d, text()).find("handover"), std::string::npos);
  d.n_workers = 1;
  d.links[0].workers.pop_back();
  EXPECT_EQ(format_links(d, o).find("handover"), std::string::npos);
  EXPECT_EQ(format_links(d, j).find("handover"), std::string::npos);
}

TEST(DpipFormatLink, KniTapNameWithoutStats) {
  LinkShowData d = stats_sample();
  d.with_stats = false;
  d.links[0].workers.clear();
  ctrl::set_fixed_string(d.links[0].rec.kni_ifname, "dpdk2.kni");
  d.links[0].rec.kni_rx_packets = 4;
  EXPECT_EQ(format_links(d, GlobalOptions{}),
            "5: dpdk2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP mode DEFAULT\n"
            "    link/ether ae:6a:01:f6:3d:96 brd ff:ff:ff:ff:ff:ff\n"
            "    kni dpdk2.kni\n");
  EXPECT_EQ(format_links(d, json()),
            "[{\"ifindex\":5,\"ifname\":\"dpdk2\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],"
            "\"mtu\":1500,\"operstate\":\"UP\",\"linkmode\":\"DEFAULT\",\"link_type\":\"ether\","
            "\"address\":\"ae:6a:01:f6:3d:96\",\"broadcast\":\"ff:ff:ff:ff:ff:ff\",\"kni\":{\"ifname\":\"dpdk2.kni\"}}]\n");
  // without a tap: no kni line
  ctrl::set_fixed_string(d.links[0].rec.kni_ifname, "");
  EXPECT_EQ(format_links(d, GlobalOptions{}).find("kni"), std::string::npos);
}

TEST(DpipFormatLink, StatsWithoutWorkerCountersUseTheEthdevs) {
  LinkShowData d = links({link("dpdk0", 0, kUp)});
  d.links[0].rec.hw_ibytes = 500;
  d.links[0].rec.hw_ipackets = 5;
  d.links[0].rec.hw_obytes = 600;
  d.links[0].rec.hw_opackets = 6;
  GlobalOptions o;
  o.stats = 1;
  std::string s = format_links(d, o);
  EXPECT_NE(s.find("           500       5      0       0       0       0 \n"), std::string::npos) << s;
  EXPECT_NE(s.find("           600       6      0       0       0       0 \n"), std::string::npos) << s;
}

proto::AddrRecord addr(const char* dev, const char* a, uint8_t len, bool primary, const char* brd = nullptr,
                       uint8_t scope = proto::kScopeGlobal) {
  proto::AddrRecord r{};
  ctrl::set_fixed_string(r.ifname, dev);
  r.addr = ip(a);
  r.prefixlen = len;
  r.primary = primary ? 1 : 0;
  r.broadcast = brd ? ip(brd) : 0;
  r.scope = scope;
  return r;
}

TEST(DpipFormatAddr, Text) {
  auto d = links({link("dpdk0", 2, kUp), link("dpdk2", 4, kUp)});
  std::vector<proto::AddrRecord> a = {
      addr("dpdk0", "10.0.0.1", 24, true), addr("dpdk2", "10.0.3.1", 24, true, "10.0.3.255"),
      addr("dpdk0", "10.0.0.5", 24, false), addr("dpdk2", "192.168.9.9", 32, true),
      addr("dpdk9", "10.9.9.9", 24, true)};
  EXPECT_EQ(format_addrs(d, a, text()),
            "3: dpdk0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n"
            "    link/ether ae:6a:01:f6:3d:96 brd ff:ff:ff:ff:ff:ff\n"
            "    inet 10.0.0.1/24 scope global dpdk0\n"
            "       valid_lft forever preferred_lft forever\n"
            "    inet 10.0.0.5/24 scope global secondary dpdk0\n"
            "       valid_lft forever preferred_lft forever\n"
            "5: dpdk2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n"
            "    link/ether ae:6a:01:f6:3d:96 brd ff:ff:ff:ff:ff:ff\n"
            "    inet 10.0.3.1/24 brd 10.0.3.255 scope global dpdk2\n"
            "       valid_lft forever preferred_lft forever\n"
            "    inet 192.168.9.9/32 scope global dpdk2\n"
            "       valid_lft forever preferred_lft forever\n");
  auto host = links({link("dpdk0", 0, kUp)});
  EXPECT_NE(format_addrs(host, {addr("dpdk0", "127.0.0.1", 8, true, nullptr, proto::kScopeHost)}, text())
                .find("    inet 127.0.0.1/8 scope host dpdk0\n"),
            std::string::npos);
}

TEST(DpipFormatAddr, Json) {
  auto d = links({link("dpdk0", 2, kUp)});
  std::vector<proto::AddrRecord> a = {addr("dpdk0", "10.0.0.1", 24, true),
                                      addr("dpdk0", "10.0.0.5", 24, false),
                                      addr("dpdk0", "10.0.3.1", 24, true, "10.0.3.255")};
  EXPECT_EQ(
      format_addrs(d, a, json()),
      "[{\"ifindex\":3,\"ifname\":\"dpdk0\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],"
      "\"mtu\":1500,\"operstate\":\"UP\",\"link_type\":\"ether\",\"address\":\"ae:6a:01:f6:3d:96\","
      "\"broadcast\":\"ff:ff:ff:ff:ff:ff\",\"addr_info\":["
      "{\"family\":\"inet\",\"local\":\"10.0.0.1\",\"prefixlen\":24,\"scope\":\"global\",\"label\":\"dpdk0\","
      "\"valid_life_time\":4294967295,\"preferred_life_time\":4294967295},"
      "{\"family\":\"inet\",\"local\":\"10.0.0.5\",\"prefixlen\":24,\"scope\":\"global\",\"secondary\":true,"
      "\"label\":\"dpdk0\",\"valid_life_time\":4294967295,\"preferred_life_time\":4294967295},"
      "{\"family\":\"inet\",\"local\":\"10.0.3.1\",\"prefixlen\":24,\"broadcast\":\"10.0.3.255\","
      "\"scope\":\"global\",\"label\":\"dpdk0\",\"valid_life_time\":4294967295,"
      "\"preferred_life_time\":4294967295}]}]\n");
  EXPECT_EQ(format_addrs(links({link("dpdk1", 0, 0)}), {}, json()),
            "[{\"ifindex\":1,\"ifname\":\"dpdk1\",\"flags\":[\"BROADCAST\",\"MULTICAST\"],\"mtu\":1500,"
            "\"operstate\":\"DOWN\",\"link_type\":\"ether\",\"address\":\"ae:6a:01:f6:3d:96\","
            "\"broadcast\":\"ff:ff:ff:ff:ff:ff\",\"addr_info\":[]}]\n");
}

// ---- sync ------------------------------------------------------------------------------------

SyncData sync_sample(bool second_in_sync) {
  SyncData s;
  s.header = proto::SyncReply{0xdeadbeef, 2, second_in_sync ? 1u : 0u};
  s.workers.push_back(proto::SyncWorker{0, 1, 0xdeadbeef, 1, 0});
  s.workers.push_back(
      proto::SyncWorker{1, 2, second_in_sync ? 0xdeadbeefu : 0x1u, second_in_sync ? 1u : 0u, 3});
  return s;
}

TEST(DpipFormatSync, TextJsonFooter) {
  EXPECT_EQ(format_sync(sync_sample(true), text()),
            "model digest 0x00000000deadbeef\n"
            "worker 0 lcore 1 digest 0x00000000deadbeef replays 0 in sync\n"
            "worker 1 lcore 2 digest 0x00000000deadbeef replays 3 in sync\n");
  EXPECT_EQ(format_sync(sync_sample(false), text()),
            "model digest 0x00000000deadbeef\n"
            "worker 0 lcore 1 digest 0x00000000deadbeef replays 0 in sync\n"
            "worker 1 lcore 2 digest 0x0000000000000001 replays 3 OUT OF SYNC\n");
  EXPECT_EQ(
      format_sync(sync_sample(false), json()),
      "{\"model_digest\":\"0x00000000deadbeef\",\"all_in_sync\":false,\"workers\":["
      "{\"worker\":0,\"lcore\":1,\"digest\":\"0x00000000deadbeef\",\"in_sync\":true,\"replays\":0},"
      "{\"worker\":1,\"lcore\":2,\"digest\":\"0x0000000000000001\",\"in_sync\":false,\"replays\":3}]}\n");
  EXPECT_TRUE(all_in_sync(sync_sample(true)));
  EXPECT_FALSE(all_in_sync(sync_sample(false)));
  EXPECT_EQ(format_sync_footer(sync_sample(true)), "sync: all 2 workers agree with the model\n");
  EXPECT_EQ(format_sync_footer(sync_sample(false)), "sync: 1 of 2 workers OUT OF SYNC: worker 1 (lcore 2)\n");
  // the daemon's verdict counts even when every worker line says in sync
  SyncData odd = sync_sample(true);
  odd.header.all_in_sync = 0;
  EXPECT_FALSE(all_in_sync(odd));
  EXPECT_EQ(format_sync_footer(odd), "sync: 0 of 2 workers OUT OF SYNC: (the daemon says so)\n");
}

}  // namespace
}  // namespace dplb::dpip
