#include "projections/books.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include "projections/chart.h"
#include "projections/members.h"
#include "projections/receipts.h"
#include "projections/statement.h"

namespace kasse {

namespace {

std::string ClosedKey(int32_t year) {
  return fmt::format(FMT_COMPILE("closed/{:04}"), year);
}
std::string ReversedKey(const std::string& id) {
  return "reversed/" + id;
}

}  // namespace

Status Books::Add(const Event& event, const EventLookup& lookup) {
  KASSE_RETURN_IF_ERROR(CheckOpenYear(event));
  switch (TypeOf(event.body)) {
    case EventType::kCategoryDefined:
      return FoldCategoryDefined(cache_, event, std::get<CategoryDefined>(event.body));
    case EventType::kMemberJoined:
    case EventType::kMemberChanged:
    case EventType::kMemberLeft:
      return FoldMemberEvent(cache_, event);
    case EventType::kDuesPaid:
    case EventType::kDonationReceived:
    case EventType::kIncomeReceived:
    case EventType::kExpensePaid:
      return AddMoneyEvent(event);
    case EventType::kEntryReversed:
      return AddReversal(event, std::get<EntryReversed>(event.body), lookup);
    case EventType::kYearClosed:
      return AddYearClosed(event, std::get<YearClosed>(event.body));
    case EventType::kAuditSealed:
      // The sealed hash is checked by the ledger (RecordEvents, VerifyChain); nothing to fold.
      if (std::get<AuditSealed>(event.body).covers_seq >= event.seq) {
        return Status::Rejected("field \"covers_seq\": a seal can cover only earlier events");
      }
      return Status::Ok();
    case EventType::kDatevAccountMapped:
      return CheckDatevAccountMapped(std::get<DatevAccountMapped>(event.body));
    case EventType::kTaxDataRecorded:
      return FoldTaxDataRecorded(cache_, event);
    case EventType::kReceiptIssued:
      return AddReceiptIssued(event, std::get<ReceiptIssued>(event.body), lookup);
  }
  return Status::Rejected("unknown event type");
}

// Nothing to fold: the DATEV export reads the mappings from the log. A mapping of a category that
// does not exist would never apply, which is most likely a typo.
Status Books::CheckDatevAccountMapped(const DatevAccountMapped& body) {
  std::optional<CategoryInfo> info;
  KASSE_RETURN_IF_ERROR(LookupCategory(cache_, body.category, &info));
  if (!info) {
    return Status::Rejected(
        fmt::format("field \"category\": \"{}\" is not a category of the chart", body.category));
  }
  return Status::Ok();
}

// Looks up the listed donations with their reversals; the receipts projection checks the rest.
Status Books::AddReceiptIssued(const Event& event, const ReceiptIssued& body,
                               const EventLookup& lookup) {
  std::vector<ListedDonation> donations(body.donations.size());
  for (size_t i = 0; i < body.donations.size(); ++i) {
    const std::string& id = body.donations[i];
    Status found = lookup(id, &donations[i].event);
    if (found.code() == Status::Code::kNotFound) {
      return Status::Rejected(
          fmt::format("field \"donations\": no event with id \"{}\" was recorded", id));
    }
    KASSE_RETURN_IF_ERROR(found);
    std::string value;
    bool reversed = false;
    KASSE_RETURN_IF_ERROR(cache_.Get(ReversedKey(id), &value, &reversed));
    std::vector<int64_t> fields;
    if (reversed && !DecodeInt64s(value, 1, &fields)) {
      return Status::Corruption(fmt::format("stored reversal of \"{}\" is damaged", id));
    }
    if (reversed) donations[i].reversed_by_seq = static_cast<uint64_t>(fields[0]);
  }
  return CheckAndFoldReceiptIssued(cache_, event, donations);
}

Status Books::CheckOpenYear(const Event& event) {
  std::string_view value;
  bool closed = false;
  KASSE_RETURN_IF_ERROR(cache_.Find(ClosedKey(event.date.year), &value, &closed));
  if (!closed) return Status::Ok();
  return Status::Rejected(fmt::format(
      "field \"date\": the year {} is closed (year.closed); nothing dated in it can be recorded. "
      "Correct an entry with a reversal (entry.reversed) dated in an open year",
      event.date.year));
}

Status Books::AddMoneyEvent(const Event& event) {
  const std::string_view category = CategoryOfMoneyEvent(event.body);
  std::optional<Direction> direction;
  KASSE_RETURN_IF_ERROR(LookupCategoryDirection(cache_, category, &direction));
  if (!direction) {
    return Status::Rejected(
        fmt::format("field \"category\": \"{}\" is not a category of the chart", category));
  }
  const Direction wanted =
      std::holds_alternative<ExpensePaid>(event.body) ? Direction::kExpense : Direction::kIncome;
  if (*direction != wanted) {
    return Status::Rejected(
        fmt::format("field \"category\": \"{}\" is an {} category, not an {} one", category,
                    DirectionName(*direction), DirectionName(wanted)));
  }
  std::string_view member;
  if (auto* dues = std::get_if<DuesPaid>(&event.body)) member = dues->member;
  if (auto* donation = std::get_if<DonationReceived>(&event.body)) member = donation->member;
  if (!member.empty() && !booking_cut_) {
    bool joined = false;
    KASSE_RETURN_IF_ERROR(MemberEverJoined(cache_, member, &joined));
    if (!joined) {
      return Status::Rejected(fmt::format("field \"member\": \"{}\" never joined", member));
    }
  }
  return FoldMoneyEvent(cache_, event, category);
}

Status Books::AddReversal(const Event& event, const EntryReversed& body,
                          const EventLookup& lookup) {
  Event original;
  Status found = lookup(body.reverses, &original);
  if (found.code() == Status::Code::kNotFound) {
    return Status::Rejected(
        fmt::format("field \"reverses\": no event with id \"{}\" was recorded", body.reverses));
  }
  KASSE_RETURN_IF_ERROR(found);
  if (!MoneyAmountCents(original.body)) {
    return Status::Rejected(fmt::format(
        "field \"reverses\": \"{}\" is a {} event; only money events (dues, donations, income, "
        "expenses) can be reversed",
        body.reverses, TypeName(TypeOf(original.body))));
  }
  std::string value;
  bool reversed = false;
  const std::string key = ReversedKey(body.reverses);
  KASSE_RETURN_IF_ERROR(cache_.Get(key, &value, &reversed));
  if (reversed) {
    return Status::Rejected(
        fmt::format("field \"reverses\": \"{}\" is already reversed", body.reverses));
  }
  if (event.date < original.date) {
    return Status::Rejected(
        fmt::format("field \"date\": a reversal cannot be dated before the entry it reverses ({})",
                    FormatDate(original.date)));
  }
  KASSE_RETURN_IF_ERROR(FoldReversal(cache_, event, original, CategoryOfMoneyEvent(original.body)));
  KASSE_RETURN_IF_ERROR(FoldReversalOfReceipted(cache_, event, original));
  cache_.Put(key, EncodeInt64s({static_cast<int64_t>(event.seq)}));
  return Status::Ok();
}

Status Books::AddYearClosed(const Event& event, const YearClosed& body) {
  std::string value;
  bool closed = false;
  KASSE_RETURN_IF_ERROR(cache_.Get(ClosedKey(body.year), &value, &closed));
  if (closed) {
    return Status::Rejected(fmt::format("field \"year\": {} is already closed", body.year));
  }
  if (event.date.year <= body.year) {
    return Status::Rejected(
        fmt::format("field \"date\": the year {} can be closed only after it has ended (date {})",
                    body.year, FormatDate(event.date)));
  }
  cache_.Put(ClosedKey(body.year), EncodeInt64s({static_cast<int64_t>(event.seq)}));
  return Status::Ok();
}

Books::Books(const Ledger* backing, StateCache::Backing kind) : cache_(backing, kind) {
  cache_.Put(kProjectionsVersionKey, EncodeInt64s({kProjectionsVersion}));
}

Status CheckProjectionsVersion(const StateView& state, uint64_t head_seq) {
  if (head_seq == 0) return Status::Ok();
  std::string value;
  Status found = state.get(kProjectionsVersionKey, &value);
  std::vector<int64_t> version = {1};
  if (found.ok()) {
    if (!DecodeInt64s(value, 1, &version)) {
      return Status::Corruption(
          "the stored projections version is damaged; kasse replay "
          "rebuilds the projections");
    }
  } else if (found.code() != Status::Code::kNotFound) {
    return found;
  }
  if (version[0] < kProjectionsVersion) {
    return Status::Rejected(fmt::format(
        "the projections were built by an older kasse (projections version {}, this kasse keeps "
        "version {}): run `kasse replay` once to rebuild them from the log",
        version[0], kProjectionsVersion));
  }
  if (version[0] > kProjectionsVersion) {
    return Status::Rejected(fmt::format(
        "the projections were built by a newer kasse (projections version {}, this kasse knows "
        "up to {}): upgrade kasse",
        version[0], kProjectionsVersion));
  }
  return Status::Ok();
}

Status ReplayEvent(const Ledger& ledger, const HistoryCut& cut, const Event& event,
                   const Ledger::NamedEvent* named, Books* books, bool* counted) {
  *counted = false;
  const uint64_t seq = event.seq;
  // The chart is structure, not a booking: a category counts from its recording on.
  const bool is_booking = !std::holds_alternative<CategoryDefined>(event.body);
  if (is_booking && event.date.yyyymmdd() > cut.booked_by_yyyymmdd) return Status::Ok();
  // Only events before this one existed when it was recorded. The rules compare personal data
  // only when the replayed event carries its own (CheckOneDonor); a replay reads without it.
  auto lookup = [&ledger, &event, seq, named](std::string_view id, Event* found) {
    if (named != nullptr && named->id == id) {
      if (named->status.ok()) *found = named->event;
      return named->status;
    }
    return ledger.FindEventBefore(id, seq, event.personal.has_value(), found);
  };
  Status added = books->Add(event, lookup);
  if (!added.ok()) {
    return Status::Corruption(
        fmt::format("event seq {} (id \"{}\") breaks a rule: {}", seq, event.id, added.message()));
  }
  *counted = true;
  return Status::Ok();
}

Status Replay(const Ledger& ledger, const HistoryCut& cut, Books* books, uint64_t* events_count) {
  *events_count = 0;
  books->set_booking_cut(cut.booked_by_yyyymmdd != INT32_MAX);
  const auto visit = [&](const Ledger::EventRecord& record) {
    bool counted = false;
    KASSE_RETURN_IF_ERROR(ReplayEvent(ledger, cut, record.event, record.named, books, &counted));
    if (counted) ++*events_count;
    return Status::Ok();
  };
  return ledger.ForEachEvent(1, cut.last_seq, /*with_personal=*/false, visit,
                             Ledger::NamedEvents::kReadAhead, Ledger::StoredBytes::kSkipped);
}

Status CompareWithStored(const Ledger& ledger, const Books& replayed) {
  const SortedState fresh = replayed.Sorted();
  auto next = fresh.begin();
  KASSE_RETURN_IF_ERROR(ledger.ForEachState("", [&](std::string_view key, std::string_view value) {
    if (next == fresh.end() || key < next->first) {
      return Status::Corruption(
          fmt::format("stored projection key \"{}\" does not come out of a fresh replay", key));
    }
    if (next->first < key) {
      return Status::Corruption(
          fmt::format("projection key \"{}\" of a fresh replay is not stored", next->first));
    }
    if (next->second != value) {
      return Status::Corruption(
          fmt::format("stored projection key \"{}\" differs from a fresh replay", key));
    }
    ++next;
    return Status::Ok();
  }));
  if (next != fresh.end()) {
    return Status::Corruption(
        fmt::format("projection key \"{}\" of a fresh replay is not stored", next->first));
  }
  return Status::Ok();
}

Status FindReversal(const StateView& state, const std::string& id, uint64_t* seq, bool* found) {
  std::string value;
  Status status = state.get(ReversedKey(id), &value);
  *found = status.ok();
  if (status.code() == Status::Code::kNotFound) return Status::Ok();
  KASSE_RETURN_IF_ERROR(status);
  std::vector<int64_t> fields;
  if (!DecodeInt64s(value, 1, &fields)) {
    return Status::Corruption(fmt::format("stored reversal of \"{}\" is damaged", id));
  }
  *seq = static_cast<uint64_t>(fields[0]);
  return Status::Ok();
}

Status IsYearClosed(const StateView& state, int32_t year, bool* closed) {
  std::string value;
  Status status = state.get(ClosedKey(year), &value);
  *closed = status.ok();
  return status.code() == Status::Code::kNotFound ? Status::Ok() : status;
}

}  // namespace kasse
