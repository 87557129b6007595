// The table of legal figures: each rule's value at every boundary year, no overlapping rows, and
// the arithmetic of the free reserve and the timely-use overview.
#include "projections/legal_limits.h"

#include <gtest/gtest.h>

#include <map>

namespace kasse {
namespace {

int64_t AmountCents(LegalRule rule, int32_t year) {
  const LegalFigure* figure = FindLegalFigure(rule, year);
  return figure == nullptr ? -1 : figure->amount_cents;
}

TEST(LegalLimits, CommercialIncomeLimitAtEachBoundary) {
  const LegalRule rule = LegalRule::kCommercialIncomeLimit;
  EXPECT_EQ(AmountCents(rule, 2006), -1);
  EXPECT_EQ(AmountCents(rule, 2007), 3'500'000);
  EXPECT_EQ(AmountCents(rule, 2019), 3'500'000);
  EXPECT_EQ(AmountCents(rule, 2020), 4'500'000);
  EXPECT_EQ(AmountCents(rule, 2025), 4'500'000);
  EXPECT_EQ(AmountCents(rule, 2026), 5'000'000);
  EXPECT_EQ(AmountCents(rule, 2999), 5'000'000);
  EXPECT_STREQ(FindLegalFigure(rule, 2022)->paragraph, "§ 64 (3) AO");
}

TEST(LegalLimits, TimelyUseExemptionAtEachBoundary) {
  const LegalRule rule = LegalRule::kTimelyUseExemption;
  EXPECT_EQ(AmountCents(rule, 2019), -1);  // every body had to use its funds in time
  EXPECT_EQ(AmountCents(rule, 2020), 4'500'000);
  EXPECT_EQ(AmountCents(rule, 2025), 4'500'000);
  EXPECT_EQ(AmountCents(rule, 2026), 10'000'000);
  EXPECT_EQ(FindLegalFigure(LegalRule::kTimelyUsePeriod, 2022)->years, 2);
  EXPECT_EQ(FindLegalFigure(LegalRule::kTimelyUsePeriod, 2026)->years, 2);
}

TEST(LegalLimits, SimplifiedDonationProofAtEachBoundary) {
  const LegalRule rule = LegalRule::kSimplifiedDonationProof;
  EXPECT_EQ(AmountCents(rule, 2006), -1);
  EXPECT_EQ(AmountCents(rule, 2007), 20'000);
  EXPECT_EQ(AmountCents(rule, 2020), 20'000);
  EXPECT_EQ(AmountCents(rule, 2021), 30'000);
  EXPECT_EQ(AmountCents(rule, 2026), 30'000);
}

TEST(LegalLimits, FreeReserveShares) {
  const LegalFigure* asset = FindLegalFigure(LegalRule::kFreeReserveAssetShare, 2022);
  const LegalFigure* other = FindLegalFigure(LegalRule::kFreeReserveOtherFundsShare, 2022);
  ASSERT_NE(asset, nullptr);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(asset->numerator * 3, asset->denominator);
  EXPECT_EQ(other->numerator * 10, other->denominator);
}

// A second row for the same rule and year would make the lookup depend on the row order.
TEST(LegalLimits, NoTwoRowsOfARuleOverlap) {
  const auto figures = LegalFigures();
  for (size_t a = 0; a < figures.size(); ++a) {
    EXPECT_LE(figures[a].first_year, figures[a].last_year) << a;
    EXPECT_GT(figures[a].denominator, 0) << a;
    for (size_t b = a + 1; b < figures.size(); ++b) {
      if (figures[a].rule != figures[b].rule) continue;
      EXPECT_TRUE(figures[a].last_year < figures[b].first_year ||
                  figures[b].last_year < figures[a].first_year)
          << "rows " << a << " and " << b;
    }
  }
}

TEST(LegalLimits, ShareRoundsDownToTheCent) {
  const LegalFigure third = {.rule = LegalRule::kFreeReserveAssetShare,
                             .name = "",
                             .paragraph = "",
                             .numerator = 1,
                             .denominator = 3};
  const LegalFigure tenth = {.rule = LegalRule::kFreeReserveOtherFundsShare,
                             .name = "",
                             .paragraph = "",
                             .numerator = 1,
                             .denominator = 10};
  int64_t cents = -1;
  ASSERT_TRUE(ShareCents(100, third, &cents).ok());
  EXPECT_EQ(cents, 33);  // 33.33... cents
  ASSERT_TRUE(ShareCents(200, third, &cents).ok());
  EXPECT_EQ(cents, 66);  // 66.66... cents, not 67
  ASSERT_TRUE(ShareCents(12'000'000, tenth, &cents).ok());
  EXPECT_EQ(cents, 1'200'000);  // 10 % of 120.000,00 EUR
  ASSERT_TRUE(ShareCents(9, tenth, &cents).ok());
  EXPECT_EQ(cents, 0);
  ASSERT_TRUE(ShareCents(-500, third, &cents).ok());  // a loss gives no share
  EXPECT_EQ(cents, 0);
  ASSERT_TRUE(ShareCents(INT64_MAX, third, &cents).ok());
  EXPECT_EQ(cents, INT64_MAX / 3);
  const LegalFigure huge = {.rule = LegalRule::kFreeReserveAssetShare,
                            .name = "",
                            .paragraph = "",
                            .numerator = 3,
                            .denominator = 2};
  EXPECT_FALSE(ShareCents(INT64_MAX, huge, &cents).ok());
}

TEST(LegalLimits, TimelyUseOldestIncomeFirst) {
  const std::vector<YearFunds> years = {
      {2020, 100'00, 30'00}, {2021, 50'00, 60'00}, {2022, 0, 10'00}, {2023, 20'00, 0}};
  std::vector<FundsTranche> tranches;
  ASSERT_TRUE(TimelyUseOverview(years, 2, &tranches).ok());
  ASSERT_EQ(tranches.size(), 4u);
  // 2020: 100 in, 30 + 60 + 10 used by the end of 2022: in time.
  EXPECT_EQ(tranches[0].due_year, 2022);
  EXPECT_EQ(tranches[0].used_cents, 100'00);
  EXPECT_EQ(tranches[0].remaining_cents, 0);
  EXPECT_EQ(tranches[0].late_cents, 0);
  // 2021: 50 in, nothing used by the end of 2023: late by 50.
  EXPECT_EQ(tranches[1].remaining_cents, 50'00);
  EXPECT_EQ(tranches[1].late_cents, 50'00);
  EXPECT_EQ(tranches[3].remaining_cents, 20'00);
  EXPECT_EQ(tranches[3].late_cents, 0);  // due 2025, not yet
  const std::vector<YearFunds> gap = {{2020, 1, 0}, {2022, 1, 0}};
  EXPECT_FALSE(TimelyUseOverview(gap, 2, &tranches).ok());
}

TEST(LegalLimits, TimelyUseIgnoresNegativeFiguresAndSpendingBeyondIncome) {
  const std::vector<YearFunds> years = {{2021, -5'00, -3'00}, {2022, 10'00, 25'00}};
  std::vector<FundsTranche> tranches;
  ASSERT_TRUE(TimelyUseOverview(years, 2, &tranches).ok());
  EXPECT_EQ(tranches[0].income_cents, 0);
  EXPECT_EQ(tranches[1].used_cents, 10'00);
  EXPECT_EQ(tranches[1].remaining_cents, 0);
}

}  // namespace
}  // namespace kasse
