// Books: all projections folded together, and the ledger's referential rules, which need their
// state. One Add() per event checks every rule first and folds only an event that passes, so a
// refused event leaves no trace.
//
// Own state besides the projections': "closed/<year>" -> seq of the year.closed event;
// "reversed/<id>" -> seq of the reversal. Receipts and tax data: projections/receipts.h.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "ledger/event.h"
#include "ledger/store.h"
#include "projections/state_cache.h"

namespace kasse {

// Finds an earlier event by client id; NotFound when there is none.
using EventLookup = std::function<Status(std::string_view id, Event* event)>;

// What the projections keep changes between kasse versions, and `kasse replay` rebuilds them.
// The version is kept in the state under kProjectionsVersionKey; without it, version 1.
//   1  kasse 0.2: members, statement lines, chart, reversals, closed years
//   2  kasse 0.3: donations that need a formal receipt (projections/statement.h)
inline constexpr int64_t kProjectionsVersion = 2;
inline constexpr char kProjectionsVersionKey[] = "meta/projections_version";

// Ok when the stored projections are of this kasse's version, or when there are no events yet.
// Rejected, saying to run `kasse replay` (or to upgrade kasse), otherwise.
Status CheckProjectionsVersion(const StateView& state, uint64_t head_seq);

class Books {
 public:
  // With a ledger: state is read from it as needed (see StateCache::Backing; a replay's ledger
  // starts empty). With nullptr: a fresh fold held in memory (verify, reports of the past).
  // Every fold stamps the state with kProjectionsVersion.
  explicit Books(const Ledger* backing,
                 StateCache::Backing kind = StateCache::Backing::kHoldsState);

  // For a replay that leaves out events booked after a date: dues or a donation may be booked
  // before the member's (left out) join, which the rules allow, so that check is skipped.
  void set_booking_cut(bool cut) { booking_cut_ = cut; }

  // Checks `event` (which carries its seq) against the rules of the contract and folds it.
  // Rejected, naming the field, when it breaks a rule; then nothing was folded.
  Status Add(const Event& event, const EventLookup& lookup);

  // Views valid until the next Add (see StateCache::Changes).
  SortedState Changes() const { return cache_.Changes(); }
  // For books with a backing ledger, to bound their memory: see StateCache.
  Status TakeChanges(const std::function<Status(StateChanges)>& write) {
    return cache_.TakeChanges(write);
  }
  size_t state_held_bytes() const { return cache_.held_bytes(); }
  // The state in key order; views valid until the next Add (see StateCache::Sorted).
  SortedState Sorted() const { return cache_.Sorted(); }
  // The digest of the state under `key` (see StateCache::Digest).
  SetDigest StateDigest(const SipKey& key) const { return cache_.Digest(key); }

 private:
  Status CheckOpenYear(const Event& event);
  Status AddMoneyEvent(const Event& event);
  Status AddReversal(const Event& event, const EntryReversed& body, const EventLookup& lookup);
  Status AddYearClosed(const Event& event, const YearClosed& body);
  Status CheckDatevAccountMapped(const DatevAccountMapped& body);
  Status AddReceiptIssued(const Event& event, const ReceiptIssued& body, const EventLookup& lookup);

  StateCache cache_;
  bool booking_cut_ = false;
};

// Which part of the history a replay folds: the events up to `last_seq` (what had been recorded
// then) that are booked on or before `booked_by` (what had happened by then). Category
// definitions are not bookings: they count whatever their date.
struct HistoryCut {
  uint64_t last_seq = UINT64_MAX;
  int32_t booked_by_yyyymmdd = INT32_MAX;
};

// Folds the events of `ledger` within `cut` into fresh books, checking every rule again, in
// bounded memory (the state of the projections, not the events, is held).
Status Replay(const Ledger& ledger, const HistoryCut& cut, Books* books, uint64_t* events_count);
// Folds one event of `ledger`, given in seq order, into `books` as Replay does; *counted is
// whether it fell within `cut`. The event that `event` names is taken from `named` when that
// is not null (Ledger::NamedEvents::kReadAhead) and looked up in `ledger` otherwise.
Status ReplayEvent(const Ledger& ledger, const HistoryCut& cut, const Event& event,
                   const Ledger::NamedEvent* named, Books* books, bool* counted);

// Compares the stored projection state with `replayed` (a fold of every event); Corruption naming
// the first key that differs.
Status CompareWithStored(const Ledger& ledger, const Books& replayed);

// The seq of the reversal of the event with client id `id`; *found false when not reversed.
Status FindReversal(const StateView& state, const std::string& id, uint64_t* seq, bool* found);

// True when a year.closed event closed `year`.
Status IsYearClosed(const StateView& state, int32_t year, bool* closed);

}  // namespace kasse
