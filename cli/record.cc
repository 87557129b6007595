#include "cli/record.h"

#include <fmt/format.h>

#include <memory>

#include "cli/common.h"
#include "ledger/chain.h"
#include "ledger/read_ahead.h"
#include "projections/books.h"

namespace kasse::cli {

namespace {

// Same id again: a no-op when the content is the same, an error otherwise.
Status CheckRepeatedId(const Event& event, const Event& recorded, uint64_t recorded_seq,
                       bool* same) {
  *same = SameClientContent(event, recorded);
  if (*same) return Status::Ok();
  return Status::Rejected(fmt::format(
      "field \"id\": \"{}\" was already recorded (seq {}) with different content; an event cannot "
      "be changed, record a correction (entry.reversed) with a new id instead",
      event.id, recorded_seq));
}

// An event read ahead, with its context and what the reading thread found of its id.
struct ReadEvent {
  Event event;
  std::string context;
  Appender::IdPrefetch prefetch;
};

}  // namespace

Status RecordEvents(Ledger* ledger, const std::string& recorded_by, const EventSource& source,
                    bool dry_run, RecordSummary* summary, SourceThread source_thread) {
  *summary = RecordSummary();
  // Folding onto projections of another layout would mix two layouts.
  KASSE_RETURN_IF_ERROR(CheckProjectionsVersion(StoredState(*ledger), ledger->head_seq()));
  Books books(ledger);
  const size_t state_bytes_max = StateBytesMax(kStateCacheBytesMax);
  Appender appender(ledger, recorded_by, NowUnixMs());
  auto lookup = [&appender](std::string_view id, Event* found) {
    uint64_t seq = 0;
    return appender.FindId(id, &seq, found);
  };
  // Declared after the appender, whose PrefetchId it calls: destroyed (joined) before it.
  std::unique_ptr<ReadAhead<ReadEvent>> ahead;
  if (source_thread == SourceThread::kAhead) {
    ahead = std::make_unique<ReadAhead<ReadEvent>>(
        [&source, &appender](ReadAhead<ReadEvent>::Emitter& emit) {
          while (true) {
            // Parsed into the next slot: a spent one, whose event is the one the checking
            // thread appended before (read_next), so that its strings are freed here.
            ReadEvent& read = emit.slot();
            bool done = false;
            KASSE_RETURN_IF_ERROR(source(&read.event, &read.context, &done));
            if (done) return Status::Ok();
            read.prefetch = appender.PrefetchId(read.event.id);
            if (!emit.Publish()) return Status::Ok();
          }
        });
  }
  // Kept from event to event, so that a source may reuse their memory.
  Event event;
  Event recorded;
  std::string context;
  Appender::IdPrefetch prefetch;
  // Sets *next and the context and prefetch that go with it. The event appended before goes back
  // to the reading thread, which frees its strings there, where they were allocated.
  auto read_next = [&](Event* next, bool* done) {
    if (!ahead) return source(next, &context, done);
    ReadEvent* read = nullptr;
    KASSE_RETURN_IF_ERROR(ahead->NextInPlace(&read, done));
    if (*done) return Status::Ok();
    swap(*next, read->event);  // hands the reading thread back this event's memory
    context.swap(read->context);
    prefetch = read->prefetch;
    return Status::Ok();
  };
  while (true) {
    bool done = false;
    KASSE_RETURN_IF_ERROR(read_next(&event, &done));
    if (done) break;
    uint64_t recorded_seq = 0;
    Status found = appender.FindId(event.id, ahead ? &prefetch : nullptr, &recorded_seq, &recorded);
    if (found.ok()) {
      bool same = false;
      KASSE_RETURN_IF_ERROR(
          CheckRepeatedId(event, recorded, recorded_seq, &same).WithContext(context));
      ++summary->already_present;
      continue;
    }
    if (found.code() != Status::Code::kNotFound) return found.WithContext(context);
    if (auto* seal = std::get_if<AuditSealed>(&event.body)) {
      // Only committed events have a hash that a seal can rely on.
      KASSE_RETURN_IF_ERROR(CheckSeal(*ledger, *seal).WithContext(context));
    }
    event.seq = ledger->head_seq() + appender.appended_count() + 1;
    KASSE_RETURN_IF_ERROR(books.Add(event, lookup).WithContext(context));
    if (summary->first_seq == 0) summary->first_seq = event.seq;
    summary->last_seq = event.seq;
    summary->last_id = event.id;
    ++summary->appended;
    KASSE_RETURN_IF_ERROR(appender.Append(&event).WithContext(context));
    if (books.state_held_bytes() > state_bytes_max) {
      KASSE_RETURN_IF_ERROR(books
                                .TakeChanges([&appender](StateChanges changes) {
                                  return appender.WriteStateAhead(changes);
                                })
                                .WithContext(context));
    }
  }
  if (dry_run || summary->appended == 0) return Status::Ok();  // the Appender aborts
  return appender.Commit(books.Changes());
}

}  // namespace kasse::cli
