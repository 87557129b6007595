// kasse export datev: the bookings of one year as a DATEV "EXTF" Buchungsstapel (format version 13)
// for the tax adviser. One pass over the log collects the chart's spheres, the account mappings
// (datev.account_mapped) and the year's bookings; the rows are built in memory (at most 99,999,
// DATEV's limit per file) and written to a new file only when all of them are sound.
//
// Each row books the bank account (Konto) against the category's account (Gegenkonto): income
// debits the bank ("S"), an expense credits it ("H"), and a reversal swaps the side of the entry
// it reverses. SKR 42 needs the sphere of every booking in KOST1; SKR 49 has the sphere in the
// account's class, so KOST1 stays empty there.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <set>

#include "cli/common.h"
#include "cli/datev.h"
#include "ledger/json_event.h"
#include "ledger/money.h"
#include "projections/chart.h"
#include "projections/statement.h"

namespace kasse::cli {

namespace {

constexpr size_t kBookingsMax = 99'999;  // DATEV's limit of rows per Buchungsstapel
constexpr size_t kTextCharsMax = 60;     // Buchungstext
constexpr size_t kExportedByCharsMax = 25;

struct DatevFlags {
  std::string year;
  std::string out;
  std::string chart;
  std::string adviser = "1001";  // Beraternummer: a placeholder until the adviser gives theirs
  std::string client = "1";      // Mandantennummer: likewise
};

struct Mapping {
  Date date;
  std::string account;
};

// One row of the export, before accounts are resolved.
struct Booking {
  std::string id;
  Date date;
  int64_t amount_cents = 0;
  bool debit_bank = false;  // "S": money came in, or an expense was reversed
  std::string category;
  std::string document;
  std::string text;  // UTF-8, cut and converted when written
};

struct ExportState {
  int32_t year = 0;
  DatevChart chart = DatevChart::kSkr49;
  std::map<std::string, Sphere> spheres;                 // category -> sphere
  std::map<std::string, std::vector<Mapping>> mappings;  // category of `chart` -> history
  std::vector<Booking> bookings;
  std::set<std::string> unconfirmed_used;  // "Kommunikation 2702"
  int64_t income_cents = 0;  // income minus reversed income, as the statement counts it
  int64_t expense_cents = 0;
};

Status ParseFlags(const DatevFlags& flags, ExportState* state) {
  KASSE_RETURN_IF_ERROR(ParseYear(flags.year, &state->year).WithContext("option --year"));
  state->chart = DatevChartOfYear(state->year);
  if (!flags.chart.empty() && !DatevChartFromName(flags.chart, &state->chart)) {
    return Status::InvalidInput(
        fmt::format("option --chart: \"{}\" is not SKR49 or SKR42", flags.chart));
  }
  if (state->chart == DatevChart::kSkr49 && state->year >= kDatevSkr42FirstYear) {
    return Status::InvalidInput(fmt::format(
        "option --chart: DATEV maintains SKR 49 only up to the fiscal year {}; use SKR42",
        kDatevSkr42FirstYear - 1));
  }
  const auto digits_in_range = [](const std::string& text, int64_t min, int64_t max) {
    if (text.empty() || text.size() > 7 ||
        text.find_first_not_of("0123456789") != std::string::npos)
      return false;
    const int64_t value = std::stoll(text);
    return value >= min && value <= max;
  };
  if (!digits_in_range(flags.adviser, 1001, 9'999'999)) {
    return Status::InvalidInput("option --adviser-number: DATEV's Beraternummer is 1001-9999999");
  }
  if (!digits_in_range(flags.client, 1, 99'999)) {
    return Status::InvalidInput("option --client-number: DATEV's Mandantennummer is 1-99999");
  }
  return Status::Ok();
}

// The Buchungstext when the event has no note: what the booking is, without personal data.
std::string DescribeBooking(const Event& event) {
  if (auto* dues = std::get_if<DuesPaid>(&event.body)) {
    return fmt::format("Mitgliedsbeitrag {} {}", dues->member,
                       FormatCovers(dues->covers_first_year, dues->covers_last_year));
  }
  if (auto* donation = std::get_if<DonationReceived>(&event.body)) {
    return donation->kind == DonationKind::kInKind ? "Sachspende" : "Spende";
  }
  if (auto* expense = std::get_if<ExpensePaid>(&event.body)) {
    return expense->project.empty() ? expense->category
                                    : expense->category + " " + expense->project;
  }
  return std::string(CategoryOfMoneyEvent(event.body));
}

Status AddTotal(int64_t* total_cents, int64_t amount_cents) {
  if (!AddCents(*total_cents, amount_cents, total_cents)) {
    return Status::Rejected("a total of the export would overflow");
  }
  return Status::Ok();
}

// Adds the booking of a money event (`original`) or of its reversal (`reversal` not null).
Status AddBooking(const Event& original, const Event* reversal, ExportState* state) {
  const Event& dated = reversal ? *reversal : original;
  Booking booking;
  booking.id = dated.id;
  booking.date = dated.date;
  booking.amount_cents = MoneyAmountCents(original.body).value_or(0);
  const bool income = !std::holds_alternative<ExpensePaid>(original.body);
  booking.debit_bank = income != (reversal != nullptr);
  booking.category = CategoryOfMoneyEvent(original.body);
  auto* donation = std::get_if<DonationReceived>(&original.body);
  if (donation != nullptr && donation->kind == DonationKind::kInKind) {
    // No money moved: the counter-booking is the asset or expense the gift became, which kasse
    // does not know. Booking it against the bank would falsify the bank's balance.
    return Status::Rejected(fmt::format(
        "event \"{}\" is an in-kind donation; kasse does not know its counter-account (the asset "
        "or expense the gift became), so the year cannot be exported to DATEV yet; nothing written",
        dated.id));
  }
  booking.document = dated.document;
  if (reversal) {
    const auto& body = std::get<EntryReversed>(reversal->body);
    booking.text = fmt::format("Storno {}: {}", body.reverses,
                               reversal->note.empty() ? body.reason : reversal->note);
  } else {
    booking.text = original.note.empty() ? DescribeBooking(original) : original.note;
  }
  if (booking.amount_cents > kDatevAmountCentsMax) {
    return Status::Rejected(fmt::format(
        "event \"{}\": {} EUR has more than the ten digits DATEV allows before the comma",
        booking.id, FormatAmount(booking.amount_cents)));
  }
  const int64_t signed_cents = reversal ? -booking.amount_cents : booking.amount_cents;
  KASSE_RETURN_IF_ERROR(
      AddTotal(income ? &state->income_cents : &state->expense_cents, signed_cents));
  if (state->bookings.size() == kBookingsMax) {
    return Status::Rejected(
        fmt::format("{} has more than {} bookings, DATEV's limit per file; nothing written",
                    state->year, kBookingsMax));
  }
  state->bookings.push_back(std::move(booking));
  return Status::Ok();
}

// Visits one event of the log (in seq order).
Status Collect(const Ledger& ledger, const Event& event, ExportState* state) {
  if (auto* category = std::get_if<CategoryDefined>(&event.body)) {
    state->spheres[category->category] = category->sphere;
    return Status::Ok();
  }
  if (auto* mapped = std::get_if<DatevAccountMapped>(&event.body)) {
    if (mapped->chart == state->chart) {
      state->mappings[mapped->category].push_back({event.date, mapped->account});
    }
    return Status::Ok();
  }
  if (event.date.year != state->year) return Status::Ok();
  if (MoneyAmountCents(event.body)) return AddBooking(event, nullptr, state);
  auto* reversed = std::get_if<EntryReversed>(&event.body);
  if (reversed == nullptr) return Status::Ok();
  uint64_t seq = 0;
  Event original;
  KASSE_RETURN_IF_ERROR(ledger.FindId(reversed->reverses, &seq));
  KASSE_RETURN_IF_ERROR(ledger.ReadEvent(seq, &original));
  return AddBooking(original, &event, state);
}

// The account of `booking`'s category: the latest mapping dated on or before the booking (a later
// recorded one wins a tie), else the default.
Status ResolveAccount(const Booking& booking, ExportState* state, std::string* account) {
  const Mapping* chosen = nullptr;
  auto history = state->mappings.find(booking.category);
  if (history != state->mappings.end()) {
    for (const Mapping& mapping : history->second) {
      if (!(booking.date < mapping.date) && (!chosen || !(mapping.date < chosen->date))) {
        chosen = &mapping;
      }
    }
  }
  if (chosen) {
    *account = chosen->account;
    return Status::Ok();
  }
  const DatevDefaultAccount* fallback =
      FindDatevDefault(DatevAccountRole::kCategory, booking.category);
  if (!fallback) {
    return Status::Rejected(fmt::format(
        "event \"{}\": the category \"{}\" has no default account in {}; record one with "
        "kasse datev-account --category \"{}\" --chart {} --account {} --date {}-01-01",
        booking.id, booking.category, DatevChartName(state->chart), booking.category,
        DatevChartName(state->chart),
        std::string(static_cast<size_t>(DatevAccountDigits(state->chart)), 'N'), state->year));
  }
  *account = std::string(fallback->account(state->chart));
  if (!fallback->confirmed(state->chart)) {
    state->unconfirmed_used.insert(fmt::format("{} {}", booking.category, *account));
  }
  return Status::Ok();
}

std::string LocalTimestamp() {
  const int64_t now_ms = NowUnixMs();
  const std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}{:03}", local.tm_year + 1900, local.tm_mon + 1,
                     local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec, now_ms % 1000);
}

// Line 1, the header record: 31 fields (developer.datev.de, DATEV-Format, Header).
std::string HeaderRecord(const ExportState& state, const DatevFlags& flags,
                         const std::string& user) {
  size_t replaced = 0;
  const std::string exported_by = DatevQuoted(ToWindows1252(user, &replaced), kExportedByCharsMax);
  const std::vector<std::string> fields = {
      "\"EXTF\"",
      "700",
      "21",
      "\"Buchungsstapel\"",
      "13",
      LocalTimestamp(),
      "",        // 7 Importiert: set by DATEV
      "\"RE\"",  // 8 Herkunft, as in DATEV's example
      exported_by,
      "\"\"",  // 9 Exportiert von, 10 Importiert von
      flags.adviser,
      flags.client,
      fmt::format("{}0101", state.year),  // 13 WJ-Beginn: kasse's fiscal year is the calendar year
      std::to_string(DatevAccountDigits(state.chart)),  // 14 Sachkontenlänge
      fmt::format("{}0101", state.year),
      fmt::format("{}1231", state.year),  // 15, 16 Datum vom/bis
      fmt::format("\"kasse {} {}\"", DatevChartName(state.chart), state.year),  // 17 Bezeichnung
      "\"\"",
      "1",
      "0",  // 18 Diktatkürzel, 19 Buchungstyp Finanzbuchführung, 20 Rechnungslegungszweck
      "0",  // 21 Festschreibung: no, so that the adviser can review the batch first
      "\"EUR\"",
      "",
      "\"\"",
      "",
      "",
      "\"\"",  // 27 SKR: the value for SKR 49 / SKR 42 is not confirmed, so left empty
      "",
      "",
      "\"\"",
      "\"\""};
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) line += (i ? ";" : "") + fields[i];
  return line + "\r\n";
}

std::string ColumnHeadingLine() {
  std::string line;
  size_t replaced = 0;
  for (std::string_view heading : DatevColumnHeadings()) {
    if (!line.empty()) line += ';';
    line += ToWindows1252(heading, &replaced);
  }
  return line + "\r\n";
}

// One booking row of 125 fields; *replaced counts characters Windows-1252 lacks.
std::string BookingRow(const Booking& booking, const std::string& bank, const std::string& account,
                       const ExportState& state, size_t* replaced) {
  std::vector<std::string> fields(DatevColumnHeadings().size());
  fields[0] = DatevAmount(booking.amount_cents);
  fields[1] = booking.debit_bank ? "\"S\"" : "\"H\"";
  fields[2] = "\"EUR\"";
  fields[6] = bank;
  fields[7] = account;
  fields[9] = fmt::format("{:02}{:02}", booking.date.day, booking.date.month);
  fields[10] = DatevQuoted(DatevVoucher(ToWindows1252(booking.document, replaced)), 36);
  fields[13] = DatevQuoted(ToWindows1252(booking.text, replaced), kTextCharsMax);
  std::string sphere;
  if (state.chart == DatevChart::kSkr42) {
    auto it = state.spheres.find(booking.category);
    const Sphere value = it == state.spheres.end() ? Sphere::kIdeal : it->second;
    sphere = std::to_string(static_cast<int>(value) + 1);  // 1 ideal ... 4 commercial
  }
  fields[36] = DatevQuoted(sphere, 36);
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) line += (i ? ";" : "") + fields[i];
  return line + "\r\n";
}

Status BuildRows(ExportState* state, std::string* text) {
  const std::string bank(FindDatevDefault(DatevAccountRole::kBank)->account(state->chart));
  for (const Booking& booking : state->bookings) {
    std::string account;
    KASSE_RETURN_IF_ERROR(ResolveAccount(booking, state, &account));
    size_t replaced = 0;
    *text += BookingRow(booking, bank, account, *state, &replaced);
    if (replaced > 0) {
      fmt::print(stderr,
                 "kasse: warning: event \"{}\": {} character(s) that Windows-1252 lacks written "
                 "as '?'\n",
                 booking.id, replaced);
    }
  }
  return Status::Ok();
}

Status RunExportDatev(const GlobalOptions& options, const DatevFlags& flags) {
  ExportState state;
  KASSE_RETURN_IF_ERROR(ParseFlags(flags, &state));
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForRead(options.db_path, &ledger));
  KASSE_RETURN_IF_ERROR(ledger->ForEachEvent(
      1, UINT64_MAX, /*with_personal=*/false,
      [&](const Ledger::EventRecord& record) { return Collect(*ledger, record.event, &state); }));
  if (state.bookings.empty()) {
    return Status::Rejected(fmt::format(
        "no bookings dated in {}; an empty Buchungsstapel was not written", state.year));
  }
  std::string text = HeaderRecord(state, flags, RecordingUser(options)) + ColumnHeadingLine();
  KASSE_RETURN_IF_ERROR(BuildRows(&state, &text));
  KASSE_RETURN_IF_ERROR(WriteNewFile(
      flags.out, text,
      fmt::format("option --out: {} exists; kasse never overwrites an export, choose another name",
                  flags.out)));
  fmt::print(
      "wrote {}: {} bookings of {}, DATEV EXTF Buchungsstapel version 13, {}, Windows-1252\n",
      flags.out, state.bookings.size(), state.year, DatevChartName(state.chart));
  fmt::print("income {} EUR, expenses {} EUR (reversals deducted), bank account {}\n",
             FormatAmountGerman(state.income_cents), FormatAmountGerman(state.expense_cents),
             FindDatevDefault(DatevAccountRole::kBank)->account(state.chart));
  for (const std::string& used : state.unconfirmed_used) {
    fmt::print("note: default account not confirmed against DATEV's chart, ask the adviser: {}\n",
               used);
  }
  return Status::Ok();
}

}  // namespace

void AddExportDatevCommand(CLI::App* export_command, GlobalOptions& options, int& exit_code) {
  auto flags = std::make_shared<DatevFlags>();
  CLI::App* datev = export_command->add_subcommand(
      "datev", "The bookings of a year as a DATEV EXTF Buchungsstapel for the tax adviser");
  datev->add_option("--year", flags->year, "the fiscal (calendar) year")->required();
  datev->add_option("--out", flags->out, "the new file, e.g. EXTF_Buchungen_2022.csv")->required();
  datev->add_option("--chart", flags->chart,
                    "SKR49 or SKR42 (default: SKR49 up to 2024, SKR42 from 2025)");
  datev->add_option("--adviser-number", flags->adviser,
                    "DATEV Beraternummer (1001-9999999; default 1001, a placeholder)");
  datev->add_option("--client-number", flags->client,
                    "DATEV Mandantennummer (1-99999; default 1, a placeholder)");
  datev->footer(
      "Writes Windows-1252 with CRLF; refuses to overwrite FILE. Accounts: the defaults in the\n"
      "README, or what `kasse datev-account` recorded.\n"
      "Example:\n  kasse export datev --year 2022 --out EXTF_Buchungen_2022.csv "
      "--adviser-number 29098 --client-number 55003");
  datev->callback([&options, &exit_code, flags]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunExportDatev(options, *flags));
  });
}

}  // namespace kasse::cli
