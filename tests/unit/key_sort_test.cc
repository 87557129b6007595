#include "ledger/key_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace kasse {
namespace {

// Keys that stress the words SortPutsByKey compares: a few shared prefixes, zero bytes (which
// the words' padding looks like), bytes above 0x7f (which a signed comparison gets wrong), and
// lengths that end inside, at and beyond each width of words.
std::vector<std::string> TrickyKeys(size_t key_bytes_max, size_t count, uint32_t seed) {
  std::mt19937 random(seed);
  const std::vector<std::string> prefixes = {"", "p:0123456789abcdef0123456789", "dues-2015-00",
                                             std::string(3, '\0'), "\xff\xfe"};
  const std::string alphabet(
      "\0\x01\x7f\x80\xff"
      "az",
      7);
  std::vector<std::string> keys;
  for (size_t i = 0; i < count; ++i) {
    std::string key = prefixes[random() % prefixes.size()];
    const size_t size = 1 + random() % key_bytes_max;
    while (key.size() < size) key += alphabet[random() % alphabet.size()];
    key.resize(size);
    keys.push_back(key);
  }
  return keys;
}

std::vector<ChunkPut> PutsOf(const std::vector<std::string>& keys) {
  std::vector<ChunkPut> puts;
  puts.reserve(keys.size());
  for (const std::string& key : keys) puts.push_back({key, key});
  return puts;
}

std::vector<std::string> KeysOf(const std::vector<ChunkPut>& puts) {
  std::vector<std::string> keys;
  keys.reserve(puts.size());
  for (const ChunkPut& put : puts) keys.emplace_back(put.key);
  return keys;
}

TEST(KeySort, SortsBytewiseAtEveryWidthOfWords) {
  // Longest keys of 5 to 60 bytes: one to five words, and keys longer than five.
  for (const size_t key_bytes_max : {5, 8, 9, 16, 17, 24, 31, 40, 41, 60}) {
    std::vector<std::string> keys = TrickyKeys(key_bytes_max, 3000, key_bytes_max);
    // Distinct keys only: a duplicate is reported, which the next test checks.
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::shuffle(keys.begin(), keys.end(), std::mt19937(7));
    std::vector<ChunkPut> puts = PutsOf(keys);

    EXPECT_EQ(SortPutsByKey(&puts), SIZE_MAX) << key_bytes_max;
    std::vector<std::string> expected = keys;
    // std::string compares its chars as unsigned, as RocksDB's bytewise comparator does.
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(KeysOf(puts), expected) << key_bytes_max;
  }
}

TEST(KeySort, KeepsEachKeyWithItsValue) {
  const std::vector<std::string> keys = {"b", "a", std::string("a\0", 2), "ab"};
  const std::vector<std::string> values = {"1", "2", "3", "4"};
  std::vector<ChunkPut> puts;
  for (size_t i = 0; i < keys.size(); ++i) puts.push_back({keys[i], values[i]});
  ASSERT_EQ(SortPutsByKey(&puts), SIZE_MAX);
  ASSERT_EQ(puts.size(), 4u);
  EXPECT_EQ(puts[0].key, "a");
  EXPECT_EQ(puts[0].value, "2");
  EXPECT_EQ(puts[1].key, std::string_view("a\0", 2));
  EXPECT_EQ(puts[1].value, "3");
  EXPECT_EQ(puts[2].key, "ab");
  EXPECT_EQ(puts[2].value, "4");
  EXPECT_EQ(puts[3].key, "b");
  EXPECT_EQ(puts[3].value, "1");
}

TEST(KeySort, ReportsAKeyPutTwice) {
  // Equal within the words and beyond them, and equal keys shorter than a word.
  const std::string long_key = "p:0123456789abcdef0123456789abcdef" + std::string(1, '\0') + "x";
  for (const std::string& twice : {long_key, std::string("id-7"), std::string(40, '\0')}) {
    std::vector<std::string> keys = TrickyKeys(48, 500, 3);
    keys.push_back(twice);
    keys.push_back(twice);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    keys.push_back(twice);
    std::shuffle(keys.begin(), keys.end(), std::mt19937(11));
    std::vector<ChunkPut> puts = PutsOf(keys);

    const size_t duplicate = SortPutsByKey(&puts);
    ASSERT_NE(duplicate, SIZE_MAX) << twice.size();
    EXPECT_EQ(puts[duplicate].key, twice);
    EXPECT_EQ(puts[duplicate - 1].key, twice);
  }
}

TEST(KeySort, KeysThatDifferOnlyBeyondTheWordsAreNotDuplicates) {
  const std::string prefix(40, 'k');
  // The last two: equal in all five words (zero padding), one ending inside them, one beyond.
  std::vector<std::string> keys = {prefix + "b", prefix + "a", prefix, prefix + "a" + '\0',
                                   "k", "k" + std::string(45, '\0')};
  std::vector<ChunkPut> puts = PutsOf(keys);
  EXPECT_EQ(SortPutsByKey(&puts), SIZE_MAX);
  std::vector<std::string> expected = keys;  // the puts view `keys`: sort a copy
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(KeysOf(puts), expected);
}

}  // namespace
}  // namespace kasse
