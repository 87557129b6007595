// kasse export gdpdu --year Y --out DIR: the data that a tax audit asks for under § 147 (6) AO
// (Z3, Datenträgerüberlassung), as CSV tables described by index.xml after the
// "Beschreibungsstandard für die Datenträgerüberlassung" (cli/gdpdu.h), with the DTD beside it.
//
// The tables come from the log itself, not from the projections, so that what the tax office
// receives is the recorded history, each row with its hash:
//   journal.csv     every event booked in Y (its booking date, not when it was recorded, decides;
//                   a reversal counts in the year of its own date, as in the statement)
//   kategorien.csv  the chart of categories as it stood at the end of Y
//   mitglieder.csv  membership periods that overlap Y, by member number only
// Names of members, donors, payers and payees, addresses and notes are not exported: the member
// number is the association's own pseudonym, and a note is free text that may name people.
//
// Nothing is written unless everything succeeds: the files go to a temporary directory beside
// --out, which is renamed to --out at the end (rename replaces a missing or empty directory).
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "cli/common.h"
#include "cli/gdpdu.h"
#include "ledger/hash.h"
#include "ledger/json_event.h"
#include "projections/chart.h"
#include "projections/statement.h"

namespace kasse::cli {

namespace {

namespace fs = std::filesystem;

struct ExportFlags {
  std::string year;
  std::string out;
  std::string location;
};

// A category as the chart holds it at the end of the year.
struct ChartEntry {
  uint64_t first_seq = 0;  // orders the table as the treasurer defined the chart
  Direction direction = Direction::kExpense;
  Sphere sphere = Sphere::kIdeal;
  std::string group;
  bool defined_by_year_end = false;  // some definition is dated on or before 31 December
};

// One step of a member's history, ordered by booking date, then seq (as projections/members.h).
struct MemberStep {
  int32_t yyyymmdd = 0;
  uint64_t seq = 0;
  EventType type = EventType::kMemberJoined;
  std::optional<MemberKind> kind;
};

// What the rows of a reversal need from the event it reverses.
struct ReversedEntry {
  std::string category;
  int64_t signed_amount_cents = 0;
};

// What the first pass over the log gathers for the tables.
struct LedgerScan {
  int32_t year = 0;
  std::map<std::string, ChartEntry> chart;
  std::map<std::string, std::vector<MemberStep>> members;
  std::map<std::string, ReversedEntry> reversed;  // by id: the events reversed in the year
};

bool InYear(const Date& date, int32_t year) {
  return date.year == year;
}

// Income counts positive, an expense negative: the sign of the money's flow.
int64_t SignedAmountCents(Direction direction, int64_t amount_cents) {
  return direction == Direction::kIncome ? amount_cents : -amount_cents;
}

void ScanCategory(const Event& event, const CategoryDefined& body, LedgerScan* scan) {
  auto [entry, inserted] = scan->chart.try_emplace(body.category);
  if (inserted) {
    entry->second = {event.seq, body.direction, body.sphere, body.group, false};
  }
  // A later definition may only change the group (projections/chart.h); the one dated last on or
  // before the year's end gives the heading of that year, in recording order like the chart.
  if (event.date.year <= scan->year) {
    entry->second.group = body.group;
    entry->second.defined_by_year_end = true;
  }
}

void ScanMember(const Event& event, const std::string& member, std::optional<MemberKind> kind,
                LedgerScan* scan) {
  scan->members[member].push_back({event.date.yyyymmdd(), event.seq, TypeOf(event.body), kind});
}

// Sorts one event into the scan: categories, member histories, and the reversals of the year.
void ScanEvent(const Event& event, LedgerScan* scan) {
  if (const auto* body = std::get_if<CategoryDefined>(&event.body)) {
    ScanCategory(event, *body, scan);
  } else if (const auto* joined = std::get_if<MemberJoined>(&event.body)) {
    ScanMember(event, joined->member, joined->kind, scan);
  } else if (const auto* changed = std::get_if<MemberChanged>(&event.body)) {
    ScanMember(event, changed->member, changed->kind, scan);
  } else if (const auto* left = std::get_if<MemberLeft>(&event.body)) {
    ScanMember(event, left->member, std::nullopt, scan);
  } else if (const auto* reversal = std::get_if<EntryReversed>(&event.body)) {
    if (InYear(event.date, scan->year)) scan->reversed[reversal->reverses] = {};
  }
}

// The first pass: checks the hash chain on the way (an export of a damaged log would hand the tax
// office hashes that prove nothing) and gathers what the tables need besides the rows.
Status ScanLedger(const Ledger& ledger, LedgerScan* scan) {
  Sha256 expected_prev{};  // seq 1 follows the zero hash
  KASSE_RETURN_IF_ERROR(ledger.ForEachEvent(
      1, UINT64_MAX, /*with_personal=*/false, [&](const Ledger::EventRecord& record) {
        if (record.prev_hash != expected_prev) {
          return Status::Corruption(
              fmt::format("event seq {}: its predecessor's hash does not match; run kasse verify",
                          record.event.seq));
        }
        expected_prev = ComputeSha256(record.stored_bytes);
        ScanEvent(record.event, scan);
        return Status::Ok();
      }));
  if (expected_prev != ledger.head_hash()) {
    return Status::Corruption("the last event does not match the head hash; run kasse verify");
  }
  // Reversals of the year are few; reading what they reverse by id keeps the pass's memory small.
  for (auto& [id, entry] : scan->reversed) {
    uint64_t seq = 0;
    Event original;
    KASSE_RETURN_IF_ERROR(ledger.FindId(id, &seq).WithContext("reversed event " + id));
    KASSE_RETURN_IF_ERROR(ledger.ReadEvent(seq, &original));
    const std::optional<int64_t> amount_cents = MoneyAmountCents(original.body);
    entry.category = CategoryOfMoneyEvent(original.body);
    const auto category = scan->chart.find(entry.category);
    if (!amount_cents || category == scan->chart.end()) {
      return Status::Corruption(fmt::format("event {} is reversed but is no booking", id));
    }
    entry.signed_amount_cents = SignedAmountCents(category->second.direction, *amount_cents);
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// The journal.

std::vector<GdpduColumn> JournalColumns() {
  using T = GdpduType;
  return {
      {"Seq", "Laufende Nummer im Ereignisprotokoll (lückenlos über alle Jahre)", T::kNumeric, 0},
      {"Buchungsdatum", "Datum der Buchung bzw. des Ereignisses", T::kDate, 0},
      {"Erfasst_Datum", "Tag der Erfassung (UTC)", T::kDate, 0},
      {"Erfasst_Uhrzeit", "Uhrzeit der Erfassung, hh:mm:ss (UTC)", T::kAlphaNumeric, 0},
      {"Erfasst_von", "Benutzer, der das Ereignis erfasst hat", T::kAlphaNumeric, 0},
      {"Ereignistyp",
       "z. B. income.received (Einnahme), expense.paid (Ausgabe), dues.paid (Mitgliedsbeitrag), "
       "donation.received (Spende), entry.reversed (Storno), member.joined (Eintritt)",
       T::kAlphaNumeric, 0},
      {"Id", "Eindeutige Kennung des Ereignisses", T::kAlphaNumeric, 0},
      {"Kategorie", "Kategorie (Konto) der Buchung, siehe Tabelle Kategorien", T::kAlphaNumeric, 0},
      {"Richtung", "income (Einnahme) oder expense (Ausgabe)", T::kAlphaNumeric, 0},
      {"Sphaere",
       "ideal (ideeller Bereich), asset_management (Vermögensverwaltung), purpose_business "
       "(Zweckbetrieb), commercial (wirtschaftlicher Geschäftsbetrieb)",
       T::kAlphaNumeric, 0},
      {"Betrag",
       "Betrag in EUR: Einnahmen positiv, Ausgaben negativ; ein Storno mit umgekehrtem "
       "Vorzeichen der stornierten Buchung",
       T::kNumeric, 2},
      {"Beleg", "Belegnummer", T::kAlphaNumeric, 0},
      {"Mitglied", "Mitgliedsnummer (Pseudonym des Vereins; Namen werden nicht exportiert)",
       T::kAlphaNumeric, 0},
      {"Storno_von", "Id der stornierten Buchung", T::kAlphaNumeric, 0},
      {"Hash", "SHA-256 der gespeicherten Bytes des Ereignisses (hex)", T::kAlphaNumeric, 0},
      {"Vorgaenger_Hash", "SHA-256 des vorigen Ereignisses (Seq - 1) in der Hash-Kette",
       T::kAlphaNumeric, 0},
  };
}

// Category, direction, sphere, amount, member and reversed id of one event; empty where the
// event has none.
struct BookingFields {
  std::string category;
  std::string direction;
  std::string sphere;
  std::string amount;
  std::string member;
  std::string reverses;
};

void SetCategory(const LedgerScan& scan, std::string_view category, BookingFields* fields) {
  fields->category = category;
  const auto entry = scan.chart.find(fields->category);
  if (entry == scan.chart.end()) return;  // ScanLedger has seen every definition
  fields->direction = std::string(DirectionName(entry->second.direction));
  fields->sphere = std::string(SphereName(entry->second.sphere));
}

BookingFields BookingOf(const LedgerScan& scan, const Event& event) {
  BookingFields fields;
  if (const std::optional<int64_t> amount_cents = MoneyAmountCents(event.body)) {
    SetCategory(scan, CategoryOfMoneyEvent(event.body), &fields);
    const auto entry = scan.chart.find(fields.category);
    const Direction direction =
        entry == scan.chart.end() ? Direction::kExpense : entry->second.direction;
    fields.amount = GdpduAmount(SignedAmountCents(direction, *amount_cents));
  } else if (const auto* reversal = std::get_if<EntryReversed>(&event.body)) {
    const ReversedEntry& original = scan.reversed.at(reversal->reverses);
    SetCategory(scan, original.category, &fields);
    fields.amount = GdpduAmount(-original.signed_amount_cents);
    fields.reverses = reversal->reverses;
  } else if (const auto* defined = std::get_if<CategoryDefined>(&event.body)) {
    SetCategory(scan, defined->category, &fields);
  }
  std::visit(
      [&fields](const auto& body) {
        if constexpr (requires { body.member; }) fields.member = body.member;
      },
      event.body);
  return fields;
}

// The categories and member numbers that rows of the journal name: the chart and the member table
// must hold each of them.
struct JournalReferences {
  std::set<std::string> categories;
  std::set<std::string> members;
};

std::vector<std::string> JournalRow(const LedgerScan& scan, const Ledger::EventRecord& record,
                                    JournalReferences* references) {
  const Event& event = record.event;
  const BookingFields booking = BookingOf(scan, event);
  if (!booking.category.empty()) references->categories.insert(booking.category);
  if (!booking.member.empty()) references->members.insert(booking.member);
  // "2022-11-28T01:51:31.123Z" (UTC): the day as DD.MM.YYYY, the time to the second.
  const std::string recorded_at = FormatTimestamp(event.recorded_at_unix_ms);
  return {std::to_string(event.seq),
          GdpduDate(event.date.year, event.date.month, event.date.day),
          fmt::format("{}.{}.{}", recorded_at.substr(8, 2), recorded_at.substr(5, 2),
                      recorded_at.substr(0, 4)),
          recorded_at.substr(11, 8),
          event.recorded_by,
          std::string(TypeName(TypeOf(event.body))),
          event.id,
          booking.category,
          booking.direction,
          booking.sphere,
          booking.amount,
          event.document,
          booking.member,
          booking.reverses,
          HexOf(ComputeSha256(record.stored_bytes)),
          HexOf(record.prev_hash)};
}

// The second pass: one row per event booked in the year, in seq order.
Status WriteJournal(const Ledger& ledger, const LedgerScan& scan, GdpduTable* journal,
                    JournalReferences* references) {
  return ledger.ForEachEvent(1, UINT64_MAX, /*with_personal=*/false,
                             [&](const Ledger::EventRecord& record) {
                               if (InYear(record.event.date, scan.year))
                                 journal->Row(JournalRow(scan, record, references));
                               return Status::Ok();
                             });
}

GdpduTable NewJournal(int32_t year) {
  GdpduTable journal(
      "journal.csv", "Journal",
      fmt::format("Alle Ereignisse mit Buchungsdatum im Geschäftsjahr {} (Buchungen, Stornos, "
                  "Mitgliedschaft, Kategorien), in der Reihenfolge der Erfassung",
                  year),
      JournalColumns(), /*primary_key_columns=*/1);
  journal.set_validity(GdpduDate(year, 1, 1), GdpduDate(year, 12, 31));
  journal.add_foreign_key({"Kategorie", "Kategorien"});
  return journal;
}

// ---------------------------------------------------------------------------------------------
// The chart of categories and the members.

// The chart at the end of the year: categories defined by then, and any that a booking of the year
// uses although its definition is dated later (the rules check categories in recording order).
GdpduTable ChartTable(const LedgerScan& scan, const std::set<std::string>& used) {
  using T = GdpduType;
  GdpduTable table(
      "kategorien.csv", "Kategorien",
      fmt::format("Kategorienplan (Konten) am 31.12.{} mit Richtung und Sphäre", scan.year),
      {{"Kategorie", "Name der Kategorie", T::kAlphaNumeric, 0},
       {"Richtung", "income (Einnahme) oder expense (Ausgabe)", T::kAlphaNumeric, 0},
       {"Sphaere", "Steuerliche Sphäre, siehe Journal", T::kAlphaNumeric, 0},
       {"Gruppe", "Überschrift im Bericht, z. B. Verwaltungskosten", T::kAlphaNumeric, 0}},
      /*primary_key_columns=*/1);
  std::vector<std::pair<uint64_t, const std::string*>> order;
  for (const auto& [name, entry] : scan.chart) {
    if (entry.defined_by_year_end || used.contains(name))
      order.emplace_back(entry.first_seq, &name);
  }
  std::sort(order.begin(), order.end());
  for (const auto& [seq, name] : order) {
    const ChartEntry& entry = scan.chart.at(*name);
    table.Row({*name, std::string(DirectionName(entry.direction)),
               std::string(SphereName(entry.sphere)), entry.group});
  }
  return table;
}

struct MembershipPeriod {
  int32_t joined_yyyymmdd = 0;
  int32_t left_yyyymmdd = 0;  // 0 while still a member at the end of the year
  MemberKind kind = MemberKind::kPersonal;
};

// A member's periods up to the end of `year`, from the steps sorted by (date, seq).
std::vector<MembershipPeriod> PeriodsOf(std::vector<MemberStep> steps, int32_t year) {
  std::sort(steps.begin(), steps.end(), [](const MemberStep& a, const MemberStep& b) {
    return std::pair(a.yyyymmdd, a.seq) < std::pair(b.yyyymmdd, b.seq);
  });
  const int32_t year_end = year * 10000 + 1231;
  std::vector<MembershipPeriod> periods;
  for (const MemberStep& step : steps) {
    if (step.yyyymmdd > year_end) break;
    if (step.type == EventType::kMemberJoined) {
      periods.push_back({step.yyyymmdd, 0, step.kind.value_or(MemberKind::kPersonal)});
    } else if (!periods.empty() && periods.back().left_yyyymmdd == 0) {
      if (step.type == EventType::kMemberLeft) periods.back().left_yyyymmdd = step.yyyymmdd;
      if (step.kind) periods.back().kind = *step.kind;
    }
  }
  return periods;
}

std::string DateOfYyyymmdd(int32_t yyyymmdd) {
  if (yyyymmdd == 0) return "";
  return GdpduDate(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

// Every membership period that overlaps the year, and every period of a member whom a row of the
// journal names (e.g. dues paid after leaving), so that each member number of the journal is here.
GdpduTable MembersTable(const LedgerScan& scan, const std::set<std::string>& named) {
  using T = GdpduType;
  GdpduTable table(
      "mitglieder.csv", "Mitglieder",
      fmt::format("Mitgliedschaften im Geschäftsjahr {}, pseudonym: nur Mitgliedsnummer, Art und "
                  "Daten, keine Namen oder Anschriften",
                  scan.year),
      {{"Mitglied", "Mitgliedsnummer (Pseudonym des Vereins)", T::kAlphaNumeric, 0},
       {"Art",
        "personal (natürliche Person) oder institutional (Institution), am Jahresende "
        "bzw. beim Austritt",
        T::kAlphaNumeric, 0},
       {"Eintritt", "Datum des Eintritts", T::kDate, 0},
       {"Austritt", "Datum des Austritts; leer, wenn am 31.12. noch Mitglied", T::kDate, 0}},
      /*primary_key_columns=*/0);
  const int32_t year_start = scan.year * 10000 + 101;
  for (const auto& [member, steps] : scan.members) {
    for (const MembershipPeriod& period : PeriodsOf(steps, scan.year)) {
      const bool overlaps = period.left_yyyymmdd == 0 || period.left_yyyymmdd >= year_start;
      if (!overlaps && !named.contains(member)) continue;
      table.Row({member, std::string(MemberKindName(period.kind)),
                 DateOfYyyymmdd(period.joined_yyyymmdd), DateOfYyyymmdd(period.left_yyyymmdd)});
    }
  }
  return table;
}

// ---------------------------------------------------------------------------------------------
// The directory.

// --out must not exist (its parent must) or be an empty directory: an earlier export is never
// overwritten. Sets *out to the path without a trailing slash, which rename() needs.
Status CheckOutDirectory(const std::string& text, fs::path* out) {
  if (text.empty()) return Status::InvalidInput("option --out: the directory name is empty");
  *out = fs::path(text).lexically_normal();
  if (!out->has_filename()) *out = out->parent_path();
  std::error_code error;
  const fs::file_status status = fs::symlink_status(*out, error);
  if (status.type() == fs::file_type::not_found) {
    const fs::path parent = out->has_parent_path() ? out->parent_path() : fs::path(".");
    if (fs::is_directory(parent, error)) return Status::Ok();
    return Status::InvalidInput(
        fmt::format("option --out: the directory {} does not exist", parent.string()));
  }
  if (status.type() != fs::file_type::directory) {
    return Status::InvalidInput(
        fmt::format("option --out: {} exists and is not a directory", text));
  }
  if (!fs::is_empty(*out, error) || error) {
    return Status::InvalidInput(fmt::format(
        "option --out: {} is not empty; kasse does not overwrite an earlier export, choose a new "
        "directory",
        text));
  }
  return Status::Ok();
}

Status WriteFileIn(const fs::path& dir, const std::string& name, std::string_view content) {
  const fs::path path = dir / name;
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  file.close();
  if (!file) return Status::IoError(fmt::format("cannot write {}", path.string()));
  return Status::Ok();
}

// Writes `files` (name, content) into a new directory beside `out` and renames it to `out`; on
// any error removes what it wrote.
Status WriteDirectory(const fs::path& out,
                      const std::vector<std::pair<std::string, std::string_view>>& files) {
  fs::path staging = out;
  staging += fmt::format(".kasse-partial-{}", ::getpid());
  std::error_code error;
  if (!fs::create_directory(staging, error) || error) {
    return Status::IoError(fmt::format("option --out: cannot create {}: {}", staging.string(),
                                       error ? error.message() : "it exists"));
  }
  Status status;
  for (const auto& [name, content] : files) {
    status = WriteFileIn(staging, name, content);
    if (!status.ok()) break;
  }
  if (status.ok()) {
    fs::rename(staging, out, error);
    if (error) {
      status = Status::IoError(
          fmt::format("option --out: cannot create {}: {}", out.string(), error.message()));
    }
  }
  if (!status.ok()) fs::remove_all(staging, error);
  return status;
}

std::string SupplierComment(const Ledger& ledger, int32_t year) {
  return fmt::format(
      "kasse: Datenträgerüberlassung nach § 147 Abs. 6 AO, Geschäftsjahr {}; aus dem "
      "Ereignisprotokoll mit {} Ereignissen, Hash des letzten (Kopf der Hash-Kette) {}",
      year, ledger.head_seq(), HexOf(ledger.head_hash()));
}

Status RunExportGdpdu(const GlobalOptions& options, const ExportFlags& flags) {
  LedgerScan scan;
  KASSE_RETURN_IF_ERROR(ParseYear(flags.year, &scan.year).WithContext("option --year"));
  fs::path out;
  KASSE_RETURN_IF_ERROR(CheckOutDirectory(flags.out, &out));
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForRead(options.db_path, &ledger));
  KASSE_RETURN_IF_ERROR(ScanLedger(*ledger, &scan));

  GdpduTable journal = NewJournal(scan.year);
  JournalReferences references;
  KASSE_RETURN_IF_ERROR(WriteJournal(*ledger, scan, &journal, &references));
  const GdpduTable chart = ChartTable(scan, references.categories);
  const GdpduTable members = MembersTable(scan, references.members);

  const GdpduSupplier supplier{ledger->name(),
                               flags.location.empty() ? "nicht angegeben" : flags.location,
                               SupplierComment(*ledger, scan.year)};
  const std::string index = GdpduIndexXml(supplier, fmt::format("kasse Z3-Export {}", scan.year),
                                          {&journal, &chart, &members});
  KASSE_RETURN_IF_ERROR(WriteDirectory(out, {{kGdpduIndexFileName, index},
                                             {kGdpduDtdFileName, GdpduDtd()},
                                             {journal.url(), journal.csv()},
                                             {chart.url(), chart.csv()},
                                             {members.url(), members.csv()}}));
  fmt::print("exported {} journal rows, {} categories, {} memberships of {} to {}\n",
             journal.row_count(), chart.row_count(), members.row_count(), scan.year, out.string());
  if (journal.row_count() == 0) {
    fmt::print(stderr, "kasse: note: no event is booked in {}; the journal is empty\n", scan.year);
  }
  return Status::Ok();
}

}  // namespace

void AddExportCommands(CLI::App& app, GlobalOptions& options, int& exit_code) {
  CLI::App* exports =
      app.add_subcommand("export", "Exports for the tax office and the tax adviser");
  exports->require_subcommand(1);
  AddExportDatevCommand(exports, options, exit_code);
  auto flags = std::make_shared<ExportFlags>();
  CLI::App* gdpdu = exports->add_subcommand(
      "gdpdu",
      "The data of a year for a tax audit (§ 147 (6) AO, Z3): CSV tables and index.xml after "
      "the Beschreibungsstandard, with its DTD");
  gdpdu->add_option("--year", flags->year, "the fiscal year, e.g. 2022")->required();
  gdpdu
      ->add_option("--out", flags->out,
                   "a new directory (or an empty one) for index.xml, the DTD and the tables")
      ->required();
  gdpdu->add_option("--location", flags->location,
                    "where the association is seated, for index.xml's DataSupplier");
  gdpdu->footer(
      "Example:\n  kasse export gdpdu --year 2022 --out z3-2022 --location Berlin\n"
      "  xmllint --noout --valid z3-2022/index.xml");
  gdpdu->callback([&options, &exit_code, flags]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunExportGdpdu(options, *flags));
  });
}

}  // namespace kasse::cli
