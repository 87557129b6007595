#include "ledger/slot_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kasse {
namespace {

// A container of keys with a SlotIndex over it, hashed by `hash_of`.
struct IndexedKeys {
  size_t (*hash_of)(std::string_view);
  std::vector<std::string> keys;
  SlotIndex index;

  void Add(const std::string& key) {
    keys.push_back(key);
    index.Add(hash_of(key), [this](size_t position) { return hash_of(keys[position]); });
  }
  size_t Find(const std::string& key) const {
    return index.Find(hash_of(key),
                      [this, &key](size_t candidate) { return keys[candidate] == key; });
  }
};

size_t SameHash(std::string_view /*key*/) {
  return 42;
}

TEST(SlotIndex, FindsEachKeyAtItsPositionAcrossGrowth) {
  IndexedKeys indexed{.hash_of = SlotHashOf, .keys = {}, .index = {}};
  // More than the first 1024 slots hold at half load: the slots double three times.
  constexpr size_t kKeys = 5000;
  for (size_t n = 0; n < kKeys; ++n) indexed.Add("key-" + std::to_string(n));
  EXPECT_EQ(indexed.index.size(), kKeys);
  EXPECT_GE(indexed.index.slots(), 2 * kKeys);
  for (size_t n = 0; n < kKeys; ++n) EXPECT_EQ(indexed.Find("key-" + std::to_string(n)), n);
  EXPECT_EQ(indexed.Find("key-5000"), SlotIndex::kNotFound);
}

// Keys whose hashes agree entirely are told apart by the owner's comparison alone.
TEST(SlotIndex, TellsApartKeysWithTheSameHash) {
  IndexedKeys indexed{.hash_of = SameHash, .keys = {}, .index = {}};
  for (size_t n = 0; n < 700; ++n) indexed.Add("key-" + std::to_string(n));
  for (size_t n = 0; n < 700; ++n) EXPECT_EQ(indexed.Find("key-" + std::to_string(n)), n);
  EXPECT_EQ(indexed.Find("key-700"), SlotIndex::kNotFound);
}

TEST(SlotIndex, ClearedIndexFindsNothingAndFillsAgain) {
  IndexedKeys indexed{.hash_of = SlotHashOf, .keys = {}, .index = {}};
  for (size_t n = 0; n < 3000; ++n) indexed.Add("key-" + std::to_string(n));
  const size_t slots = indexed.index.slots();
  indexed.index.Clear();
  EXPECT_EQ(indexed.index.size(), 0u);
  EXPECT_EQ(indexed.index.slots(), slots);
  EXPECT_EQ(indexed.Find("key-1"), SlotIndex::kNotFound);
  indexed.keys.clear();
  indexed.Add("other");
  EXPECT_EQ(indexed.Find("other"), 0u);
  EXPECT_EQ(indexed.Find("key-0"), SlotIndex::kNotFound);
}

}  // namespace
}  // namespace kasse
