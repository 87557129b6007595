// Report output: the contract's JSON and the German text layouts for people.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/csv.h"
#include "projections/members.h"
#include "projections/statement.h"

namespace kasse::cli {

struct StatementCheck {
  std::string code;
  std::string severity;  // info, warning, error
  std::string message;
  // What the check measured, for programs: "amount" (EUR, two decimals) and "count" in the JSON.
  std::optional<int64_t> amount_cents = std::nullopt;
  std::optional<int64_t> count = std::nullopt;
};

// One numbered section of A. Einnahmen or B. Ausgaben ("1. Mitgliedsbeiträge" with its rows
// "a) ...", "b) ..."), shared by the text and the HTML layouts.
struct StatementSection {
  std::string heading;
  std::vector<std::pair<std::string, int64_t>> rows;  // label, cents
  int64_t total_cents = 0;
};

// Income: dues and donations with their split, other ideal income by group, then one section per
// other sphere. Expenses: ideal groups, the other spheres, administration last, as in the seed.
// A section without rows prints as "Kein Anfall".
std::vector<StatementSection> StatementSections(const Statement& statement, Direction direction);
// "a", "b", ... for the rows of a section (from the 27th row on, the row's number).
std::string RowLetter(size_t index);

nlohmann::ordered_json StatementJson(const Statement& statement,
                                     const std::vector<StatementCheck>& checks);
nlohmann::ordered_json SpendingJson(const Statement& statement);
nlohmann::ordered_json MembersJson(const MemberCounts& counts);

// The layout of the reference association's "Übersicht Einzahlungen/Auszahlungen":
// A. Einnahmen, B. Ausgaben, C. Ergebnis, German number format, aligned columns.
std::string StatementText(const Statement& statement, const std::string& ledger_name,
                          const std::vector<StatementCheck>& checks);
std::string SpendingText(const Statement& statement, const std::string& ledger_name);
std::string MembersText(const MemberCounts& counts, const std::string& ledger_name);

// One table each, with a header row named like the JSON fields; the statement's CSV holds its
// `lines` (the totals are their sums; the checks are in the text and JSON forms only).
std::string StatementCsv(const Statement& statement, CsvDialect dialect);
std::string SpendingCsv(const Statement& statement, CsvDialect dialect);
std::string MembersCsv(const MemberCounts& counts, CsvDialect dialect);

}  // namespace kasse::cli
