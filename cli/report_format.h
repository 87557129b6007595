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
