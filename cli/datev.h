// DATEV "EXTF" Buchungsstapel, format version 13 (what a tax adviser imports into DATEV): the
// default account of each category in DATEV's charts for associations, and the format's rules for
// text (Windows-1252, quoting, field lengths). `kasse export datev` (cli/cmd_export.cc) writes the
// file.
//
// The rules and their sources are collected in the README's "DATEV export"; the main ones:
// developer.datev.de "DATEV-Format" (Einstieg, Header, Buchungsstapel, Zeichensatz).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/event.h"

namespace kasse::cli {

// DATEV maintains SKR 49 up to the fiscal year 2024 and only SKR 42 from 2025 (winheller.com,
// "Kontenrahmen Nonprofit-Organisation"; DATEV shop, Art.-Nr. 12902).
inline constexpr int32_t kDatevSkr42FirstYear = 2025;
DatevChart DatevChartOfYear(int32_t year);

// What a default account is for: the money accounts, or the income or expense of a category.
enum class DatevAccountRole { kBank, kCash, kCategory };

// One row of the table of defaults (cli/datev.cc). "Confirmed" means the number was found for this
// purpose in the source named in the table's comment; an unconfirmed number is a suggestion that
// the README marks and `kasse export datev` names when it uses it.
struct DatevDefaultAccount {
  DatevAccountRole role = DatevAccountRole::kCategory;
  std::string_view category;  // for kCategory: a category of the default chart
  std::string_view skr49;
  bool skr49_confirmed = false;
  std::string_view skr42;
  bool skr42_confirmed = false;

  std::string_view account(DatevChart chart) const {
    return chart == DatevChart::kSkr49 ? skr49 : skr42;
  }
  bool confirmed(DatevChart chart) const {
    return chart == DatevChart::kSkr49 ? skr49_confirmed : skr42_confirmed;
  }
};

const std::vector<DatevDefaultAccount>& DatevDefaultAccounts();
// The default of a category, or of a role other than kCategory; nullptr when there is none.
const DatevDefaultAccount* FindDatevDefault(DatevAccountRole role, std::string_view category = "");

// The 125 column headings of format version 13, in order, as DATEV's sample files write them.
const std::vector<std::string_view>& DatevColumnHeadings();

// UTF-8 to Windows-1252 (DATEV's default code page). Control characters (a note's line feeds and
// tabs) become spaces: DATEV allows no line break inside a field. A character that Windows-1252
// lacks is written as '?' and counted in *replaced: the events cannot be edited, so refusing them
// would block the export for good.
std::string ToWindows1252(std::string_view utf8, size_t* replaced);

// A text field, already in Windows-1252: cut to `chars_max`, in double quotes, a quote doubled.
std::string DatevQuoted(std::string_view cp1252, size_t chars_max);

// Belegfeld 1 allows at most 36 of A-Z a-z 0-9 $ & % * + - /; anything else becomes '-'.
std::string DatevVoucher(std::string_view cp1252);

// An amount as DATEV's Umsatz: "1234,56", no thousands separator. The caller ensures 0 < cents
// and at most ten digits before the comma.
std::string DatevAmount(int64_t amount_cents);
inline constexpr int64_t kDatevAmountCentsMax = 999'999'999'999;

}  // namespace kasse::cli
