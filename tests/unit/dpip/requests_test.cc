// Request builders: Command → the proto records the daemon reads.
#include "cli/dpip/requests.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/dpip/parser.h"
#include "dplb/ctrl/wire.h"

namespace dplb::dpip {
namespace {

Command cmd(const std::string& line) {
  std::vector<std::string> w;
  std::istringstream is(line);
  for (std::string s; is >> s;) w.push_back(s);
  auto c = parse(w);
  EXPECT_TRUE(c.is_ok()) << line << ": " << c.status().message();
  return c.is_ok() ? *c : Command{};
}

proto::RouteRecord route(const std::string& line) {
  Command c = cmd(line);
  return make_route_record(std::get<RouteArgs>(c.args), c.verb);
}

uint32_t ip(const char* s) { return parse_ip4(s)->v; }

TEST(DpipRequests, RouteSinglePath) {
  auto r = route("route add 10.1.0.0/16 via 10.0.0.2 dev dpdk0 src 10.0.0.1 metric 10 mtu 1400 onlink");
  EXPECT_EQ(r.dst, ip("10.1.0.0"));
  EXPECT_EQ(r.dst_len, 16);
  EXPECT_EQ(r.mode, proto::kRouteAddCreate);
  EXPECT_EQ(r.n_nexthops, 1);
  EXPECT_EQ(ctrl::fixed_string(r.nh[0].ifname), "dpdk0");
  EXPECT_EQ(r.nh[0].gateway, ip("10.0.0.2"));
  EXPECT_EQ(r.nh[0].weight, 1);
  EXPECT_EQ(r.nh[0].flags, proto::kNexthopOnlink);
  EXPECT_EQ(r.has, proto::kRouteHasDev | proto::kRouteHasVia | proto::kRouteHasSrc | proto::kRouteHasMetric |
                       proto::kRouteHasMtu);
  EXPECT_EQ(r.metric, 10u);
  EXPECT_EQ(r.mtu, 1400u);
  EXPECT_EQ(r.src, ip("10.0.0.1"));
  EXPECT_EQ(r.scope, proto::kScopeGlobal);  // a gateway: global, as ip
  EXPECT_EQ(r.flags, 0u);
  EXPECT_EQ(r.n_nexthops, 1);
  for (unsigned i = 1; i < proto::kMaxNexthops; ++i) EXPECT_EQ(r.nh[i].gateway, 0u);
}

TEST(DpipRequests, RouteDefaultsAndModes) {
  auto r = route("route add 10.0.0.0/24 dev dpdk0");
  EXPECT_EQ(r.scope, proto::kScopeLink);  // no gateway: scope link, as ip
  EXPECT_EQ(r.has, proto::kRouteHasDev);
  EXPECT_EQ(route("route replace 10.0.0.0/24 dev dpdk0").mode, proto::kRouteAddReplace);
  EXPECT_EQ(route("route change 10.0.0.0/24 dev dpdk0").mode, proto::kRouteAddChange);
  EXPECT_EQ(route("route append 10.0.0.0/24 dev dpdk0").mode, proto::kRouteAddAppend);
  r = route("route add 10.0.0.7 dev dpdk0 scope kni_host");
  EXPECT_EQ(r.dst_len, 32);
  EXPECT_EQ(r.scope, proto::kScopeHost);
  EXPECT_TRUE(r.flags & proto::kRouteFlagKni);
  EXPECT_TRUE(r.has & proto::kRouteHasScope);

  r = route("route add default via 10.0.0.254");
  EXPECT_EQ(r.dst, 0u);
  EXPECT_EQ(r.dst_len, 0);
  EXPECT_EQ(r.has, proto::kRouteHasVia);
  EXPECT_EQ(ctrl::fixed_string(r.nh[0].ifname), "");

  r = route("route del 10.1.0.0/16");  // match on the prefix alone
  EXPECT_EQ(r.n_nexthops, 0);
  EXPECT_EQ(r.has, 0u);
  EXPECT_EQ(r.scope, proto::kScopeGlobal);
  r = route("route del 10.1.0.0/16 dev dpdk0 metric 0");
  EXPECT_EQ(r.has, proto::kRouteHasDev | proto::kRouteHasMetric);
  EXPECT_EQ(route_change_op(Verb::kDel), proto::kOpRouteDel);
  EXPECT_EQ(route_change_op(Verb::kAdd), proto::kOpRouteAdd);
  EXPECT_EQ(route_change_op(Verb::kReplace), proto::kOpRouteAdd);
  EXPECT_EQ(route_change_op(Verb::kAppend), proto::kOpRouteAdd);
}

TEST(DpipRequests, RouteMultipath) {
  auto r = route(
      "route add 10.2.0.0/16 nexthop via 10.0.0.2 dev dpdk0 weight 1 nexthop via 10.0.1.2 dev dpdk1 "
      "weight 3 onlink");
  EXPECT_EQ(r.n_nexthops, 2);
  EXPECT_EQ(r.has, 0u);  // dev/via filters only describe a single path
  EXPECT_EQ(r.scope, proto::kScopeGlobal);
  EXPECT_EQ(r.nh[0].gateway, ip("10.0.0.2"));
  EXPECT_EQ(ctrl::fixed_string(r.nh[1].ifname), "dpdk1");
  EXPECT_EQ(r.nh[1].weight, 3);
  EXPECT_EQ(r.nh[1].flags, proto::kNexthopOnlink);
  EXPECT_EQ(r.nh[0].flags, 0);
}

TEST(DpipRequests, RouteFilterAndGet) {
  Command c = cmd("route show table all dev dpdk0 via 10.0.0.2 10.0.0.0/8");
  auto f = make_route_filter(std::get<RouteSelector>(c.args));
  EXPECT_EQ(f.has, proto::kRouteHasDev | proto::kRouteHasVia | proto::kRouteHasPrefix);
  EXPECT_EQ(f.n_nexthops, 1);
  EXPECT_EQ(ctrl::fixed_string(f.nh[0].ifname), "dpdk0");
  EXPECT_EQ(f.nh[0].gateway, ip("10.0.0.2"));
  EXPECT_EQ(f.dst, ip("10.0.0.0"));
  EXPECT_EQ(f.dst_len, 8);
  EXPECT_EQ(f.flags, proto::kRouteFlagForward | proto::kRouteFlagLocal);  // table all
  f = make_route_filter(std::get<RouteSelector>(cmd("route show").args));
  EXPECT_EQ(f.has, 0u);
  EXPECT_EQ(f.n_nexthops, 0);
  EXPECT_EQ(f.flags, proto::kRouteFlagForward);
  EXPECT_EQ(make_route_filter(std::get<RouteSelector>(cmd("route show table local").args)).flags,
            proto::kRouteFlagLocal);

  auto q =
      make_route_get_query(std::get<RouteGetArgs>(cmd("route get 10.1.2.3 from 10.0.0.5 oif dpdk1").args));
  EXPECT_EQ(q.dst, ip("10.1.2.3"));
  EXPECT_EQ(q.src, ip("10.0.0.5"));
  EXPECT_EQ(ctrl::fixed_string(q.oif), "dpdk1");
  q = make_route_get_query(std::get<RouteGetArgs>(cmd("route get 10.1.2.3").args));
  EXPECT_EQ(q.src, 0u);
  EXPECT_EQ(ctrl::fixed_string(q.oif), "");
}

TEST(DpipRequests, AddrNeighLink) {
  auto a = make_addr_record(std::get<AddrArgs>(cmd("addr add 10.0.0.1/24 dev dpdk0").args));
  EXPECT_EQ(ctrl::fixed_string(a.ifname), "dpdk0");
  EXPECT_EQ(a.addr, ip("10.0.0.1"));
  EXPECT_EQ(a.prefixlen, 24);
  EXPECT_EQ(a.scope, proto::kScopeGlobal);
  EXPECT_EQ(a.broadcast, 0u);
  EXPECT_EQ(make_addr_record(std::get<AddrArgs>(cmd("addr add 127.0.0.9/8 dev d").args)).scope,
            proto::kScopeHost);
  EXPECT_EQ(make_addr_record(std::get<AddrArgs>(cmd("addr add 10.0.0.1 dev d scope link").args)).scope,
            proto::kScopeLink);

  auto n = make_neigh_record(
      std::get<NeighArgs>(cmd("neigh add 10.0.0.2 lladdr 02:00:00:00:00:0a dev dpdk0").args), true);
  EXPECT_EQ(ctrl::fixed_string(n.ifname), "dpdk0");
  EXPECT_EQ(n.addr, ip("10.0.0.2"));
  EXPECT_EQ(n.mac[0], 2);
  EXPECT_EQ(n.mac[5], 10);
  EXPECT_EQ(n.state, 6);  // PERMANENT
  n = make_neigh_record(std::get<NeighArgs>(cmd("neigh del 10.0.0.2 dev dpdk0").args), false);
  EXPECT_EQ(n.state, 0);
  EXPECT_EQ(n.mac[0], 0);

  EXPECT_EQ(ctrl::fixed_string(make_if_filter(DevArgs{"dpdk3"}).ifname), "dpdk3");
  EXPECT_EQ(ctrl::fixed_string(make_if_filter(DevArgs{}).ifname), "");
  auto q = make_link_query(DevArgs{"dpdk1"}, true);
  EXPECT_EQ(ctrl::fixed_string(q.ifname), "dpdk1");
  EXPECT_EQ(q.with_stats, 1);
  EXPECT_EQ(make_link_query(DevArgs{}, false).with_stats, 0);
}

TEST(DpipRequests, RouteBatchesFillTheRequestLimit) {
  EXPECT_EQ(max_routes_per_request(), ctrl::kMaxRequestPayload / sizeof(proto::RouteRecord));
  EXPECT_LE(max_routes_per_request() * sizeof(proto::RouteRecord), ctrl::kMaxRequestPayload);
  EXPECT_GT((max_routes_per_request() + 1) * sizeof(proto::RouteRecord), ctrl::kMaxRequestPayload);

  std::vector<proto::RouteRecord> recs(5);
  for (size_t i = 0; i < recs.size(); ++i) recs[i].dst = static_cast<uint32_t>(i);
  auto payload = encode_routes(recs, 1, 4);
  ASSERT_EQ(payload.size(), 3 * sizeof(proto::RouteRecord));
  proto::RouteRecord back{};
  std::memcpy(&back, payload.data() + sizeof(proto::RouteRecord), sizeof back);
  EXPECT_EQ(back.dst, 2u);
}

}  // namespace
}  // namespace dplb::dpip
