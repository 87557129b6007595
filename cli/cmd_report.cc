// kasse report members|spending|statement: read the stored projections, never the whole log.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "cli/report_format.h"
#include "projections/books.h"

namespace kasse::cli {

namespace {

Status ParseYearOption(const std::string& text, int32_t* year) {
  if (text.empty()) {
    *year = Today().year;
    return Status::Ok();
  }
  return ParseYear(text, year).WithContext("option --year");
}

Status StatementChecks(const Ledger& ledger, const Statement& statement,
                       std::vector<StatementCheck>* checks) {
  bool closed = false;
  KASSE_RETURN_IF_ERROR(IsYearClosed(ledger, statement.year, &closed));
  if (!closed) {
    checks->push_back({"year_open", "info",
                       fmt::format("The year {} is not closed: its figures can still change "
                                   "(kasse close-year {}).",
                                   statement.year, statement.year)});
  }
  return Status::Ok();
}

Status RunStatement(const GlobalOptions& options, const std::string& year_text, bool json,
                    bool spending_only) {
  int32_t year = 0;
  KASSE_RETURN_IF_ERROR(ParseYearOption(year_text, &year));
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForRead(options.db_path, &ledger));
  Statement statement;
  KASSE_RETURN_IF_ERROR(ReadStatement(*ledger, year, &statement));
  if (spending_only) {
    fmt::print("{}", json ? SpendingJson(statement).dump(2) + "\n"
                          : SpendingText(statement, ledger->name()));
    return Status::Ok();
  }
  std::vector<StatementCheck> checks;
  KASSE_RETURN_IF_ERROR(StatementChecks(*ledger, statement, &checks));
  fmt::print("{}", json ? StatementJson(statement, checks).dump(2) + "\n"
                        : StatementText(statement, ledger->name(), checks));
  return Status::Ok();
}

Status RunMembers(const GlobalOptions& options, const std::string& as_of_text, bool json) {
  Date as_of = Today();
  if (!as_of_text.empty()) {
    KASSE_RETURN_IF_ERROR(ParseDate(as_of_text, &as_of).WithContext("option --as-of"));
  }
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForRead(options.db_path, &ledger));
  MemberCounts counts;
  KASSE_RETURN_IF_ERROR(ReadMemberCounts(*ledger, as_of, &counts));
  fmt::print("{}", json ? MembersJson(counts).dump(2) + "\n" : MembersText(counts, ledger->name()));
  return Status::Ok();
}

}  // namespace

void AddReportCommands(CLI::App& app, GlobalOptions& options, int& exit_code) {
  CLI::App* report = app.add_subcommand("report", "Reports from the stored projections");
  report->require_subcommand(1);

  struct Flags {
    std::string year;
    std::string as_of;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();

  CLI::App* members = report->add_subcommand("members", "Member counts as of a date, by kind");
  members->add_option("--as-of", flags->as_of, "the day whose end counts (default: today)");
  members->add_flag("--json", flags->json, "the contract's JSON");
  members->footer("Example:\n  kasse report members --as-of 2022-12-31 --json");
  members->callback([&options, &exit_code, flags]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunMembers(options, flags->as_of, flags->json));
  });

  CLI::App* spending = report->add_subcommand("spending", "Spending by category in a year");
  spending->add_option("--year", flags->year, "the year (default: this year)");
  spending->add_flag("--json", flags->json, "the contract's JSON");
  spending->footer("Example:\n  kasse report spending --year 2022");
  spending->callback([&options, &exit_code, flags]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunStatement(options, flags->year, flags->json, /*spending_only=*/true));
  });

  CLI::App* statement = report->add_subcommand(
      "statement", "The income/expense statement by the four spheres (A/B/C layout)");
  statement->add_option("--year", flags->year, "the year (default: this year)");
  statement->add_flag("--json", flags->json, "the contract's JSON");
  statement->footer(
      "Example:\n  kasse report statement --year 2022\n"
      "  kasse report statement --year 2022 --json");
  statement->callback([&options, &exit_code, flags]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunStatement(options, flags->year, flags->json, /*spending_only=*/false));
  });
}

}  // namespace kasse::cli
