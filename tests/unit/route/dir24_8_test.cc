#include "dplb/route/dir24_8.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <vector>

namespace dplb::route {
namespace {

// Reference: the installed prefixes in a vector, longest match by a linear scan.
struct RefLpm {
  struct Entry {
    Ip4 net;
    uint8_t len;
    uint32_t id;
  };
  std::vector<Entry> entries;

  uint32_t lookup(Ip4 a) const {
    const Entry* best = nullptr;
    for (const Entry& e : entries) {
      if (Ip4Prefix{e.net, e.len}.contains(a) && (best == nullptr || e.len > best->len)) best = &e;
    }
    return best ? best->id : Dir24_8::kNone;
  }
  std::optional<Dir24_8::Parent> parent(Ip4 net, uint8_t len) const {
    const Entry* best = nullptr;
    for (const Entry& e : entries) {
      if (e.len < len && Ip4Prefix{e.net, e.len}.contains(net) && (best == nullptr || e.len > best->len))
        best = &e;
    }
    if (best == nullptr) return std::nullopt;
    return Dir24_8::Parent{best->id, best->len};
  }
  bool has(Ip4 net, uint8_t len) const {
    return std::any_of(entries.begin(), entries.end(),
                       [&](const Entry& e) { return e.net == net && e.len == len; });
  }
};

TEST(Dir24_8, EmptyTableFindsNothing) {
  Dir24_8 t;
  EXPECT_EQ(t.lookup(Ip4(0)), Dir24_8::kNone);
  EXPECT_EQ(t.lookup(Ip4(0xffffffffu)), Dir24_8::kNone);
}

TEST(Dir24_8, EachLevelAndFallbackBetweenThem) {
  Dir24_8 t;
  t.insert(Ip4(0), 0, 1);                   // short table
  t.insert(Ip4::of(10, 0, 0, 0), 8, 2);     // short table
  t.insert(Ip4::of(10, 1, 0, 0), 16, 3);    // tbl24
  t.insert(Ip4::of(10, 1, 2, 128), 25, 4);  // tbl8
  t.insert(Ip4::of(10, 1, 2, 200), 32, 5);  // tbl8
  t.insert(Ip4::of(10, 2, 3, 0), 30, 6);    // tbl8 under an empty tbl24 entry
  EXPECT_EQ(t.lookup(Ip4::of(11, 0, 0, 1)), 1u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 9, 0, 1)), 2u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 9, 1)), 3u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 2, 127)), 3u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 2, 128)), 4u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 2, 200)), 5u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 2, 201)), 4u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 2, 3, 3)), 6u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 2, 3, 4)), 2u);  // tbl8 entry empty: falls back to the /8
  EXPECT_EQ(t.tbl8_groups_in_use(), 2u);

  t.remove(Ip4::of(10, 1, 2, 128), 25, 4, Dir24_8::Parent{3, 16});
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 2, 128)), 3u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 2, 200)), 5u);
  t.remove(Ip4::of(10, 1, 2, 200), 32, 5, Dir24_8::Parent{3, 16});
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 2, 200)), 3u);
  EXPECT_EQ(t.tbl8_groups_in_use(), 1u);  // the group folded back into tbl24
  t.remove(Ip4::of(10, 1, 0, 0), 16, 3, Dir24_8::Parent{2, 8});
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 2, 200)), 2u);
  t.remove(Ip4::of(10, 0, 0, 0), 8, 2, Dir24_8::Parent{1, 0});
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 2, 200)), 1u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 2, 3, 1)), 6u);
  t.remove(Ip4::of(10, 2, 3, 0), 30, 6, Dir24_8::Parent{1, 0});
  EXPECT_EQ(t.lookup(Ip4::of(10, 2, 3, 1)), 1u);
  EXPECT_EQ(t.tbl8_groups_in_use(), 0u);
  t.remove(Ip4(0), 0, 1, std::nullopt);
  EXPECT_EQ(t.lookup(Ip4::of(10, 2, 3, 1)), Dir24_8::kNone);
}

TEST(Dir24_8, InsertOrderDoesNotMatter) {
  // A less specific prefix inserted after a more specific one must not overwrite it (depth check).
  Dir24_8 t;
  t.insert(Ip4::of(10, 1, 2, 0), 24, 1);
  t.insert(Ip4::of(10, 1, 2, 4), 30, 2);
  t.insert(Ip4::of(10, 0, 0, 0), 9, 3);
  t.insert(Ip4::of(10, 1, 0, 0), 16, 4);
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 2, 5)), 2u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 2, 9)), 1u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 1, 3, 9)), 4u);
  EXPECT_EQ(t.lookup(Ip4::of(10, 2, 3, 9)), 3u);
}

// Random inserts and removes agree with a linear scan, at every address that matters.
TEST(Dir24_8, RandomAgainstLinearReference) {
  std::mt19937 rng(7);
  Dir24_8 t;
  RefLpm ref;
  uint32_t next_id = 0;
  auto random_prefix = [&]() {
    // Clustered under 10.x and 192.168.x so prefixes nest; some anywhere.
    uint32_t base = (rng() % 3 == 0) ? rng() : ((rng() % 2) ? 0x0a000000u : 0xc0a80000u) | (rng() & 0xffffu);
    uint8_t len = static_cast<uint8_t>(rng() % 33);
    return Ip4Prefix{Ip4(base & prefix_mask(len)), len};
  };
  for (int round = 0; round < 30; ++round) {
    for (int op = 0; op < 40; ++op) {
      if (ref.entries.empty() || rng() % 3 != 0) {
        Ip4Prefix p = random_prefix();
        if (ref.has(p.addr, p.len)) continue;
        t.insert(p.addr, p.len, next_id);
        ref.entries.push_back({p.addr, p.len, next_id++});
      } else {
        size_t i = rng() % ref.entries.size();
        RefLpm::Entry e = ref.entries[i];
        ref.entries.erase(ref.entries.begin() + ptrdiff_t(i));
        t.remove(e.net, e.len, e.id, ref.parent(e.net, e.len));
      }
    }
    std::vector<Ip4> probes;
    for (const auto& e : ref.entries) {
      Ip4Prefix p{e.net, e.len};
      for (Ip4 a : {p.network(), p.broadcast(), Ip4(p.network().v - 1), Ip4(p.broadcast().v + 1)})
        probes.push_back(a);
    }
    for (int i = 0; i < 500; ++i) probes.push_back(Ip4(rng()));
    for (Ip4 a : probes)
      ASSERT_EQ(t.lookup(a), ref.lookup(a)) << "round " << round << " addr " << to_string(a);
  }
  // Remove everything: no tbl8 group may leak.
  while (!ref.entries.empty()) {
    RefLpm::Entry e = ref.entries.back();
    ref.entries.pop_back();
    t.remove(e.net, e.len, e.id, ref.parent(e.net, e.len));
  }
  EXPECT_EQ(t.tbl8_groups_in_use(), 0u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(t.lookup(Ip4(rng())), Dir24_8::kNone);
}

TEST(Dir24_8, ClearAndMove) {
  Dir24_8 t;
  t.insert(Ip4::of(10, 1, 2, 0), 24, 1);
  t.insert(Ip4::of(10, 1, 2, 3), 32, 2);
  Dir24_8 moved(std::move(t));
  EXPECT_EQ(moved.lookup(Ip4::of(10, 1, 2, 3)), 2u);
  moved.clear();
  EXPECT_EQ(moved.lookup(Ip4::of(10, 1, 2, 3)), Dir24_8::kNone);
  EXPECT_EQ(moved.lookup(Ip4::of(10, 1, 2, 4)), Dir24_8::kNone);
  moved.insert(Ip4::of(10, 1, 2, 0), 24, 5);
  EXPECT_EQ(moved.lookup(Ip4::of(10, 1, 2, 3)), 5u);
}

}  // namespace
}  // namespace dplb::route
