#include "cli/legal_checks.h"

#include <fmt/format.h>

#include "ledger/money.h"
#include "projections/legal_limits.h"
#include "projections/receipts.h"

namespace kasse::cli {

namespace {

// Bounds the length of a message, however many years or donations a ledger has.
constexpr size_t kListedItemsMax = 20;

std::string Euro(int64_t amount_cents) {
  return FormatAmountGerman(amount_cents) + " EUR";
}

size_t SphereIndex(Sphere sphere) {
  return static_cast<size_t>(sphere);
}

StatementCheck NoFigure(const char* code, const char* what, int32_t year) {
  return {code, "info",
          fmt::format("{}: kasse knows no legal figure for {}; not checked.", what, year)};
}

StatementCheck CommercialIncomeCheck(const Statement& statement) {
  const LegalFigure* limit = FindLegalFigure(LegalRule::kCommercialIncomeLimit, statement.year);
  if (limit == nullptr) {
    return NoFigure("commercial_income", "§ 64 (3) AO", statement.year);
  }
  const int64_t income_cents = statement.income.by_sphere_cents[SphereIndex(Sphere::kCommercial)];
  const bool above = income_cents > limit->amount_cents;
  std::string message = fmt::format(
      "{}: the income of the commercial sphere (wirtschaftlicher Geschäftsbetrieb, including VAT "
      "as booked) is {} in {}, {} the limit of {}",
      limit->paragraph, Euro(income_cents), statement.year, above ? "above" : "not above",
      Euro(limit->amount_cents));
  message += above ? ": its profit is subject to corporation and trade tax." : ".";
  return {"commercial_income", above ? "warning" : "info", message, income_cents};
}

// The years from the first booked one up to `year`, each with its totals.
Status YearsUpTo(const StateView& state, int32_t year, std::vector<YearFunds>* funds) {
  funds->clear();
  std::vector<int32_t> booked;
  KASSE_RETURN_IF_ERROR(ReadStatementYears(state, &booked));
  const int32_t first = booked.empty() ? year : std::min(booked.front(), year);
  for (int32_t y = first; y <= year; ++y) {
    Statement statement;
    KASSE_RETURN_IF_ERROR(ReadStatement(state, y, &statement));
    funds->push_back({y, statement.income.total_cents, statement.expenses.total_cents});
  }
  return Status::Ok();
}

// One entry of the overview: "2022: income 120.000,00 EUR, used 55.804,89 EUR by the end of
// 2022, still to use 64.195,11 EUR by 31.12.2024".
std::string TrancheText(const FundsTranche& tranche, int32_t year) {
  std::string text = fmt::format("{}: income {}, used {} by the end of {}", tranche.year,
                                 Euro(tranche.income_cents), Euro(tranche.used_cents), year);
  if (tranche.late_cents > 0) {
    text += fmt::format(", NOT USED IN TIME: {} still unused at the end of {}",
                        Euro(tranche.late_cents), tranche.due_year);
  }
  if (tranche.remaining_cents > 0 && tranche.late_cents == 0) {
    text += fmt::format(", still to use {} by 31.12.{}", Euro(tranche.remaining_cents),
                        tranche.due_year);
  }
  return text;
}

// The overview lists the years still open for use (due this year or later) and every year with
// income not used in time; older settled years are left out.
Status TimelyUseOverviewCheck(const StateView& state, const Statement& statement,
                              const std::string& preamble, StatementCheck* check) {
  const LegalFigure* period = FindLegalFigure(LegalRule::kTimelyUsePeriod, statement.year);
  if (period == nullptr) {
    *check = NoFigure("timely_use", "§ 55 (1) Nr. 5 AO", statement.year);
    return Status::Ok();
  }
  std::vector<YearFunds> funds;
  KASSE_RETURN_IF_ERROR(YearsUpTo(state, statement.year, &funds));
  std::vector<FundsTranche> tranches;
  KASSE_RETURN_IF_ERROR(TimelyUseOverview(funds, period->years, &tranches));
  int64_t remaining_cents = 0;
  bool late = false;
  std::vector<std::string> listed;
  size_t left_out = 0;
  for (const FundsTranche& tranche : tranches) {
    if (!AddCents(remaining_cents, tranche.remaining_cents, &remaining_cents)) {
      return Status::Rejected("the funds still to be used would overflow");
    }
    late = late || tranche.late_cents > 0;
    if (tranche.due_year < statement.year && tranche.late_cents == 0) continue;
    if (listed.size() < kListedItemsMax) {
      listed.push_back(TrancheText(tranche, statement.year));
    } else {
      ++left_out;
    }
  }
  std::string message = fmt::format(
      "{} {}: funds must be used by the end of the {} calendar year after the year of receipt. "
      "Oldest income first: {}",
      preamble, period->paragraph, period->years == 2 ? "second" : std::to_string(period->years),
      fmt::join(listed, "; "));
  if (left_out > 0) message += fmt::format("; and {} more years", left_out);
  message += fmt::format(". Still to use in total: {}.", Euro(remaining_cents));
  *check = {"timely_use", late ? "warning" : "info", message, remaining_cents};
  return Status::Ok();
}

Status TimelyUseCheck(const StateView& state, const Statement& statement, StatementCheck* check) {
  const LegalFigure* exemption = FindLegalFigure(LegalRule::kTimelyUseExemption, statement.year);
  const int64_t income_cents = statement.income.total_cents;
  if (exemption != nullptr && income_cents <= exemption->amount_cents) {
    *check = {"timely_use", "info",
              fmt::format("{}: the total income of {} is {}, not above {}: the association need "
                          "not use its funds in time (§ 55 (1) Nr. 5 AO).",
                          exemption->paragraph, statement.year, Euro(income_cents),
                          Euro(exemption->amount_cents))};
    return Status::Ok();
  }
  const std::string preamble =
      exemption == nullptr
          ? fmt::format(
                "Total income of {}: {}; before 2020 every association had to use its "
                "funds in time.",
                statement.year, Euro(income_cents))
          : fmt::format("Total income of {}: {}, above the exemption limit of {} ({}).",
                        statement.year, Euro(income_cents), Euro(exemption->amount_cents),
                        exemption->paragraph);
  return TimelyUseOverviewCheck(state, statement, preamble, check);
}

Status FreeReserveCheck(const Statement& statement, StatementCheck* check) {
  const LegalFigure* asset_share =
      FindLegalFigure(LegalRule::kFreeReserveAssetShare, statement.year);
  const LegalFigure* other_share =
      FindLegalFigure(LegalRule::kFreeReserveOtherFundsShare, statement.year);
  if (asset_share == nullptr || other_share == nullptr) {
    *check = NoFigure("free_reserve", "§ 62 (1) Nr. 3 AO", statement.year);
    return Status::Ok();
  }
  const auto& income = statement.income.by_sphere_cents;
  const int64_t surplus_cents =
      statement.result.by_sphere_cents[SphereIndex(Sphere::kAssetManagement)];
  // The other funds: the income of the ideal sphere, the purpose businesses and the commercial
  // businesses of the year (a simplification: AEAO zu § 62 Nr. 10 takes the profits, not the
  // income, of purpose and commercial businesses; see the README).
  int64_t other_cents = income[SphereIndex(Sphere::kIdeal)];
  int64_t asset_part_cents = 0, other_part_cents = 0, ceiling_cents = 0;
  if (!AddCents(other_cents, income[SphereIndex(Sphere::kPurposeBusiness)], &other_cents) ||
      !AddCents(other_cents, income[SphereIndex(Sphere::kCommercial)], &other_cents)) {
    return Status::Rejected("the funds for the free reserve would overflow");
  }
  KASSE_RETURN_IF_ERROR(ShareCents(surplus_cents, *asset_share, &asset_part_cents));
  KASSE_RETURN_IF_ERROR(ShareCents(other_cents, *other_share, &other_part_cents));
  if (!AddCents(asset_part_cents, other_part_cents, &ceiling_cents)) {
    return Status::Rejected("the ceiling of the free reserve would overflow");
  }
  *check = {"free_reserve", "info",
            fmt::format("{}: the free reserve may take at most {} from {}: {}/{} of the surplus "
                        "of asset management ({}) plus {} % of the income of the other spheres "
                        "({}), each rounded down to the cent.",
                        asset_share->paragraph, Euro(ceiling_cents), statement.year,
                        asset_share->numerator, asset_share->denominator, Euro(surplus_cents),
                        100 * other_share->numerator / other_share->denominator, Euro(other_cents)),
            ceiling_cents};
  return Status::Ok();
}

// § 10b (4) EStG: a receipt that covers a reversed donation is incorrect; the association is
// liable for the tax lost unless it recalls the receipt. "" when there is none.
Status ReceiptRecallsPart(const StateView& state, int32_t year, std::string* part) {
  std::vector<ReceiptRecall> recalls;
  int64_t count = 0;
  KASSE_RETURN_IF_ERROR(ReadReceiptRecalls(state, year, kListedItemsMax, &recalls, &count));
  part->clear();
  if (count == 0) return Status::Ok();
  std::vector<std::string> listed;
  for (const ReceiptRecall& recall : recalls) {
    listed.push_back(fmt::format("receipt {} ({} reversed by seq {})", recall.number,
                                 recall.donation_id, recall.reversal_seq));
  }
  *part = fmt::format(
      " § 10b (4) EStG: {} issued receipt{} cover{} a reversed donation of {} and must be "
      "recalled from the donor: {}{}.",
      count, count == 1 ? "" : "s", count == 1 ? "s" : "", year, fmt::join(listed, ", "),
      static_cast<size_t>(count) > listed.size()
          ? fmt::format(" and {} more", static_cast<size_t>(count) - listed.size())
          : "");
  return Status::Ok();
}

Status DonationReceiptsCheck(const StateView& state, const Statement& statement,
                             StatementCheck* check) {
  const LegalFigure* limit = FindLegalFigure(LegalRule::kSimplifiedDonationProof, statement.year);
  if (limit == nullptr) {
    *check = NoFigure("donation_receipts", "§ 50 (4) EStDV", statement.year);
    return Status::Ok();
  }
  std::vector<DonationEntry> donations;
  int64_t count = 0, receipted_count = 0;
  KASSE_RETURN_IF_ERROR(ReadDonationsNeedingReceipts(state, statement.year, kListedItemsMax,
                                                     &donations, &count, &receipted_count));
  std::vector<std::string> listed;
  for (const DonationEntry& donation : donations) {
    listed.push_back(fmt::format("seq {} ({}, {}{})", donation.seq, donation.id,
                                 Euro(donation.amount_cents),
                                 donation.kind == DonationKind::kInKind ? ", in kind" : ""));
  }
  const std::string receipted =
      receipted_count == 0
          ? ""
          : fmt::format(" {} donation{} above {} already {} one (kasse receipts).", receipted_count,
                        receipted_count == 1 ? "" : "s", Euro(limit->amount_cents),
                        receipted_count == 1 ? "has" : "have");
  std::string message;
  if (count == 0 && receipted_count == 0) {
    message = fmt::format("{}: no donation of {} is above {}; a bank statement suffices as proof.",
                          limit->paragraph, statement.year, Euro(limit->amount_cents));
  } else if (count == 0) {
    message = fmt::format(
        "{}: every donation of {} above {} has a formal receipt "
        "(Zuwendungsbestätigung):{}",
        limit->paragraph, statement.year, Euro(limit->amount_cents), receipted);
  } else {
    message = fmt::format(
        "{}: {} donation{} of {} {} above {} without the formal receipt (Zuwendungsbestätigung) "
        "{} need{}; kasse receipts issues it: {}{}.{}",
        limit->paragraph, count, count == 1 ? "" : "s", statement.year, count == 1 ? "is" : "are",
        Euro(limit->amount_cents), count == 1 ? "it" : "they", count == 1 ? "s" : "",
        fmt::join(listed, ", "),
        static_cast<size_t>(count) > listed.size()
            ? fmt::format(" and {} more", static_cast<size_t>(count) - listed.size())
            : "",
        receipted);
  }
  std::string recalls;
  KASSE_RETURN_IF_ERROR(ReceiptRecallsPart(state, statement.year, &recalls));
  *check = {"donation_receipts", recalls.empty() ? "info" : "warning", message + recalls,
            std::nullopt, count};
  return Status::Ok();
}

}  // namespace

Status AddLegalChecks(const StateView& state, const Statement& statement,
                      std::vector<StatementCheck>* checks) {
  checks->push_back(CommercialIncomeCheck(statement));
  StatementCheck check;
  KASSE_RETURN_IF_ERROR(TimelyUseCheck(state, statement, &check));
  checks->push_back(std::move(check));
  KASSE_RETURN_IF_ERROR(FreeReserveCheck(statement, &check));
  checks->push_back(std::move(check));
  KASSE_RETURN_IF_ERROR(DonationReceiptsCheck(state, statement, &check));
  checks->push_back(std::move(check));
  return Status::Ok();
}

}  // namespace kasse::cli
