#include "cli/read_ahead.h"

#include <utility>

namespace kasse::cli {

ReadAhead::ReadAhead(EventSource source)
    : source_(std::move(source)), thread_([this]() { Produce(); }) {}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void ReadAhead::Produce() {
  bool done = false;
  while (!done) {
    Batch batch;
    batch.parsed.reserve(kBatchEvents);
    while (batch.parsed.size() < kBatchEvents) {
      Parsed parsed;
      batch.end = source_(&parsed.event, &parsed.context, &done);
      if (!batch.end.ok() || done) {
        done = true;
        break;
      }
      batch.parsed.push_back(std::move(parsed));
    }
    batch.done = done;
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this]() { return stopping_ || ready_.size() < kBatchesAhead; });
    if (stopping_) return;
    ready_.push_back(std::move(batch));
    lock.unlock();
    changed_.notify_all();
  }
}

Status ReadAhead::Next(Event* event, std::string* context, bool* done) {
  *done = false;
  while (position_ == current_.parsed.size()) {
    if (finished_) {
      *done = current_.end.ok();
      return current_.end;
    }
    // This batch is used up; what comes after it is its end status, then the next batch.
    if (!current_.end.ok() || current_.done) {
      finished_ = true;
      continue;
    }
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this]() { return !ready_.empty(); });
    current_ = std::move(ready_.front());
    ready_.pop_front();
    position_ = 0;
    lock.unlock();
    changed_.notify_all();
  }
  Parsed& parsed = current_.parsed[position_++];
  *event = std::move(parsed.event);
  *context = std::move(parsed.context);
  return Status::Ok();
}

}  // namespace kasse::cli
