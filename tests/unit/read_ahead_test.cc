// ReadAhead must yield exactly what its producer emits, in order, whatever the batch boundaries.
#include "ledger/read_ahead.h"

#include <gtest/gtest.h>

#include <string>

namespace kasse {
namespace {

using Strings = ReadAhead<std::string>;

// A producer of `count` items "e0", "e1", ..., then `end`.
Strings::Producer Counting(int count, const Status& end) {
  return [count, end](Strings::Emitter& emit) {
    for (int i = 0; i < count; ++i) {
      emit.slot() = "e" + std::to_string(i);
      if (!emit.Publish()) return Status::Ok();
    }
    return end;
  };
}

// Drains `read_ahead`; returns how many items came, checking their order, and the end status.
Status Drain(Strings* read_ahead, int* count) {
  *count = 0;
  while (true) {
    std::string item;
    bool done = false;
    Status status = read_ahead->Next(&item, &done);
    if (!status.ok() || done) return status;
    EXPECT_EQ(item, "e" + std::to_string(*count));
    ++*count;
  }
}

TEST(read_ahead, YieldsEverythingInOrderAcrossBatchBoundaries) {
  for (int count : {0, 1, 511, 512, 513, 1024, 5000}) {
    Strings read_ahead(Counting(count, Status::Ok()));
    int seen = 0;
    EXPECT_TRUE(Drain(&read_ahead, &seen).ok());
    EXPECT_EQ(seen, count);
  }
}

TEST(read_ahead, YieldsTheSourcesErrorAfterTheEventsBeforeIt) {
  for (int count : {0, 3, 512, 4097}) {
    Strings read_ahead(Counting(count, Status::InvalidInput("bad line")));
    int seen = 0;
    Status status = Drain(&read_ahead, &seen);
    EXPECT_EQ(seen, count);
    EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
    EXPECT_EQ(status.message(), "bad line");
  }
}

// A producer that fills each slot in place gets the consumer's spent items back as slots, and
// the consumer still sees exactly what was published.
TEST(read_ahead, SlotsFilledInPlaceAreSpentItemsAndArriveInOrder) {
  constexpr int kItems = 20000;  // far more than the batches that wait
  int reused = 0;
  Strings read_ahead([&reused](Strings::Emitter& emit) {
    for (int i = 0; i < kItems; ++i) {
      std::string& slot = emit.slot();
      if (!slot.empty()) ++reused;
      slot = "e" + std::to_string(i);
      if (!emit.Publish()) return Status::Ok();
    }
    return Status::Ok();
  });
  int seen = 0;
  while (true) {
    std::string* item = nullptr;  // read in place: the spent item keeps its text
    bool done = false;
    ASSERT_TRUE(read_ahead.NextInPlace(&item, &done).ok());
    if (done) break;
    EXPECT_EQ(*item, "e" + std::to_string(seen));
    ++seen;
  }
  EXPECT_EQ(seen, kItems);
  EXPECT_GT(reused, 0);
}

TEST(read_ahead, StopsItsThreadWhenTheConsumerGivesUpEarly) {
  // A producer far longer than the read-ahead bound: destruction must not wait for it.
  Strings read_ahead(Counting(10'000'000, Status::Ok()));
  std::string item;
  bool done = false;
  ASSERT_TRUE(read_ahead.Next(&item, &done).ok());
  EXPECT_EQ(item, "e0");
}

}  // namespace
}  // namespace kasse
