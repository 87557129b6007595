#include "ledger/chunk.h"

#include <gtest/gtest.h>

#include <string>

namespace kasse {
namespace {

std::string EventKey(uint64_t seq) {
  return std::string(7, '\0') + static_cast<char>(seq);
}

// Adds event `n` of a chunk: id "id-<n>", stored bytes "bytes of <n>", and for odd n a personal
// record.
void AddEvent(Chunk* chunk, int n) {
  const std::string id = "id-" + std::to_string(n);
  const std::string bytes = "bytes of " + std::to_string(n);
  const std::string key = "p:subject" + std::string(1, '\0') + std::to_string(n);
  const std::string record = "record of " + std::to_string(n);
  const bool personal = n % 2 == 1;
  chunk->Add(EventKey(static_cast<uint64_t>(n)), bytes, id, personal ? &key : nullptr,
             personal ? &record : nullptr);
}

TEST(Chunk, FindsEveryAddedIdAtItsPositionAndNoOther) {
  Chunk chunk;
  // More than the index's first 1024 slots hold at half load: the index grows twice.
  constexpr int kEvents = 3000;
  for (int n = 0; n < kEvents; ++n) AddEvent(&chunk, n);
  ASSERT_EQ(chunk.events(), static_cast<size_t>(kEvents));
  for (int n = 0; n < kEvents; ++n) {
    size_t position = 0;
    ASSERT_TRUE(chunk.Find("id-" + std::to_string(n), &position)) << n;
    EXPECT_EQ(position, static_cast<size_t>(n));
    EXPECT_EQ(chunk.EventBytes(position), "bytes of " + std::to_string(n));
    std::string_view record;
    EXPECT_EQ(chunk.PersonalRecord(position, &record), n % 2 == 1);
    if (n % 2 == 1) {
      EXPECT_EQ(record, "record of " + std::to_string(n));
    }
  }
  size_t position = 0;
  EXPECT_FALSE(chunk.Find("id-3000", &position));
  EXPECT_FALSE(chunk.Find("id-", &position));
  EXPECT_FALSE(chunk.Find("", &position));
}

// A chunk indexes its ids when it is searched: ids added after a search are found by the next
// one, across the index's growth.
TEST(Chunk, FindsIdsAddedAfterAnEarlierSearch) {
  Chunk chunk;
  size_t position = 0;
  for (int n = 0; n < 3000; ++n) {
    AddEvent(&chunk, n);
    if (n % 7 != 0) continue;
    ASSERT_TRUE(chunk.Find("id-" + std::to_string(n), &position)) << n;
    EXPECT_EQ(position, static_cast<size_t>(n));
    EXPECT_FALSE(chunk.Find("id-" + std::to_string(n + 1), &position)) << n;
  }
  for (int n = 0; n < 3000; ++n) {
    ASSERT_TRUE(chunk.Find("id-" + std::to_string(n), &position)) << n;
    EXPECT_EQ(position, static_cast<size_t>(n));
  }
}

TEST(Chunk, PutsOfEachFamilyComeInTheOrderAdded) {
  Chunk chunk;
  for (int n = 0; n < 4; ++n) AddEvent(&chunk, n);
  const std::vector<ChunkPut> events = chunk.Puts(ChunkFamily::kEvents);
  const std::vector<ChunkPut> ids = chunk.Puts(ChunkFamily::kIds);
  const std::vector<ChunkPut> personal = chunk.Puts(ChunkFamily::kPersonal);
  ASSERT_EQ(events.size(), 4u);
  ASSERT_EQ(ids.size(), 4u);
  ASSERT_EQ(personal.size(), 2u);  // events 1 and 3
  for (int n = 0; n < 4; ++n) {
    EXPECT_EQ(events[n].key, EventKey(static_cast<uint64_t>(n)));
    EXPECT_EQ(events[n].value, "bytes of " + std::to_string(n));
    // The id index maps the id to the event's key, the stored form of its seq.
    EXPECT_EQ(ids[n].key, "id-" + std::to_string(n));
    EXPECT_EQ(ids[n].value, EventKey(static_cast<uint64_t>(n)));
  }
  EXPECT_EQ(personal[0].key, "p:subject" + std::string(1, '\0') + "1");
  EXPECT_EQ(personal[1].value, "record of 3");
  size_t all_bytes = 0;
  for (const auto& puts : {events, ids, personal}) {
    for (const ChunkPut& put : puts) all_bytes += put.key.size() + put.value.size();
  }
  EXPECT_EQ(chunk.bytes(), all_bytes);
}

TEST(Chunk, ClearedChunkHoldsNothingAndFillsAgain) {
  Chunk chunk;
  chunk.set_first_seq(17);
  for (int n = 0; n < 2000; ++n) AddEvent(&chunk, n);
  chunk.Clear();
  EXPECT_EQ(chunk.events(), 0u);
  EXPECT_EQ(chunk.bytes(), 0u);
  EXPECT_EQ(chunk.first_seq(), 0u);
  EXPECT_TRUE(chunk.Puts(ChunkFamily::kPersonal).empty());
  size_t position = 0;
  EXPECT_FALSE(chunk.Find("id-5", &position));
  AddEvent(&chunk, 5);
  ASSERT_TRUE(chunk.Find("id-5", &position));
  EXPECT_EQ(position, 0u);
  std::string_view record;
  ASSERT_TRUE(chunk.PersonalRecord(0, &record));
  EXPECT_EQ(record, "record of 5");
}

}  // namespace
}  // namespace kasse
