// Report pages in HTML for the general meeting (Mitgliederversammlung): each one self-contained
// file that a browser opens and prints without a network: inline CSS, charts as inline SVG, no
// JavaScript, and a Content-Security-Policy that forbids loading anything from elsewhere.
//
// Money is formatted from integer cents only; the charts' coordinates are doubles, their labels
// are the cent figures again. Every text from the ledger (association name, categories, groups,
// check messages) is HTML-escaped.
//
// Machine-readable figures: every figure is an element with `data-field` (the figure's name: its
// path in the report's JSON where the JSON has it, e.g. "income.total", "income.by_sphere.ideal")
// and `data-value` (the JSON's form: "120000.00" for money, a plain integer for counts), written
// in that order, with the keys of its row between them (`data-category`, `data-year`). A figure
// may appear in more than one place (a total in the statement and in the table by sphere), always
// with the same value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/report_format.h"
#include "projections/members.h"
#include "projections/statement.h"

namespace kasse::cli {

// Where the figures come from: the ledger's name and the last event they include.
struct HtmlProvenance {
  std::string ledger_name;
  uint64_t seq = 0;                    // the last event the figures include (the head, or the cut)
  std::string hash_hex;                // that event's hash, as `kasse verify` prints the head's
  int64_t recorded_at_unix_ms = 0;     // when that event was recorded: the date of the data
  int64_t generated_at_unix_ms = 0;    // when the page was made: the report time
};

// Escapes & < > " ' for text and for attribute values in double quotes.
std::string HtmlEscape(std::string_view text);

// The statement in the A/B/C layout of the text report, income, expenses and result by sphere
// (table and chart), spending by category (chart and table), the member development (chart and
// table; `member_years` from ReadMemberYearEnds, its last entry at the end of the statement's
// year), the checks, and the provenance.
std::string StatementHtml(const Statement& statement, const std::vector<StatementCheck>& checks,
                          const std::vector<MemberCounts>& member_years,
                          const HtmlProvenance& provenance);
// Spending by category: chart and table; `data-field` after `report spending --json`.
std::string SpendingHtml(const Statement& statement, const HtmlProvenance& provenance);
// The member counts as of a day (after `report members --json`) and the development up to it.
std::string MembersHtml(const MemberCounts& counts, const std::vector<MemberCounts>& member_years,
                        const std::vector<StatementCheck>& notes,
                        const HtmlProvenance& provenance);

}  // namespace kasse::cli
