#include "projections/legal_limits.h"

#include <fmt/format.h>

#include <algorithm>

#include "ledger/money.h"

namespace kasse {

namespace {

constexpr int64_t kEuro = 100;  // cents

// Every legal figure kasse applies. A change of law: end the old row's last_year and add a row.
// Sources (desk research for issue 5, legal-limits section; web pages as stored, dates may lag):
// - § 64 (3) AO: 45.000 EUR by the JStG 2020, usable from VZ 2020 (Rödl & Partner, 22.1.2021,
//   https://www.roedl.de/…/aenderungen-gemeinnuetzigkeitsrecht, path shortened in the research;
//   zeitschrift-singen.de 2020/12 "rückwirkend ab 01.01.2020"); 50.000 EUR from 1.1.2026 by the
//   Steueränderungsgesetz 2025, Art. 5 no. 4 (http://www.buzer.de/gesetz/17325/a335481.htm;
//   cmshs-bloggt.de; npo.schomerus.de 19.01.2026). 35.000 EUR applied from 2007 (Gesetz zur
//   weiteren Stärkung des bürgerschaftlichen Engagements); that start year is not from the
//   research: not confirmed.
// - § 55 (1) no. 5 s. 4 AO: no timely-use duty at or below 45.000 EUR income from 2020 (JStG
//   2020; Rödl; vereinsplatz-wnd.de "ab dem Jahr 2020"), 100.000 EUR from 2026 (StÄndG 2025
//   Art. 5 no. 2, buzer.de as above). Before 2020 the duty applied to every body: no row.
// - § 55 (1) no. 5 s. 3 AO: use by the end of the second calendar year after receipt
//   (help.vereinsplatz-wnd.de; npo.schomerus.de). Earlier law not checked: not confirmed.
// - § 62 (1) no. 3 AO: a third of the asset-management surplus plus at most 10 % of the other
//   funds due for timely use (Haufe, Reuber Tz. 32; haufe.de Stiftungsrecht Rz. 146). Earlier law
//   (§ 58 no. 7a AO before 2014) not checked: not confirmed.
// - § 50 (4) EStDV: simplified proof up to 200 EUR, 300 EUR later. The start of 300 EUR is
//   disputed: VZ 2020 (§ 84 (2c) EStDV per Haufe, Reuber Tz. 106; Haufe Finance Office Rz. 108f)
//   or VZ 2021 (Haufe, Littmann Rn. 146; DPM Tz. 187). kasse takes 2021, the stricter reading for
//   2020 (a 2020 donation of 250 EUR is listed as needing a receipt). 200 EUR from 2007: not from
//   the research, not confirmed.
constexpr LegalFigure kLegalFigures[] = {
    {.rule = LegalRule::kCommercialIncomeLimit,
     .name = "Besteuerungsgrenze wirtschaftlicher Geschäftsbetrieb",
     .paragraph = "§ 64 (3) AO",
     .amount_cents = 35'000 * kEuro,
     .first_year = 2007,
     .last_year = 2019},
    {.rule = LegalRule::kCommercialIncomeLimit,
     .name = "Besteuerungsgrenze wirtschaftlicher Geschäftsbetrieb",
     .paragraph = "§ 64 (3) AO",
     .amount_cents = 45'000 * kEuro,
     .first_year = 2020,
     .last_year = 2025},
    {.rule = LegalRule::kCommercialIncomeLimit,
     .name = "Besteuerungsgrenze wirtschaftlicher Geschäftsbetrieb",
     .paragraph = "§ 64 (3) AO",
     .amount_cents = 50'000 * kEuro,
     .first_year = 2026,
     .last_year = kOpenEnd},
    {.rule = LegalRule::kTimelyUseExemption,
     .name = "Grenze der Befreiung von der zeitnahen Mittelverwendung",
     .paragraph = "§ 55 (1) Nr. 5 Satz 4 AO",
     .amount_cents = 45'000 * kEuro,
     .first_year = 2020,
     .last_year = 2025},
    {.rule = LegalRule::kTimelyUseExemption,
     .name = "Grenze der Befreiung von der zeitnahen Mittelverwendung",
     .paragraph = "§ 55 (1) Nr. 5 Satz 4 AO",
     .amount_cents = 100'000 * kEuro,
     .first_year = 2026,
     .last_year = kOpenEnd},
    {.rule = LegalRule::kTimelyUsePeriod,
     .name = "Frist der zeitnahen Mittelverwendung",
     .paragraph = "§ 55 (1) Nr. 5 Satz 3 AO",
     .years = 2,
     .first_year = 1900,
     .last_year = kOpenEnd},
    {.rule = LegalRule::kFreeReserveAssetShare,
     .name = "freie Rücklage: Anteil am Überschuss der Vermögensverwaltung",
     .paragraph = "§ 62 (1) Nr. 3 AO",
     .numerator = 1,
     .denominator = 3,
     .first_year = 1900,
     .last_year = kOpenEnd},
    {.rule = LegalRule::kFreeReserveOtherFundsShare,
     .name = "freie Rücklage: Anteil an den übrigen zeitnah zu verwendenden Mitteln",
     .paragraph = "§ 62 (1) Nr. 3 AO",
     .numerator = 1,
     .denominator = 10,
     .first_year = 1900,
     .last_year = kOpenEnd},
    {.rule = LegalRule::kSimplifiedDonationProof,
     .name = "Grenze des vereinfachten Zuwendungsnachweises",
     .paragraph = "§ 50 (4) EStDV",
     .amount_cents = 200 * kEuro,
     .first_year = 2007,
     .last_year = 2020},
    {.rule = LegalRule::kSimplifiedDonationProof,
     .name = "Grenze des vereinfachten Zuwendungsnachweises",
     .paragraph = "§ 50 (4) EStDV",
     .amount_cents = 300 * kEuro,
     .first_year = 2021,
     .last_year = kOpenEnd},
};

// Takes from the open tranches, oldest first, up to `spend_cents`.
void AssignExpenses(int64_t spend_cents, std::vector<FundsTranche>* tranches) {
  for (FundsTranche& tranche : *tranches) {
    if (spend_cents == 0) return;
    const int64_t take_cents = std::min(spend_cents, tranche.remaining_cents);
    tranche.used_cents += take_cents;
    tranche.remaining_cents -= take_cents;
    spend_cents -= take_cents;
  }
}

}  // namespace

std::span<const LegalFigure> LegalFigures() {
  return kLegalFigures;
}

const LegalFigure* FindLegalFigure(LegalRule rule, int32_t year) {
  for (const LegalFigure& figure : kLegalFigures) {
    if (figure.rule == rule && figure.first_year <= year && year <= figure.last_year) {
      return &figure;
    }
  }
  return nullptr;
}

Status ShareCents(int64_t amount_cents, const LegalFigure& share, int64_t* share_cents) {
  *share_cents = 0;
  if (amount_cents <= 0 || share.numerator <= 0 || share.denominator <= 0) return Status::Ok();
  // floor(a * n / d) = (a / d) * n + (a % d) * n / d: no product of the full amount, so only a
  // share larger than the amount itself could overflow.
  const int64_t quotient = amount_cents / share.denominator;
  const int64_t remainder = amount_cents % share.denominator;
  if (quotient > INT64_MAX / share.numerator || remainder > INT64_MAX / share.numerator ||
      !AddCents(quotient * share.numerator, remainder * share.numerator / share.denominator,
                share_cents)) {
    return Status::Rejected(fmt::format("{}: the share of {} would overflow", share.paragraph,
                                        FormatAmount(amount_cents)));
  }
  return Status::Ok();
}

Status TimelyUseOverview(std::span<const YearFunds> years, int32_t period_years,
                         std::vector<FundsTranche>* tranches) {
  tranches->clear();
  for (const YearFunds& funds : years) {
    if (!tranches->empty() && funds.year != tranches->back().year + 1) {
      return Status::Rejected("the years of the timely-use overview must follow each other");
    }
    const int64_t income_cents = std::max<int64_t>(funds.income_cents, 0);
    tranches->push_back({.year = funds.year,
                         .due_year = funds.year + period_years,
                         .income_cents = income_cents,
                         .remaining_cents = income_cents});
    AssignExpenses(std::max<int64_t>(funds.expenses_cents, 0), tranches);
    for (FundsTranche& tranche : *tranches) {
      if (tranche.due_year == funds.year) tranche.late_cents = tranche.remaining_cents;
    }
  }
  return Status::Ok();
}

}  // namespace kasse
