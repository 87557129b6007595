// The figures of German charity law that the statement's checks apply, in one table
// (legal_limits.cc), each with its paragraph and the years it applies to, so that a change of law
// is one new or changed row. Also the arithmetic of the checks that needs more than a comparison:
// the ceiling of the free reserve and the overview of funds still to be used in time.
//
// All money in int64 cents; every sum is overflow checked (AddCents) and reported as a Status.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ledger/status.h"

namespace kasse {

enum class LegalRule : uint8_t {
  kCommercialIncomeLimit,       // § 64 (3) AO: commercial income incl. VAT, above it taxable
  kTimelyUseExemption,          // § 55 (1) no. 5 s. 4 AO: at or below it, no timely-use duty
  kTimelyUsePeriod,             // § 55 (1) no. 5 s. 3 AO: years after the year of receipt
  kFreeReserveAssetShare,       // § 62 (1) no. 3 AO: share of the asset-management surplus
  kFreeReserveOtherFundsShare,  // § 62 (1) no. 3 AO: share of the other funds
  kSimplifiedDonationProof,     // § 50 (4) EStDV: above it a donation needs a formal receipt
};

// One row of the table. A limit has amount_cents; a share has numerator/denominator; a period
// has years. The fields that do not apply are zero (denominator 1).
struct LegalFigure {
  LegalRule rule;
  const char* name;       // what the figure is, for messages
  const char* paragraph;  // "§ 64 (3) AO"
  int64_t amount_cents = 0;
  int64_t numerator = 0;
  int64_t denominator = 1;
  int32_t years = 0;
  int32_t first_year = 0;  // inclusive
  int32_t last_year = 0;   // inclusive; kOpenEnd while the law stands
};

inline constexpr int32_t kOpenEnd = 9999;

// The whole table, for tests and documentation.
std::span<const LegalFigure> LegalFigures();

// The figure of `rule` that applies to `year`; nullptr when the table has none for that year
// (e.g. the timely-use exemption did not exist before 2020).
const LegalFigure* FindLegalFigure(LegalRule rule, int32_t year);

// numerator/denominator of `amount_cents`, rounded down to the cent (truncation: amounts below
// zero count as zero, because a loss gives no share). Rejected on overflow.
Status ShareCents(int64_t amount_cents, const LegalFigure& share, int64_t* share_cents);

// Income and expenses of one year, all spheres.
struct YearFunds {
  int32_t year = 0;
  int64_t income_cents = 0;
  int64_t expenses_cents = 0;
};

// The income of one year as a tranche of funds to be used by the end of `due_year`.
struct FundsTranche {
  int32_t year = 0;
  int32_t due_year = 0;
  int64_t income_cents = 0;
  int64_t used_cents = 0;       // expenses of this or later years assigned to it
  int64_t remaining_cents = 0;  // still to be used
  int64_t late_cents = 0;       // what was still unused at the end of due_year
};

// Assigns each year's expenses to the income of the oldest tranche first (first in, first out),
// year by year; `years` ascending without gaps. A tranche is late by what remains at the end of
// its due year. A year's negative income or expenses (reversals of earlier years) count as zero,
// and expenses beyond all open income (paid from older assets) are not assigned.
Status TimelyUseOverview(std::span<const YearFunds> years, int32_t period_years,
                         std::vector<FundsTranche>* tranches);

}  // namespace kasse
