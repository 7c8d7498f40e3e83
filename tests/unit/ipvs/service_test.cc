// Service tables, the ipvsadm model, replay, digests and counters.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dplb/ipvs/key_index.h"
#include "dplb/ipvs/service_model.h"
#include "dplb/ipvs/service_table.h"

namespace dplb::ipvs {
namespace {

const Ip4 kVip = Ip4::of(192, 0, 2, 1);
ServiceKey tcp(uint16_t port, Ip4 vip = kVip) { return ServiceKey{kProtoTcp, vip, port}; }
ServiceKey udp(uint16_t port, Ip4 vip = kVip) { return ServiceKey{kProtoUdp, vip, port}; }
Ip4 rs(uint32_t i) { return Ip4::of(10, 2, uint8_t(i >> 8), uint8_t(i)); }

// ---------------------------------------------------------------- KeyIndex

TEST(ServiceKeyIndex, MatchesUnorderedMapUnderRandomChurn) {
  KeyIndex idx(1000);
  std::unordered_map<uint64_t, uint32_t> oracle;
  std::mt19937_64 rng(1);
  // Keys from a small range so that inserts, overwrites and erases of present keys all happen, and
  // clustered (consecutive) keys so backward-shift deletion meets long probe runs.
  for (int i = 0; i < 200000; ++i) {
    uint64_t key = (rng() % 4 == 0) ? rng() : rng() % 1500;
    switch (rng() % 3) {
      case 0:
      case 1:
        if (oracle.size() < 1000 || oracle.count(key)) {
          uint32_t v = uint32_t(rng() % 1000000);
          ASSERT_TRUE(idx.assign(key, v));
          oracle[key] = v;
        } else {
          ASSERT_FALSE(idx.assign(key, 1));  // full
        }
        break;
      case 2:
        ASSERT_EQ(idx.erase(key), oracle.erase(key) == 1);
        break;
    }
    if (i % 1000 == 0) {
      ASSERT_EQ(idx.size(), oracle.size());
      for (auto [k, v] : oracle) ASSERT_EQ(idx.find(k), v);
    }
    uint64_t probe = rng() % 1500;
    auto it = oracle.find(probe);
    ASSERT_EQ(idx.find(probe), it == oracle.end() ? KeyIndex::kNone : it->second);
  }
}

TEST(ServiceKeyIndex, ReferenceCounts) {
  KeyIndex idx(8);
  EXPECT_TRUE(idx.add_ref(5));
  EXPECT_TRUE(idx.add_ref(5));
  idx.drop_ref(5);
  EXPECT_TRUE(idx.contains(5));
  idx.drop_ref(5);
  EXPECT_FALSE(idx.contains(5));
  idx.drop_ref(5);  // harmless
  EXPECT_EQ(idx.size(), 0u);
}

// ---------------------------------------------------------------- ServiceTable lookups

TEST(ServiceTable, FindVipAndRealServerLookups) {
  ServiceTable t(TableLimits{8, 32, 251});
  ASSERT_TRUE(t.upsert_service(2, ServiceConf{tcp(80), SchedKind::rr, 0}));
  ASSERT_TRUE(t.upsert_service(5, ServiceConf{udp(80), SchedKind::rr, 0}));
  ASSERT_TRUE(t.upsert_dest(2, 0, DestConf{rs(1), 8080, 1}));
  ASSERT_TRUE(t.upsert_dest(5, 1, DestConf{rs(1), 8080, 1}));  // same real server in both services

  EXPECT_EQ(t.find(kProtoTcp, kVip, 80), 2);
  EXPECT_EQ(t.find(kProtoUdp, kVip, 80), 5);
  EXPECT_EQ(t.find(kProtoTcp, kVip, 81), -1);
  EXPECT_EQ(t.find(kProtoTcp, Ip4::of(192, 0, 2, 2), 80), -1);
  EXPECT_TRUE(t.is_vip(kVip));
  EXPECT_FALSE(t.is_vip(Ip4::of(192, 0, 2, 2)));
  EXPECT_TRUE(t.is_real_server(kProtoTcp, rs(1), 8080));
  EXPECT_TRUE(t.is_real_server(kProtoUdp, rs(1), 8080));
  EXPECT_FALSE(t.is_real_server(kProtoTcp, rs(1), 8081));
  EXPECT_FALSE(t.is_real_server(kProtoTcp, rs(2), 8080));

  ASSERT_TRUE(t.remove_service(5));  // takes dest 1 with it
  EXPECT_FALSE(t.has_dest(1));
  EXPECT_TRUE(t.is_vip(kVip));  // still the TCP service
  EXPECT_FALSE(t.is_real_server(kProtoUdp, rs(1), 8080));
  EXPECT_TRUE(t.is_real_server(kProtoTcp, rs(1), 8080));
  ASSERT_TRUE(t.remove_dest(0));
  EXPECT_FALSE(t.is_real_server(kProtoTcp, rs(1), 8080));
  ASSERT_TRUE(t.remove_service(2));
  EXPECT_FALSE(t.is_vip(kVip));
  EXPECT_EQ(t.service_count(), 0u);
  EXPECT_EQ(t.dest_count(), 0u);
  EXPECT_EQ(t.digest(), 0u);
  // Removing what is not there is a no-op (handlers are idempotent).
  EXPECT_TRUE(t.remove_service(2));
  EXPECT_TRUE(t.remove_dest(0));
}

TEST(ServiceTable, RejectsBadIdsAndConfs) {
  ServiceTable t(TableLimits{4, 8, 251});
  EXPECT_EQ(t.upsert_service(4, ServiceConf{tcp(80), SchedKind::rr, 0}).code(), ENOSPC);
  EXPECT_EQ(t.upsert_service(0, ServiceConf{ServiceKey{1, kVip, 80}, SchedKind::rr, 0}).code(), EINVAL);
  EXPECT_EQ(t.upsert_service(0, ServiceConf{tcp(80), SchedKind::rr, 0x1}).code(), EINVAL);  // persistent
  EXPECT_EQ(t.upsert_dest(0, 0, DestConf{rs(1), 80, 1}).code(), ESRCH);
  ASSERT_TRUE(t.upsert_service(0, ServiceConf{tcp(80), SchedKind::rr, 0}));
  EXPECT_EQ(t.upsert_dest(0, 8, DestConf{rs(1), 80, 1}).code(), ENOSPC);
  EXPECT_EQ(t.upsert_dest(0, 0, DestConf{Ip4(), 80, 1}).code(), EINVAL);
  EXPECT_EQ(t.upsert_dest(0, 0, DestConf{rs(1), 0, 1}).code(), EINVAL);
}

TEST(ServiceTable, ConflictingUpsertsEvictStaleEntries) {
  ServiceTable t(TableLimits{8, 32, 251});
  ASSERT_TRUE(t.upsert_service(1, ServiceConf{tcp(80), SchedKind::rr, 0}));
  ASSERT_TRUE(t.upsert_dest(1, 3, DestConf{rs(1), 80, 1}));
  // Same key under another id (this table missed a delete and an add): the old service goes.
  ASSERT_TRUE(t.upsert_service(2, ServiceConf{tcp(80), SchedKind::wrr, 0}));
  EXPECT_FALSE(t.has_service(1));
  EXPECT_FALSE(t.has_dest(3));
  EXPECT_EQ(t.find(kProtoTcp, kVip, 80), 2);
  // This id now names another service: the old one (and its dests) goes.
  ASSERT_TRUE(t.upsert_dest(2, 3, DestConf{rs(1), 80, 1}));
  ASSERT_TRUE(t.upsert_service(2, ServiceConf{tcp(443), SchedKind::wrr, 0}));
  EXPECT_EQ(t.find(kProtoTcp, kVip, 80), -1);
  EXPECT_EQ(t.find(kProtoTcp, kVip, 443), 2);
  EXPECT_FALSE(t.has_dest(3));
  // Same dest under another id: the old id goes; an id reused for another address resets it.
  ASSERT_TRUE(t.upsert_dest(2, 4, DestConf{rs(1), 80, 1}));
  DestRef old_ref = t.dest_ref(4);
  ASSERT_TRUE(t.upsert_dest(2, 5, DestConf{rs(1), 80, 1}));
  EXPECT_FALSE(t.has_dest(4));
  EXPECT_FALSE(t.is_current(old_ref));
  EXPECT_EQ(t.service_dests(2), (std::vector<uint32_t>{5}));
  ASSERT_TRUE(t.upsert_dest(2, 5, DestConf{rs(2), 80, 1}));
  EXPECT_EQ(t.find_dest(2, rs(1), 80), -1);
  EXPECT_EQ(t.find_dest(2, rs(2), 80), 5);
  EXPECT_EQ(t.dest_count(), 1u);
  EXPECT_FALSE(t.is_real_server(kProtoTcp, rs(1), 80));
}

// ---------------------------------------------------------------- counters and weak references

TEST(ServiceTable, CountersGoToDestAndService) {
  ServiceTable t(TableLimits{4, 8, 251});
  ASSERT_TRUE(t.upsert_service(0, ServiceConf{tcp(80), SchedKind::rr, 0}));
  ASSERT_TRUE(t.upsert_dest(0, 0, DestConf{rs(1), 80, 1}));
  ASSERT_TRUE(t.upsert_dest(0, 1, DestConf{rs(2), 80, 1}));
  DestRef a = t.dest_ref(0), b = t.dest_ref(1);
  t.on_conn_new(a, false);
  t.count_in(a, 60);
  t.count_out(a, 1500);
  t.on_conn_state(a, false, true);  // ESTABLISHED
  t.count_in(a, 40);
  t.on_conn_new(b, false);
  t.on_conn_state(b, false, false);  // no change
  IpvsCounters ca = t.dest_counters(0);
  EXPECT_EQ(ca, (IpvsCounters{1, 2, 1, 100, 1500, 1, 0}));
  EXPECT_EQ(t.dest_counters(1), (IpvsCounters{1, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(t.service_counters(0), (IpvsCounters{2, 2, 1, 100, 1500, 1, 1}));
  t.on_conn_gone(a, true);
  EXPECT_EQ(t.dest_counters(0).active_conns, 0u);
  EXPECT_EQ(t.service_counters(0).active_conns, 0u);

  // Weight changes keep counters and references.
  ASSERT_TRUE(t.upsert_dest(0, 1, DestConf{rs(2), 80, 9}));
  EXPECT_TRUE(t.is_current(b));
  EXPECT_EQ(t.dest_counters(1).inactive_conns, 1u);

  // ipvsadm -Z: totals restart, gauges stay.
  t.zero_counters();
  EXPECT_EQ(t.dest_counters(1), (IpvsCounters{0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(t.service_counters(0), (IpvsCounters{0, 0, 0, 0, 0, 0, 1}));
}

TEST(ServiceTable, StaleReferencesAreNotAttributed) {
  ServiceTable t(TableLimits{4, 8, 251});
  ASSERT_TRUE(t.upsert_service(0, ServiceConf{tcp(80), SchedKind::rr, 0}));
  ASSERT_TRUE(t.upsert_dest(0, 3, DestConf{rs(1), 80, 1}));
  DestRef old_ref = t.dest_ref(3);
  t.on_conn_new(old_ref, true);
  ASSERT_TRUE(t.remove_dest(3));
  ASSERT_TRUE(t.upsert_dest(0, 3, DestConf{rs(1), 80, 1}));  // the same slot, a new dest
  EXPECT_FALSE(t.is_current(old_ref));
  EXPECT_TRUE(t.is_current(t.dest_ref(3)));
  t.on_conn_gone(old_ref, true);
  t.count_in(old_ref, 100);
  t.on_conn_state(old_ref, true, false);
  EXPECT_EQ(t.dest_counters(3), IpvsCounters{});
  // A default reference never matches a free slot.
  ServiceTable fresh(TableLimits{4, 8, 251});
  EXPECT_FALSE(fresh.is_current(DestRef{0, 0}));
  EXPECT_FALSE(fresh.is_current(DestRef{100, 1}));
}

TEST(ServiceTable, ConcurrentReaderSeesMonotonicUntornCounters) {
  ServiceTable t(TableLimits{4, 8, 251});
  ASSERT_TRUE(t.upsert_service(0, ServiceConf{tcp(80), SchedKind::rr, 0}));
  ASSERT_TRUE(t.upsert_dest(0, 0, DestConf{rs(1), 80, 1}));
  constexpr uint64_t kPackets = 300000;
  constexpr uint32_t kBytes = 0x10001;  // each add touches both 32-bit halves eventually
  std::atomic<bool> done{false};
  std::thread reader([&] {
    uint64_t last_pkts = 0;
    while (!done.load()) {
      IpvsCounters c = t.dest_counters(0);
      ASSERT_GE(c.inpkts, last_pkts);
      ASSERT_LE(c.inpkts, kPackets);
      ASSERT_EQ(c.inbytes % kBytes, 0u);
      last_pkts = c.inpkts;
    }
  });
  DestRef ref = t.dest_ref(0);
  for (uint64_t i = 0; i < kPackets; ++i) t.count_in(ref, kBytes);
  done.store(true);
  reader.join();
  EXPECT_EQ(t.dest_counters(0).inpkts, kPackets);
  EXPECT_EQ(t.service_counters(0).inbytes, kPackets * kBytes);
}

// ---------------------------------------------------------------- ipvsadm model: errors

TEST(IpvsModel, ServiceErrorsFollowIpvsadm) {
  IpvsModel m(TableLimits{2, 8, 251});
  auto a = m.add_service(ServiceSpec{tcp(80), "rr", 0});
  ASSERT_TRUE(a);
  auto again = m.add_service(ServiceSpec{tcp(80), "wrr", 0});
  EXPECT_EQ(again.status().code(), EEXIST);
  EXPECT_EQ(again.status().message(), "Service already exists");
  auto bad_sched = m.add_service(ServiceSpec{tcp(81), "lblcr", 0});
  EXPECT_EQ(bad_sched.status().code(), ENOENT);
  EXPECT_EQ(bad_sched.status().message(), "Scheduler not found");
  EXPECT_EQ(m.add_service(ServiceSpec{ServiceKey{132, kVip, 80}, "rr", 0}).status().code(), EINVAL);  // SCTP
  EXPECT_EQ(m.add_service(ServiceSpec{tcp(0), "rr", 0}).status().code(), EINVAL);
  EXPECT_EQ(m.add_service(ServiceSpec{tcp(81), "rr", 0x4}).status().code(), EINVAL);  // one-packet
  auto edit_missing = m.edit_service(ServiceSpec{tcp(81), "rr", 0});
  EXPECT_EQ(edit_missing.status().code(), ESRCH);
  EXPECT_EQ(edit_missing.status().message(), "No such service");
  EXPECT_EQ(m.delete_service(tcp(81)).status().code(), ESRCH);
  EXPECT_EQ(m.edit_service(ServiceSpec{tcp(80), "nope", 0}).status().code(), ENOENT);

  auto edited = m.edit_service(ServiceSpec{tcp(80), "sh", kSvcFlagSched1 | kSvcFlagSched2});
  ASSERT_TRUE(edited);
  EXPECT_EQ(*edited, *a);
  EXPECT_EQ(m.table().service_conf(*a).sched, SchedKind::sh);
  EXPECT_EQ(m.table().service_conf(*a).flags, kSvcFlagSched1 | kSvcFlagSched2);

  ASSERT_TRUE(m.add_service(ServiceSpec{udp(53), "mh", 0}));
  EXPECT_EQ(m.add_service(ServiceSpec{udp(54), "mh", 0}).status().code(), ENOSPC);  // capacity 2
  ASSERT_TRUE(m.delete_service(tcp(80)));
  EXPECT_EQ(m.delete_service(tcp(80)).status().code(), ESRCH);
  ASSERT_TRUE(m.add_service(ServiceSpec{udp(54), "mh", 0}));
}

TEST(IpvsModel, DestErrorsFollowIpvsadm) {
  IpvsModel m(TableLimits{4, 3, 251});
  EXPECT_EQ(m.add_dest(tcp(80), DestSpec{rs(1), 80, 1}).status().code(), ESRCH);
  ASSERT_TRUE(m.add_service(ServiceSpec{tcp(80), "wlc", 0}));
  auto d = m.add_dest(tcp(80), DestSpec{rs(1), 80, 1});
  ASSERT_TRUE(d);
  auto twice = m.add_dest(tcp(80), DestSpec{rs(1), 80, 5});
  EXPECT_EQ(twice.status().code(), EEXIST);
  EXPECT_EQ(twice.status().message(), "Destination already exists");
  auto missing = m.edit_dest(tcp(80), DestSpec{rs(2), 80, 1});
  EXPECT_EQ(missing.status().code(), ENOENT);
  EXPECT_EQ(missing.status().message(), "No such destination");
  EXPECT_EQ(m.delete_dest(tcp(80), rs(2), 80).status().code(), ENOENT);
  EXPECT_EQ(m.delete_dest(tcp(81), rs(1), 80).status().code(), ESRCH);
  for (int64_t bad : {int64_t(-1), int64_t(65536), int64_t(1) << 40}) {
    EXPECT_EQ(m.add_dest(tcp(80), DestSpec{rs(2), 80, bad}).status().code(), EINVAL) << bad;
    EXPECT_EQ(m.edit_dest(tcp(80), DestSpec{rs(1), 80, bad}).status().code(), EINVAL) << bad;
  }
  EXPECT_EQ(m.add_dest(tcp(80), DestSpec{rs(2), 0, 1}).status().code(), EINVAL);
  EXPECT_TRUE(m.add_dest(tcp(80), DestSpec{rs(2), 80, 0}));      // weight 0 is valid (drain)
  EXPECT_TRUE(m.add_dest(tcp(80), DestSpec{rs(3), 80, 65535}));  // and so is the maximum
  EXPECT_EQ(m.add_dest(tcp(80), DestSpec{rs(4), 80, 1}).status().code(), ENOSPC);  // capacity 3

  auto e = m.edit_dest(tcp(80), DestSpec{rs(1), 80, 7});
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, *d);
  EXPECT_EQ(m.table().dest_conf(*d).weight, 7);
  ASSERT_TRUE(m.delete_dest(tcp(80), rs(1), 80));
  EXPECT_FALSE(m.table().has_dest(*d));
  EXPECT_EQ(m.table().dest_count(), 2u);
}

TEST(IpvsModel, IdsAreLowestFreeAndFreedWithTheirService) {
  IpvsModel m(TableLimits{8, 16, 251});
  EXPECT_EQ(*m.add_service(ServiceSpec{tcp(1), "rr", 0}), 0u);
  EXPECT_EQ(*m.add_service(ServiceSpec{tcp(2), "rr", 0}), 1u);
  EXPECT_EQ(*m.add_dest(tcp(1), DestSpec{rs(1), 80, 1}), 0u);
  EXPECT_EQ(*m.add_dest(tcp(2), DestSpec{rs(1), 80, 1}), 1u);
  EXPECT_EQ(*m.add_dest(tcp(1), DestSpec{rs(2), 80, 1}), 2u);
  EXPECT_EQ(*m.delete_service(tcp(1)), 0u);  // frees dests 0 and 2
  EXPECT_EQ(*m.add_dest(tcp(2), DestSpec{rs(2), 80, 1}), 0u);
  EXPECT_EQ(*m.add_dest(tcp(2), DestSpec{rs(3), 80, 1}), 2u);
  EXPECT_EQ(*m.add_service(ServiceSpec{tcp(3), "rr", 0}), 0u);
  m.clear();
  EXPECT_EQ(m.table().service_count(), 0u);
  EXPECT_EQ(*m.add_service(ServiceSpec{tcp(9), "rr", 0}), 0u);
}

// ---------------------------------------------------------------- replay and digest

// A model with a history of adds, edits and deletes (so its ids have holes).
IpvsModel busy_model() {
  IpvsModel m(TableLimits{64, 512, 4093});
  const char* scheds[] = {"rr", "wrr", "lc", "wlc", "sh", "mh"};
  for (uint16_t s = 0; s < 12; ++s) {
    EXPECT_TRUE(m.add_service(ServiceSpec{s % 2 ? udp(uint16_t(100 + s)) : tcp(uint16_t(100 + s)), scheds[s % 6],
                                          s % 4 == 0 ? kSvcFlagSched2 : 0u}));
    for (uint32_t d = 0; d < 8; ++d) {
      EXPECT_TRUE(m.add_dest(s % 2 ? udp(uint16_t(100 + s)) : tcp(uint16_t(100 + s)),
                             DestSpec{rs(d * 16 + s), uint16_t(8000 + d), int64_t(d % 4)}));
    }
  }
  EXPECT_TRUE(m.delete_service(udp(103)));
  EXPECT_TRUE(m.delete_dest(tcp(104), rs(2 * 16 + 4), 8002));
  EXPECT_TRUE(m.edit_dest(tcp(100), DestSpec{rs(16), 8001, 9}));
  EXPECT_TRUE(m.add_service(ServiceSpec{tcp(200), "mh", 0}));
  EXPECT_TRUE(m.add_dest(tcp(200), DestSpec{rs(999), 80, 2}));
  return m;
}

void apply_upserts(ServiceTable& t, const std::vector<Upsert>& ups) {
  for (const Upsert& u : ups) {
    Status st = u.is_service ? t.upsert_service(u.svc_id, u.service) : t.upsert_dest(u.svc_id, u.dest_id, u.dest);
    ASSERT_TRUE(st) << st.message();
  }
}

void expect_same(const ServiceTable& a, const ServiceTable& b) {
  EXPECT_EQ(a.digest(), b.digest());
  EXPECT_EQ(a.service_ids(), b.service_ids());
  for (uint32_t s : a.service_ids()) {
    EXPECT_EQ(a.service_conf(s), b.service_conf(s));
    EXPECT_EQ(a.service_dests(s), b.service_dests(s));
    for (uint32_t d : a.service_dests(s)) EXPECT_EQ(a.dest_conf(d), b.dest_conf(d));
  }
}

TEST(ServiceReplay, IdsAndSchedulingSurviveReplayInAnyOrder) {
  IpvsModel m = busy_model();
  std::vector<Upsert> ups = m.upserts();
  std::mt19937 rng(17);
  for (int round = 0; round < 5; ++round) {
    // Services first (a dest needs its service), each group in random order.
    auto split = std::partition(ups.begin(), ups.end(), [](const Upsert& u) { return u.is_service; });
    std::shuffle(ups.begin(), split, rng);
    std::shuffle(split, ups.end(), rng);
    ServiceTable worker(TableLimits{64, 512, 4093});
    apply_upserts(worker, ups);
    expect_same(m.table(), worker);
    // Same answers for the stateless schedulers (sh, mh, and lc/wlc at zero counters).
    for (uint32_t s : worker.service_ids()) {
      SchedKind k = worker.service_conf(s).sched;
      if (k == SchedKind::rr || k == SchedKind::wrr) continue;
      ServiceTable& model_table = const_cast<ServiceTable&>(m.table());
      for (uint32_t c = 0; c < 300; ++c) {
        Ip4 client(c * 2654435761u);
        ASSERT_EQ(worker.schedule(s, client, uint16_t(c)), model_table.schedule(s, client, uint16_t(c)));
      }
    }
  }
  // Replaying onto the model's own table changes nothing.
  uint64_t before = m.digest();
  ServiceTable copy(TableLimits{64, 512, 4093});
  apply_upserts(copy, ups);
  apply_upserts(copy, ups);
  EXPECT_EQ(copy.digest(), before);
}

TEST(ServiceReplay, SyncKeepsUnchangedEntriesAndDropsTheRest) {
  IpvsModel m = busy_model();
  ServiceTable worker(TableLimits{64, 512, 4093});
  apply_upserts(worker, m.upserts());
  uint32_t kept_svc = uint32_t(m.find_service(tcp(100)));
  uint32_t kept = worker.service_dests(kept_svc).front();
  DestRef ref = worker.dest_ref(kept);
  worker.on_conn_new(ref, true);

  // The worker misses some changes.
  ASSERT_TRUE(m.delete_service(tcp(102)));
  auto gone = m.delete_dest(tcp(100), worker.dest_conf(worker.service_dests(kept_svc).back()).addr,
                            worker.dest_conf(worker.service_dests(kept_svc).back()).port);
  ASSERT_TRUE(gone);
  ASSERT_TRUE(m.add_service(ServiceSpec{udp(999), "rr", 0}));
  ASSERT_NE(worker.digest(), m.digest());

  worker.begin_sync();
  apply_upserts(worker, m.upserts());
  // The new service took the freed id of 102, so its upsert already evicted 102 and its dests:
  // only the deleted dest of 100 is left for the sweep.
  EXPECT_EQ(worker.end_sync(), 1u);
  expect_same(m.table(), worker);
  EXPECT_TRUE(worker.is_current(ref));
  EXPECT_EQ(worker.dest_counters(kept).active_conns, 1u);
  EXPECT_FALSE(worker.has_dest(*gone));
}

TEST(ServiceDigest, OrderIndependentAndSensitiveToEveryField) {
  ServiceTable a(TableLimits{8, 32, 251}), b(TableLimits{8, 32, 251});
  ASSERT_TRUE(a.upsert_service(0, ServiceConf{tcp(80), SchedKind::rr, 0}));
  ASSERT_TRUE(a.upsert_service(1, ServiceConf{udp(53), SchedKind::mh, 0}));
  ASSERT_TRUE(a.upsert_dest(0, 0, DestConf{rs(1), 80, 1}));
  ASSERT_TRUE(a.upsert_dest(1, 1, DestConf{rs(2), 53, 2}));
  ASSERT_TRUE(a.upsert_dest(0, 2, DestConf{rs(3), 80, 3}));

  ASSERT_TRUE(b.upsert_service(1, ServiceConf{udp(53), SchedKind::rr, 0}));  // edited below
  ASSERT_TRUE(b.upsert_dest(1, 1, DestConf{rs(2), 53, 2}));
  ASSERT_TRUE(b.upsert_service(0, ServiceConf{tcp(80), SchedKind::rr, 0}));
  ASSERT_TRUE(b.upsert_dest(0, 2, DestConf{rs(3), 80, 3}));
  ASSERT_TRUE(b.upsert_dest(0, 0, DestConf{rs(1), 80, 1}));
  EXPECT_NE(a.digest(), b.digest());
  ASSERT_TRUE(b.upsert_service(1, ServiceConf{udp(53), SchedKind::mh, 0}));
  EXPECT_EQ(a.digest(), b.digest());

  // Every field counts: weight, port, id, flags.
  uint64_t d0 = a.digest();
  ASSERT_TRUE(a.upsert_dest(0, 0, DestConf{rs(1), 80, 2}));
  EXPECT_NE(a.digest(), d0);
  ASSERT_TRUE(a.upsert_dest(0, 0, DestConf{rs(1), 80, 1}));
  EXPECT_EQ(a.digest(), d0);
  ASSERT_TRUE(a.upsert_service(1, ServiceConf{udp(53), SchedKind::mh, kSvcFlagSched2}));
  EXPECT_NE(a.digest(), d0);
  ASSERT_TRUE(a.upsert_service(1, ServiceConf{udp(53), SchedKind::mh, 0}));
  EXPECT_EQ(a.digest(), d0);
  ASSERT_TRUE(a.remove_dest(2));
  ASSERT_TRUE(a.upsert_dest(0, 3, DestConf{rs(3), 80, 3}));  // same dest, another id
  EXPECT_NE(a.digest(), d0);
  // Counters do not count.
  a.on_conn_new(a.dest_ref(0), true);
  ASSERT_TRUE(a.remove_dest(3));
  ASSERT_TRUE(a.upsert_dest(0, 2, DestConf{rs(3), 80, 3}));
  EXPECT_EQ(a.digest(), d0);
  // Empty again: zero.
  a.clear();
  EXPECT_EQ(a.digest(), 0u);
}

TEST(ServiceConfNames, SchedulerNamesRoundTrip) {
  for (SchedKind k : {SchedKind::rr, SchedKind::wrr, SchedKind::lc, SchedKind::wlc, SchedKind::sh, SchedKind::mh}) {
    EXPECT_EQ(parse_sched(sched_name(k)), k);
  }
  EXPECT_FALSE(parse_sched("RR"));
  EXPECT_FALSE(parse_sched(""));
  EXPECT_EQ(proto_name(kProtoUdp), "UDP");
}

}  // namespace
}  // namespace dplb::ipvs
