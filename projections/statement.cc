#include "projections/statement.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <iterator>
#include <map>

#include "ledger/money.h"
#include "projections/chart.h"
#include "projections/legal_limits.h"
#include "projections/receipts.h"

namespace kasse {

namespace {

constexpr char kPrefix[] = "statement/";
constexpr char kDetailSeparator = '\x1f';
constexpr char kDonationPrefix[] = "donation/";
constexpr char kDonationCountPrefix[] = "donation_count/";
constexpr char kDonationReceiptedPrefix[] = "donation_receipted/";
constexpr size_t kDonationFields = 3;  // amount, kind, reversal seq; then the id

std::string YearPrefix(int32_t year) {
  return fmt::format("{}{:04}/", kPrefix, year);
}

std::string_view DetailOf(const EventBody& body) {
  if (auto* dues = std::get_if<DuesPaid>(&body)) {
    return dues->covers_first_year == dues->covers_last_year ? "one_year" : "multi_year";
  }
  if (auto* donation = std::get_if<DonationReceived>(&body)) {
    return DonationKindName(donation->kind);
  }
  return "";
}

// Every money event adds to a line: the key is built in fmt's inline buffer and the value
// decoded and encoded on the stack, so that the fold does not allocate.
Status AddToLine(StateCache& cache, int32_t year, std::string_view category,
                 std::string_view detail, int64_t amount_cents) {
  fmt::memory_buffer key_bytes;
  fmt::format_to(std::back_inserter(key_bytes), FMT_COMPILE("{}{:04}/{}{}{}"), kPrefix, year,
                 category, kDetailSeparator, detail);
  const std::string_view key(key_bytes.data(), key_bytes.size());
  StateCache::Place place;
  std::string_view value;
  bool found = false;
  KASSE_RETURN_IF_ERROR(cache.FindPlace(key, &place, &value, &found));
  std::array<int64_t, 2> fields = {0, 0};  // sum in cents, bookings
  if (found && !DecodeInt64s(value, fields)) {
    return Status::Corruption(fmt::format("stored statement line {} is damaged", key));
  }
  if (!AddCents(fields[0], amount_cents, &fields[0])) {
    return Status::Rejected(fmt::format("the sum of \"{}\" in {} would overflow", category, year));
  }
  fields[1] += 1;
  cache.Put(place, Int64sBytes<2>(fields).view());
  return Status::Ok();
}

std::string DonationYearPrefix(int32_t year) {
  return fmt::format("{}{:04}/", kDonationPrefix, year);
}

// Above the simplified-proof limit of its year, a donation needs a formal receipt.
bool NeedsFormalReceipt(const Event& donation) {
  const auto& body = std::get<DonationReceived>(donation.body);
  const LegalFigure* limit =
      FindLegalFigure(LegalRule::kSimplifiedDonationProof, donation.date.year);
  return limit != nullptr && body.amount_cents > limit->amount_cents;
}

Status AddToDonationCount(StateCache& cache, const char* prefix, int32_t year, int64_t delta) {
  fmt::memory_buffer key_bytes;
  fmt::format_to(std::back_inserter(key_bytes), FMT_COMPILE("{}{:04}"), prefix, year);
  const std::string_view key(key_bytes.data(), key_bytes.size());
  StateCache::Place place;
  std::string_view value;
  bool found = false;
  KASSE_RETURN_IF_ERROR(cache.FindPlace(key, &place, &value, &found));
  std::array<int64_t, 1> count = {0};
  if (found && !DecodeInt64s(value, count)) {
    return Status::Corruption(fmt::format("stored donation count {} is damaged", key));
  }
  count[0] += delta;
  assert(count[0] >= 0);  // a reversal only ever takes back a counted donation
  cache.Put(place, Int64sBytes<1>(count).view());
  return Status::Ok();
}

// Writes the whole entry each time: a reversal sets its seq on the donation's entry.
Status PutDonation(StateCache& cache, const Event& donation, uint64_t reversed_by_seq) {
  if (!NeedsFormalReceipt(donation)) return Status::Ok();
  KASSE_RETURN_IF_ERROR(AddToDonationCount(cache, kDonationCountPrefix, donation.date.year,
                                           reversed_by_seq == 0 ? 1 : -1));
  const auto& body = std::get<DonationReceived>(donation.body);
  const std::string key =
      fmt::format(FMT_COMPILE("{}{:020}"), DonationYearPrefix(donation.date.year), donation.seq);
  cache.Put(key, EncodeInt64s({body.amount_cents, static_cast<int64_t>(body.kind),
                               static_cast<int64_t>(reversed_by_seq)}) +
                     donation.id);
  return Status::Ok();
}

Status AddTotals(SphereTotals* totals, Sphere sphere, int64_t amount_cents) {
  int64_t& by_sphere = totals->by_sphere_cents[static_cast<size_t>(sphere)];
  if (!AddCents(totals->total_cents, amount_cents, &totals->total_cents) ||
      !AddCents(by_sphere, amount_cents, &by_sphere)) {
    return Status::Rejected("a statement total would overflow");
  }
  return Status::Ok();
}

}  // namespace

std::string_view CategoryOfMoneyEvent(const EventBody& body) {
  if (std::holds_alternative<DuesPaid>(body)) return kDuesCategory;
  if (std::holds_alternative<DonationReceived>(body)) return kDonationsCategory;
  if (auto* income = std::get_if<IncomeReceived>(&body)) return income->category;
  if (auto* expense = std::get_if<ExpensePaid>(&body)) return expense->category;
  return "";
}

Status CountReceiptedDonation(StateCache& cache, const Event& donation, int64_t delta) {
  if (!NeedsFormalReceipt(donation)) return Status::Ok();
  return AddToDonationCount(cache, kDonationReceiptedPrefix, donation.date.year, delta);
}

Status FoldMoneyEvent(StateCache& cache, const Event& event, std::string_view category) {
  const std::optional<int64_t> amount_cents = MoneyAmountCents(event.body);
  if (!amount_cents) return Status::Rejected("not a money event");
  if (std::holds_alternative<DonationReceived>(event.body)) {
    KASSE_RETURN_IF_ERROR(PutDonation(cache, event, 0));
  }
  return AddToLine(cache, event.date.year, category, DetailOf(event.body), *amount_cents);
}

Status FoldReversal(StateCache& cache, const Event& reversal, const Event& original,
                    std::string_view category) {
  const std::optional<int64_t> amount_cents = MoneyAmountCents(original.body);
  if (!amount_cents) return Status::Rejected("not a money event");
  if (std::holds_alternative<DonationReceived>(original.body)) {
    KASSE_RETURN_IF_ERROR(PutDonation(cache, original, reversal.seq));
  }
  return AddToLine(cache, reversal.date.year, category, DetailOf(original.body), -*amount_cents);
}

namespace {

// A count kept under `prefix` for `year`; 0 when absent.
Status ReadDonationCount(const StateView& state, const char* prefix, int32_t year, int64_t* count) {
  *count = 0;
  const std::string key = fmt::format("{}{:04}", prefix, year);
  std::string value;
  Status found = state.get(key, &value);
  if (found.code() == Status::Code::kNotFound) return Status::Ok();
  KASSE_RETURN_IF_ERROR(found);
  std::vector<int64_t> fields;
  if (!DecodeInt64s(value, 1, &fields) || fields[0] < 0) {
    return Status::Corruption(fmt::format("stored donation count {} is damaged", key));
  }
  *count = fields[0];
  return Status::Ok();
}

}  // namespace

Status ReadDonationsNeedingReceipts(const StateView& state, int32_t year, size_t listed_max,
                                    std::vector<DonationEntry>* listed, int64_t* count,
                                    int64_t* receipted_count) {
  listed->clear();
  int64_t not_reversed = 0;
  KASSE_RETURN_IF_ERROR(ReadDonationCount(state, kDonationCountPrefix, year, &not_reversed));
  KASSE_RETURN_IF_ERROR(ReadDonationCount(state, kDonationReceiptedPrefix, year, receipted_count));
  if (*receipted_count > not_reversed) {
    return Status::Corruption(fmt::format("stored donation counts of {} are damaged", year));
  }
  *count = not_reversed - *receipted_count;
  if (*count == 0 || listed_max == 0) return Status::Ok();
  const std::string prefix = DonationYearPrefix(year);
  const Status enough = Status::NotFound("listed enough");  // ends the scan early
  Status scanned = state.for_each(prefix, [&](std::string_view key, std::string_view value) {
    const std::string_view seq_text = key.substr(prefix.size());
    std::vector<int64_t> fields;
    const size_t fixed_bytes = kDonationFields * 8;
    if (seq_text.size() != 20 || seq_text.find_first_not_of("0123456789") != std::string::npos ||
        value.size() < fixed_bytes ||
        !DecodeInt64s(value.substr(0, fixed_bytes), kDonationFields, &fields) || fields[1] < 0 ||
        fields[1] > static_cast<int64_t>(DonationKind::kInKind)) {
      return Status::Corruption(fmt::format("stored donation {} is damaged", key));
    }
    if (fields[2] != 0) return Status::Ok();  // reversed
    const std::string id(value.substr(fixed_bytes));
    ReceiptOfDonation receipt;
    bool receipted = false;
    KASSE_RETURN_IF_ERROR(FindReceiptOfDonation(state, id, &receipt, &receipted));
    if (receipted) return Status::Ok();
    listed->push_back({.seq = std::stoull(std::string(seq_text)),
                       .id = id,
                       .amount_cents = fields[0],
                       .kind = static_cast<DonationKind>(fields[1]),
                       .reversed_by_seq = 0});
    return listed->size() < listed_max ? Status::Ok() : enough;
  });
  if (scanned.code() == Status::Code::kNotFound && scanned.message() == enough.message()) {
    return Status::Ok();
  }
  return scanned;
}

Status ReadStatementYears(const StateView& state, std::vector<int32_t>* years) {
  years->clear();
  return state.for_each(kPrefix, [&](std::string_view key, std::string_view) {
    const std::string_view year_text = key.substr(sizeof(kPrefix) - 1, 4);
    if (year_text.size() != 4 || year_text.find_first_not_of("0123456789") != std::string::npos) {
      return Status::Corruption(fmt::format("stored statement line {} is damaged", key));
    }
    const int32_t year = std::stoi(std::string(year_text));
    if (years->empty() || years->back() != year) years->push_back(year);
    return Status::Ok();
  });
}

Status ReadStatement(const StateView& state, int32_t year, Statement* statement) {
  *statement = Statement();
  statement->year = year;
  std::vector<CategoryInfo> chart;
  KASSE_RETURN_IF_ERROR(ReadChart(state, &chart));
  std::map<std::string, std::vector<StatementDetail>> booked;
  const std::string prefix = YearPrefix(year);
  KASSE_RETURN_IF_ERROR(state.for_each(prefix, [&](std::string_view key, std::string_view value) {
    const std::string_view rest = key.substr(prefix.size());
    const size_t separator = rest.find(kDetailSeparator);
    std::vector<int64_t> fields;
    if (separator == std::string_view::npos || !DecodeInt64s(value, 2, &fields)) {
      return Status::Corruption(fmt::format("stored statement line {} is damaged", key));
    }
    booked[std::string(rest.substr(0, separator))].push_back(
        {std::string(rest.substr(separator + 1)), fields[0], fields[1]});
    return Status::Ok();
  }));
  for (const CategoryInfo& category : chart) {
    StatementLine line;
    line.direction = category.direction;
    line.sphere = category.sphere;
    line.group = category.group;
    line.category = category.name;
    auto it = booked.find(category.name);
    if (it != booked.end()) {
      line.details = std::move(it->second);
      booked.erase(it);
    }
    for (const StatementDetail& detail : line.details) {
      if (!AddCents(line.amount_cents, detail.amount_cents, &line.amount_cents)) {
        return Status::Rejected("a statement line would overflow");
      }
      line.bookings += detail.bookings;
    }
    SphereTotals& totals =
        category.direction == Direction::kIncome ? statement->income : statement->expenses;
    KASSE_RETURN_IF_ERROR(AddTotals(&totals, category.sphere, line.amount_cents));
    const int64_t signed_cents =
        category.direction == Direction::kIncome ? line.amount_cents : -line.amount_cents;
    KASSE_RETURN_IF_ERROR(AddTotals(&statement->result, category.sphere, signed_cents));
    statement->lines.push_back(std::move(line));
  }
  if (!booked.empty()) {
    return Status::Corruption(
        fmt::format("the statement of {} has bookings in \"{}\", which the "
                    "chart does not define",
                    year, booked.begin()->first));
  }
  std::stable_sort(statement->lines.begin(), statement->lines.end(),
                   [](const StatementLine& a, const StatementLine& b) {
                     return std::pair(a.direction, a.sphere) < std::pair(b.direction, b.sphere);
                   });
  return Status::Ok();
}

}  // namespace kasse
