// The legal checks of the statement: the figures of charity law (projections/legal_limits.h)
// applied to a year's books, as entries of the report's `checks`.
#pragma once

#include <vector>

#include "cli/report_format.h"
#include "projections/state_cache.h"
#include "projections/statement.h"

namespace kasse::cli {

// Appends to *checks, in this order:
//   commercial_income  § 64 (3) AO: warning when the commercial sphere's income is above the limit
//   timely_use         § 55 (1) no. 5 AO: exempt, or the overview of funds still to be used;
//                      warning when income was not used by its due year
//   free_reserve       § 62 (1) no. 3 AO: the ceiling of the free reserve (info)
//   donation_receipts  § 50 (4) EStDV: the donations above the simplified-proof limit without a
//                      receipt (info); warning when an issued receipt covers a reversed donation
// `state` is the view `statement` was read from; the timely-use overview reads earlier years.
Status AddLegalChecks(const StateView& state, const Statement& statement,
                      std::vector<StatementCheck>* checks);

}  // namespace kasse::cli
