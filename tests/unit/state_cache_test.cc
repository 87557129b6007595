#include "projections/state_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/run.h"

namespace kasse {
namespace {

// Keys with a long common prefix, as the projections build them.
std::string KeyOf(int n) {
  return "statement/2022/expense/" + std::to_string(n);
}

TEST(StateCache, FindsEveryPutKeyWithItsLastValueAndNoOther) {
  StateCache cache(nullptr);
  // More keys than the index's first 1024 slots hold at half load: it grows three times.
  constexpr int kKeys = 5000;
  for (int n = 0; n < kKeys; ++n) cache.Put(KeyOf(n), "first " + std::to_string(n));
  for (int n = 0; n < kKeys; n += 2) cache.Put(KeyOf(n), "second " + std::to_string(n));
  for (int n = 0; n < kKeys; ++n) {
    std::string_view value;
    bool found = false;
    ASSERT_TRUE(cache.Find(KeyOf(n), &value, &found).ok());
    ASSERT_TRUE(found) << n;
    EXPECT_EQ(value, (n % 2 == 0 ? "second " : "first ") + std::to_string(n));
  }
  for (const std::string& absent : {KeyOf(kKeys), std::string("statement/2022/"), std::string()}) {
    std::string value;
    bool found = true;
    ASSERT_TRUE(cache.Get(absent, &value, &found).ok());
    EXPECT_FALSE(found) << absent;
  }
}

// Enough keys that each half is sorted on a thread of its own and the halves merged.
TEST(StateCache, SortedHoldsEveryKeyOnceInKeyOrder) {
  StateCache cache(nullptr);
  constexpr int kKeys = 40000;
  for (int n = kKeys - 1; n >= 0; --n) cache.Put(KeyOf(n), std::to_string(n));
  cache.Put(KeyOf(7), "changed");
  const SortedState sorted = cache.Sorted();
  ASSERT_EQ(sorted.size(), static_cast<size_t>(kKeys));
  EXPECT_TRUE(std::is_sorted(sorted.begin(), sorted.end()));
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end(),
                               [](const auto& a, const auto& b) { return a.first == b.first; }),
            sorted.end());
  const auto seven = std::find_if(sorted.begin(), sorted.end(),
                                  [](const auto& entry) { return entry.first == KeyOf(7); });
  ASSERT_NE(seven, sorted.end());
  EXPECT_EQ(seven->second, "changed");
  EXPECT_EQ(cache.Changes().size(), static_cast<size_t>(kKeys));
}

// The folds keep a Find's view while they add other keys; the keys live in blocks of the cache,
// and a key longer than a block gets one of its own. The value is short enough to be held inside
// its std::string: entries that moved when the cache grew would take its bytes along (ASan).
TEST(StateCache, ViewsStayValidWhileOtherKeysAreAdded) {
  StateCache cache(nullptr);
  cache.Put("members/m/first", "joined 2022");
  std::string_view first;
  bool found = false;
  ASSERT_TRUE(cache.Find("members/m/first", &first, &found).ok());
  ASSERT_TRUE(found);
  const std::string long_key(100 << 10, 'k');
  cache.Put(long_key, "long");
  cache.Put("", "empty key");
  for (int n = 0; n < 20000; ++n) cache.Put(KeyOf(n), std::to_string(n));
  EXPECT_EQ(first, "joined 2022");
  std::string value;
  ASSERT_TRUE(cache.Get(long_key, &value, &found).ok());
  EXPECT_TRUE(found);
  EXPECT_EQ(value, "long");
  ASSERT_TRUE(cache.Get("", &value, &found).ok());
  EXPECT_TRUE(found);
  EXPECT_EQ(value, "empty key");
  const SortedState sorted = cache.Sorted();
  ASSERT_EQ(sorted.size(), 20003u);
  EXPECT_EQ(sorted.front().first, "");
  EXPECT_EQ(sorted.back().first, "statement/2022/expense/9999");
}

// A node holds a key of up to 24 bytes itself and points to a longer one: keys on both sides of
// that bound, and keys that differ only beyond it, are told apart.
TEST(StateCache, KeysInsideTheirNodeAndBeyondItAreToldApart) {
  StateCache cache(nullptr);
  const std::string inline_max(24, 'k');
  const std::vector<std::string> keys = {
      "", "k", inline_max, inline_max + "a", inline_max + "b", std::string(23, 'k') + "a"};
  for (const std::string& key : keys) cache.Put(key, "value of " + key);
  for (const std::string& key : keys) {
    std::string value;
    bool found = false;
    ASSERT_TRUE(cache.Get(key, &value, &found).ok());
    ASSERT_TRUE(found) << key;
    EXPECT_EQ(value, "value of " + key);
  }
  std::vector<std::string> sorted_keys;
  for (const StateEntry& entry : cache.Sorted()) sorted_keys.emplace_back(entry.first);
  std::vector<std::string> expected = keys;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(sorted_keys, expected);
}

// FindPlace and Put(place): a read-modify-write looks the key up once. A key found nowhere is
// not part of the state until it is put.
TEST(StateCache, PutAtAPlaceWritesTheKeyThatWasFound) {
  StateCache cache(nullptr);
  cache.Put(KeyOf(1), "old");
  StateCache::Place place;
  std::string_view value;
  bool found = false;
  ASSERT_TRUE(cache.FindPlace(KeyOf(1), &place, &value, &found).ok());
  ASSERT_TRUE(found);
  EXPECT_EQ(value, "old");
  cache.Put(place, "new");

  StateCache::Place absent_place;
  ASSERT_TRUE(cache.FindPlace(KeyOf(2), &absent_place, &value, &found).ok());
  EXPECT_FALSE(found);
  StateCache::Place never_put;
  ASSERT_TRUE(cache.FindPlace(KeyOf(3), &never_put, &value, &found).ok());
  EXPECT_FALSE(found);
  for (int n = 10; n < 3000; ++n) cache.Put(KeyOf(n), "more");  // places stay valid
  cache.Put(absent_place, "added");

  std::string held;
  ASSERT_TRUE(cache.Get(KeyOf(1), &held, &found).ok());
  EXPECT_EQ(held, "new");
  ASSERT_TRUE(cache.Get(KeyOf(2), &held, &found).ok());
  ASSERT_TRUE(found);
  EXPECT_EQ(held, "added");
  ASSERT_TRUE(cache.Get(KeyOf(3), &held, &found).ok());
  EXPECT_FALSE(found);
  const SortedState sorted = cache.Sorted();
  EXPECT_EQ(sorted.size(), 2u + 2990u);
  EXPECT_EQ(std::count_if(sorted.begin(), sorted.end(),
                          [](const StateEntry& entry) { return entry.first == KeyOf(3); }),
            0);
  StateCache same(nullptr);
  same.Put(KeyOf(1), "new");
  same.Put(KeyOf(2), "added");
  for (int n = 10; n < 3000; ++n) same.Put(KeyOf(n), "more");
  const SipKey key = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  EXPECT_EQ(cache.Digest(key), same.Digest(key)) << "the key never put is in the digest";
}

TEST(StateCache, DigestIsTheDigestOfTheSortedEntries) {
  StateCache a(nullptr);
  StateCache b(nullptr);
  for (int n = 0; n < 2000; ++n) a.Put(KeyOf(n), std::to_string(n));
  for (int n = 1999; n >= 0; --n) b.Put(KeyOf(n), std::to_string(n));
  const SipKey key = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  EXPECT_EQ(a.Digest(key), b.Digest(key));
  b.Put(KeyOf(1000), "other");
  EXPECT_FALSE(a.Digest(key) == b.Digest(key));
}

// TakeChanges hands the changes to the writer and forgets them only when it wrote them; then the
// backing ledger answers for them. Against a real ledger whose state a replay replaces.
TEST(StateCache, TakeChangesForgetsOnlyWhatWasWritten) {
  test::TempDir dir;
  std::unique_ptr<Ledger> ledger;
  ASSERT_TRUE(Ledger::Create(dir.File("db"), "Cache e.V.", &ledger).ok());
  ledger.reset();
  ASSERT_TRUE(Ledger::OpenForWrite(dir.File("db"), Appends::kFew, &ledger).ok());
  ledger->BeginReplacingState();
  StateCache cache(ledger.get(), StateCache::Backing::kStartsEmpty);
  for (int n = 0; n < 100; ++n) cache.Put(KeyOf(n), std::to_string(n));
  const size_t held_bytes = cache.held_bytes();

  size_t offered = 0;
  const Status refused = cache.TakeChanges([&offered](StateChanges changes) {
    offered = changes.size();
    return Status::IoError("disk full");
  });
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(offered, 100u);
  EXPECT_EQ(cache.held_bytes(), held_bytes) << "forgot what was not written";
  EXPECT_EQ(cache.Changes().size(), 100u);

  ASSERT_TRUE(cache
                  .TakeChanges([&ledger](StateChanges changes) {
                    return ledger->WriteReplacementAhead(changes);
                  })
                  .ok());
  EXPECT_EQ(cache.held_bytes(), 0u);
  EXPECT_TRUE(cache.Changes().empty());
  std::string value;
  bool found = false;
  ASSERT_TRUE(cache.Get(KeyOf(42), &value, &found).ok());
  EXPECT_TRUE(found);
  EXPECT_EQ(value, "42");
  ASSERT_TRUE(cache.Get(KeyOf(100), &value, &found).ok());
  EXPECT_FALSE(found);

  // The cache is filled again from its first node: only what is put now is a change, and more
  // keys than one chunk of nodes holds come out with their values.
  StateCache fresh(ledger.get());
  ASSERT_TRUE(fresh.Get(KeyOf(42), &value, &found).ok());  // as the cache above
  ASSERT_TRUE(fresh.Get(KeyOf(100), &value, &found).ok());
  for (StateCache* filled : {&cache, &fresh}) {
    for (int n = 1000; n < 4000; ++n) filled->Put(KeyOf(n), "again " + std::to_string(n));
    filled->Put(KeyOf(42), "changed");
  }
  EXPECT_EQ(cache.held_bytes(), fresh.held_bytes());
  const SortedState changes = cache.Changes();
  ASSERT_EQ(changes.size(), 3001u);
  for (const StateEntry& entry : changes) {
    if (entry.first == KeyOf(42)) {
      EXPECT_EQ(entry.second, "changed");
    } else {
      EXPECT_EQ(entry.second, "again " + std::string(entry.first.substr(KeyOf(0).size() - 1)));
    }
  }
}

}  // namespace
}  // namespace kasse
