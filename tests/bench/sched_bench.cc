// schedule() per scheduler with 10 dests: the per-new-connection cost on a worker.
// Clients are precomputed so the loop measures the scheduler, not the client generator.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "dplb/ipvs/service_table.h"

namespace dplb::ipvs {
namespace {

constexpr uint32_t kDests = 10;

ServiceTable make_service(SchedKind kind) {
  ServiceTable t(TableLimits{16, 1024, MhSched::kDefaultTableSize});
  (void)t.upsert_service(0, ServiceConf{ServiceKey{kProtoTcp, Ip4::of(192, 0, 2, 1), 80}, kind, 0});
  for (uint32_t i = 0; i < kDests; ++i) {
    (void)t.upsert_dest(0, i, DestConf{Ip4::of(10, 1, 0, uint8_t(i + 1)), 8080, uint16_t(1 + i % 4)});
    // Some connections so lc/wlc compare real numbers.
    for (uint32_t c = 0; c < 3 + (i * 7) % 11; ++c) t.on_conn_new(t.dest_ref(i), c % 3 == 0);
  }
  return t;
}

void BM_Schedule(benchmark::State& state, SchedKind kind) {
  ServiceTable t = make_service(kind);
  std::mt19937 rng(1);
  std::vector<std::pair<Ip4, uint16_t>> clients(4096);
  for (auto& c : clients) c = {Ip4(rng()), uint16_t(rng())};
  size_t i = 0;
  for (auto _ : state) {
    const auto& [addr, port] = clients[i++ & 4095];
    benchmark::DoNotOptimize(t.schedule(0, addr, port));
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}

BENCHMARK_CAPTURE(BM_Schedule, rr, SchedKind::rr);
BENCHMARK_CAPTURE(BM_Schedule, wrr, SchedKind::wrr);
BENCHMARK_CAPTURE(BM_Schedule, lc, SchedKind::lc);
BENCHMARK_CAPTURE(BM_Schedule, wlc, SchedKind::wlc);
BENCHMARK_CAPTURE(BM_Schedule, sh, SchedKind::sh);
BENCHMARK_CAPTURE(BM_Schedule, mh, SchedKind::mh);

// Hot-path lookups next to scheduling: service find and VIP / real-server membership.
void BM_FindService(benchmark::State& state) {
  ServiceTable t(TableLimits{});
  for (uint32_t s = 0; s < 1000; ++s) {
    (void)t.upsert_service(s, ServiceConf{ServiceKey{kProtoTcp, Ip4(0xc0000000u + s), 80}, SchedKind::rr, 0});
  }
  uint32_t s = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(t.find(kProtoTcp, Ip4(0xc0000000u + (s++ % 1000)), 80));
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_FindService);

// Control path: rebuilding a scheduler's state after a dest change (mh table of 65537 entries).
void BM_RebuildOnWeightChange(benchmark::State& state, SchedKind kind) {
  ServiceTable t = make_service(kind);
  uint16_t w = 1;
  for (auto _ : state) {
    w = uint16_t(w % 4 + 1);
    (void)t.upsert_dest(0, 0, DestConf{Ip4::of(10, 1, 0, 1), 8080, w});
  }
}
BENCHMARK_CAPTURE(BM_RebuildOnWeightChange, wrr, SchedKind::wrr)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RebuildOnWeightChange, sh, SchedKind::sh)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_RebuildOnWeightChange, mh, SchedKind::mh)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace dplb::ipvs

BENCHMARK_MAIN();
