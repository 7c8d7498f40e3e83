// OpenMap under both policy pairs the project uses, checked against std::map.
#include "dplb/base/open_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace dplb {
namespace {

using KeyFreeMap = OpenMap<uint32_t, FibonacciHome, FreeKey>;                         // route::FlatMap64's
using ValueFreeMap = OpenMap<uint32_t, MixedHome, FreeValue<uint32_t, UINT32_MAX>>;  // ipvs::KeyIndex's

template <typename Map>
class OpenMapTest : public ::testing::Test {};
using Maps = ::testing::Types<KeyFreeMap, ValueFreeMap>;
TYPED_TEST_SUITE(OpenMapTest, Maps);

TYPED_TEST(OpenMapTest, InsertFindOverwriteErase) {
  TypeParam m(16);
  EXPECT_TRUE(m.insert_or_assign(5, 50));
  EXPECT_FALSE(m.insert_or_assign(5, 51));
  ASSERT_NE(m.find(5), nullptr);
  EXPECT_EQ(*m.find(5), 51u);
  EXPECT_EQ(m.find(6), nullptr);
  EXPECT_EQ(m.size(), 1u);
  EXPECT_TRUE(m.erase(5));
  EXPECT_FALSE(m.erase(5));
  EXPECT_EQ(m.find(5), nullptr);
  EXPECT_TRUE(m.empty());
}

// Key 0 and value 0 are ordinary under both free-slot markings.
TYPED_TEST(OpenMapTest, ZeroKeyAndZeroValueAreStorable) {
  TypeParam m(8);
  EXPECT_EQ(m.find(0), nullptr);
  EXPECT_TRUE(m.insert_or_assign(0, 0));
  ASSERT_NE(m.find(0), nullptr);
  EXPECT_EQ(*m.find(0), 0u);
  EXPECT_TRUE(m.erase(0));
  EXPECT_EQ(m.find(0), nullptr);
}

TYPED_TEST(OpenMapTest, FindGivesAWritableValue) {
  TypeParam m(8);
  m.insert_or_assign(9, 1);
  *m.find(9) = 2;
  EXPECT_EQ(*m.find(9), 2u);
}

// Random operations with many collisions (a small key space, clustered keys), growth by rehash and
// backward-shift deletes agree with std::map; so do for_each, clear and reset.
TYPED_TEST(OpenMapTest, RandomChurnMatchesStdMap) {
  std::mt19937_64 rng(7);
  TypeParam m(16);
  std::map<uint64_t, uint32_t> ref;
  for (int i = 0; i < 200000; ++i) {
    uint64_t key = (rng() % 4 == 0) ? rng() % (uint64_t(1) << 40) : rng() % 3000;
    if (rng() % 3 != 2) {
      if ((m.size() + 1) * 2 > m.capacity()) m.rehash(m.capacity() * 2);
      uint32_t v = uint32_t(rng() % 1000000);
      ASSERT_EQ(m.insert_or_assign(key, v), ref.insert_or_assign(key, v).second);
    } else {
      ASSERT_EQ(m.erase(key), ref.erase(key) == 1);
    }
    uint64_t probe = rng() % 3000;
    auto it = ref.find(probe);
    const uint32_t* v = m.find(probe);
    ASSERT_EQ(v != nullptr, it != ref.end()) << probe;
    if (v != nullptr) {
      ASSERT_EQ(*v, it->second);
    }
  }
  ASSERT_EQ(m.size(), ref.size());
  for (auto [k, v] : ref) {
    ASSERT_NE(m.find(k), nullptr) << k;
    EXPECT_EQ(*m.find(k), v);
  }
  size_t visited = 0;
  m.for_each([&](uint64_t key, uint32_t v) {
    ++visited;
    EXPECT_EQ(ref.at(key), v);
  });
  EXPECT_EQ(visited, ref.size());

  size_t capacity = m.capacity();
  m.clear();
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.capacity(), capacity);
  for (auto [k, v] : ref) EXPECT_EQ(m.find(k), nullptr);
  m.insert_or_assign(1, 1);
  m.reset(16);
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.capacity(), 16u);
  EXPECT_EQ(m.find(1), nullptr);
}

// A full probe run that wraps around the end of the table: deletes at the wrap point keep every
// other key reachable.
TYPED_TEST(OpenMapTest, EraseAcrossTheWrapAround) {
  TypeParam m(8);
  std::map<uint64_t, uint32_t> ref;
  for (uint64_t k = 1; k <= 6; ++k) {
    m.insert_or_assign(k * 1000003, uint32_t(k));
    ref[k * 1000003] = uint32_t(k);
  }
  for (uint64_t k = 1; k <= 6; ++k) {
    ASSERT_TRUE(m.erase(k * 1000003));
    ref.erase(k * 1000003);
    for (auto [key, v] : ref) {
      ASSERT_NE(m.find(key), nullptr) << key;
      EXPECT_EQ(*m.find(key), v);
    }
  }
  EXPECT_TRUE(m.empty());
}

TEST(Hash, Mix64IsTheMurmur3Finalizer) {
  EXPECT_EQ(mix64(0), 0u);
  EXPECT_EQ(mix64(1), 0xb456bcfc34c2cb2cULL);
}

}  // namespace
}  // namespace dplb
