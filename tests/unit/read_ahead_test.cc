// ReadAhead must yield exactly what its source yields, in order, whatever the batch boundaries.
#include "cli/read_ahead.h"

#include <gtest/gtest.h>

#include <string>

namespace kasse::cli {
namespace {

// A source of `count` events with ids "e0", "e1", ..., then `end` (ok: done).
EventSource CountingSource(int count, Status end) {
  auto next = std::make_shared<int>(0);
  return [count, end, next](Event* event, std::string* context, bool* done) {
    *done = false;
    if (*next == count) {
      *done = end.ok();
      return end;
    }
    event->id = "e" + std::to_string(*next);
    *context = "line " + std::to_string(*next + 1);
    ++*next;
    return Status::Ok();
  };
}

// Drains `read_ahead`; returns how many events came, checking their order, and the end status.
Status Drain(ReadAhead* read_ahead, int* count) {
  *count = 0;
  while (true) {
    Event event;
    std::string context;
    bool done = false;
    Status status = read_ahead->Next(&event, &context, &done);
    if (!status.ok() || done) return status;
    EXPECT_EQ(event.id, "e" + std::to_string(*count));
    EXPECT_EQ(context, "line " + std::to_string(*count + 1));
    ++*count;
  }
}

TEST(read_ahead, YieldsEverythingInOrderAcrossBatchBoundaries) {
  for (int count : {0, 1, 511, 512, 513, 1024, 5000}) {
    ReadAhead read_ahead(CountingSource(count, Status::Ok()));
    int seen = 0;
    EXPECT_TRUE(Drain(&read_ahead, &seen).ok());
    EXPECT_EQ(seen, count);
  }
}

TEST(read_ahead, YieldsTheSourcesErrorAfterTheEventsBeforeIt) {
  for (int count : {0, 3, 512, 4097}) {
    ReadAhead read_ahead(CountingSource(count, Status::InvalidInput("bad line")));
    int seen = 0;
    Status status = Drain(&read_ahead, &seen);
    EXPECT_EQ(seen, count);
    EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
    EXPECT_EQ(status.message(), "bad line");
  }
}

TEST(read_ahead, StopsItsThreadWhenTheConsumerGivesUpEarly) {
  // A source far longer than the read-ahead bound: destruction must not wait for it.
  ReadAhead read_ahead(CountingSource(10'000'000, Status::Ok()));
  Event event;
  std::string context;
  bool done = false;
  ASSERT_TRUE(read_ahead.Next(&event, &context, &done).ok());
  EXPECT_EQ(event.id, "e0");
}

}  // namespace
}  // namespace kasse::cli
