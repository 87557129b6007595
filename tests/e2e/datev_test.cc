// End-to-end tests of `kasse export datev` and `kasse datev-account` through the real binary. The
// file is read back by an independent reader, Python's csv module (/usr/bin/python3, as in
// tests/schema), decoding Windows-1252; the figures are compared with kasse's own JSON reports.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/run.h"

namespace kasse::test {
namespace {

using nlohmann::json;
using Args = std::vector<std::string>;

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE((text).find(part), std::string::npos) << "expected \"" << (part) << "\" in:\n" << (text)

// Reads a DATEV file: CRLF after every line and nothing else, Windows-1252, ';' separated, '"'
// quoting. Prints {"header": [...], "headings": [...], "rows": [[...], ...]}.
constexpr char kDatevReader[] = R"PY(
import csv, io, json, sys
raw = open(sys.argv[1], "rb").read()
if not raw.endswith(b"\r\n") or raw.count(b"\n") != raw.count(b"\r\n"):
    sys.exit("not CRLF throughout")
if raw.startswith(b"\xef\xbb\xbf"):
    sys.exit("a UTF-8 byte order mark")
text = raw.decode("cp1252")
reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True)
records = list(reader)
print(json.dumps({"header": records[0], "headings": records[1], "rows": records[2:]}))
)PY";

// Column positions (0-based) of the fields kasse fills, format version 13.
constexpr size_t kAmount = 0, kSide = 1, kCurrency = 2, kAccount = 6, kCounterAccount = 7,
                 kVoucherDate = 9, kVoucher = 10, kText = 13, kCostCentre = 36;

std::string Show(const Args& args, const RunResult& result) {
  std::string text = "kasse";
  for (const std::string& arg : args) text += " " + arg;
  return fmt::format("{}\nexit {}\nstdout: {}\nstderr: {}", text, result.exit_code,
                     result.out.substr(0, 2000), result.err.substr(0, 2000));
}

// "1234,56" or "1234.56" in cents, without floating point.
int64_t Cents(std::string amount) {
  for (char& c : amount) c = c == ',' ? '.' : c;
  const size_t dot = amount.find('.');
  EXPECT_TRUE(dot != std::string::npos && amount.size() - dot == 3) << amount;
  return std::stoll(amount.substr(0, dot)) * 100 + std::stoll(amount.substr(dot + 1));
}

class Ledger {
 public:
  Ledger() : db_(dir_.File("db")) {}

  RunResult Run(Args args) const {
    args.insert(args.begin(), {"--db", db_});
    return RunKasse(args);
  }
  std::string Ok(const Args& args) const {
    const RunResult result = Run(args);
    EXPECT_EQ(result.exit_code, 0) << Show(args, result);
    return result.out;
  }
  void Init() const { Ok({"init", "--name", "Test e.V."}); }
  void Import(const std::vector<json>& events) const {
    std::string lines;
    for (const json& event : events) lines += event.dump() + "\n";
    const std::string path = dir_.File("input.jsonl");
    WriteFile(path, lines);
    Ok({"import", path});
  }
  json Report(const Args& args) const { return json::parse(Ok(args)); }
  std::string File(const std::string& name) const { return dir_.File(name); }

  // Exports `year` and reads the file back with Python.
  json Export(int year, Args more = {}) const {
    const std::string path = File(fmt::format("EXTF_{}.csv", year));
    Args args = {"export", "datev", "--year", std::to_string(year), "--out", path};
    args.insert(args.end(), more.begin(), more.end());
    last_output_ = Run(args);
    EXPECT_EQ(last_output_.exit_code, 0) << Show(args, last_output_);
    const RunResult read = RunProgram("/usr/bin/python3", {"-c", kDatevReader, path});
    EXPECT_EQ(read.exit_code, 0) << "python3 (Debian's, needed by the tests) failed: " << read.err;
    const json parsed = json::parse(read.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(parsed.is_object()) << read.out;
    return parsed.is_object() ? parsed : json::object();
  }
  const RunResult& last_output() const { return last_output_; }

 private:
  TempDir dir_;
  std::string db_;
  mutable RunResult last_output_;
};

json Event(const char* type, const std::string& id, const std::string& date, json fields) {
  fields["type"] = type;
  fields["id"] = id;
  fields["date"] = date;
  return fields;
}

// The header record's fields that do not depend on the year.
void ExpectHeader(const json& header, int year, const std::string& account_digits) {
  ASSERT_EQ(header.size(), 31u) << header;
  EXPECT_EQ(header[0], "EXTF");
  EXPECT_EQ(header[1], "700");
  EXPECT_EQ(header[2], "21");
  EXPECT_EQ(header[3], "Buchungsstapel");
  EXPECT_EQ(header[4], "13");
  EXPECT_EQ(header[5].get<std::string>().size(), 17u) << header[5];
  EXPECT_EQ(header[12], fmt::format("{}0101", year));  // WJ-Beginn
  EXPECT_EQ(header[13], account_digits);               // Sachkontenlänge
  EXPECT_EQ(header[14], fmt::format("{}0101", year));  // Datum vom
  EXPECT_EQ(header[15], fmt::format("{}1231", year));  // Datum bis
  EXPECT_EQ(header[21], "EUR");
}

void ExpectEveryRowHasTheHeadingsColumns(const json& file) {
  ASSERT_EQ(file["headings"].size(), 125u);
  EXPECT_EQ(file["headings"][kAmount], "Umsatz (ohne Soll/Haben-Kz)");
  EXPECT_EQ(file["headings"][kCounterAccount], "Gegenkonto (ohne BU-Schlüssel)");
  EXPECT_EQ(file["headings"][kCostCentre], "KOST1 - Kostenstelle");
  for (const json& row : file["rows"]) {
    ASSERT_EQ(row.size(), file["headings"].size()) << row;
    EXPECT_TRUE(row[kSide] == "S" || row[kSide] == "H") << row;
    EXPECT_EQ(row[kCurrency], "EUR");
    EXPECT_EQ(row[kVoucherDate].get<std::string>().size(), 4u) << row;
    EXPECT_GT(Cents(row[kAmount]), 0) << row;
  }
}

// Sum of Umsatz in cents per side ("S", "H") and per (counter-account, side).
struct Sums {
  std::map<std::string, int64_t> by_side;
  std::map<std::string, int64_t> net_by_account;  // S positive, H negative
};
Sums Sum(const json& rows) {
  Sums sums;
  for (const json& row : rows) {
    const int64_t cents = Cents(row[kAmount]);
    sums.by_side[row[kSide]] += cents;
    sums.net_by_account[row[kCounterAccount]] += row[kSide] == "S" ? cents : -cents;
  }
  return sums;
}

// The defaults of the README's table for the example's categories.
const std::map<std::string, std::pair<std::string, std::string>> kDefaults = {
    {"Mitgliedsbeiträge", {"2110", "40000"}}, {"Spenden", {"3221", "40450"}},
    {"Kommunikation", {"2702", "66310"}},     {"Personalkosten", {"2551", "60000"}},
    {"Büroausstattung", {"2701", "68150"}},   {"Hardware", {"2501", "62600"}},
    {"Veranstaltungen", {"2900", "63040"}},   {"Reisekosten", {"2561", "66500"}},
    {"Fachliteratur", {"2704", "68200"}},     {"Beratung", {"2894", "68250"}},
    {"Lizenzen", {"2900", "68370"}},          {"Sonstige Gebühren", {"2750", "64300"}},
    {"Sonstige Kosten", {"2900", "63000"}},   {"Kontoführungsgebühren", {"2703", "68550"}},
    {"Versicherung", {"2753", "64000"}},
};

TEST(DatevExport, TheExample2022InSkr49) {
  Ledger ledger;
  ledger.Init();
  ledger.Ok({"import", SourcePath("examples/next-ev-2022.jsonl")});
  const json file = ledger.Export(2022);
  ExpectHeader(file["header"], 2022, "4");
  ExpectEveryRowHasTheHeadingsColumns(file);
  EXPECT_CONTAINS(ledger.last_output().out, "136 bookings of 2022");
  EXPECT_CONTAINS(ledger.last_output().out, "note: default account not confirmed");
  EXPECT_EQ(ledger.last_output().err, "");

  const json statement = ledger.Report({"report", "statement", "--year", "2022", "--json"});
  const Sums sums = Sum(file["rows"]);
  EXPECT_EQ(sums.by_side.at("S"), 12'000'000);
  EXPECT_EQ(sums.by_side.at("H"), 5'580'489);
  EXPECT_EQ(sums.by_side.at("S"), Cents(statement["income"]["total"]));
  EXPECT_EQ(sums.by_side.at("H"), Cents(statement["expenses"]["total"]));

  // Each category's money lands on the account of the table (several categories share 2900).
  std::map<std::string, int64_t> expected_by_account;
  for (const json& line : statement["lines"]) {
    const int64_t cents = Cents(line["amount"]);
    const std::string& account = kDefaults.at(line["category"]).first;
    expected_by_account[account] += line["direction"] == "income" ? cents : -cents;
  }
  std::erase_if(expected_by_account, [](const auto& entry) { return entry.second == 0; });
  EXPECT_EQ(sums.net_by_account, expected_by_account);
  for (const json& row : file["rows"]) {
    EXPECT_EQ(row[kAccount], "0945") << row;  // the bank: kasse knows no cash payments
    EXPECT_EQ(row[kCostCentre], "") << row;   // SKR 49: the sphere is in the account's class
  }
  // The first expense: 14 January, its voucher, its note as Buchungstext.
  bool found = false;
  for (const json& row : file["rows"]) {
    if (row[kVoucher] != "B-2022-001") continue;
    found = true;
    EXPECT_EQ(row[kAmount], "399,00");
    EXPECT_EQ(row[kSide], "H");
    EXPECT_EQ(row[kCounterAccount], "2753");
    EXPECT_EQ(row[kVoucherDate], "1401");
    EXPECT_EQ(row[kText], "Vereins-Haftpflicht- und D&O-Versicherung 2022");
  }
  EXPECT_TRUE(found);
}

// A small 2025 ledger: all four spheres, a reversal, umlauts, a mapping by date.
class DatevExport2025 : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_.Init();
    ledger_.Ok({"category", "--category", "Zinsen", "--direction", "income", "--sphere",
                "asset_management", "--date", "2024-12-01"});
    ledger_.Ok({"category", "--category", "Kursgebühren", "--direction", "income", "--sphere",
                "purpose_business", "--date", "2024-12-01"});
    ledger_.Ok({"category", "--category", "Flohmarkt", "--direction", "income", "--sphere",
                "commercial", "--date", "2024-12-01"});
    ledger_.Import({
        Event("member.joined", "j1", "2025-01-02",
              {{"member", "M-1"}, {"name", "Jörg Über"}, {"kind", "personal"}}),
        Event("dues.paid", "d1", "2025-01-15",
              {{"member", "M-1"}, {"amount", "120.00"}, {"covers", "2025"}}),
        Event("donation.received", "s1", "2025-02-01", {{"donor", "Ä"}, {"amount", "500"}}),
        Event("income.received", "z1", "2025-03-31", {{"category", "Zinsen"}, {"amount", "12.34"}}),
        Event("income.received", "k1", "2025-04-05",
              {{"category", "Kursgebühren"}, {"amount", "80.00"}}),
        Event("income.received", "f1", "2025-05-10",
              {{"category", "Flohmarkt"}, {"amount", "250.50"}}),
        Event("expense.paid", "e1", "2025-03-01",
              {{"category", "Büroausstattung"},
               {"amount", "45.90"},
               {"document", "B 2025_001"},
               {"note", "Ordner für die Geschäftsstelle – „Übergröße“ \"A4\""}}),
        Event("expense.paid", "e2", "2025-06-01",
              {{"category", "Hardware"}, {"amount", "300.00"}, {"note", "Maus ✓\nund Kabel"}}),
        Event("expense.paid", "e3", "2025-08-01", {{"category", "Hardware"}, {"amount", "99.00"}}),
        Event("entry.reversed", "r1", "2025-06-15", {{"reverses", "e2"}, {"reason", "Retoure"}}),
    });
  }

  void MapIncomeCategories() const {
    ledger_.Ok({"datev-account", "--category", "Zinsen", "--chart", "SKR42", "--account", "71100",
                "--date", "2025-01-01"});
    ledger_.Ok({"datev-account", "--category", "Kursgebühren", "--chart", "SKR42", "--account",
                "41070", "--date", "2025-01-01"});
    ledger_.Ok({"datev-account", "--category", "Flohmarkt", "--chart", "SKR42", "--account",
                "44000", "--date", "2025-01-01"});
  }

  Ledger ledger_;
};

TEST_F(DatevExport2025, CategoriesWithoutDefaultNeedAMappingFirst) {
  const std::string path = ledger_.File("EXTF_2025.csv");
  const RunResult result = ledger_.Run({"export", "datev", "--year", "2025", "--out", path});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_CONTAINS(result.err, "the category \"Zinsen\" has no default account in SKR42");
  EXPECT_CONTAINS(result.err, "kasse datev-account --category \"Zinsen\" --chart SKR42");
  EXPECT_FALSE(std::filesystem::exists(path)) << "a refused export left a file";
}

TEST_F(DatevExport2025, Skr42WithTheSphereInKost1) {
  MapIncomeCategories();
  const json file = ledger_.Export(2025);
  ExpectHeader(file["header"], 2025, "5");
  ExpectEveryRowHasTheHeadingsColumns(file);
  ASSERT_EQ(file["rows"].size(), 9u);
  std::map<std::string, std::string> cost_centre_by_account;
  for (const json& row : file["rows"]) {
    EXPECT_EQ(row[kAccount], "18000") << row;
    cost_centre_by_account[row[kCounterAccount]] = row[kCostCentre];
  }
  const std::map<std::string, std::string> expected = {
      {"40000", "1"}, {"40450", "1"}, {"71100", "2"}, {"41070", "3"},
      {"44000", "4"}, {"68150", "1"}, {"62600", "1"}};
  EXPECT_EQ(cost_centre_by_account, expected);

  // Reversal: the expense's side swapped. Sums: income on S; expenses on H less the reversal.
  const json statement = ledger_.Report({"report", "statement", "--year", "2025", "--json"});
  const Sums sums = Sum(file["rows"]);
  EXPECT_EQ(sums.by_side.at("S"), Cents(statement["income"]["total"]) + 30'000);
  EXPECT_EQ(sums.by_side.at("H"), Cents(statement["expenses"]["total"]) + 30'000);
  EXPECT_EQ(sums.by_side.at("S") - sums.by_side.at("H"), Cents(statement["result"]["total"]));
  EXPECT_EQ(sums.net_by_account.at("62600"), -9'900);
}

TEST_F(DatevExport2025, UmlautsRoundTripThroughWindows1252) {
  MapIncomeCategories();
  const json file = ledger_.Export(2025);
  std::map<std::string, json> by_voucher_date;
  for (const json& row : file["rows"]) by_voucher_date[row[kVoucherDate]] = row;
  const json& office = by_voucher_date.at("0103");
  EXPECT_EQ(office[kText], "Ordner für die Geschäftsstelle – „Übergröße“ \"A4\"");
  EXPECT_EQ(office[kVoucher], "B-2025-001");  // Belegfeld 1 allows no space or underscore
  EXPECT_EQ(by_voucher_date.at("1501")[kText], "Mitgliedsbeitrag M-1 2025");
  // A character Windows-1252 lacks becomes '?', named in a warning; a line feed a space.
  EXPECT_EQ(by_voucher_date.at("0106")[kText], "Maus ? und Kabel");
  EXPECT_CONTAINS(ledger_.last_output().err, "warning: event \"e2\": 1 character(s)");
  EXPECT_EQ(by_voucher_date.at("1506")[kText], "Storno e2: Retoure");
  EXPECT_EQ(by_voucher_date.at("1506")[kSide], "S");
  // The bytes themselves: "ü" is 0xFC, "–" 0x96 in Windows-1252.
  const std::string bytes = ReadFile(ledger_.File("EXTF_2025.csv"));
  EXPECT_CONTAINS(bytes,
                  "Ordner f\xFCr die Gesch\xE4"
                  "ftsstelle \x96 ");
  EXPECT_CONTAINS(bytes, "\"\"A4\"\"");
}

TEST_F(DatevExport2025, AMappingAppliesFromItsDate) {
  MapIncomeCategories();
  ledger_.Ok({"datev-account", "--category", "Hardware", "--chart", "SKR42", "--account", "64950",
              "--date", "2025-07-01"});
  // Another chart's mapping changes nothing here.
  ledger_.Ok({"datev-account", "--category", "Hardware", "--chart", "SKR49", "--account", "0027",
              "--date", "2025-01-01"});
  const json file = ledger_.Export(2025);
  std::map<std::string, std::string> account_by_voucher_date;
  for (const json& row : file["rows"]) {
    account_by_voucher_date[row[kVoucherDate]] = row[kCounterAccount];
  }
  EXPECT_EQ(account_by_voucher_date.at("0106"), "62600");  // before the mapping: the default
  EXPECT_EQ(account_by_voucher_date.at("0108"), "64950");  // after it
  const std::string log = ledger_.Ok({"log", "--type", "datev.account_mapped"});
  EXPECT_CONTAINS(log, "Hardware -> SKR42 account 64950");
}

TEST_F(DatevExport2025, MappingsAreCheckedWhenRecorded) {
  const auto refused = [this](const Args& args, const std::string& what) {
    const RunResult result = ledger_.Run(args);
    EXPECT_EQ(result.exit_code, 1) << Show(args, result);
    EXPECT_CONTAINS(result.err, what);
  };
  refused({"datev-account", "--category", "Hardwear", "--chart", "SKR42", "--account", "64950"},
          "\"Hardwear\" is not a category of the chart");
  refused({"datev-account", "--category", "Hardware", "--chart", "SKR42", "--account", "6495"},
          "field \"account\": \"6495\" is not an account of SKR42: 5 digits");
  refused({"datev-account", "--category", "Hardware", "--chart", "SKR49", "--account", "64950"},
          "is not an account of SKR49: 4 digits");
  refused({"datev-account", "--category", "Hardware", "--chart", "SKR03", "--account", "4855"},
          "field \"chart\": \"SKR03\" is not one of SKR49, SKR42");
  // In the JSON-lines format, through import, too; and out again through log --json.
  ledger_.Import({Event("datev.account_mapped", "map-1", "2025-01-01",
                        {{"category", "Hardware"}, {"chart", "SKR42"}, {"account", "64950"}})});
  const std::string log = ledger_.Ok({"log", "--json", "--type", "datev.account_mapped"});
  const json mapped = json::parse(log);
  EXPECT_EQ(mapped["account"], "64950");
  EXPECT_EQ(mapped["chart"], "SKR42");
  EXPECT_EQ(mapped["category"], "Hardware");
}

TEST(DatevExportErrors, ExistingFileEmptyYearInKindDonationAndChart) {
  Ledger ledger;
  ledger.Init();
  ledger.Import(
      {Event("expense.paid", "e1", "2024-03-01", {{"category", "Hardware"}, {"amount", "10.00"}})});
  const std::string path = ledger.File("EXTF.csv");
  WriteFile(path, "keep me");
  const Args to_existing = {"export", "datev", "--year", "2024", "--out", path};
  RunResult result = ledger.Run(to_existing);
  EXPECT_EQ(result.exit_code, 1) << Show(to_existing, result);
  EXPECT_CONTAINS(result.err, "exists; kasse never overwrites an export");
  EXPECT_EQ(ReadFile(path), "keep me");

  const std::string fresh = ledger.File("EXTF_2023.csv");
  result = ledger.Run({"export", "datev", "--year", "2023", "--out", fresh});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_CONTAINS(result.err, "no bookings dated in 2023");
  EXPECT_FALSE(std::filesystem::exists(fresh));

  result = ledger.Run({"export", "datev", "--year", "2025", "--chart", "SKR49", "--out", fresh});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_CONTAINS(result.err, "SKR 49 only up to the fiscal year 2024");
  result =
      ledger.Run({"export", "datev", "--year", "2024", "--adviser-number", "12", "--out", fresh});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_CONTAINS(result.err, "Beraternummer is 1001-9999999");

  // SKR 42 may be chosen for an earlier year; the header follows the chart.
  const json file = ledger.Export(
      2024, {"--chart", "SKR42", "--adviser-number", "29098", "--client-number", "55003"});
  ASSERT_EQ(file["header"].size(), 31u);
  EXPECT_EQ(file["header"][10], "29098");
  EXPECT_EQ(file["header"][11], "55003");
  EXPECT_EQ(file["header"][13], "5");
  ASSERT_EQ(file["rows"].size(), 1u);
  EXPECT_EQ(file["rows"][0][kCounterAccount], "62600");
  EXPECT_EQ(file["rows"][0][kCostCentre], "1");

  // An in-kind donation, and its reversal, have no counter-account kasse knows.
  ledger.Import({Event("donation.received", "gift", "2023-05-01",
                       {{"donor", "X"}, {"amount", "50"}, {"kind", "in_kind"}}),
                 Event("entry.reversed", "r-gift", "2024-05-02",
                       {{"reverses", "gift"}, {"reason", "Sachspende zurückgegeben"}})});
  for (const char* year : {"2023", "2024"}) {
    const std::string out = ledger.File(fmt::format("in-kind-{}.csv", year));
    result = ledger.Run({"export", "datev", "--year", year, "--out", out});
    EXPECT_EQ(result.exit_code, 1) << year;
    EXPECT_CONTAINS(result.err, "event \"");
    EXPECT_CONTAINS(result.err, "is an in-kind donation");
    EXPECT_FALSE(std::filesystem::exists(out));
  }
}

TEST(DatevExportHelp, CommandsHaveHelpWithAnExample) {
  for (Args args : std::vector<Args>{{"export", "datev"}, {"datev-account"}}) {
    args.push_back("--help");
    const RunResult result = RunKasse(args);
    EXPECT_EQ(result.exit_code, 0) << Show(args, result);
    EXPECT_CONTAINS(result.out, "Example");
  }
}

}  // namespace
}  // namespace kasse::test
