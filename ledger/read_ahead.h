// Reading ahead on a second thread: a producer (parsing an import's lines, decoding the log) runs
// ahead of the consumer (checking, folding) by a bounded number of items, so that the two halves
// of the work use two cores.
#pragma once

#include <cassert>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "ledger/status.h"

namespace kasse {

// Runs `producer` on a thread of its own. The producer hands items to its Emitter in order,
// filling emit.slot() and calling emit.Publish(), which returns false when the consumer has
// gone; the producer should then return. Next() yields exactly the items
// published, in order, then the producer's status: an error after the items before it, or
// *done. At most kBatchesAhead batches of kBatchItems items wait; destroying the ReadAhead stops
// the producer at its next Publish and joins it.
//
// Spent batches go back to the producer: each slot is a spent item, which the producer fills
// again (decoding into the same Event reuses its strings; what it replaces is freed on the
// producer's thread). When the consumer freed the producer's allocations, glibc moved every
// block between the threads' caches and arenas, a fifth of a replay's folding thread; swapping
// each new item into its slot was a tenth of verify's reading thread.
template <class Item>
class ReadAhead {
  struct Batch;

 public:
  class Emitter {
   public:
    // The item to fill next: a spent one or, at first, a new one. The same until Publish.
    Item& slot() {
      if (batch_->count == batch_->items.size()) batch_->items.emplace_back();
      return batch_->items[batch_->count];
    }
    // Hands the slot's item to the consumer; false when the consumer has gone.
    bool Publish() {
      ++batch_->count;
      return batch_->count < kBatchItems || read_ahead_->Push(batch_);
    }

   private:
    friend class ReadAhead;
    Emitter(ReadAhead* read_ahead, Batch* batch) : read_ahead_(read_ahead), batch_(batch) {}
    ReadAhead* read_ahead_;
    Batch* batch_;
  };
  using Producer = std::function<Status(Emitter& emit)>;

  explicit ReadAhead(Producer producer)
      : producer_(std::move(producer)), thread_([this]() { Produce(); }) {}

  ~ReadAhead() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  Status Next(Item* item, bool* done) {
    Item* next = nullptr;
    KASSE_RETURN_IF_ERROR(NextInPlace(&next, done));
    if (!*done) *item = std::move(*next);
    return Status::Ok();
  }

  // As Next(), leaving the item where it is: *item is valid until the next call.
  Status NextInPlace(Item** item, bool* done) {
    *done = false;
    while (position_ == current_.count) {
      if (current_.last) {
        *done = current_.end.ok();
        return current_.end;
      }
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this]() { return !ready_.empty(); });
      if (!current_.items.empty()) spent_.push_back(std::move(current_));
      current_ = std::move(ready_.front());
      ready_.pop_front();
      position_ = 0;
      lock.unlock();
      changed_.notify_all();
    }
    *item = &current_.items[position_++];
    return Status::Ok();
  }

 private:
  static constexpr size_t kBatchItems = 512;
  static constexpr size_t kBatchesAhead = 8;

  struct Batch {
    std::vector<Item> items;    // items[count...] are spent ones, to be overwritten
    size_t count = 0;           // the items emitted
    bool last = false;          // nothing follows this batch but `end`
    Status end = Status::Ok();  // the producer's status, in the last batch
  };

  // Queues `batch`, waiting while kBatchesAhead wait; false when the consumer has gone.
  bool Push(Batch* batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this]() { return stopping_ || ready_.size() < kBatchesAhead; });
    if (stopping_) return false;
    ready_.push_back(std::move(*batch));
    if (spent_.empty()) {
      *batch = Batch();
      batch->items.reserve(kBatchItems);  // see Produce
    } else {
      *batch = std::move(spent_.front());
      spent_.pop_front();
      batch->count = 0;
      assert(!batch->last);  // the last batch is never spent
    }
    lock.unlock();
    changed_.notify_all();
    return true;
  }

  void Produce() {
    Batch batch;
    batch.items.reserve(kBatchItems);  // slot() references stay valid while a batch fills
    Emitter emit(this, &batch);
    Status end = producer_(emit);
    batch.last = true;
    batch.end = std::move(end);
    Push(&batch);
  }

  Producer producer_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> ready_;  // guarded by mutex_
  std::deque<Batch> spent_;  // guarded by mutex_: read by the consumer, back to the producer
  bool stopping_ = false;    // guarded by mutex_
  Batch current_;            // the consumer's batch, read from position_
  size_t position_ = 0;
  std::thread thread_;  // last: starts once everything it uses exists
};

}  // namespace kasse
