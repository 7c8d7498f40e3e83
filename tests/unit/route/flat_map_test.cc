#include "dplb/route/flat_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace dplb::route {
namespace {

TEST(FlatMap64, InsertFindOverwriteErase) {
  FlatMap64<uint32_t> m;
  EXPECT_TRUE(m.insert_or_assign(5, 50));
  EXPECT_FALSE(m.insert_or_assign(5, 51));
  ASSERT_NE(m.find(5), nullptr);
  EXPECT_EQ(*m.find(5), 51u);
  EXPECT_EQ(m.find(6), nullptr);
  EXPECT_TRUE(m.erase(5));
  EXPECT_FALSE(m.erase(5));
  EXPECT_EQ(m.find(5), nullptr);
  EXPECT_TRUE(m.empty());
}

// Random operations (many collisions through a small key space, growth, backward-shift deletes)
// agree with std::map.
TEST(FlatMap64, RandomAgainstStdMap) {
  std::mt19937_64 rng(3);
  FlatMap64<uint32_t> m;
  std::map<uint64_t, uint32_t> ref;
  for (int i = 0; i < 200000; ++i) {
    uint64_t key = rng() % 5000;
    switch (rng() % 3) {
      case 0:
      case 1: {
        uint32_t v = uint32_t(rng());
        EXPECT_EQ(m.insert_or_assign(key, v), ref.insert_or_assign(key, v).second);
        break;
      }
      default:
        EXPECT_EQ(m.erase(key), ref.erase(key) == 1);
    }
  }
  EXPECT_EQ(m.size(), ref.size());
  for (uint64_t key = 0; key < 5000; ++key) {
    auto it = ref.find(key);
    const uint32_t* v = m.find(key);
    ASSERT_EQ(v != nullptr, it != ref.end()) << key;
    if (v != nullptr) {
      EXPECT_EQ(*v, it->second);
    }
  }
  size_t visited = 0;
  m.for_each([&](uint64_t key, uint32_t v) {
    ++visited;
    EXPECT_EQ(ref.at(key), v);
  });
  EXPECT_EQ(visited, ref.size());
}

}  // namespace
}  // namespace dplb::route
