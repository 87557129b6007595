// End-to-end tests of `kasse export gdpdu` (the Z3 export for a tax audit, § 147 (6) AO) through
// the real binary. Read back by independent paths only: xmllint (Debian's libxml2-utils) validates
// index.xml against the DTD that the export carries, and tests/e2e/gdpdu_read.py (Python's
// xml.etree and csv, /usr/bin/python3) reads every CSV through the description in index.xml:
// file, code page, delimiters, decimal symbol, skipped header and the columns with their types.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/support/raw_ledger.h"
#include "tests/support/run.h"

namespace kasse::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Args = std::vector<std::string>;

constexpr char kExample[] = "examples/next-ev-2022.jsonl";
constexpr char kXmllint[] = "/usr/bin/xmllint";  // Debian's libxml2-utils (scripts/install-deps)
constexpr char kPython[] = "/usr/bin/python3";

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE((text).find(part), std::string::npos) << "expected \"" << (part) << "\" in:\n" << (text)

std::string Show(const Args& args, const RunResult& result) {
  std::string text = "kasse";
  for (const std::string& arg : args) text += " " + arg;
  return fmt::format("{}\nexit {}\nstdout: {}\nstderr: {}", text, result.exit_code,
                     result.out.substr(0, 2000), result.err.substr(0, 2000));
}

// A ledger in its own temporary folder, run with --db <tmp>/db.
class Ledger {
 public:
  Ledger() : db_(dir_.File("db")) {}
  const std::string& dir() const { return dir_.path(); }
  const std::string& db() const { return db_; }
  std::string File(const std::string& name) const { return dir_.File(name); }

  RunResult Run(Args args, const std::string& input = "") const {
    args.insert(args.begin(), {"--db", db_, "--user", "kassenwart"});
    return RunKasse(args, input);
  }
  std::string Ok(const Args& args, const std::string& input = "") const {
    const RunResult result = Run(args, input);
    EXPECT_EQ(result.exit_code, 0) << Show(args, result);
    return result.out;
  }
  json Json(const Args& args) const {
    return json::parse(Ok(args), nullptr, /*allow_exceptions=*/false);
  }
  std::vector<json> Log() const {
    std::vector<json> events;
    const std::string out = Ok({"log", "--json"});
    size_t begin = 0;
    while (begin < out.size()) {
      const size_t end = out.find('\n', begin);
      events.push_back(json::parse(out.substr(begin, end - begin)));
      begin = end + 1;
    }
    return events;
  }

 private:
  TempDir dir_;
  std::string db_;
};

// The export in `dir` read through its description; an empty object (and a failure) when the
// reader refuses it.
json ReadThroughDescription(const std::string& dir) {
  const RunResult read = RunProgram(kPython, {SourcePath("tests/e2e/gdpdu_read.py"), dir});
  EXPECT_EQ(read.exit_code, 0) << "gdpdu_read.py (needs Debian's python3) failed: " << read.err;
  const json parsed = json::parse(read.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(parsed.is_object()) << read.out;
  return parsed.is_object() ? parsed : json::object();
}

// xmllint's verdict on index.xml against the DTD beside it. The official DTD always draws "Content
// model of Media is not determinist" on stderr, so only the exit status counts.
void ExpectValidAgainstDtd(const std::string& dir) {
  ASSERT_TRUE(fs::exists(kXmllint)) << "xmllint is missing: apt-get install libxml2-utils "
                                       "(scripts/install-deps does)";
  const RunResult lint = RunProgram(kXmllint, {"--noout", "--valid", dir + "/index.xml"});
  EXPECT_EQ(lint.exit_code, 0) << lint.err;
}

const json& Table(const json& dataset, const std::string& name) {
  static const json kNone = json::object();
  for (const json& table : dataset["tables"]) {
    if (table["name"] == name) return table;
  }
  ADD_FAILURE() << "no table " << name << " in " << dataset.dump().substr(0, 2000);
  return kNone;
}

// Column name -> position in the table's description.
std::map<std::string, size_t> Positions(const json& table) {
  std::map<std::string, size_t> positions;
  for (size_t i = 0; i < table["columns"].size(); ++i) {
    positions[table["columns"][i]["name"].get<std::string>()] = i;
  }
  return positions;
}

// "-12.50" (the report JSON's amounts) in cents.
int64_t Cents(const std::string& amount) {
  const bool negative = amount.starts_with('-');
  const std::string digits = negative ? amount.substr(1) : amount;
  const size_t dot = digits.find('.');
  const int64_t cents = std::stoll(digits.substr(0, dot)) * 100 + std::stoll(digits.substr(dot + 1));
  return negative ? -cents : cents;
}

struct JournalSums {
  int64_t income_cents = 0;
  int64_t expenses_cents = 0;
};

// Income and expenses of the journal, as the statement counts them: the signed amounts of the
// rows by direction (an expense is negative, a reversal has the opposite sign of what it reverses).
JournalSums SumJournal(const json& journal) {
  const std::map<std::string, size_t> at = Positions(journal);
  JournalSums sums;
  for (const json& row : journal["rows"]) {
    const json& amount = row[at.at("Betrag")];
    if (amount.is_null()) continue;
    if (row[at.at("Richtung")] == "income") sums.income_cents += amount.get<int64_t>();
    if (row[at.at("Richtung")] == "expense") sums.expenses_cents -= amount.get<int64_t>();
  }
  return sums;
}

void ExpectSumsEqualStatement(const Ledger& ledger, const json& journal, int32_t year) {
  const json statement =
      ledger.Json({"report", "statement", "--year", std::to_string(year), "--json"});
  const JournalSums sums = SumJournal(journal);
  EXPECT_EQ(sums.income_cents, Cents(statement["income"]["total"]));
  EXPECT_EQ(sums.expenses_cents, Cents(statement["expenses"]["total"]));
}

std::set<std::string> FilesIn(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
  return names;
}

class GdpduExample : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ledger_ = new Ledger();
    ledger_->Ok({"init", "--name", "NExT e.V."});
    ledger_->Ok({"import", SourcePath(kExample)});
    out_ = ledger_->File("z3-2022");
    const std::string said =
        ledger_->Ok({"export", "gdpdu", "--year", "2022", "--out", out_, "--location", "Berlin"});
    EXPECT_CONTAINS(said, "exported 151 journal rows, 15 categories, 80 memberships of 2022");
    dataset_ = new json(ReadThroughDescription(out_));
  }
  static void TearDownTestSuite() {
    delete dataset_;
    delete ledger_;
  }
  static Ledger* ledger_;
  static std::string out_;
  static json* dataset_;
};
Ledger* GdpduExample::ledger_ = nullptr;
std::string GdpduExample::out_;
json* GdpduExample::dataset_ = nullptr;

TEST_F(GdpduExample, WritesTheDescriptionTheDtdAndThreeTables) {
  EXPECT_EQ(FilesIn(out_), (std::set<std::string>{"index.xml", "gdpdu-01-09-2004.dtd",
                                                  "journal.csv", "kategorien.csv",
                                                  "mitglieder.csv"}));
  // The DTD as shipped in schemas/gdpdu, byte for byte, from the binary itself.
  EXPECT_EQ(ReadFile(out_ + "/gdpdu-01-09-2004.dtd"),
            ReadFile(SourcePath("schemas/gdpdu/gdpdu-01-09-2004.dtd")));
  const std::string index = ReadFile(out_ + "/index.xml");
  EXPECT_CONTAINS(index, "<!DOCTYPE DataSet SYSTEM \"gdpdu-01-09-2004.dtd\">");
  ExpectValidAgainstDtd(out_);
}

TEST_F(GdpduExample, EveryTableIsDeclaredUtf8SemicolonDecimalCommaWithItsHeaderSkipped) {
  const json& dataset = *dataset_;
  EXPECT_EQ(dataset["supplier"]["Name"], "NExT e.V.");
  EXPECT_EQ(dataset["supplier"]["Location"], "Berlin");
  ASSERT_EQ(dataset["tables"].size(), 3u);
  for (const json& table : dataset["tables"]) {
    EXPECT_EQ(table["encoding"], "utf-8") << table["name"];
    EXPECT_EQ(table["delimiter"], ";") << table["name"];
    EXPECT_EQ(table["decimal"], ",") << table["name"];
    // The skipped bytes are exactly the header row: the column names of the description.
    std::string header;
    for (const json& column : table["columns"]) {
      header += (header.empty() ? "" : ";") + column["name"].get<std::string>();
    }
    EXPECT_EQ(table["skipped"], header + "\r\n") << table["name"];
    for (const json& column : table["columns"]) {
      if (column["type"] == "Date") {
        EXPECT_EQ(column["format"], "DD.MM.YYYY");
      }
    }
  }
  const json& journal = Table(dataset, "Journal");
  const json& amount = journal["columns"][Positions(journal).at("Betrag")];
  EXPECT_EQ(amount["type"], "Numeric");
  EXPECT_EQ(amount["accuracy"], 2);  // the DTD's default of 0 decimals would cut off the cents
}

TEST_F(GdpduExample, JournalSumsEqualTheStatement) {
  const json& journal = Table(*dataset_, "Journal");
  const JournalSums sums = SumJournal(journal);
  EXPECT_EQ(sums.income_cents, 12'000'000);   // 120.000,00 EUR
  EXPECT_EQ(sums.expenses_cents, 5'580'489);  // 55.804,89 EUR
  ExpectSumsEqualStatement(*ledger_, journal, 2022);
}

TEST_F(GdpduExample, JournalRowsAreTheLogsEventsOfTheYearWithTheirHashes) {
  const json& journal = Table(*dataset_, "Journal");
  const std::map<std::string, size_t> at = Positions(journal);
  std::vector<json> of_year;
  for (const json& event : ledger_->Log()) {
    if (event["date"].get<std::string>().starts_with("2022-")) of_year.push_back(event);
  }
  ASSERT_EQ(journal["rows"].size(), of_year.size());
  for (size_t i = 0; i < of_year.size(); ++i) {
    const json& row = journal["rows"][i];
    const json& event = of_year[i];
    EXPECT_EQ(row[at.at("Seq")], event["seq"]);
    EXPECT_EQ(row[at.at("Buchungsdatum")], event["date"]);
    EXPECT_EQ(row[at.at("Ereignistyp")], event["type"]);
    EXPECT_EQ(row[at.at("Id")], event["id"]);
    EXPECT_EQ(row[at.at("Hash")], event["hash"]);
    EXPECT_EQ(row[at.at("Vorgaenger_Hash")], event["prev_hash"]);
    EXPECT_EQ(row[at.at("Erfasst_von")], "kassenwart");
    EXPECT_EQ(row[at.at("Erfasst_Datum")], event["recorded_at"].get<std::string>().substr(0, 10));
    EXPECT_EQ(row[at.at("Erfasst_Uhrzeit")], event["recorded_at"].get<std::string>().substr(11, 8));
    if (event.contains("member")) {
      EXPECT_EQ(row[at.at("Mitglied")], event["member"]);
    }
  }
}

TEST_F(GdpduExample, ChartAndMembersHoldWhatTheJournalNamesAndNoNames) {
  const json& journal = Table(*dataset_, "Journal");
  const json& chart = Table(*dataset_, "Kategorien");
  const json& members = Table(*dataset_, "Mitglieder");
  EXPECT_EQ(chart["rows"].size(), 15u);
  std::set<std::string> categories, member_numbers;
  for (const json& row : chart["rows"]) categories.insert(row[0].get<std::string>());
  for (const json& row : members["rows"]) member_numbers.insert(row[0].get<std::string>());
  const std::map<std::string, size_t> at = Positions(journal);
  for (const json& row : journal["rows"]) {
    const json& category = row[at.at("Kategorie")];
    const json& member = row[at.at("Mitglied")];
    if (!category.is_null()) {
      EXPECT_TRUE(categories.contains(category)) << category;
    }
    if (!member.is_null()) {
      EXPECT_TRUE(member_numbers.contains(member)) << member;
    }
  }
  // The members at the end of the year, as the members report counts them.
  const json counts = ledger_->Json({"report", "members", "--as-of", "2022-12-31", "--json"});
  std::map<std::string, int64_t> active_by_kind;
  int64_t left_in_year = 0;
  for (const json& row : members["rows"]) {
    if (row[3].is_null()) ++active_by_kind[row[1].get<std::string>()];
    if (!row[3].is_null() && row[3].get<std::string>().starts_with("2022-")) ++left_in_year;
  }
  EXPECT_EQ(active_by_kind["personal"], counts["personal"]);
  EXPECT_EQ(active_by_kind["institutional"], counts["institutional"]);
  EXPECT_EQ(left_in_year, counts["left_in_year"]);
  // Names stay in the ledger: the example's first member is "Stadt Musterstadt – Amt für ...".
  for (const std::string file : {"journal.csv", "kategorien.csv", "mitglieder.csv", "index.xml"}) {
    EXPECT_EQ(ReadFile(out_ + "/" + file).find("Musterstadt"), std::string::npos) << file;
  }
}

// A reversal counts in the year of its own date with the category of what it reverses; text with
// the delimiter, quotes and "&" survives the CSV and the XML; a category dated after the year
// that a booking of the year uses is in that year's chart.
TEST(Gdpdu, ReversalsQuotingAndLateCategoriesReadBackThroughTheDescription) {
  Ledger ledger;
  ledger.Ok({"init", "--name", "Verein <A> & B e.V."});
  ledger.Ok({"category", "--category", "Reise; \"Bahn\"", "--direction", "expense", "--sphere",
             "purpose_business", "--group", "Zweckbetrieb", "--date", "2023-06-01"});
  ledger.Ok({"category", "--category", "Zinsen", "--direction", "income", "--sphere",
             "asset_management", "--date", "2022-01-01"});
  ledger.Ok({"expense", "--id", "e1", "--date", "2022-03-01", "--amount", "129,90", "--category",
             "Reise; \"Bahn\"", "--document", "B;1\"x"});
  ledger.Ok({"income", "--id", "i1", "--date", "2022-04-01", "--amount", "12,50", "--category",
             "Zinsen"});
  ledger.Ok({"income", "--id", "i2", "--date", "2022-05-01", "--amount", "1000", "--category",
             "Zinsen"});
  ledger.Ok({"reverse", "i2", "--id", "r1", "--date", "2022-05-02", "--reason", "doppelt"});
  ledger.Ok({"reverse", "e1", "--id", "r2", "--date", "2023-01-10", "--reason", "storniert"});
  for (const int32_t year : {2022, 2023}) {
    const std::string out = ledger.File(fmt::format("z3-{}", year));
    ledger.Ok({"export", "gdpdu", "--year", std::to_string(year), "--out", out});
    ExpectValidAgainstDtd(out);
    const json dataset = ReadThroughDescription(out);
    EXPECT_EQ(dataset["supplier"]["Name"], "Verein <A> & B e.V.");
    const json& journal = Table(dataset, "Journal");
    ExpectSumsEqualStatement(ledger, journal, year);
    std::set<std::string> chart;
    for (const json& row : Table(dataset, "Kategorien")["rows"]) chart.insert(row[0]);
    EXPECT_TRUE(chart.contains("Reise; \"Bahn\"")) << year;
    EXPECT_EQ(chart.contains("Zinsen"), true) << year;
  }
  // 2023 holds the reversal of the 2022 expense: positive, with the original's category, sphere.
  const json dataset = ReadThroughDescription(ledger.File("z3-2023"));
  const json& journal = Table(dataset, "Journal");
  const std::map<std::string, size_t> at = Positions(journal);
  bool found = false;
  for (const json& row : journal["rows"]) {
    if (row[at.at("Id")] != "r2") continue;
    found = true;
    EXPECT_EQ(row[at.at("Betrag")], 12990);
    EXPECT_EQ(row[at.at("Kategorie")], "Reise; \"Bahn\"");
    EXPECT_EQ(row[at.at("Sphaere")], "purpose_business");
    EXPECT_EQ(row[at.at("Richtung")], "expense");
    EXPECT_EQ(row[at.at("Storno_von")], "e1");
  }
  EXPECT_TRUE(found) << journal.dump();
  const json y2022 = ReadThroughDescription(ledger.File("z3-2022"));
  const JournalSums sums = SumJournal(Table(y2022, "Journal"));
  EXPECT_EQ(sums.income_cents, 1250);  // 12,50 + 1000,00 − 1000,00 (reversed in 2022)
  EXPECT_EQ(sums.expenses_cents, 12990);
}

TEST(Gdpdu, AYearWithoutEventsExportsEmptyTablesWithANote) {
  Ledger ledger;
  ledger.Ok({"init", "--name", "Leer e.V."});
  const std::string out = ledger.File("empty");
  fs::create_directory(out);  // an empty directory is accepted
  const RunResult result = ledger.Run({"export", "gdpdu", "--year", "2022", "--out", out});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_CONTAINS(result.err, "no event is booked in 2022");
  ExpectValidAgainstDtd(out);
  const json dataset = ReadThroughDescription(out);
  EXPECT_EQ(Table(dataset, "Journal")["rows"].size(), 0u);
  EXPECT_EQ(Table(dataset, "Mitglieder")["rows"].size(), 0u);
  EXPECT_EQ(Table(dataset, "Kategorien")["rows"].size(), 15u);  // the default chart
}

TEST(Gdpdu, ErrorsNameTheOptionAndWriteNothing) {
  Ledger ledger;
  ledger.Ok({"init", "--name", "Test e.V."});
  const std::string earlier = ledger.File("earlier");
  fs::create_directory(earlier);
  WriteFile(earlier + "/index.xml", "an earlier export");
  WriteFile(ledger.File("file"), "x");
  struct Case {
    Args args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--year", "2022", "--out", earlier}, 1, "option --out: " + earlier + " is not empty"},
      {{"--year", "2022", "--out", ledger.File("file")}, 1, "exists and is not a directory"},
      {{"--year", "2022", "--out", ledger.File("missing/z3")}, 1, "option --out: the directory"},
      {{"--year", "22", "--out", ledger.File("new")}, 1, "option --year"},
      {{"--out", ledger.File("new")}, 2, "--year is required"},
      {{"--year", "2022"}, 2, "--out is required"},
  };
  const std::set<std::string> before = FilesIn(ledger.dir());
  for (const Case& c : cases) {
    Args args = {"export", "gdpdu"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const RunResult result = ledger.Run(args);
    EXPECT_EQ(result.exit_code, c.exit_code) << Show(args, result);
    EXPECT_CONTAINS(result.err, c.message);
    EXPECT_EQ(result.out, "");
  }
  const RunResult no_ledger = RunKasse(
      {"--db", ledger.File("nodb"), "export", "gdpdu", "--year", "2022", "--out", ledger.File("new")});
  EXPECT_EQ(no_ledger.exit_code, 1);
  EXPECT_CONTAINS(no_ledger.err, "no ledger");
  EXPECT_EQ(FilesIn(ledger.dir()), before);  // no new directory, no remains of a partial export
  EXPECT_EQ(FilesIn(earlier), (std::set<std::string>{"index.xml"}));
  EXPECT_EQ(ReadFile(earlier + "/index.xml"), "an earlier export");
}

// Hashes that prove nothing must not reach the tax office: a broken chain stops the export.
TEST(Gdpdu, ABrokenHashChainIsRefusedAndNothingIsWritten) {
  Ledger ledger;
  ledger.Ok({"init", "--name", "Test e.V."});
  ledger.Ok({"import", SourcePath(kExample)});
  {
    RawLedger raw(ledger.db());
    std::string bytes = raw.Get(kEvents, SeqKey(100));
    bytes[kPrevHashOffset] = static_cast<char>(bytes[kPrevHashOffset] ^ 0x01);
    raw.Put(kEvents, SeqKey(100), bytes);
  }
  const std::set<std::string> before = FilesIn(ledger.dir());
  const RunResult result =
      ledger.Run({"export", "gdpdu", "--year", "2022", "--out", ledger.File("z3")});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_CONTAINS(result.err, "event seq 100: its predecessor's hash does not match");
  EXPECT_EQ(FilesIn(ledger.dir()), before);
}

}  // namespace
}  // namespace kasse::test
