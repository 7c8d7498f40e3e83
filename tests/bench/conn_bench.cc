// Connection table and NAT rewrite microbenchmarks (no EAL).
//   build: meson configure build -Dbench=true && ninja -C build tests/bench/conn_bench
//   run:   ./build/tests/bench/conn_bench [--benchmark_filter=Lookup]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "dplb/ipvs/conn_table.h"
#include "dplb/ipvs/nat.h"
#include "dplb/net/checksum.h"

namespace dplb::ipvs {
namespace {

// Distinct connections: clients spread over a /8, 64 ports each, one VIP, 16 real servers.
ConnParams params_for(uint32_t i) {
  ConnParams p;
  p.proto = net::kIpProtoTcp;
  p.caddr = Ip4(0x0a000000u + (i >> 6));
  p.cport = static_cast<uint16_t>(1024 + (i & 63) * 977);
  p.vaddr = Ip4::of(192, 0, 2, 1);
  p.vport = 443;
  p.raddr = Ip4(0xac100000u + (i % 16));
  p.rport = 8443;
  p.dest_id = i;
  p.timeout = 90000;
  return p;
}

FlowKey in_key(const ConnParams& p) { return {p.proto, p.caddr, p.cport, p.vaddr, p.vport}; }

struct Fixture {
  std::unique_ptr<ConnTable> table;
  std::vector<FlowKey> hits;    // every inbound key, shuffled
  std::vector<FlowKey> misses;  // keys of absent connections
};

// Tables are built once per size and shared by the benchmarks.
Fixture& fixture(uint32_t n) {
  static std::map<uint32_t, std::unique_ptr<Fixture>> cache;
  auto& f = cache[n];
  if (f) return *f;
  f = std::make_unique<Fixture>();
  f->table = std::move(*ConnTable::make({.capacity = n, .seed = 1}));
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(7);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<uint32_t> chase(n);
  for (uint32_t i = 0; i < n; ++i) chase[order[i]] = order[(i + 1) % n];  // one random cycle
  for (uint32_t i = 0; i < n; ++i) {
    ConnParams p = params_for(i);
    p.dest_gen = chase[i];  // the next connection to visit, read from the one just found
    f->table->create(p, 0);
  }
  for (uint32_t i = 0; i < n; ++i) {
    f->hits.push_back(in_key(params_for(order[i])));
    FlowKey miss = f->hits.back();
    miss.dport = 444;
    f->misses.push_back(miss);
  }
  return *f;
}

constexpr uint32_t kBurst = 32;

void BM_LookupSingle(benchmark::State& state, bool hit) {
  Fixture& f = fixture(static_cast<uint32_t>(state.range(0)));
  const std::vector<FlowKey>& keys = hit ? f.hits : f.misses;
  size_t i = 0;
  for (auto _ : state) {
    Conn* c = f.table->lookup_in(keys[i]);
    benchmark::DoNotOptimize(c);
    if (++i == keys.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// Hash a burst, prefetch every bucket, then look up: the bucket misses overlap.
void BM_LookupBurst(benchmark::State& state, bool hit) {
  Fixture& f = fixture(static_cast<uint32_t>(state.range(0)));
  const std::vector<FlowKey>& keys = hit ? f.hits : f.misses;
  const size_t nbursts = keys.size() / kBurst ? keys.size() / kBurst : 1;
  size_t b = 0;
  uint64_t h[kBurst];
  for (auto _ : state) {
    const FlowKey* k = &keys[(b * kBurst) % (keys.size() - kBurst + 1)];
    for (uint32_t j = 0; j < kBurst; ++j) {
      h[j] = f.table->hash_in(k[j]);
      f.table->prefetch_in(h[j]);
    }
    for (uint32_t j = 0; j < kBurst; ++j) {
      Conn* c = f.table->lookup_in(h[j], k[j]);
      benchmark::DoNotOptimize(c);
    }
    if (++b == nbursts) b = 0;
  }
  state.SetItemsProcessed(state.iterations() * kBurst);
}

// Each lookup's key depends on the previous result: the full latency of one lookup, nothing
// overlapped (the worst case for a packet whose processing leaves no other work in flight).
void BM_LookupDependent(benchmark::State& state) {
  Fixture& f = fixture(static_cast<uint32_t>(state.range(0)));
  uint32_t next = 0;
  for (auto _ : state) {
    Conn* c = f.table->lookup_in(in_key(params_for(next)));
    next = c->dest_gen;
  }
  benchmark::DoNotOptimize(next);
  state.SetItemsProcessed(state.iterations());
}

// Steady state at half capacity: destroy the oldest connection, create a new one.
void BM_CreateDestroy(benchmark::State& state) {
  const auto n = static_cast<uint32_t>(state.range(0));
  auto table = std::move(*ConnTable::make({.capacity = n, .seed = 3}));
  std::vector<Conn*> ring(n / 2);
  uint32_t serial = 0;
  for (Conn*& c : ring) c = table->create(params_for(serial++), 0);
  size_t oldest = 0;
  for (auto _ : state) {
    table->destroy(ring[oldest]);
    ring[oldest] = table->create(params_for(serial++), 0);
    if (++oldest == ring.size()) oldest = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// Creates 1024 connections with a 1-tick timeout and expires them: timer cost per connection.
void BM_CreateAndExpire(benchmark::State& state) {
  auto table = std::move(*ConnTable::make({.capacity = 4096, .seed = 4}));
  Tick now = 0;
  uint32_t serial = 0;
  for (auto _ : state) {
    for (int i = 0; i < 1024; ++i) {
      ConnParams p = params_for(serial++ & 0xfffff);
      p.timeout = 1;
      table->create(p, now);
    }
    now += 2;
    table->run_timers(now, UINT32_MAX, [](Conn&) { return ExpireAction::kDestroy; });
  }
  state.SetItemsProcessed(state.iterations() * 1024);
}

std::vector<uint8_t> tcp_packet(size_t payload) {
  std::vector<uint8_t> pkt(20 + 32 + payload, 0x5a);
  auto* ip = reinterpret_cast<net::Ipv4Hdr*>(pkt.data());
  ip->version_ihl = 0x45;
  ip->total_len = Be16::from_host(static_cast<uint16_t>(pkt.size()));
  ip->frag_off = Be16::from_host(net::kIpFlagDf);
  ip->ttl = 64;
  ip->proto = net::kIpProtoTcp;
  ip->saddr = Be32::from_host(Ip4::of(198, 51, 100, 7).v);
  ip->daddr = Be32::from_host(Ip4::of(192, 0, 2, 1).v);
  ip->checksum = 0;
  ip->checksum = net::ipv4_header_checksum(ip);
  auto* th = reinterpret_cast<net::TcpHdr*>(pkt.data() + 20);
  th->data_off = 8 << 4;
  th->checksum = 0;
  th->checksum = net::l4_checksum(ip, th, static_cast<uint16_t>(pkt.size() - 20));
  return pkt;
}

const Ip4 kRs[2] = {Ip4::of(10, 0, 0, 5), Ip4::of(10, 0, 0, 6)};

void BM_DnatIncremental(benchmark::State& state) {
  std::vector<uint8_t> pkt = tcp_packet(static_cast<size_t>(state.range(0)));
  auto* ip = reinterpret_cast<net::Ipv4Hdr*>(pkt.data());
  uint32_t i = 0;
  for (auto _ : state) {
    nat_rewrite_dst(ip, pkt.data() + 20, kRs[i & 1], static_cast<uint16_t>(8000 + (i & 1)));
    benchmark::ClobberMemory();
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DnatFullRecompute(benchmark::State& state) {
  std::vector<uint8_t> pkt = tcp_packet(static_cast<size_t>(state.range(0)));
  auto* ip = reinterpret_cast<net::Ipv4Hdr*>(pkt.data());
  auto* th = reinterpret_cast<net::TcpHdr*>(pkt.data() + 20);
  const auto l4_len = static_cast<uint16_t>(pkt.size() - 20);
  uint32_t i = 0;
  for (auto _ : state) {
    ip->daddr = Be32::from_host(kRs[i & 1].v);
    th->dport = Be16::from_host(static_cast<uint16_t>(8000 + (i & 1)));
    ip->checksum = 0;
    ip->checksum = net::ipv4_header_checksum(ip);
    th->checksum = 0;
    th->checksum = net::l4_checksum(ip, th, l4_len);
    benchmark::ClobberMemory();
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_LookupSingle, hit, true)->Arg(1000)->Arg(1000000);
BENCHMARK_CAPTURE(BM_LookupSingle, miss, false)->Arg(1000)->Arg(1000000);
BENCHMARK_CAPTURE(BM_LookupBurst, hit, true)->Arg(1000)->Arg(1000000);
BENCHMARK_CAPTURE(BM_LookupBurst, miss, false)->Arg(1000)->Arg(1000000);
BENCHMARK(BM_LookupDependent)->Arg(1000)->Arg(1000000);
BENCHMARK(BM_CreateDestroy)->Arg(2000)->Arg(2000000);
BENCHMARK(BM_CreateAndExpire);
BENCHMARK(BM_DnatIncremental)->Arg(64)->Arg(1400);
BENCHMARK(BM_DnatFullRecompute)->Arg(64)->Arg(1400);

}  // namespace
}  // namespace dplb::ipvs

BENCHMARK_MAIN();
