#include "dplb/ipvs/conn_table.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dplb/ipvs/tcp_state.h"

namespace dplb::ipvs {
namespace {

struct KeyHash {
  size_t operator()(const FlowKey& k) const {
    return std::hash<uint64_t>()((uint64_t(k.saddr.v) << 32 | k.daddr.v) ^
                                 (uint64_t(k.sport) << 40 | uint64_t(k.dport) << 8 | k.proto) * 31);
  }
};

std::unique_ptr<ConnTable> make_table(uint32_t capacity, uint32_t index_buckets = 0, Tick now = 0) {
  auto t = ConnTable::make({.capacity = capacity, .seed = 42, .timer_slots_log2 = 0, .now = now,
                            .index_buckets = index_buckets});
  EXPECT_TRUE(t.is_ok()) << t.status().message();
  return std::move(*t);
}

// A connection whose tuples are drawn from a small space, so random operations revisit keys.
ConnParams random_params(std::mt19937_64& rng, uint32_t space) {
  ConnParams p;
  p.proto = rng() % 2 ? net::kIpProtoTcp : net::kIpProtoUdp;
  p.caddr = Ip4(0x0a000000u + uint32_t(rng() % space));
  p.cport = static_cast<uint16_t>(1024 + rng() % space);
  p.vaddr = Ip4(0xc0a80000u + uint32_t(rng() % 4));
  p.vport = static_cast<uint16_t>(80 + rng() % 2);
  p.raddr = Ip4(0xac100000u + uint32_t(rng() % 8));
  p.rport = static_cast<uint16_t>(8080 + rng() % 2);
  p.dest_id = static_cast<uint32_t>(rng());
  p.timeout = 1000;
  return p;
}

FlowKey in_key(const ConnParams& p) { return {p.proto, p.caddr, p.cport, p.vaddr, p.vport}; }
FlowKey out_key(const ConnParams& p) { return {p.proto, p.raddr, p.rport, p.caddr, p.cport}; }

// Random create / lookup / destroy against unordered_map oracles for both directions. Inbound
// tuples are unique (the data plane looks up before it creates); outbound tuples are kept unique
// too so the oracle is exact.
void random_ops_against_oracle(uint32_t capacity, uint32_t index_buckets, uint32_t space, int steps,
                               uint64_t seed) {
  auto table = make_table(capacity, index_buckets);
  std::unordered_map<FlowKey, uint32_t, KeyHash> oracle_in, oracle_out;  // key → dest_id
  std::unordered_map<uint32_t, FlowKey> live;                              // dest_id → in key
  std::mt19937_64 rng(seed);
  for (int step = 0; step < steps; ++step) {
    ConnParams p = random_params(rng, space);
    FlowKey ki = in_key(p), ko = out_key(p);
    Conn* ci = table->lookup_in(ki);
    Conn* co = table->lookup_out(ko);
    auto oi = oracle_in.find(ki);
    auto oo = oracle_out.find(ko);
    ASSERT_EQ(ci != nullptr, oi != oracle_in.end());
    ASSERT_EQ(co != nullptr, oo != oracle_out.end());
    if (ci) {
      ASSERT_EQ(ci->dest_id, oi->second);
    }
    if (co) {
      ASSERT_EQ(co->dest_id, oo->second);
    }
    if (ci && rng() % 2) {
      ASSERT_EQ(oracle_out.erase(ci->out_key()), 1u);
      oracle_in.erase(oi);
      live.erase(ci->dest_id);
      table->destroy(ci);
    } else if (!ci && !co) {
      while (live.count(p.dest_id)) p.dest_id = static_cast<uint32_t>(rng());
      Conn* c = table->create(p, 0);
      if (oracle_in.size() == capacity) {
        ASSERT_EQ(c, nullptr);
      } else {
        ASSERT_NE(c, nullptr);
        oracle_in.emplace(ki, p.dest_id);
        oracle_out.emplace(ko, p.dest_id);
        live.emplace(p.dest_id, ki);
      }
    }
    ASSERT_EQ(table->size(), oracle_in.size());
    if (step % 4096 == 0) {
      ASSERT_TRUE(table->verify().is_ok()) << table->verify().message();
    }
  }
  ASSERT_TRUE(table->verify().is_ok()) << table->verify().message();
  for (auto& [k, id] : oracle_in) {
    Conn* c = table->lookup_in(k);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->dest_id, id);
    EXPECT_EQ(table->lookup_out(c->out_key()), c);
  }
}

TEST(ConnTable, RandomOperationsMatchOracle) { random_ops_against_oracle(5000, 0, 300, 200000, 1); }

// Sixteen 10-slot buckets for 160 connections: the index is 100% full at capacity, so inserts spill
// over several buckets and the overflow counters are exercised hard.
TEST(ConnTable, RandomOperationsMatchOracleWithCrowdedBuckets) {
  random_ops_against_oracle(160, 16, 40, 200000, 2);
}

TEST(ConnTable, FullTableRefusesAndKeepsExistingEntries) {
  constexpr uint32_t kCap = 100;
  auto table = make_table(kCap, 16);
  std::mt19937_64 rng(3);
  std::vector<ConnParams> made;
  for (uint32_t i = 0; i < kCap; ++i) {
    ConnParams p = random_params(rng, 1u << 20);
    p.dest_id = i;
    ASSERT_NE(table->create(p, 0), nullptr);
    made.push_back(p);
  }
  EXPECT_TRUE(table->full());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(table->create(random_params(rng, 1u << 20), 0), nullptr);
  EXPECT_EQ(table->size(), kCap);
  for (const ConnParams& p : made) {
    Conn* c = table->lookup_in(in_key(p));
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->dest_id, p.dest_id);
    EXPECT_EQ(table->lookup_out(out_key(p)), c);
  }
  // Freeing one makes room for exactly one.
  table->destroy(table->lookup_in(in_key(made[17])));
  ConnParams extra = random_params(rng, 1u << 20);
  EXPECT_NE(table->create(extra, 0), nullptr);
  EXPECT_EQ(table->create(random_params(rng, 1u << 20), 0), nullptr);
  EXPECT_TRUE(table->verify().is_ok());
}

TEST(ConnTable, CreateStoresEveryField) {
  auto table = make_table(8);
  ConnParams p{.proto = net::kIpProtoTcp, .caddr = Ip4::of(10, 0, 0, 1), .cport = 40000,
               .vaddr = Ip4::of(192, 168, 0, 1), .vport = 80, .raddr = Ip4::of(172, 16, 0, 9), .rport = 8080,
               .state = 3, .flags = kConnFlagInactive, .dest_id = 77, .dest_gen = 5, .timeout = 6000};
  Conn* c = table->create(p, 100);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->in_key(), (FlowKey{6, Ip4::of(10, 0, 0, 1), 40000, Ip4::of(192, 168, 0, 1), 80}));
  EXPECT_EQ(c->out_key(), (FlowKey{6, Ip4::of(172, 16, 0, 9), 8080, Ip4::of(10, 0, 0, 1), 40000}));
  EXPECT_EQ(c->state, 3);
  EXPECT_EQ(c->flags, kConnFlagInactive);
  EXPECT_EQ(c->dest_id, 77u);
  EXPECT_EQ(c->dest_gen, 5u);
  EXPECT_EQ(c->timeout, 6000u);
  EXPECT_EQ(c->expires, 6100u);
  for (std::byte b : c->route_cache) EXPECT_EQ(b, std::byte{0});
  // Same tuple but UDP, or another VIP port, is another connection.
  FlowKey k = c->in_key();
  k.proto = net::kIpProtoUdp;
  EXPECT_EQ(table->lookup_in(k), nullptr);
  k = c->in_key();
  k.dport = 81;
  EXPECT_EQ(table->lookup_in(k), nullptr);
}

TEST(ConnTable, MillionEntriesFillExactlyWithinMemoryBound) {
  constexpr uint32_t kCap = 1000000;
  auto table = make_table(kCap);
  EXPECT_LE(table->memory_bytes(), size_t(128) * kCap);
  EXPECT_LE(ConnTable::bytes_per_connection(kCap), 128u);
  EXPECT_EQ(ConnTable::bytes_per_connection(kCap), (table->memory_bytes() + kCap - 1) / kCap);
  auto params = [](uint32_t i) {
    ConnParams p;
    p.proto = net::kIpProtoTcp;
    p.caddr = Ip4(0x0a000000u + (i >> 8));
    p.cport = static_cast<uint16_t>(10000 + (i & 0xff));
    p.vaddr = Ip4::of(192, 168, 0, 1);
    p.vport = 80;
    p.raddr = Ip4(0xac100000u + (i % 16));
    p.rport = 8080;
    p.dest_id = i;
    p.timeout = 90000;
    return p;
  };
  for (uint32_t i = 0; i < kCap; ++i) {
    if (table->create(params(i), 0) == nullptr) FAIL() << "create failed at " << i;
  }
  EXPECT_EQ(table->size(), kCap);
  EXPECT_EQ(table->create(params(kCap), 0), nullptr);
  for (uint32_t i = 0; i < kCap; ++i) {
    ConnParams p = params(i);
    Conn* c = table->lookup_in(in_key(p));
    if (c == nullptr || c->dest_id != i || table->lookup_out(out_key(p)) != c) FAIL() << "lookup failed at " << i;
  }
}

TEST(ConnTable, MemoryBoundHoldsAcrossCapacities) {
  for (uint32_t cap : {64u, 65u, 100u, 1000u, 4095u, 4096u, 4097u, 65537u, 1000000u, 1048577u, 3999999u,
                       4000000u, 4194305u, ConnTable::kMaxCapacity}) {
    EXPECT_LE(ConnTable::bytes_per_connection(cap), 128u) << cap;
  }
  EXPECT_LE(ConnTable::bytes_per_connection(4000000), 100u);
}

TEST(ConnTable, RejectsBadConfiguration) {
  EXPECT_EQ(ConnTable::make({.capacity = 0}).status().code(), EINVAL);
  EXPECT_EQ(ConnTable::make({.capacity = ConnTable::kMaxCapacity + 1}).status().code(), EINVAL);
  EXPECT_EQ(ConnTable::make({.capacity = 100, .index_buckets = 8}).status().code(), EINVAL);   // 80 slots
  EXPECT_TRUE(ConnTable::make({.capacity = 100, .index_buckets = 10}).is_ok());  // exactly full is allowed
  EXPECT_TRUE(ConnTable::make({.capacity = 1}).is_ok());
}

TEST(ConnTable, BurstLookupWithPrefetchMatchesSingleLookups) {
  auto table = make_table(4096);
  std::mt19937_64 rng(5);
  std::vector<FlowKey> keys;
  for (int i = 0; i < 2000; ++i) {
    ConnParams p = random_params(rng, 1u << 16);
    if (table->lookup_in(in_key(p))) continue;
    table->create(p, 0);
    keys.push_back(in_key(p));
    FlowKey miss = in_key(p);
    miss.sport ^= 0x8000;
    keys.push_back(miss);
  }
  for (size_t base = 0; base + 32 <= keys.size(); base += 32) {
    uint64_t h[32];
    for (int i = 0; i < 32; ++i) h[i] = table->hash_in(keys[base + i]);
    for (int i = 0; i < 32; ++i) table->prefetch_in(h[i]);
    for (int i = 0; i < 32; ++i) {
      Conn* burst = table->lookup_in(h[i], keys[base + i]);
      EXPECT_EQ(burst, table->lookup_in(keys[base + i]));
      if (burst) {
        uint64_t ho = table->hash_out(burst->out_key());
        EXPECT_EQ(ho, h[i]);  // one hash per connection: its client endpoint
        table->prefetch_out(ho);
        EXPECT_EQ(table->lookup_out(ho, burst->out_key()), burst);
      }
    }
  }
}

// --- timers through the table ---------------------------------------------------------------

ConnParams simple_conn(uint16_t cport, uint32_t timeout) {
  return {.proto = net::kIpProtoTcp, .caddr = Ip4::of(10, 0, 0, 1), .cport = cport, .vaddr = Ip4::of(10, 9, 9, 9),
          .vport = 80, .raddr = Ip4::of(10, 1, 1, 1), .rport = 80, .timeout = timeout};
}

// Runs the table's timers tick by tick over [from, to] and returns the tick each cport expired at.
std::unordered_map<uint16_t, Tick> run_until(ConnTable& t, Tick from, Tick to) {
  std::unordered_map<uint16_t, Tick> fired;
  for (Tick now = from; now != to + 1; ++now) {
    t.run_timers(now, UINT32_MAX, [&](Conn& c) {
      fired.emplace(c.cport, now);
      return ExpireAction::kDestroy;
    });
  }
  return fired;
}

TEST(ConnTable, ExpiresAfterTheTimeoutWithinResolution) {
  auto table = make_table(64, 0, 500);
  std::mt19937 rng(9);
  std::unordered_map<uint16_t, Tick> want;
  for (uint16_t port = 1; port <= 40; ++port) {
    uint32_t timeout = 1 + rng() % 2000;  // up to 20 s; the 256-slot wheel turns every 2.56 s
    Tick created = 500 + rng() % 100;
    ASSERT_NE(table->create(simple_conn(port, timeout), created), nullptr);
    want[port] = created + timeout;
  }
  auto fired = run_until(*table, 500, 3000);
  EXPECT_EQ(fired, want);
  EXPECT_EQ(table->size(), 0u);
  EXPECT_EQ(table->lookup_in(FlowKey{6, Ip4::of(10, 0, 0, 1), 1, Ip4::of(10, 9, 9, 9), 80}), nullptr);
  EXPECT_TRUE(table->verify().is_ok());
}

// A worker whose clock reads 3e9 ticks (more than 2^31 from the creation clock) on its first run:
// the empty table adopts that clock, and connections made then expire on time.
TEST(ConnTable, EmptyTableAdoptsTheRunningClock) {
  auto table = make_table(8, 0, 0);
  const Tick t0 = 3000000000u;
  EXPECT_EQ(table->run_timers(t0, 16, [](Conn&) { return ExpireAction::kDestroy; }), 0u);
  table->create(simple_conn(1, 250), t0 + 1);
  auto fired = run_until(*table, t0 + 1, t0 + 1000);
  EXPECT_EQ(fired[1], t0 + 251);
}

TEST(ConnTable, TouchPostponesExpiry) {
  auto table = make_table(8);
  Conn* c = table->create(simple_conn(1, 300), 0);
  table->create(simple_conn(2, 300), 0);
  // Traffic every 100 ticks until tick 1000 keeps connection 1 alive.
  std::unordered_map<uint16_t, Tick> fired;
  for (Tick now = 0; now <= 2000; ++now) {
    if (now % 100 == 0 && now <= 1000) table->touch(*c, now);
    table->run_timers(now, UINT32_MAX, [&](Conn& x) {
      fired.emplace(x.cport, now);
      return ExpireAction::kDestroy;
    });
  }
  EXPECT_EQ(fired[2], 300u);
  EXPECT_EQ(fired[1], 1300u);
}

TEST(ConnTable, RefreshToAShorterTimeoutExpiresEarlier) {
  auto table = make_table(8);
  const ProtoTimeouts to = ProtoTimeouts::defaults();
  Conn* c = table->create(simple_conn(1, to.tcp_timeout(TcpState::kEstablished)), 0);  // 900 s
  // At 10 s the client resets: CLOSE has a 10 s timeout, so it must go at 20 s, not 900 s.
  table->refresh(*c, to.tcp_timeout(TcpState::kClose), 1000);
  EXPECT_EQ(c->expires, 2000u);
  auto fired = run_until(*table, 0, 3000);
  EXPECT_EQ(fired[1], 2000u);
  // And a longer timeout set by refresh is honoured lazily.
  c = table->create(simple_conn(2, 100), 3000);
  table->refresh(*c, 500, 3050);
  fired = run_until(*table, 3001, 4000);
  EXPECT_EQ(fired[2], 3550u);
}

TEST(ConnTable, KeptConnectionLivesUntilItsNewExpiry) {
  auto table = make_table(8);
  table->create(simple_conn(1, 100), 0);
  int calls = 0;
  Tick gone = 0;
  for (Tick now = 0; now <= 1000; ++now) {
    table->run_timers(now, UINT32_MAX, [&](Conn& c) {
      if (++calls == 1) {
        c.expires = now + 200;  // e.g. a persistence template that still has children
        return ExpireAction::kKeep;
      }
      gone = now;
      return ExpireAction::kDestroy;
    });
  }
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(gone, 300u);
  EXPECT_EQ(table->size(), 0u);
}

TEST(ConnTable, MassExpiryIsBoundedByTheBudget) {
  constexpr uint32_t kN = 100000;
  auto table = make_table(kN);
  for (uint32_t i = 0; i < kN; ++i) {
    ConnParams p = simple_conn(static_cast<uint16_t>(i), 50);
    p.caddr = Ip4(0x0a000000u + (i >> 16));
    ASSERT_NE(table->create(p, 0), nullptr);
  }
  uint32_t calls = 0, expired = 0;
  while (table->size() > 0) {
    uint32_t before = expired;
    uint32_t work = table->run_timers(50, 256, [&](Conn&) {
      ++expired;
      return ExpireAction::kDestroy;
    });
    ASSERT_LE(work, 256u);
    ASSERT_LE(expired - before, 256u);
    ASSERT_LT(++calls, kN);
  }
  EXPECT_EQ(expired, kN);
  EXPECT_LE(calls, kN / 256 + 2);
  EXPECT_TRUE(table->verify().is_ok());
}

TEST(ConnTable, DestroyedConnectionNeverExpires) {
  auto table = make_table(8);
  Conn* a = table->create(simple_conn(1, 100), 0);
  table->create(simple_conn(2, 100), 0);
  table->destroy(a);
  auto fired = run_until(*table, 0, 500);
  EXPECT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired.count(2), 1u);
}

TEST(ConnTable, VisitSeesEachLiveConnectionOnceInSlices) {
  auto table = make_table(1000);
  std::mt19937_64 rng(11);
  std::unordered_set<uint32_t> live;
  std::vector<Conn*> conns;
  for (uint32_t i = 0; i < 700; ++i) {
    ConnParams p = random_params(rng, 1u << 20);
    p.dest_id = i;
    if (table->lookup_in(in_key(p))) continue;
    conns.push_back(table->create(p, 0));
    live.insert(i);
  }
  for (size_t i = 0; i < conns.size(); i += 3) {
    live.erase(conns[i]->dest_id);
    table->destroy(conns[i]);
  }
  std::unordered_multiset<uint32_t> seen;
  uint32_t cursor = 0, slices = 0;
  while (cursor < table->capacity()) {
    cursor = table->visit(cursor, 64, [&](const Conn& c) { seen.insert(c.dest_id); });
    ++slices;
  }
  EXPECT_EQ(slices, (1000 + 63) / 64);
  EXPECT_EQ(seen.size(), live.size());
  for (uint32_t id : live) EXPECT_EQ(seen.count(id), 1u);
}

}  // namespace
}  // namespace dplb::ipvs
