// kasse report members|spending|statement. Normally they read the stored projections (a few keys,
// never the whole log). With --at-seq or --known-at (what had been recorded by then) or, for the
// yearly reports, --as-of (what had been booked by then), they replay the log up to that point
// instead, streaming, and report from the replayed state.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "cli/legal_checks.h"
#include "cli/report_format.h"
#include "cli/report_html.h"
#include "ledger/hash.h"
#include "ledger/json_event.h"
#include "projections/books.h"

namespace kasse::cli {

namespace {

struct ReportFlags {
  std::string year;
  std::string as_of;
  std::string at_seq;
  std::string known_at;
  bool json = false;        // the contract's --json: an alias of --format json
  std::string format;       // --format text|json|csv|html; "" when not given
  std::string csv_dialect;  // --csv-dialect german|plain; "" when not given
};

enum class ReportFormat { kText, kJson, kCsv, kHtml };

struct ReportOutput {
  ReportFormat format = ReportFormat::kText;
  CsvDialect dialect = CsvDialect::kGerman;
};

// One output choice from --format, --json and --csv-dialect. CLI11 has checked each value; a
// contradiction between them is a usage error too (exit 2), thrown as CLI11's own error so that
// main() reports it like any other.
ReportOutput ResolveOutput(const ReportFlags& flags) {
  if (flags.json && !flags.format.empty() && flags.format != "json") {
    throw CLI::ValidationError(
        "--json",
        fmt::format("--json means --format json; it contradicts --format {}", flags.format));
  }
  ReportOutput output;
  if (flags.json || flags.format == "json") output.format = ReportFormat::kJson;
  if (flags.format == "csv") output.format = ReportFormat::kCsv;
  if (flags.format == "html") output.format = ReportFormat::kHtml;
  if (!flags.csv_dialect.empty() && output.format != ReportFormat::kCsv) {
    throw CLI::ValidationError("--csv-dialect", "--csv-dialect needs --format csv");
  }
  if (!flags.csv_dialect.empty() && !CsvDialectFromName(flags.csv_dialect, &output.dialect)) {
    throw CLI::ValidationError("--csv-dialect",
                               fmt::format("unknown dialect \"{}\"", flags.csv_dialect));
  }
  return output;
}

// The projection state a report reads: stored, or replayed up to a point in history.
struct ReportState {
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<Books> replayed;
  SortedState replayed_sorted;  // what `view` reads after a replay; views into `replayed`
  StateView view;
  HistoryCut cut;
  bool is_replay = false;
};

Status ParseCut(const ReportFlags& flags, bool as_of_cuts_bookings, const Ledger& ledger,
                HistoryCut* cut, bool* needs_replay) {
  *cut = HistoryCut();
  *needs_replay = false;
  if (!flags.at_seq.empty()) {
    // Digits only: std::stoull would take "-1" as the largest number.
    const bool digits = !flags.at_seq.empty() && flags.at_seq.size() <= 19 &&
                        flags.at_seq.find_first_not_of("0123456789") == std::string::npos;
    cut->last_seq = digits ? std::stoull(flags.at_seq) : 0;
    if (cut->last_seq == 0) {
      return Status::InvalidInput(
          fmt::format("option --at-seq: \"{}\" is not a sequence number from 1", flags.at_seq));
    }
    *needs_replay = true;
  }
  if (!flags.known_at.empty()) {
    int64_t unix_ms = 0;
    KASSE_RETURN_IF_ERROR(
        ParseTimestamp(flags.known_at, &unix_ms).WithContext("option --known-at"));
    uint64_t last_seq = 0;
    KASSE_RETURN_IF_ERROR(ledger.LastSeqRecordedBy(unix_ms, &last_seq));
    cut->last_seq = std::min(cut->last_seq, last_seq);
    *needs_replay = true;
  }
  if (as_of_cuts_bookings && !flags.as_of.empty()) {
    Date as_of;
    KASSE_RETURN_IF_ERROR(ParseDate(flags.as_of, &as_of).WithContext("option --as-of"));
    cut->booked_by_yyyymmdd = as_of.yyyymmdd();
    *needs_replay = true;
  }
  return Status::Ok();
}

// `reads_events`: the report reads an event besides the projections (the HTML page's provenance).
Status OpenReportState(const GlobalOptions& options, const ReportFlags& flags,
                       bool as_of_cuts_bookings, bool reads_events, ReportState* state) {
  // Without a cut, a report reads only projection state, and opens only that (fast).
  const bool may_replay = !flags.at_seq.empty() || !flags.known_at.empty() ||
                          (as_of_cuts_bookings && !flags.as_of.empty());
  KASSE_RETURN_IF_ERROR(may_replay || reads_events
                            ? Ledger::OpenForRead(options.db_path, &state->ledger)
                            : Ledger::OpenForReports(options.db_path, &state->ledger));
  KASSE_RETURN_IF_ERROR(
      ParseCut(flags, as_of_cuts_bookings, *state->ledger, &state->cut, &state->is_replay));
  if (!state->is_replay) {
    state->view = StoredState(*state->ledger);
    return CheckProjectionsVersion(state->view, state->ledger->head_seq());
  }
  state->replayed = std::make_unique<Books>(nullptr);
  uint64_t count = 0;
  KASSE_RETURN_IF_ERROR(Replay(*state->ledger, state->cut, state->replayed.get(), &count));
  state->cut.last_seq = std::min(state->cut.last_seq, state->ledger->head_seq());
  state->replayed_sorted = state->replayed->Sorted();
  state->view = InMemoryState(state->replayed_sorted);
  return Status::Ok();
}

// Says which history a replayed report shows, so that a printout cannot be mistaken for today's.
std::vector<StatementCheck> CutNotes(const ReportState& state) {
  if (!state.is_replay) return {};
  std::string message = fmt::format("Replayed history: events recorded up to seq {} of {}",
                                    state.cut.last_seq, state.ledger->head_seq());
  if (state.cut.booked_by_yyyymmdd != INT32_MAX) {
    message +=
        fmt::format(", booked on or before {}-{:02}-{:02}", state.cut.booked_by_yyyymmdd / 10000,
                    state.cut.booked_by_yyyymmdd / 100 % 100, state.cut.booked_by_yyyymmdd % 100);
  }
  return {{"history_cut", "info", message + "."}};
}

// The last event the report's figures include (the head, or the cut of a replay), its hash and
// when it was recorded; the ledger must have been opened with reads_events.
Status ReadProvenance(const ReportState& state, HtmlProvenance* provenance) {
  const Ledger& ledger = *state.ledger;
  provenance->ledger_name = ledger.name();
  provenance->generated_at_unix_ms = NowUnixMs();
  provenance->seq = state.is_replay ? state.cut.last_seq : ledger.head_seq();
  if (provenance->seq == 0) return Status::Ok();  // nothing recorded: no event to name
  Sha256 hash = ledger.head_hash();
  if (provenance->seq != ledger.head_seq()) {
    KASSE_RETURN_IF_ERROR(ledger.HashOfEvent(provenance->seq, &hash));
  }
  provenance->hash_hex = HexOf(hash);
  return ledger.ForEachEvent(provenance->seq, provenance->seq, /*with_personal=*/false,
                             [&](const Ledger::EventRecord& record) {
                               provenance->recorded_at_unix_ms = record.event.recorded_at_unix_ms;
                               return Status::Ok();
                             });
}

// Member development for the HTML pages: from the first booked year (of money or of members) up
// to `last_day`.
Status ReadMemberYears(const ReportState& state, const Date& last_day,
                       std::vector<MemberCounts>* years) {
  std::vector<int32_t> statement_years;
  KASSE_RETURN_IF_ERROR(ReadStatementYears(state.view, &statement_years));
  const int32_t first_year = statement_years.empty() ? INT32_MAX : statement_years.front();
  return ReadMemberYearEnds(state.view, first_year, last_day, years);
}

Status ParseYearOption(const std::string& text, int32_t* year) {
  if (text.empty()) {
    *year = Today().year;
    return Status::Ok();
  }
  return ParseYear(text, year).WithContext("option --year");
}

Status StatementChecks(const ReportState& state, const Statement& statement,
                       std::vector<StatementCheck>* checks) {
  *checks = CutNotes(state);
  bool closed = false;
  KASSE_RETURN_IF_ERROR(IsYearClosed(state.view, statement.year, &closed));
  if (!closed) {
    checks->push_back({"year_open", "info",
                       fmt::format("The year {} is not closed: its figures can still change "
                                   "(kasse close-year {}).",
                                   statement.year, statement.year)});
  }
  return AddLegalChecks(state.view, statement, checks);
}

std::string SpendingOutput(const ReportOutput& output, const Statement& statement,
                           const std::string& ledger_name) {
  switch (output.format) {
    case ReportFormat::kJson:
      return SpendingJson(statement).dump(2) + "\n";
    case ReportFormat::kCsv:
      return SpendingCsv(statement, output.dialect);
    case ReportFormat::kText:
    case ReportFormat::kHtml:  // RunStatement writes the page itself
      break;
  }
  return SpendingText(statement, ledger_name);
}

std::string StatementOutput(const ReportOutput& output, const Statement& statement,
                            const std::string& ledger_name,
                            const std::vector<StatementCheck>& checks) {
  switch (output.format) {
    case ReportFormat::kJson:
      return StatementJson(statement, checks).dump(2) + "\n";
    case ReportFormat::kCsv:
      return StatementCsv(statement, output.dialect);
    case ReportFormat::kText:
    case ReportFormat::kHtml:  // RunStatement writes the page itself
      break;
  }
  return StatementText(statement, ledger_name, checks);
}

Status RunStatement(const GlobalOptions& options, const ReportFlags& flags,
                    const ReportOutput& output, bool spending_only) {
  int32_t year = 0;
  KASSE_RETURN_IF_ERROR(ParseYearOption(flags.year, &year));
  Date as_of;
  if (flags.year.empty() && !flags.as_of.empty() && ParseDate(flags.as_of, &as_of).ok()) {
    year = as_of.year;  // "as of 30 June 2022" asks about 2022, not about this year
  }
  const bool html = output.format == ReportFormat::kHtml;
  ReportState state;
  KASSE_RETURN_IF_ERROR(
      OpenReportState(options, flags, /*as_of_cuts_bookings=*/true, html, &state));
  Statement statement;
  KASSE_RETURN_IF_ERROR(ReadStatement(state.view, year, &statement));
  HtmlProvenance provenance;
  if (html) KASSE_RETURN_IF_ERROR(ReadProvenance(state, &provenance));
  if (spending_only) {
    fmt::print("{}", html ? SpendingHtml(statement, provenance)
                          : SpendingOutput(output, statement, state.ledger->name()));
    return Status::Ok();
  }
  std::vector<StatementCheck> checks;
  KASSE_RETURN_IF_ERROR(StatementChecks(state, statement, &checks));
  if (html) {
    std::vector<MemberCounts> member_years;
    KASSE_RETURN_IF_ERROR(ReadMemberYears(state, Date{year, 12, 31}, &member_years));
    fmt::print("{}", StatementHtml(statement, checks, member_years, provenance));
    return Status::Ok();
  }
  fmt::print("{}", StatementOutput(output, statement, state.ledger->name(), checks));
  return Status::Ok();
}

Status RunMembers(const GlobalOptions& options, const ReportFlags& flags,
                  const ReportOutput& output) {
  Date as_of = Today();
  if (!flags.as_of.empty()) {
    KASSE_RETURN_IF_ERROR(ParseDate(flags.as_of, &as_of).WithContext("option --as-of"));
  }
  const bool html = output.format == ReportFormat::kHtml;
  ReportState state;
  KASSE_RETURN_IF_ERROR(
      OpenReportState(options, flags, /*as_of_cuts_bookings=*/false, html, &state));
  MemberCounts counts;
  KASSE_RETURN_IF_ERROR(ReadMemberCounts(state.view, as_of, &counts));
  if (html) {
    HtmlProvenance provenance;
    KASSE_RETURN_IF_ERROR(ReadProvenance(state, &provenance));
    std::vector<MemberCounts> member_years;
    KASSE_RETURN_IF_ERROR(ReadMemberYears(state, as_of, &member_years));
    fmt::print("{}", MembersHtml(counts, member_years, CutNotes(state), provenance));
  } else if (output.format == ReportFormat::kCsv) {
    fmt::print("{}", MembersCsv(counts, output.dialect));
  } else if (output.format == ReportFormat::kJson) {
    nlohmann::ordered_json json = MembersJson(counts);
    if (state.is_replay) json["at_seq"] = state.cut.last_seq;
    fmt::print("{}\n", json.dump(2));
  } else {
    fmt::print("{}", MembersText(counts, state.ledger->name()));
    for (const StatementCheck& note : CutNotes(state)) fmt::print("\n[info] {}\n", note.message);
  }
  return Status::Ok();
}

void AddHistoryOptions(CLI::App* command, ReportFlags& flags) {
  command->add_option("--at-seq", flags.at_seq,
                      "report the books as recorded up to this event (replays the log)");
  command->add_option("--known-at", flags.known_at,
                      "report what had been recorded by this time, e.g. 2023-03-31T18:00:00Z "
                      "(replays the log)");
  command->add_flag("--json", flags.json, "the contract's JSON (the same as --format json)");
  command
      ->add_option("--format", flags.format,
                   "text (default), json, csv, or html (one self-contained page with charts)")
      ->check(CLI::IsMember({"text", "json", "csv", "html"}));
  command
      ->add_option("--csv-dialect", flags.csv_dialect,
                   "with --format csv: german (default: semicolon, decimal comma, UTF-8 with "
                   "BOM) or plain (comma, decimal dot, no BOM)")
      ->check(CLI::IsMember({"german", "plain"}));
}

}  // namespace

void AddReportCommands(CLI::App& app, GlobalOptions& options, int& exit_code) {
  CLI::App* report = app.add_subcommand("report", "Reports from the stored projections");
  report->require_subcommand(1);
  auto flags = std::make_shared<ReportFlags>();

  CLI::App* members = report->add_subcommand("members", "Member counts as of a date, by kind");
  members->add_option("--as-of", flags->as_of, "the day whose end counts (default: today)");
  AddHistoryOptions(members, *flags);
  members->footer(
      "Example:\n  kasse report members --as-of 2022-12-31 --json\n"
      "  kasse report members --as-of 2022-12-31 --known-at 2023-01-15T12:00:00Z\n"
      "  kasse report members --as-of 2022-12-31 --format csv > mitglieder.csv\n"
      "  kasse report members --as-of 2022-12-31 --format html > mitglieder.html");
  members->callback([&options, &exit_code, flags]() {
    ResolveDefaults(&options);
    const ReportOutput output = ResolveOutput(*flags);
    exit_code = Finish(RunMembers(options, *flags, output));
  });

  CLI::App* spending = report->add_subcommand("spending", "Spending by category in a year");
  spending->add_option("--year", flags->year,
                       "the year (default: the year of --as-of, else this year)");
  spending->add_option("--as-of", flags->as_of,
                       "count only what was booked on or before this date (replays the log)");
  AddHistoryOptions(spending, *flags);
  spending->footer(
      "Example:\n  kasse report spending --year 2022\n"
      "  kasse report spending --year 2022 --as-of 2022-06-30\n"
      "  kasse report spending --year 2022 --format csv --csv-dialect plain\n"
      "  kasse report spending --year 2022 --format html > ausgaben-2022.html");
  spending->callback([&options, &exit_code, flags]() {
    ResolveDefaults(&options);
    const ReportOutput output = ResolveOutput(*flags);
    exit_code = Finish(RunStatement(options, *flags, output, /*spending_only=*/true));
  });

  CLI::App* statement = report->add_subcommand(
      "statement", "The income/expense statement by the four spheres (A/B/C layout)");
  statement->add_option("--year", flags->year,
                        "the year (default: the year of --as-of, else this year)");
  statement->add_option("--as-of", flags->as_of,
                        "count only what was booked on or before this date (replays the log)");
  AddHistoryOptions(statement, *flags);
  statement->footer(
      "Example:\n  kasse report statement --year 2022\n"
      "  kasse report statement --year 2022 --json\n"
      "  kasse report statement --year 2022 --format csv > statement-2022.csv\n"
      "  kasse report statement --year 2022 --format html > bericht-2022.html\n"
      "  kasse report statement --year 2022 --at-seq 236   # as the board approved it");
  statement->callback([&options, &exit_code, flags]() {
    ResolveDefaults(&options);
    const ReportOutput output = ResolveOutput(*flags);
    exit_code = Finish(RunStatement(options, *flags, output, /*spending_only=*/false));
  });
}

}  // namespace kasse::cli
