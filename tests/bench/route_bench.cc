// route_bench: IPv4 route lookup cost against table size (10, 1,000, 100,000 routes) for
//   ours_lookup  RouteTable::lookup (DIR-24-8 → best route id)
//   ours_input   RouteTable::input  (local hash, then DIR-24-8)
//   ours_output  RouteTable::output (local hash, DIR-24-8, next hop, MTU, source selection)
//   rte_lpm      DPDK's rte_lpm_lookup on the same prefixes and addresses
//   linear       DPVS's design: one list sorted by prefix length, scanned to the first match
// plus the time to load 100,000 routes (ours, and rte_lpm for reference).
//
// Lookups take 256 independent random destinations per iteration (90 % inside a random route, 10 %
// anywhere): the figure is throughput per address ("per_addr", seconds), as a burst of packets sees it.
//
// rte_lpm needs EAL: main() starts it without hugepages, devices or shared config, in a private file
// prefix removed at exit.
#include <benchmark/benchmark.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lpm.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "dplb/route/route_table.h"

namespace {

using dplb::Ip4;
using dplb::Ip4Prefix;
using dplb::prefix_mask;
namespace route = dplb::route;

constexpr uint16_t kPorts = 4;
constexpr size_t kProbes = size_t(1) << 16;
constexpr size_t kBatch = 256;

struct BenchRoute {
  Ip4Prefix prefix;  // normalized
  uint16_t port;
  Ip4 gateway;  // in 10.<port>.0.0/16
};

struct Dataset {
  std::vector<BenchRoute> routes;
  std::vector<Ip4> probes;
};

// A BGP-like length mix: a default route, then 55 % /24, 30 % /16-/23, 10 % /25-/32, 5 % /8-/15, on
// random unicast networks outside 10/8 (where the gateways live).
Dataset make_dataset(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Dataset d;
  std::unordered_set<uint64_t> seen;
  d.routes.push_back({Ip4Prefix{Ip4(0), 0}, 0, Ip4::of(10, 0, 0, 254)});
  while (d.routes.size() < count) {
    unsigned roll = unsigned(rng() % 100);
    unsigned len = roll < 55   ? 24
                   : roll < 85 ? 16 + unsigned(rng() % 8)
                   : roll < 95 ? 25 + unsigned(rng() % 8)
                               : 8 + unsigned(rng() % 8);
    uint32_t addr = uint32_t(rng());
    uint32_t first = addr >> 24;
    if (first == 0 || first == 10 || first == 127 || first >= 224) continue;
    Ip4 net(addr & prefix_mask(len));
    if (!seen.insert((uint64_t(net.v) << 8) | len).second) continue;
    uint16_t port = uint16_t(rng() % kPorts);
    d.routes.push_back({Ip4Prefix{net, uint8_t(len)}, port,
                        Ip4::of(10, uint8_t(port), uint8_t(1 + rng() % 250), uint8_t(2 + rng() % 250))});
  }
  d.probes.reserve(kProbes);
  for (size_t i = 0; i < kProbes; ++i) {
    if (rng() % 10 == 0) {
      d.probes.push_back(Ip4(uint32_t(rng())));
    } else {
      const Ip4Prefix& p = d.routes[rng() % d.routes.size()].prefix;
      d.probes.push_back(Ip4(p.addr.v | (uint32_t(rng()) & ~prefix_mask(p.len))));
    }
  }
  return d;
}

const Dataset& dataset(size_t count) {
  static std::map<size_t, Dataset> cache;
  auto it = cache.find(count);
  if (it == cache.end()) it = cache.emplace(count, make_dataset(count, 42 + count)).first;
  return it->second;
}

void load_ours(route::RouteTable& t, const Dataset& d) {
  for (uint16_t p = 0; p < kPorts; ++p) {
    if (!t.set_port(p, 1500) || !t.add_addr(p, Ip4Prefix{Ip4::of(10, uint8_t(p), 0, 1), 16})) std::abort();
  }
  route::RouteSpec s;
  s.nexthops.resize(1);
  for (const BenchRoute& r : d.routes) {
    s.prefix = r.prefix;
    s.nexthops[0] = route::Nexthop{r.gateway, r.port, 1, false};
    if (dplb::Status st = t.add_route(s); !st) {
      std::fprintf(stderr, "add %s: %s\n", dplb::to_string(r.prefix).c_str(), st.message().c_str());
      std::abort();
    }
  }
}

const route::RouteTable& ours(size_t count) {
  static std::map<size_t, std::unique_ptr<route::RouteTable>> cache;
  auto& t = cache[count];
  if (!t) {
    t = std::make_unique<route::RouteTable>();
    load_ours(*t, dataset(count));
  }
  return *t;
}

rte_lpm* make_lpm(const Dataset& d, const std::string& name) {
  rte_lpm_config config{};
  config.max_rules = uint32_t(d.routes.size() + 16);
  config.number_tbl8s = uint32_t(d.routes.size() / 4 + 256);
  rte_lpm* lpm = rte_lpm_create(name.c_str(), SOCKET_ID_ANY, &config);
  if (lpm == nullptr) {
    std::fprintf(stderr, "rte_lpm_create: %s\n", rte_strerror(rte_errno));
    std::abort();
  }
  for (size_t i = 0; i < d.routes.size(); ++i) {
    // rte_lpm takes depths 1..32: the default route is the caller's fallback on a miss.
    if (d.routes[i].prefix.len == 0) continue;
    if (int rc = rte_lpm_add(lpm, d.routes[i].prefix.addr.v, d.routes[i].prefix.len, uint32_t(i)); rc != 0) {
      std::fprintf(stderr, "rte_lpm_add %s: %d\n", dplb::to_string(d.routes[i].prefix).c_str(), rc);
      std::abort();
    }
  }
  return lpm;
}

std::map<size_t, rte_lpm*>& lpm_cache() {
  static std::map<size_t, rte_lpm*> cache;
  return cache;
}

rte_lpm* lpm(size_t count) {
  rte_lpm*& l = lpm_cache()[count];
  if (l == nullptr) l = make_lpm(dataset(count), "rb_lpm_" + std::to_string(count));
  return l;
}

// DPVS's net route list: sorted by prefix length (longest first), scanned to the first match.
struct LinearTable {
  struct Entry {
    uint32_t net;
    uint32_t mask;
    uint32_t gateway;
    uint16_t port;
  };
  std::vector<Entry> entries;

  explicit LinearTable(const Dataset& d) {
    std::vector<BenchRoute> sorted = d.routes;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const BenchRoute& a, const BenchRoute& b) { return a.prefix.len > b.prefix.len; });
    for (const BenchRoute& r : sorted)
      entries.push_back({r.prefix.addr.v, prefix_mask(r.prefix.len), r.gateway.v, r.port});
  }
  const Entry* lookup(Ip4 a) const {
    for (const Entry& e : entries) {
      if ((a.v & e.mask) == e.net) return &e;
    }
    return nullptr;
  }
};

const LinearTable& linear(size_t count) {
  static std::map<size_t, std::unique_ptr<LinearTable>> cache;
  auto& t = cache[count];
  if (!t) t = std::make_unique<LinearTable>(dataset(count));
  return *t;
}

void set_rate(benchmark::State& state) {
  double addrs = double(state.iterations()) * kBatch;
  state.SetItemsProcessed(int64_t(addrs));
  state.counters["per_addr"] =
      benchmark::Counter(addrs, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

template <typename Lookup>
void run_lookups(benchmark::State& state, const Dataset& d, Lookup&& lookup) {
  size_t offset = 0;
  for (auto _ : state) {
    const Ip4* batch = &d.probes[offset];
    for (size_t i = 0; i < kBatch; ++i) benchmark::DoNotOptimize(lookup(batch[i]));
    offset = (offset + kBatch) & (kProbes - 1);
  }
  set_rate(state);
}

void BM_ours_lookup(benchmark::State& state) {
  size_t n = size_t(state.range(0));
  const route::RouteTable& t = ours(n);
  run_lookups(state, dataset(n), [&](Ip4 a) { return t.lookup(a); });
}

void BM_ours_input(benchmark::State& state) {
  size_t n = size_t(state.range(0));
  const route::RouteTable& t = ours(n);
  run_lookups(state, dataset(n), [&](Ip4 a) { return t.input(a, 0).route; });
}

void BM_ours_output(benchmark::State& state) {
  size_t n = size_t(state.range(0));
  const route::RouteTable& t = ours(n);
  uint32_t hash = 0;
  run_lookups(state, dataset(n), [&](Ip4 a) {
    route::OutputResult out;
    bool found = t.output(a, Ip4{}, -1, hash++, out);
    return found ? out.next_hop.v ^ out.src.v : 0u;
  });
}

void BM_rte_lpm(benchmark::State& state) {
  size_t n = size_t(state.range(0));
  rte_lpm* l = lpm(n);
  run_lookups(state, dataset(n), [&](Ip4 a) {
    uint32_t hop = 0;
    return rte_lpm_lookup(l, a.v, &hop) == 0 ? hop : 0u;  // route 0 is the default route
  });
}

void BM_linear(benchmark::State& state) {
  size_t n = size_t(state.range(0));
  const LinearTable& t = linear(n);
  run_lookups(state, dataset(n), [&](Ip4 a) { return t.lookup(a); });
}

void BM_ours_load(benchmark::State& state) {
  const Dataset& d = dataset(size_t(state.range(0)));
  for (auto _ : state) {
    std::optional<route::RouteTable> t;
    t.emplace();
    load_ours(*t, d);
    benchmark::DoNotOptimize(t->digest());
    state.PauseTiming();
    t.reset();
    state.ResumeTiming();
  }
  state.counters["routes"] = double(d.routes.size());
}

void BM_rte_lpm_load(benchmark::State& state) {
  const Dataset& d = dataset(size_t(state.range(0)));
  int round = 0;
  for (auto _ : state) {
    rte_lpm* l = make_lpm(d, "rb_load_" + std::to_string(round++));
    state.PauseTiming();
    rte_lpm_free(l);
    state.ResumeTiming();
  }
  state.counters["routes"] = double(d.routes.size());
}

BENCHMARK(BM_ours_lookup)->Arg(10)->Arg(1000)->Arg(100000);
BENCHMARK(BM_ours_input)->Arg(10)->Arg(1000)->Arg(100000);
BENCHMARK(BM_ours_output)->Arg(10)->Arg(1000)->Arg(100000);
BENCHMARK(BM_rte_lpm)->Arg(10)->Arg(1000)->Arg(100000);
BENCHMARK(BM_linear)->Arg(10)->Arg(1000)->Arg(100000);
BENCHMARK(BM_ours_load)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_rte_lpm_load)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

int main(int argc, char** argv) {
  std::string prefix = "rb_" + std::to_string(getpid());
  std::string file_prefix = "--file-prefix=" + prefix;
  std::vector<std::string> eal_args = {argv[0],
                                       "--no-huge",
                                       "-m",
                                       "512",
                                       "--no-pci",
                                       "--no-shconf",
                                       "--no-telemetry",
                                       "-l",
                                       "0",
                                       file_prefix,
                                       "--log-level=lib.eal:error"};
  std::vector<char*> eal_argv;
  for (std::string& a : eal_args) eal_argv.push_back(a.data());
  if (rte_eal_init(int(eal_argv.size()), eal_argv.data()) < 0) {
    std::fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (auto& [count, l] : lpm_cache()) rte_lpm_free(l);
  rte_eal_cleanup();
  std::error_code ec;
  std::filesystem::remove_all("/var/run/dpdk/" + prefix, ec);
  return 0;
}
