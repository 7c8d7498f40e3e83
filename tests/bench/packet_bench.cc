// Per-packet header work and connection memory (no EAL).
//   build: meson setup build-bench -Dbench=true -Dtests=false && ninja -C build-bench tests/bench/packet_bench
//   run:   ./build-bench/tests/bench/packet_bench [--benchmark_filter=Parse]
// - BM_ParseTcp: what the data path does to a received TCP/IPv4 packet before the connection lookup:
//   header validation (with the header checksum), martian source check, the L4 ports and flags, the
//   flow key and its hash. A ring of distinct packets, so the key is not constant-folded.
// - BM_TtlDecrement / BM_HeaderChecksum: the forwarding path's TTL decrement with an incremental IP
//   checksum update (RFC 1624) against a full header checksum recompute (the NAT rewrite is conn_bench's BM_DnatIncremental).
// - BM_ConnMemory: bytes per connection (connections + both indexes + timer wheel) as counters, and
//   whether filling the table to capacity grows the heap (it must not: everything is preallocated).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "dplb/ipvs/conn_table.h"
#include "dplb/net/checksum.h"
#include "dplb/net/flow_hash.h"
#include "dplb/net/ipv4_check.h"
#include "dplb/net/ipv4_ttl.h"

namespace dplb {
namespace {

constexpr size_t kFrame = 60;
constexpr size_t kEth = 14;
constexpr uint32_t kPackets = 1024;  // a power of two: the ring index is a mask

// kPackets TCP SYNs (60-byte frames) from distinct clients to one VIP, valid checksums.
std::vector<uint8_t> tcp_frames() {
  std::vector<uint8_t> buf(kPackets * kFrame);
  std::mt19937 rng(5);
  for (uint32_t i = 0; i < kPackets; ++i) {
    uint8_t* f = buf.data() + i * kFrame;
    f[12] = 0x08;
    auto* ip = reinterpret_cast<net::Ipv4Hdr*>(f + kEth);
    ip->version_ihl = 0x45;
    ip->total_len = Be16::from_host(40);
    ip->ttl = 64;
    ip->proto = net::kIpProtoTcp;
    ip->saddr = Be32::from_host(0xac100000u + (rng() & 0xfffff));
    ip->daddr = Be32::from_host(Ip4::of(10, 0, 0, 100).v);
    ip->checksum = 0;
    ip->checksum = net::ipv4_header_checksum(ip);
    auto* th = reinterpret_cast<net::TcpHdr*>(f + kEth + 20);
    th->sport = Be16::from_host(static_cast<uint16_t>(1024 + (rng() & 0x7fff)));
    th->dport = Be16::from_host(80);
    th->data_off = 5 << 4;
    th->flags = net::kTcpSyn;
    th->checksum = 0;
    th->checksum = net::l4_checksum(ip, th, 20);
  }
  return buf;
}

void BM_ParseTcp(benchmark::State& state) {
  std::vector<uint8_t> frames = tcp_frames();
  uint32_t i = 0;
  uint64_t sink = 0;
  for (auto _ : state) {
    const uint8_t* f = frames.data() + (i++ & (kPackets - 1)) * kFrame;
    const auto* ip = reinterpret_cast<const net::Ipv4Hdr*>(f + kEth);
    size_t l3_len = kFrame - kEth;
    if (net::ipv4_check(ip, l3_len) || net::ipv4_source_is_martian(ip->src())) {
      state.SkipWithError("a valid packet was rejected");
      break;
    }
    size_t hlen = ip->header_len();
    const uint8_t* l4 = reinterpret_cast<const uint8_t*>(ip) + hlen;
    ipvs::FlowKey key{ip->proto, ip->src(), uint16_t(l4[0] << 8 | l4[1]), ip->dst(), uint16_t(l4[2] << 8 | l4[3])};
    uint8_t flags = reinterpret_cast<const net::TcpHdr*>(l4)->flags;
    sink += net::ipv4_flow_hash(ip, l3_len) + key.sport + key.saddr.v + flags;
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations());
}

// Both walk the ring of packets (one header per iteration, as a burst would), so an iteration does not
// wait on the previous one's store. The TTL wraps past zero after 64 rounds: harmless here.
void BM_TtlDecrement(benchmark::State& state) {
  std::vector<uint8_t> frames = tcp_frames();
  uint32_t i = 0;
  for (auto _ : state) {
    auto* ip = reinterpret_cast<net::Ipv4Hdr*>(frames.data() + (i++ & (kPackets - 1)) * kFrame + kEth);
    net::ipv4_decrement_ttl(ip);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_HeaderChecksum(benchmark::State& state) {
  std::vector<uint8_t> frames = tcp_frames();
  uint32_t i = 0;
  for (auto _ : state) {
    auto* ip = reinterpret_cast<net::Ipv4Hdr*>(frames.data() + (i++ & (kPackets - 1)) * kFrame + kEth);
    --ip->ttl;
    ip->checksum = 0;
    ip->checksum = net::ipv4_header_checksum(ip);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

ipvs::ConnParams params_for(uint32_t i) {
  ipvs::ConnParams p;
  p.proto = net::kIpProtoUdp;
  p.caddr = Ip4(0xac100000u + (i >> 6));
  p.cport = static_cast<uint16_t>(1024 + (i & 63) * 907);
  p.vaddr = Ip4::of(10, 0, 0, 100);
  p.vport = 5000;
  p.raddr = Ip4(0x0a00000bu + (i % 10));
  p.rport = 5000;
  p.dest_id = i % 10;
  p.timeout = 300000;
  return p;
}

// One iteration: build a table of the capacity, fill it completely, report the bytes.
void BM_ConnMemory(benchmark::State& state) {
  const auto capacity = static_cast<uint32_t>(state.range(0));
  for (auto _ : state) {
    auto table = std::move(*ipvs::ConnTable::make({.capacity = capacity, .seed = 3}));
    struct mallinfo2 before = mallinfo2();
    uint32_t created = 0;
    for (uint32_t i = 0; i < capacity; ++i) created += table->create(params_for(i), 0) != nullptr;
    struct mallinfo2 after = mallinfo2();
    if (created != capacity) state.SkipWithError("the table did not take its capacity");
    state.counters["capacity"] = capacity;
    state.counters["sizeof_Conn"] = sizeof(ipvs::Conn);
    state.counters["bytes_per_conn"] = double(table->memory_bytes()) / capacity;
    state.counters["bytes_per_conn_bound"] = double(ipvs::ConnTable::bytes_per_connection(capacity));
    state.counters["heap_growth_bytes_when_filled"] =
        double(after.uordblks + after.hblkhd) - double(before.uordblks + before.hblkhd);
  }
}

BENCHMARK(BM_ParseTcp);
BENCHMARK(BM_TtlDecrement);
BENCHMARK(BM_HeaderChecksum);
BENCHMARK(BM_ConnMemory)->Arg(1000)->Arg(1000000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dplb

BENCHMARK_MAIN();
