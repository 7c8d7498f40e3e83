// Differential test: random route tables (up to 100,000 routes, prefix lengths 0..32, clustered and
// random prefixes, several metrics per prefix, multipath, KNI routes, duplicates, deletes, re-adds)
// against the reference model; after every batch, random addresses and the boundary addresses of
// every prefix must get the same route, next hop, port, source and MTU, and the listings must agree.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "dplb/route/route_table.h"
#include "route_ref_model.h"
#include "route_test_util.h"

namespace dplb::route {
namespace {

using namespace dplb::route::testing;

constexpr uint16_t kPorts = 4;
constexpr std::array<uint16_t, kPorts> kMtus{1500, 9000, 1500, 4000};

class RouteDiff : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint16_t p = 0; p < kPorts; ++p) {
      ASSERT_TRUE(t.set_port(p, kMtus[p]));
      ref.add_port(p, kMtus[p]);
      // Gateways live in 10.p.0.0/16; 172.16.p.0/24 gives a second source address per port.
      for (Ip4Prefix a :
           {Ip4Prefix{Ip4::of(10, uint8_t(p), 0, 1), 16}, Ip4Prefix{Ip4::of(172, 16, uint8_t(p), 1), 24}}) {
        ASSERT_TRUE(t.add_addr(p, a));
        ref.add_addr(p, a);
      }
    }
    for (int i = 0; i < 48; ++i) {
      uint8_t len = uint8_t(8 + rng() % 17);
      clusters.push_back(Ip4Prefix{Ip4(uint32_t(rng()) & prefix_mask(len)), len});
    }
  }

  Ip4Prefix random_prefix() {
    uint32_t roll = rng() % 10;
    uint8_t len;
    uint32_t addr;
    if (roll < 6) {  // clustered: nested prefixes under a few bases
      const Ip4Prefix& base = clusters[rng() % clusters.size()];
      len = uint8_t(base.len + rng() % (33 - base.len));
      addr = base.addr.v | (uint32_t(rng()) & ~prefix_mask(base.len));
    } else if (roll < 7) {  // near our own subnets, so on-link routes get shadowed
      len = uint8_t(16 + rng() % 17);
      addr =
          Ip4::of(rng() % 2 ? 10 : 172, rng() % 2 ? uint8_t(rng() % kPorts) : 16, 0, 0).v | (rng() & 0xffffu);
    } else {  // anywhere, any length
      len = uint8_t(rng() % 33);
      addr = uint32_t(rng());
    }
    return Ip4Prefix{Ip4(addr & prefix_mask(len)), len};
  }

  Nexthop random_nexthop() {
    uint16_t port = uint16_t(rng() % kPorts);
    if (rng() % 2) return Nexthop{Ip4{}, port, 1, false};
    // A gateway of that port's /16 (never its own address 10.p.0.1).
    return Nexthop{Ip4::of(10, uint8_t(port), uint8_t(1 + rng() % 250), uint8_t(2 + rng() % 250)), port, 1,
                   false};
  }

  RefRoute random_route() {
    RefRoute r;
    r.prefix = random_prefix();
    r.metric = 1 + rng() % 4;  // metric 0 stays with the address-derived routes
    r.mtu = rng() % 5 == 0 ? uint16_t(576 + rng() % 8500) : 0;
    if (rng() % 7 == 0) {  // one of our addresses
      uint8_t p = uint8_t(rng() % kPorts);
      r.src = rng() % 2 ? Ip4::of(10, p, 0, 1) : Ip4::of(172, 16, p, 1);
    }
    unsigned count = rng() % 7 == 0 ? 2 + rng() % 3 : 1;
    while (r.nexthops.size() < count) {
      Nexthop nh = random_nexthop();
      if (count > 1) nh.weight = uint16_t(1 + rng() % 256);
      bool dup = std::any_of(r.nexthops.begin(), r.nexthops.end(),
                             [&](const Nexthop& o) { return o.gateway == nh.gateway && o.port == nh.port; });
      if (!dup) r.nexthops.push_back(nh);
    }
    set_scope(r, rng() % 20 == 0);
    return r;
  }

  // Scope and flags as the table derives them; kni_host is only for net routes here (a kni_host /32
  // would be a local route).
  static void set_scope(RefRoute& r, bool kni) {
    bool has_gw = std::any_of(r.nexthops.begin(), r.nexthops.end(),
                              [](const Nexthop& nh) { return !nh.gateway.is_zero(); });
    r.scope = (kni && r.prefix.len < 32) ? RouteScope::kKniHost
              : has_gw                   ? RouteScope::kGlobal
                                         : RouteScope::kLink;
    r.flags = r.scope == RouteScope::kKniHost ? kRouteKni : kRouteForward;
    if (r.prefix.len == 0) r.flags |= kRouteDefault;
  }

  static RouteSpec to_spec(const RefRoute& r) {
    RouteSpec s;
    s.prefix = r.prefix;
    s.metric = r.metric;
    s.mtu = r.mtu;
    s.src = r.src;
    s.scope = r.scope;
    s.nexthops = r.nexthops;
    return s;
  }

  void add(const RefRoute& r, AddMode mode) {
    int expect = ref.add(r, mode);
    Status s = t.add_route(to_spec(r), mode);
    ASSERT_EQ(s.code(), expect) << to_string(r.prefix) << " metric " << r.metric << " mode " << int(mode)
                                << ": " << s.message();
  }

  void del(Ip4Prefix p, std::optional<uint32_t> metric) {
    RouteMatch m{p, metric, {}, {}, {}};
    ASSERT_EQ(t.del_route(m).code(), ref.del(p, metric)) << to_string(p);
  }

  // One random control operation.
  void random_op() {
    uint32_t roll = rng() % 100;
    if (roll < 62 || ref.routes.size() < 10) {
      add(random_route(), AddMode::kCreate);
    } else if (roll < 67) {  // a duplicate identity
      RefRoute r = random_route();
      const RefRoute& victim = ref.routes[rng() % ref.routes.size()];
      r.prefix = victim.prefix;
      r.metric = victim.metric;
      if (r.metric == 0) return;  // leave the address-derived routes alone
      set_scope(r, r.scope == RouteScope::kKniHost);
      add(r, AddMode(rng() % 3));
    } else if (roll < 70) {  // replace or append to a random identity
      RefRoute r = random_route();
      add(r, rng() % 2 ? AddMode::kReplace : AddMode::kAppend);
    } else if (roll < 92) {
      const RefRoute& victim = ref.routes[rng() % ref.routes.size()];
      if (victim.metric == 0) return;
      del(victim.prefix, victim.metric);
    } else if (roll < 96) {  // by prefix only: the lowest metric goes
      Ip4Prefix p = ref.routes[rng() % ref.routes.size()].prefix;
      if (ref.lowest_metric(p)->metric == 0) return;
      del(p, std::nullopt);
    } else {  // something that does not exist
      RefRoute r = random_route();
      r.metric = 1000;
      del(r.prefix, r.metric);
    }
  }

  // Compares the listings, then lookups of `probes` with the linear scan and of every prefix's
  // boundary addresses with the linear scan (small tables) or the model's index (big tables).
  void check(const std::vector<Ip4>& probes, bool boundaries_linear) {
    std::vector<RouteEntry> listed = t.routes();
    std::vector<RouteEntry> expected = ref.listing();
    ASSERT_EQ(listed.size(), expected.size());
    ASSERT_EQ(t.route_count(), expected.size());
    ById by_id;
    for (size_t i = 0; i < listed.size(); ++i) {
      if (listed[i].id >= by_id.size()) by_id.resize(listed[i].id + 1, nullptr);
      by_id[listed[i].id] = &listed[i];
      RouteEntry e = listed[i];
      e.id = 0;
      ASSERT_EQ(e, expected[i]) << identity(expected[i]);
    }
    for (Ip4 a : probes) ASSERT_NO_FATAL_FAILURE(compare(a, ref.lookup_linear(a), uint32_t(rng()), by_id));
    std::optional<RefModel::Index> index;
    if (!boundaries_linear) index.emplace(ref);
    for (const RefRoute& r : ref.routes) {
      for (Ip4 a : {r.prefix.network(), r.prefix.broadcast(), Ip4(r.prefix.network().v - 1),
                    Ip4(r.prefix.broadcast().v + 1)}) {
        const RefRoute* want = index ? index->lookup(a) : ref.lookup_linear(a);
        ASSERT_NO_FATAL_FAILURE(compare(a, want, uint32_t(rng()), by_id));
      }
    }
  }

  using ById = std::vector<const RouteEntry*>;  // listed routes by route id

  static const RouteEntry* listed(const ById& by_id, uint32_t id) {
    return id < by_id.size() ? by_id[id] : nullptr;
  }

  void compare(Ip4 a, const RefRoute* want, uint32_t hash, const ById& by_id) {
    auto at = [&] { return "at " + to_string(a); };  // only formatted on failure
    // input()
    InputResult in = t.input(a, 0);
    auto local = ref.locals.find(a.v);
    if (local != ref.locals.end()) {
      ASSERT_EQ(in.verdict, InputVerdict::kLocal) << at();
      ASSERT_EQ(in.port, local->second.port) << at();
    } else if (want == nullptr) {
      ASSERT_EQ(in.verdict, InputVerdict::kNoRoute) << at();
    } else {
      ASSERT_EQ(in.verdict, (want->flags & kRouteKni) ? InputVerdict::kKni : InputVerdict::kForward) << at();
      ASSERT_EQ(in.port, want->nexthops.front().port) << at();
      const RouteEntry* e = listed(by_id, in.route);
      ASSERT_NE(e, nullptr) << at();
      ASSERT_EQ(e->prefix, want->prefix) << at();
      ASSERT_EQ(e->metric, want->metric) << at();
    }
    // output()
    OutputResult got;
    bool found = t.output(a, {}, -1, hash, got);
    std::optional<OutputResult> exp = ref.expected_output(a, want, hash);
    ASSERT_EQ(found, exp.has_value()) << at();
    if (!found) return;
    if (exp->route == kNoRoute) {
      ASSERT_EQ(got.route, kNoRoute) << at();
    } else {
      const RouteEntry* e = listed(by_id, got.route);
      ASSERT_NE(e, nullptr) << at();
      ASSERT_EQ(e->prefix, want->prefix) << at();
      ASSERT_EQ(e->metric, want->metric) << at();
    }
    ASSERT_EQ(got.port, exp->port) << at();
    ASSERT_EQ(got.next_hop.v, exp->next_hop.v)
        << at() << " next_hop " << to_string(got.next_hop) << " want " << to_string(exp->next_hop);
    ASSERT_EQ(got.src.v, exp->src.v) << at() << " src " << to_string(got.src) << " want "
                                     << to_string(exp->src);
    ASSERT_EQ(got.mtu, exp->mtu) << at();
    ASSERT_EQ(got.flags, exp->flags) << at();
  }

  std::vector<Ip4> random_probes(size_t n) {
    std::vector<Ip4> probes;
    for (size_t i = 0; i < n; ++i) {
      if (rng() % 3 == 0 || ref.routes.empty()) {
        probes.push_back(Ip4(uint32_t(rng())));
      } else {  // inside some prefix, to exercise nesting
        const Ip4Prefix& p = ref.routes[rng() % ref.routes.size()].prefix;
        probes.push_back(Ip4(p.addr.v | (uint32_t(rng()) & ~prefix_mask(p.len))));
      }
    }
    // Our own addresses (local) too.
    for (const auto& [addr, local] : ref.locals) probes.push_back(Ip4(addr));
    return probes;
  }

  RouteTable t;
  RefModel ref;
  std::mt19937_64 rng{20240601};
  std::vector<Ip4Prefix> clusters;
};

// Small tables, many batches, every check against the linear scan.
TEST_F(RouteDiff, SmallTablesAgainstLinearScan) {
  for (int batch = 0; batch < 40; ++batch) {
    for (int op = 0; op < 120; ++op) ASSERT_NO_FATAL_FAILURE(random_op());
    ASSERT_NO_FATAL_FAILURE(check(random_probes(3000), /*boundaries_linear=*/true)) << "batch " << batch;
  }
  EXPECT_GT(ref.routes.size(), 1500u);
}

// Up to 100,000 routes: random probes against the linear scan, prefix boundaries against the index.
TEST_F(RouteDiff, LargeTables) {
  auto grow_to = [&](size_t target) {
    while (ref.routes.size() < target) add(random_route(), AddMode::kCreate);
  };
  for (size_t target : {25000u, 50000u, 75000u, 100000u}) {
    ASSERT_NO_FATAL_FAILURE(grow_to(target));
    ASSERT_NO_FATAL_FAILURE(check(random_probes(2000), /*boundaries_linear=*/false)) << target;
  }
  EXPECT_GE(t.route_count(), 100000u);
  for (int round = 0; round < 3; ++round) {
    // Delete a fifth of the user routes at random, re-add half of them, add new ones, mixed ops.
    std::vector<RefRoute> deleted;
    for (int i = 0; i < 20000; ++i) {
      const RefRoute& victim = ref.routes[rng() % ref.routes.size()];
      if (victim.metric == 0) continue;
      deleted.push_back(victim);
      ASSERT_NO_FATAL_FAILURE(del(victim.prefix, victim.metric));
    }
    for (size_t i = 0; i < deleted.size(); i += 2) ASSERT_NO_FATAL_FAILURE(add(deleted[i], AddMode::kCreate));
    for (int i = 0; i < 5000; ++i) ASSERT_NO_FATAL_FAILURE(random_op());
    ASSERT_NO_FATAL_FAILURE(check(random_probes(2000), /*boundaries_linear=*/false)) << "round " << round;
  }

  // The same contents loaded in another order give the same digest and listing.
  RouteTable other;
  for (uint16_t p = 0; p < kPorts; ++p) {
    ASSERT_TRUE(other.set_port(p, kMtus[p]));
    for (const Ip4Prefix& a : ref.ports.at(p).addrs) ASSERT_TRUE(other.add_addr(p, a));
  }
  std::vector<RefRoute> shuffled;
  for (const RefRoute& r : ref.routes) {
    if (r.metric != 0) shuffled.push_back(r);
  }
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  for (const RefRoute& r : shuffled) ASSERT_TRUE(other.add_route(to_spec(r)));
  EXPECT_EQ(other.digest(), t.digest());
  EXPECT_EQ(other.route_count(), t.route_count());
  // One different route makes it differ.
  ASSERT_TRUE(other.del_route(RouteMatch{shuffled.front().prefix, shuffled.front().metric, {}, {}, {}}));
  EXPECT_NE(other.digest(), t.digest());
}

}  // namespace
}  // namespace dplb::route
