// Parsing ahead: an import's JSON is parsed on a second thread while the recording thread checks
// and appends the events parsed before, which was a third of an import's time on one thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/record.h"

namespace kasse::cli {

// Runs `source` on its own thread, up to kBatchesAhead batches of kBatchEvents events ahead of
// Next(). Next() yields exactly what `source` would have yielded, in the same order, including
// its first error (after which the thread stops). Destroying it stops the thread.
class ReadAhead {
 public:
  explicit ReadAhead(EventSource source);
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  Status Next(Event* event, std::string* context, bool* done);

 private:
  static constexpr size_t kBatchEvents = 512;
  static constexpr size_t kBatchesAhead = 8;

  struct Parsed {
    Event event;
    std::string context;
  };
  struct Batch {
    std::vector<Parsed> parsed;
    Status end = Status::Ok();  // after the parsed events: ok to go on, or the source's error
    bool done = false;          // the source is exhausted (or failed) after this batch
  };

  void Produce();

  EventSource source_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;  // guarded by mutex_
  bool stopping_ = false;    // guarded by mutex_
  Batch current_;            // the consumer's batch, read from `position_`
  size_t position_ = 0;
  bool finished_ = false;  // the consumer has seen the last batch
  std::thread thread_;     // last: starts after everything it uses exists
};

}  // namespace kasse::cli
