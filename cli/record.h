// Recording: the one path by which events enter a ledger, for a single recording command and for
// an import alike. Every event is parsed, checked against the ledger's rules and the events before
// it, and folded; only when all pass is the whole lot committed in one atomic write.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ledger/event.h"
#include "ledger/status.h"
#include "ledger/store.h"

namespace kasse::cli {

// Yields the next event and a context for its errors ("file.jsonl:12"); *done at the end. The
// event and the context are the previous call's, moved from or not: set every field of both.
using EventSource = std::function<Status(Event* event, std::string* context, bool* done)>;

struct RecordSummary {
  uint64_t appended = 0;         // new events
  uint64_t already_present = 0;  // same id, same content: skipped (idempotent re-import)
  uint64_t first_seq = 0;        // of the new events, 0 when none
  uint64_t last_seq = 0;
  std::string last_id;
};

// How RecordEvents calls its source: on the calling thread, or on a second one that runs ahead
// (by a few thousand events at most) and also looks up each event's id in the ledger's index,
// while the calling thread checks and appends the events before. For a source of many events.
enum class SourceThread { kCaller, kAhead };

// Records the events of `source` all or nothing. With `dry_run`, checks everything and writes
// nothing. On error nothing is written and the message starts with the event's context.
Status RecordEvents(Ledger* ledger, const std::string& recorded_by, const EventSource& source,
                    bool dry_run, RecordSummary* summary,
                    SourceThread source_thread = SourceThread::kCaller);

}  // namespace kasse::cli
