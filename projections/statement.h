// The charity-law income/expense statement by sphere, per year: a fold over the money events
// (dues, donations, income, expenses) and their reversals. Spending by category is the expense
// side of the same fold.
//
// Each event counts in the year of its booking date (cash basis); a reversal counts, negated, in
// the year of its own date. State:
//   "statement/<year>/<category>\x1f<detail>"  two int64: amount in cents, number of bookings
// where detail splits a line for the layout: dues "one_year"/"multi_year", donations
// "money"/"in_kind", otherwise empty.
//   "donation/<year>/<seq, 20 digits>"  three int64: amount in cents, kind (DonationKind), seq of
//                                        its reversal (0 when none); then the event's client id
//   "donation_count/<year>"              one int64: how many of those are not reversed
//   "donation_receipted/<year>"          one int64: how many of those not reversed have a
//                                        receipt (receipt.issued, projections/receipts.h)
// Kept only for the donations above the simplified-proof limit of their year (§ 50 (4) EStDV,
// projections/legal_limits), which need a formal receipt, so that the check can name them without
// reading every donation; the year is the donation's booking year, also after a reversal.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "ledger/store.h"
#include "projections/state_cache.h"

namespace kasse {

// Folds a money event into its year's line. The caller has checked category and member.
Status FoldMoneyEvent(StateCache& cache, const Event& event, std::string_view category);
// Folds `reversal`, which negates `original` (a money event), in the year of the reversal.
Status FoldReversal(StateCache& cache, const Event& reversal, const Event& original,
                    std::string_view category);

// A receipt covers `donation` (delta 1), or a receipted donation is reversed (delta -1): counted
// when the donation is above the simplified-proof limit, like "donation/" entries.
Status CountReceiptedDonation(StateCache& cache, const Event& donation, int64_t delta);

// The category a money event is booked to: dues and donations have fixed ones.
// The view points into `body` or to a constant.
std::string_view CategoryOfMoneyEvent(const EventBody& body);

struct StatementDetail {
  std::string detail;  // "one_year", "multi_year", "money", "in_kind" or ""
  int64_t amount_cents = 0;
  int64_t bookings = 0;
};

struct StatementLine {
  Direction direction = Direction::kExpense;
  Sphere sphere = Sphere::kIdeal;
  std::string group;
  std::string category;
  int64_t amount_cents = 0;
  int64_t bookings = 0;
  std::vector<StatementDetail> details;
};

struct SphereTotals {
  int64_t total_cents = 0;
  std::array<int64_t, kSphereCount> by_sphere_cents{};
};

struct Statement {
  int32_t year = 0;
  // Every category of the chart, income first, then by sphere, then in chart order.
  std::vector<StatementLine> lines;
  SphereTotals income;
  SphereTotals expenses;
  SphereTotals result;  // income minus expenses
};

// A donation as the statement projection keeps it.
struct DonationEntry {
  uint64_t seq = 0;
  std::string id;
  int64_t amount_cents = 0;
  DonationKind kind = DonationKind::kMoney;
  uint64_t reversed_by_seq = 0;  // 0 when not reversed
};

// The donations booked in `year` above the simplified-proof limit, not reversed and without a
// receipt: their number, and the first `listed_max` of them in seq order. *receipted_count: how
// many more (above the limit, not reversed) have a receipt.
Status ReadDonationsNeedingReceipts(const StateView& state, int32_t year, size_t listed_max,
                                    std::vector<DonationEntry>* listed, int64_t* count,
                                    int64_t* receipted_count);

// The years that have any booking in the statement projection, ascending.
Status ReadStatementYears(const StateView& state, std::vector<int32_t>* years);

// Reads the statement of `year` from the stored projection (a few keys, not the log).
Status ReadStatement(const StateView& state, int32_t year, Statement* statement);

}  // namespace kasse
