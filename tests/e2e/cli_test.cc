// End-to-end tests of the kasse command line: every command run as the real binary against a real
// ledger in a temporary folder, checked against the contract (/work/shared/docs/contract.md):
// output, exit status, the messages that name file, line and field, and that a rejected command
// writes nothing (`kasse log --json` byte-identical before and after).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/run.h"

namespace kasse::test {
namespace {

using nlohmann::json;
using Args = std::vector<std::string>;

constexpr char kExample[] = "examples/next-ev-2022.jsonl";
constexpr int kExampleEvents = 221;
constexpr int kChartEvents = 15;

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE((text).find(part), std::string::npos) << "expected \"" << (part) << "\" in:\n" << (text)

#define EXPECT_NOT_CONTAINS(text, part)                                                      \
  EXPECT_EQ((text).find(part), std::string::npos) << "unexpected \"" << (part) << "\" in:\n" \
                                                  << (text)

std::string Show(const Args& args, const RunResult& result) {
  std::string text = "kasse";
  for (const std::string& arg : args)
    text += " " + (arg.size() > 80 ? arg.substr(0, 80) + "…" : arg);
  return fmt::format("{}\nexit {}\nstdout: {}\nstderr: {}", text, result.exit_code,
                     result.out.substr(0, 2000), result.err.substr(0, 2000));
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> events;
  for (const std::string& line : Lines(text)) {
    json event = json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(event.is_object()) << line;
    events.push_back(std::move(event));
  }
  return events;
}

bool Matches(const std::string& text, const std::string& pattern) {
  return std::regex_search(text, std::regex(pattern));
}

// Amounts of the contract ("-12.50") in cents, to add them up without floating point.
int64_t Cents(const std::string& amount) {
  const bool negative = amount.starts_with('-');
  const std::string digits = negative ? amount.substr(1) : amount;
  const size_t dot = digits.find('.');
  EXPECT_TRUE(dot != std::string::npos && digits.size() - dot == 3) << amount;
  const int64_t cents =
      std::stoll(digits.substr(0, dot)) * 100 + std::stoll(digits.substr(dot + 1));
  return negative ? -cents : cents;
}

// A ledger in its own temporary folder, run with --db <tmp>/db.
class Kasse {
 public:
  Kasse() : db_(dir_.File("db")) {}

  const std::string& db() const { return db_; }
  const std::string& dir() const { return dir_.path(); }

  RunResult Run(Args args, const std::string& input = "") const {
    args.insert(args.begin(), {"--db", db_});
    return RunKasse(args, input);
  }

  // Runs a command that must succeed; returns its stdout.
  std::string Ok(const Args& args, const std::string& input = "") const {
    const RunResult result = Run(args, input);
    EXPECT_EQ(result.exit_code, 0) << Show(args, result);
    EXPECT_EQ(result.err, "") << Show(args, result);
    return result.out;
  }

  void Init() const { Ok({"init", "--name", "Test e.V."}); }

  void InitWithExample() const {
    Init();
    Ok({"import", SourcePath(kExample)});
  }

  std::string Log() const { return Ok({"log", "--json"}); }

  json Report(const Args& args) const {
    const std::string out = Ok(args);
    json report = json::parse(out, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(report.is_object()) << out;
    return report.is_object() ? report : json::object();
  }

  // Writes the lines as a file in the ledger's folder and returns its path.
  std::string Write(const std::string& name, const std::vector<std::string>& lines) const {
    std::string content;
    for (const std::string& line : lines) content += line + "\n";
    const std::string path = dir_.File(name);
    WriteFile(path, content);
    return path;
  }

 private:
  TempDir dir_;
  std::string db_;
};

// --- Lines of the JSON-lines format. ---

json Base(const char* type, const std::string& id, const std::string& date) {
  return {{"type", type}, {"id", id}, {"date", date}};
}

std::string JoinLine(const std::string& id, const std::string& member, const std::string& date,
                     const std::string& kind = "personal") {
  json e = Base("member.joined", id, date);
  e["member"] = member;
  e["name"] = "Name " + member;
  e["kind"] = kind;
  return e.dump();
}

std::string ChangeLine(const std::string& id, const std::string& member, const std::string& date,
                       const std::string& kind) {
  json e = Base("member.changed", id, date);
  e["member"] = member;
  e["kind"] = kind;
  return e.dump();
}

std::string LeaveLine(const std::string& id, const std::string& member, const std::string& date) {
  json e = Base("member.left", id, date);
  e["member"] = member;
  return e.dump();
}

std::string DuesLine(const std::string& id, const std::string& member, const std::string& date,
                     const std::string& amount = "100.00") {
  json e = Base("dues.paid", id, date);
  e["member"] = member;
  e["amount"] = amount;
  e["covers"] = date.substr(0, 4);
  return e.dump();
}

std::string MoneyLine(const char* type, const std::string& id, const std::string& date,
                      const std::string& category, const std::string& amount) {
  json e = Base(type, id, date);
  e["category"] = category;
  e["amount"] = amount;
  return e.dump();
}

std::string ExpenseLine(const std::string& id, const std::string& date,
                        const std::string& category = "Hardware",
                        const std::string& amount = "100.00") {
  return MoneyLine("expense.paid", id, date, category, amount);
}

std::string IncomeLine(const std::string& id, const std::string& date, const std::string& category,
                       const std::string& amount = "100.00") {
  return MoneyLine("income.received", id, date, category, amount);
}

std::string ReverseLine(const std::string& id, const std::string& reverses,
                        const std::string& date) {
  json e = Base("entry.reversed", id, date);
  e["reverses"] = reverses;
  e["reason"] = "Fehlbuchung";
  return e.dump();
}

std::string CloseLine(const std::string& id, int year, const std::string& date) {
  json e = Base("year.closed", id, date);
  e["year"] = year;
  return e.dump();
}

// --- Rejections. ---

// Runs a command that must be refused: exit 1, `where`, `what` and each of `also` on stderr, the
// log byte-identical afterwards and the ledger sound (no projection or event written half-way).
void ExpectRejected(const Kasse& kasse, const Args& args, const std::string& input,
                    const std::string& where, const std::string& what,
                    const std::vector<std::string>& also = {}) {
  const std::string before = kasse.Log();
  const RunResult result = kasse.Run(args, input);
  EXPECT_EQ(result.exit_code, 1) << Show(args, result);
  EXPECT_CONTAINS(result.err, where);
  EXPECT_CONTAINS(result.err, what);
  for (const std::string& part : also) EXPECT_CONTAINS(result.err, part);
  EXPECT_EQ(kasse.Log(), before) << "a rejected command changed the ledger\n" << Show(args, result);
  const std::string verified = kasse.Ok({"verify"});
  EXPECT_NOT_CONTAINS(verified, "unfinished import");
}

// Imports `lines` as a file; line `bad_line` (counted from 1) must be refused naming `what`.
void ExpectImportRejected(const Kasse& kasse, const std::vector<std::string>& lines, int bad_line,
                          const std::string& what, const std::vector<std::string>& also = {}) {
  const std::string path = kasse.Write("input.jsonl", lines);
  ExpectRejected(kasse, {"import", path}, "", fmt::format("{}:{}:", path, bad_line), what, also);
}

// A recording command that must be refused; its messages start with "command line".
void ExpectCommandRejected(const Kasse& kasse, const Args& args, const std::string& what,
                           const std::vector<std::string>& also = {}) {
  ExpectRejected(kasse, args, "", "command line: ", what, also);
}

std::string Field(const std::string& name) {
  return fmt::format("field \"{}\"", name);
}

// ============================================================================================
// 1. Every command works.
// ============================================================================================

TEST(CliInit, CreatesTheLedgerWithTheDefaultChart) {
  Kasse kasse;
  const std::string out = kasse.Ok({"init", "--name", "NExT e.V."});
  EXPECT_CONTAINS(out, "created ledger \"NExT e.V.\"");
  EXPECT_CONTAINS(out, "with 15 categories (seq 1-15)");
  const std::vector<json> chart =
      JsonLines(kasse.Ok({"log", "--json", "--type", "category.defined"}));
  ASSERT_EQ(chart.size(), kChartEvents);
  EXPECT_EQ(chart[0]["category"], "Mitgliedsbeiträge");
  EXPECT_EQ(chart[14]["category"], "Versicherung");
  EXPECT_EQ(chart[14]["group"], "Verwaltungskosten");
  // A second init on the same path is refused and leaves the ledger alone.
  ExpectRejected(kasse, {"init", "--name", "Other"}, "", kasse.db(), "already exists");
}

TEST(CliRecord, EveryRecordingCommandRecordsOneEvent) {
  Kasse kasse;
  kasse.Init();
  struct Step {
    Args args;
    std::string type;
    std::string id_pattern;
  };
  const std::vector<Step> steps = {
      {{"category", "--category", "Zinsen", "--direction", "income", "--sphere", "asset_management",
        "--group", "Zinsen", "--id", "cat-zinsen"},
       "category.defined",
       "cat-zinsen"},
      {{"join", "--member", "M-1", "--name", "Erika Muster", "--kind", "personal", "--date",
        "2022-01-15"},
       "member.joined",
       "join-20220115-[0-9a-f]{8}"},
      {{"join", "--member", "M-2", "--name", "Stadt X", "--kind", "institutional", "--date",
        "2022-01-20", "--id", "join-m2"},
       "member.joined",
       "join-m2"},
      {{"change-member", "--member", "M-1", "--name", "Erika Beispiel", "--date", "2022-06-01",
        "--id", "chg-1"},
       "member.changed",
       "chg-1"},
      {{"dues", "--member", "M-1", "--amount", "129,90", "--covers", "2022", "--date", "2022-02-01",
        "--id", "dues-1"},
       "dues.paid",
       "dues-1"},
      {{"donation", "--donor", "Stiftung Beispiel", "--amount", "5000", "--kind", "in_kind",
        "--member", "M-2", "--date", "2022-05-10"},
       "donation.received",
       "donation-20220510-[0-9a-f]{8}"},
      {{"income", "--category", "Zinsen", "--amount", "12,5", "--payer", "Bank", "--date",
        "2022-12-30", "--id", "inc-1"},
       "income.received",
       "inc-1"},
      {{"expense", "--category", "Hardware", "--amount", "129.90", "--payee", "Shop", "--project",
        "P1", "--document", "B-2022-017", "--note", "Laptop", "--date", "2022-03-01", "--id",
        "exp-1"},
       "expense.paid",
       "exp-1"},
      {{"expense", "--category", "Kommunikation", "--amount", "50,00", "--date", "2022-03-02",
        "--id", "exp-2"},
       "expense.paid",
       "exp-2"},
      {{"reverse", "exp-1", "--reason", "doppelt gebucht", "--date", "2022-03-05", "--id", "rev-1"},
       "entry.reversed",
       "rev-1"},
      {{"leave", "--member", "M-2", "--reason", "Austritt", "--date", "2022-12-31"},
       "member.left",
       "leave-20221231-[0-9a-f]{8}"},
      {{"close-year", "2022", "--date", "2023-01-10", "--id", "close-2022"},
       "year.closed",
       "close-2022"},
  };
  int seq = kChartEvents;
  for (const Step& step : steps) {
    SCOPED_TRACE(step.args[0]);
    Args args = {"--user", "alice"};
    args.insert(args.end(), step.args.begin(), step.args.end());
    const std::string out = kasse.Ok(args);
    ++seq;
    EXPECT_TRUE(Matches(out, fmt::format("^recorded {} seq {} id {}\n$",
                                         std::regex_replace(step.type, std::regex("\\."), "\\."),
                                         seq, step.id_pattern)))
        << out;
  }

  const std::vector<json> events = JsonLines(kasse.Log());
  ASSERT_EQ(events.size(), kChartEvents + steps.size());
  std::map<std::string, json> by_id;
  for (size_t i = kChartEvents; i < events.size(); ++i) {
    EXPECT_EQ(events[i]["recorded_by"], "alice");
    EXPECT_EQ(events[i]["type"], steps[i - kChartEvents].type);
    by_id[events[i]["id"].get<std::string>()] = events[i];
  }
  EXPECT_EQ(by_id["dues-1"]["amount"], "129.90");  // given as "129,90"
  EXPECT_EQ(by_id["dues-1"]["covers"], "2022");
  EXPECT_EQ(by_id["inc-1"]["amount"], "12.50");  // given as "12,5"
  EXPECT_EQ(by_id["inc-1"]["payer"], "Bank");
  EXPECT_EQ(by_id["exp-1"]["amount"], "129.90");
  EXPECT_EQ(by_id["exp-1"]["document"], "B-2022-017");
  EXPECT_EQ(by_id["exp-1"]["note"], "Laptop");
  EXPECT_EQ(by_id["exp-1"]["payee"], "Shop");
  EXPECT_EQ(by_id["exp-1"]["project"], "P1");
  EXPECT_EQ(by_id["exp-2"]["amount"], "50.00");
  EXPECT_EQ(by_id["rev-1"]["reverses"], "exp-1");
  EXPECT_EQ(by_id["chg-1"]["name"], "Erika Beispiel");
  EXPECT_EQ(by_id["close-2022"]["year"], 2022);
  EXPECT_EQ(events[kChartEvents + 5]["amount"], "5000.00");
  EXPECT_EQ(events[kChartEvents + 5]["kind"], "in_kind");
  EXPECT_EQ(events[kChartEvents + 5]["member"], "M-2");

  // The events reach the reports.
  const json statement = kasse.Report({"report", "statement", "--year", "2022", "--json"});
  std::map<std::string, std::string> amounts;
  for (const json& line : statement["lines"])
    amounts[line["category"].get<std::string>()] = line["amount"].get<std::string>();
  EXPECT_EQ(amounts["Mitgliedsbeiträge"], "129.90");
  EXPECT_EQ(amounts["Spenden"], "5000.00");
  EXPECT_EQ(amounts["Zinsen"], "12.50");
  EXPECT_EQ(amounts["Hardware"], "0.00");  // reversed in the same year
  EXPECT_EQ(amounts["Kommunikation"], "50.00");
  EXPECT_EQ(statement["income"]["by_sphere"]["asset_management"], "12.50");
  EXPECT_EQ(statement["income"]["total"], "5142.40");
  EXPECT_EQ(statement["expenses"]["total"], "50.00");
  EXPECT_EQ(statement["result"]["total"], "5092.40");
  for (const json& check : statement["checks"]) EXPECT_NE(check["code"], "year_open");  // closed
  EXPECT_EQ(kasse.Report({"report", "members", "--as-of", "2022-12-30", "--json"})["total"], 2);
  const json members = kasse.Report({"report", "members", "--as-of", "2022-12-31", "--json"});
  EXPECT_EQ(members["total"], 1);
  EXPECT_EQ(members["personal"], 1);
  EXPECT_EQ(members["institutional"], 0);
}

TEST(CliRecord, SameIdAgainIsANoOpOrAnError) {
  Kasse kasse;
  kasse.Init();
  const Args expense = {"expense", "--category", "Hardware", "--amount", "10",
                        "--date",  "2022-03-01", "--id",     "exp-1"};
  EXPECT_CONTAINS(kasse.Ok(expense), "recorded expense.paid seq 16 id exp-1");
  const std::string before = kasse.Log();
  EXPECT_CONTAINS(kasse.Ok(expense), "already recorded");
  EXPECT_EQ(kasse.Log(), before);
  ExpectCommandRejected(kasse,
                        {"expense", "--category", "Hardware", "--amount", "11", "--date",
                         "2022-03-01", "--id", "exp-1"},
                        Field("id"));
}

TEST(CliRecord, BadOptionValuesAreRejected) {
  Kasse kasse;
  kasse.Init();
  ExpectRejected(kasse, {"expense", "--category", "Hardware", "--amount", "12.345"}, "",
                 "option --amount", "12.345");
  ExpectRejected(kasse, {"expense", "--category", "Hardware", "--amount", "0"}, "",
                 "option --amount", "zero");
  ExpectRejected(kasse,
                 {"expense", "--category", "Hardware", "--amount", "1", "--date", "2023-02-30"}, "",
                 "option --date", "2023-02-30");
  ExpectCommandRejected(kasse, {"join", "--member", "M-1", "--name", "X", "--kind", "alien"},
                        Field("kind"));
  ExpectCommandRejected(
      kasse, {"expense", "--category", "Hardware", "--amount", "1", "--id", "a b"}, Field("id"));
  ExpectRejected(kasse, {"close-year", "22"}, "", "argument YEAR", "22");
}

TEST(CliImport, ReadsAFileAndStdin) {
  Kasse kasse;
  kasse.Init();
  const std::string path = kasse.Write(
      "a.jsonl", {JoinLine("j1", "M-1", "2022-01-10"), DuesLine("d1", "M-1", "2022-01-11")});
  EXPECT_EQ(kasse.Ok({"import", path}),
            fmt::format("imported 2 new events (seq 16-17), 0 already recorded, from {}\n", path));
  EXPECT_EQ(kasse.Ok({"import", "-"}, ExpenseLine("e1", "2022-02-01") + "\n"),
            "imported 1 new events (seq 18-18), 0 already recorded, from <stdin>\n");
  const std::vector<json> events = JsonLines(kasse.Log());
  ASSERT_EQ(events.size(), 18u);
  EXPECT_EQ(events[15]["id"], "j1");
  EXPECT_EQ(events[16]["id"], "d1");
  EXPECT_EQ(events[17]["id"], "e1");
  // A missing file is an error that names it.
  ExpectRejected(kasse, {"import", kasse.dir() + "/missing.jsonl"}, "", "missing.jsonl",
                 "cannot open");
}

TEST(CliImport, AcceptsCrlfByteOrderMarkCommentsAndBlankLines) {
  Kasse kasse;
  kasse.Init();
  const std::string path = kasse.dir() + "/crlf.jsonl";
  WriteFile(path, "\xEF\xBB\xBF# Kommentar\r\n\r\n   \r\n  # eingerückt\r\n" +
                      JoinLine("j1", "M-1", "2022-01-10") + "\r\n" +
                      DuesLine("d1", "M-1", "2022-01-11"));  // no final newline
  EXPECT_CONTAINS(kasse.Ok({"import", path}), "imported 2 new events");
}

class CliExample : public ::testing::Test {
 protected:
  void SetUp() override { kasse_.InitWithExample(); }
  Kasse kasse_;
};

TEST_F(CliExample, LogJsonHasEveryFieldAndAnIntactHashChain) {
  const std::vector<json> events = JsonLines(kasse_.Log());
  ASSERT_EQ(events.size(), kChartEvents + kExampleEvents);
  const std::regex hex64("^[0-9a-f]{64}$");
  const std::regex rfc3339(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$)");
  std::string previous(64, '0');
  for (size_t i = 0; i < events.size(); ++i) {
    const json& e = events[i];
    SCOPED_TRACE(e.dump());
    for (const char* field :
         {"seq", "type", "id", "date", "recorded_at", "recorded_by", "prev_hash", "hash"}) {
      EXPECT_TRUE(e.contains(field)) << field;
    }
    EXPECT_EQ(e["seq"], i + 1);
    EXPECT_EQ(e["prev_hash"], previous);
    EXPECT_TRUE(std::regex_match(e["hash"].get<std::string>(), hex64));
    EXPECT_TRUE(std::regex_match(e["recorded_at"].get<std::string>(), rfc3339));
    EXPECT_FALSE(e["recorded_by"].get<std::string>().empty());
    previous = e["hash"].get<std::string>();
  }
  EXPECT_EQ(events[15]["id"], "m-join-0001");
  EXPECT_EQ(events[15]["name"], "Stadt Musterstadt – Amt für Digitalisierung");
  // verify prints the head hash: the hash of the last event.
  const std::string verified = kasse_.Ok({"verify"});
  EXPECT_CONTAINS(verified, "verify OK");
  EXPECT_CONTAINS(verified, "head hash " + previous);
}

TEST_F(CliExample, LogTextShowsEveryEventInGermanFormat) {
  const std::vector<std::string> lines = Lines(kasse_.Ok({"log"}));
  ASSERT_EQ(lines.size(), static_cast<size_t>(kChartEvents + kExampleEvents));
  // exp-2022-001: 399.00 Versicherung, Beleg B-2022-001.
  bool found = false;
  for (const std::string& line : lines) {
    if (line.find("[exp-2022-001, Beleg B-2022-001]") == std::string::npos) continue;
    found = true;
    EXPECT_CONTAINS(line, "2022-01-14");
    EXPECT_CONTAINS(line, "expense.paid");
    EXPECT_CONTAINS(line, "399,00");
    EXPECT_CONTAINS(line, "Versicherung");
  }
  EXPECT_TRUE(found);
}

TEST_F(CliExample, LogFilters) {
  const std::vector<json> expenses =
      JsonLines(kasse_.Ok({"log", "--json", "--type", "expense.paid"}));
  EXPECT_EQ(expenses.size(), 54u);
  for (const json& e : expenses) EXPECT_EQ(e["type"], "expense.paid");

  const std::vector<json> member = JsonLines(kasse_.Ok({"log", "--json", "--member", "M-0021"}));
  EXPECT_GE(member.size(), 2u);  // joined and paid dues
  for (const json& e : member) EXPECT_EQ(e["member"], "M-0021");

  const std::vector<json> march =
      JsonLines(kasse_.Ok({"log", "--json", "--from", "2022-03-01", "--to", "2022-03-31"}));
  EXPECT_FALSE(march.empty());
  for (const json& e : march) {
    EXPECT_GE(e["date"].get<std::string>(), "2022-03-01");
    EXPECT_LE(e["date"].get<std::string>(), "2022-03-31");
  }
  const std::vector<json> march_expenses = JsonLines(kasse_.Ok(
      {"log", "--json", "--type", "expense.paid", "--from", "2022-03-01", "--to", "2022-03-31"}));
  EXPECT_FALSE(march_expenses.empty());
  EXPECT_LT(march_expenses.size(), march.size() + 1);
  for (const json& e : march_expenses) EXPECT_EQ(e["type"], "expense.paid");
  // The text log filters the same way.
  EXPECT_EQ(Lines(kasse_.Ok({"log", "--type", "expense.paid"})).size(), 54u);
  EXPECT_EQ(kasse_.Ok({"log", "--json", "--member", "M-9999"}), "");
}

TEST_F(CliExample, ReferenceStatementJson) {
  const json s = kasse_.Report({"report", "statement", "--year", "2022", "--json"});
  EXPECT_EQ(s["year"], 2022);
  const std::map<std::string, std::string> totals = {
      {"income", "120000.00"}, {"expenses", "55804.89"}, {"result", "64195.11"}};
  for (const auto& [part, total] : totals) {
    SCOPED_TRACE(part);
    EXPECT_EQ(s[part]["total"], total);
    EXPECT_EQ(s[part]["by_sphere"]["ideal"], total);
    for (const char* sphere : {"asset_management", "purpose_business", "commercial"}) {
      EXPECT_EQ(s[part]["by_sphere"][sphere], "0.00") << sphere;
    }
  }
  const std::string statutory = "Ausgaben für Satzungszwecke";
  const std::string administration = "Verwaltungskosten";
  struct Expected {
    std::string direction, group, amount;
  };
  const std::map<std::string, Expected> expected = {
      {"Mitgliedsbeiträge", {"income", "", "30000.00"}},
      {"Spenden", {"income", "", "90000.00"}},
      {"Kommunikation", {"expense", statutory, "12966.53"}},
      {"Personalkosten", {"expense", statutory, "20296.00"}},
      {"Büroausstattung", {"expense", statutory, "94.11"}},
      {"Hardware", {"expense", statutory, "4640.29"}},
      {"Veranstaltungen", {"expense", statutory, "6347.28"}},
      {"Reisekosten", {"expense", statutory, "1571.99"}},
      {"Fachliteratur", {"expense", statutory, "54.90"}},
      {"Beratung", {"expense", statutory, "1712.41"}},
      {"Lizenzen", {"expense", statutory, "4248.92"}},
      {"Sonstige Gebühren", {"expense", statutory, "604.50"}},
      {"Sonstige Kosten", {"expense", statutory, "2763.40"}},
      {"Kontoführungsgebühren", {"expense", administration, "105.56"}},
      {"Versicherung", {"expense", administration, "399.00"}},
  };
  std::map<std::string, json> lines;
  for (const json& line : s["lines"]) lines[line["category"].get<std::string>()] = line;
  EXPECT_EQ(lines.size(), expected.size());
  for (const auto& [category, want] : expected) {
    SCOPED_TRACE(category);
    ASSERT_TRUE(lines.contains(category));
    const json& line = lines[category];
    EXPECT_EQ(line["amount"], want.amount);
    EXPECT_EQ(line["direction"], want.direction);
    EXPECT_EQ(line["sphere"], "ideal");
    if (!want.group.empty()) {
      EXPECT_EQ(line["group"], want.group);
    }
  }
  bool year_open = false;
  for (const json& check : s["checks"]) {
    EXPECT_TRUE(check.contains("code") && check.contains("severity") && check.contains("message"));
    year_open = year_open || check["code"] == "year_open";
  }
  EXPECT_TRUE(year_open);
}

TEST_F(CliExample, ReferenceStatementText) {
  const std::string text = kasse_.Ok({"report", "statement", "--year", "2022"});
  for (const char* part :
       {"Test e.V.", "A. Einnahmen", "B. Ausgaben", "C. Ergebnis", "120.000,00", "55.804,89",
        "64.195,11", "12.966,53", "Verwaltungskosten", "Ausgaben für Satzungszwecke"}) {
    EXPECT_CONTAINS(text, part);
  }
  EXPECT_LT(text.find("A. Einnahmen"), text.find("B. Ausgaben"));
  EXPECT_LT(text.find("B. Ausgaben"), text.find("C. Ergebnis"));
}

TEST_F(CliExample, ReferenceMembers) {
  const json m = kasse_.Report({"report", "members", "--as-of", "2022-12-31", "--json"});
  EXPECT_EQ(m["as_of"], "2022-12-31");
  EXPECT_EQ(m["total"], 76);
  EXPECT_EQ(m["personal"], 46);
  EXPECT_EQ(m["institutional"], 30);
  const std::string text = kasse_.Ok({"report", "members", "--as-of", "2022-12-31"});
  EXPECT_CONTAINS(text, "31.12.2022");
  EXPECT_TRUE(Matches(text, "Mitglieder insgesamt +76\n")) << text;
}

TEST_F(CliExample, ReferenceSpending) {
  const json s = kasse_.Report({"report", "spending", "--year", "2022", "--json"});
  EXPECT_EQ(s["year"], 2022);
  EXPECT_EQ(s["total"], "55804.89");
  int64_t sum_cents = 0;
  std::map<std::string, std::string> amounts;
  for (const json& category : s["categories"]) {
    sum_cents += Cents(category["amount"].get<std::string>());
    amounts[category["category"].get<std::string>()] = category["amount"].get<std::string>();
    EXPECT_TRUE(category.contains("sphere"));
  }
  EXPECT_EQ(sum_cents, 5580489);
  EXPECT_EQ(amounts["Kommunikation"], "12966.53");
  EXPECT_EQ(amounts["Versicherung"], "399.00");
  EXPECT_FALSE(amounts.contains("Spenden"));
  const std::string text = kasse_.Ok({"report", "spending", "--year", "2022"});
  EXPECT_CONTAINS(text, "55.804,89");
  EXPECT_CONTAINS(text, "12.966,53");
}

TEST_F(CliExample, VerifyThenReplayThenVerify) {
  const std::string verified = kasse_.Ok({"verify"});
  EXPECT_TRUE(Matches(verified, "head hash [0-9a-f]{64}\n")) << verified;
  const std::string statement = kasse_.Ok({"report", "statement", "--year", "2022", "--json"});
  const std::string members = kasse_.Ok({"report", "members", "--as-of", "2022-12-31", "--json"});
  EXPECT_CONTAINS(kasse_.Ok({"replay"}), "replayed 236 events");
  EXPECT_EQ(kasse_.Ok({"verify"}), verified);
  EXPECT_EQ(kasse_.Ok({"report", "statement", "--year", "2022", "--json"}), statement);
  EXPECT_EQ(kasse_.Ok({"report", "members", "--as-of", "2022-12-31", "--json"}), members);
}

TEST(CliHelp, EveryCommandHasHelpWithAnExample) {
  const std::vector<Args> commands = {{},
                                      {"init"},
                                      {"category"},
                                      {"join"},
                                      {"change-member"},
                                      {"leave"},
                                      {"dues"},
                                      {"donation"},
                                      {"income"},
                                      {"expense"},
                                      {"reverse"},
                                      {"close-year"},
                                      {"import"},
                                      {"log"},
                                      {"report"},
                                      {"report", "members"},
                                      {"report", "spending"},
                                      {"report", "statement"},
                                      {"verify"},
                                      {"replay"}};
  for (Args args : commands) {
    args.push_back("--help");
    const RunResult result = RunKasse(args);
    SCOPED_TRACE(Show(args, result));
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_CONTAINS(result.out, "Example");
  }
}

TEST(CliUsage, UsageErrorsExitWith2) {
  Kasse kasse;
  const std::vector<Args> commands = {
      {},
      {"frobnicate"},
      {"init"},                                      // --name missing
      {"expense", "--amount", "5"},                  // --category missing
      {"dues", "--member", "M-1", "--amount", "5"},  // --covers missing
      {"join", "--member", "M-1", "--name", "X"},    // --kind missing
      {"reverse", "--reason", "x"},                  // the id missing
      {"close-year"},                                // the year missing
      {"import"},                                    // the file missing
      {"report"},                                    // no report named
      {"report", "nonsense"},
      {"log", "--no-such-option"},
  };
  for (const Args& args : commands) {
    const RunResult result = kasse.Run(args);
    SCOPED_TRACE(Show(args, result));
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_FALSE(result.err.empty());
  }
  EXPECT_FALSE(std::filesystem::exists(kasse.db()));  // nothing ran
}

// ============================================================================================
// 3. Referential rules.
// ============================================================================================

class CliRules : public ::testing::Test {
 protected:
  void SetUp() override { kasse_.Init(); }
  Kasse kasse_;
};

TEST_F(CliRules, DuesForAMemberWhoNeverJoined) {
  ExpectImportRejected(kasse_,
                       {JoinLine("j1", "M-1", "2022-01-10"), DuesLine("d1", "M-9", "2022-02-01")},
                       2, Field("member"));
  ExpectCommandRejected(
      kasse_,
      {"dues", "--member", "M-9", "--amount", "10", "--covers", "2022", "--date", "2022-02-01"},
      Field("member"));
}

TEST_F(CliRules, ChangeForAMemberWhoNeverJoined) {
  ExpectImportRejected(
      kasse_,
      {JoinLine("j1", "M-1", "2022-01-10"), ChangeLine("c1", "M-9", "2022-02-01", "institutional")},
      2, Field("member"));
  ExpectCommandRejected(kasse_, {"change-member", "--member", "M-9", "--name", "Neu"},
                        Field("member"));
}

TEST_F(CliRules, LeaveForAMemberWhoNeverJoined) {
  ExpectImportRejected(kasse_,
                       {JoinLine("j1", "M-1", "2022-01-10"), LeaveLine("l1", "M-9", "2022-02-01")},
                       2, Field("member"));
  ExpectCommandRejected(kasse_, {"leave", "--member", "M-9", "--date", "2022-02-01"},
                        Field("member"));
}

TEST_F(CliRules, ChangeBeforeTheJoinDate) {
  kasse_.Ok({"import", "-"}, JoinLine("j1", "M-1", "2022-06-01") + "\n");
  ExpectImportRejected(kasse_, {ChangeLine("c1", "M-1", "2022-05-01", "institutional")}, 1,
                       Field("member"));
}

TEST_F(CliRules, SecondJoinOfAnActiveMember) {
  ExpectImportRejected(kasse_,
                       {JoinLine("j1", "M-1", "2022-01-10"), JoinLine("j2", "M-1", "2022-03-01")},
                       2, Field("member"));
  kasse_.Ok({"import", "-"}, JoinLine("j1", "M-1", "2022-01-10") + "\n");
  ExpectCommandRejected(
      kasse_,
      {"join", "--member", "M-1", "--name", "X", "--kind", "personal", "--date", "2022-03-01"},
      Field("member"));
  // Joining again after leaving is allowed.
  kasse_.Ok({"leave", "--member", "M-1", "--date", "2022-06-30"});
  kasse_.Ok(
      {"join", "--member", "M-1", "--name", "X", "--kind", "personal", "--date", "2022-09-01"});
  EXPECT_EQ(kasse_.Report({"report", "members", "--as-of", "2022-12-31", "--json"})["total"], 1);
}

TEST_F(CliRules, MemberLeavesTwice) {
  ExpectImportRejected(kasse_,
                       {JoinLine("j1", "M-1", "2022-01-10"), LeaveLine("l1", "M-1", "2022-06-01"),
                        LeaveLine("l2", "M-1", "2022-07-01")},
                       3, Field("member"));
  kasse_.Ok({"import", "-"}, JoinLine("j1", "M-1", "2022-01-10") + "\n" +
                                 LeaveLine("l1", "M-1", "2022-06-01") + "\n");
  ExpectCommandRejected(kasse_, {"leave", "--member", "M-1", "--date", "2022-07-01"},
                        Field("member"));
  // A late departure dated between the first departure and a later re-join breaks the timeline.
  kasse_.Ok({"import", "-"}, JoinLine("j2", "M-1", "2022-09-01") + "\n");
  ExpectCommandRejected(kasse_, {"leave", "--member", "M-1", "--date", "2022-07-01"},
                        Field("member"));
}

TEST_F(CliRules, UnknownCategory) {
  ExpectImportRejected(
      kasse_, {ExpenseLine("e1", "2022-02-01"), ExpenseLine("e2", "2022-02-01", "Raumschiff")}, 2,
      Field("category"));
  ExpectImportRejected(kasse_,
                       {ExpenseLine("e1", "2022-02-01"), IncomeLine("i1", "2022-02-01", "Zinsen")},
                       2, Field("category"));
  ExpectCommandRejected(kasse_, {"expense", "--category", "Raumschiff", "--amount", "1"},
                        Field("category"));
}

TEST_F(CliRules, CategoryOfTheWrongDirection) {
  ExpectImportRejected(
      kasse_, {ExpenseLine("e1", "2022-02-01"), IncomeLine("i1", "2022-02-01", "Hardware")}, 2,
      Field("category"));
  ExpectImportRejected(
      kasse_, {ExpenseLine("e1", "2022-02-01"), ExpenseLine("e2", "2022-02-01", "Spenden")}, 2,
      Field("category"));
  ExpectCommandRejected(kasse_, {"income", "--category", "Hardware", "--amount", "1"},
                        Field("category"));
  ExpectCommandRejected(kasse_, {"expense", "--category", "Mitgliedsbeiträge", "--amount", "1"},
                        Field("category"));
  // A category cannot be redefined with another direction.
  ExpectCommandRejected(
      kasse_, {"category", "--category", "Hardware", "--direction", "income", "--sphere", "ideal"},
      Field("category"));
}

TEST_F(CliRules, ReverseAnUnknownId) {
  ExpectImportRejected(kasse_,
                       {ExpenseLine("e1", "2022-02-01"), ReverseLine("r1", "nope", "2022-02-02")},
                       2, Field("reverses"));
  ExpectCommandRejected(kasse_, {"reverse", "nope", "--reason", "x"}, Field("reverses"));
}

TEST_F(CliRules, ReverseTwice) {
  ExpectImportRejected(kasse_,
                       {ExpenseLine("e1", "2022-02-01"), ReverseLine("r1", "e1", "2022-02-02"),
                        ReverseLine("r2", "e1", "2022-02-03")},
                       3, Field("reverses"), {"already reversed"});
  kasse_.Ok({"import", "-"},
            ExpenseLine("e1", "2022-02-01") + "\n" + ReverseLine("r1", "e1", "2022-02-02") + "\n");
  ExpectCommandRejected(kasse_, {"reverse", "e1", "--reason", "x", "--date", "2022-02-03"},
                        Field("reverses"), {"already reversed"});
}

TEST_F(CliRules, ReverseANonMoneyEvent) {
  ExpectImportRejected(kasse_,
                       {JoinLine("j1", "M-1", "2022-01-10"), ReverseLine("r1", "j1", "2022-02-02")},
                       2, Field("reverses"), {"only money events"});
  ExpectCommandRejected(kasse_, {"reverse", "init-category-03", "--reason", "x"},
                        Field("reverses"));
}

TEST_F(CliRules, ReverseAReversal) {
  ExpectImportRejected(kasse_,
                       {ExpenseLine("e1", "2022-02-01"), ReverseLine("r1", "e1", "2022-02-02"),
                        ReverseLine("r2", "r1", "2022-02-03")},
                       3, Field("reverses"));
  kasse_.Ok({"import", "-"},
            ExpenseLine("e1", "2022-02-01") + "\n" + ReverseLine("r1", "e1", "2022-02-02") + "\n");
  ExpectCommandRejected(kasse_, {"reverse", "r1", "--reason", "x", "--date", "2022-02-03"},
                        Field("reverses"));
}

TEST_F(CliRules, ReversalDatedBeforeTheEntry) {
  ExpectImportRejected(kasse_,
                       {ExpenseLine("e1", "2022-02-01"), ReverseLine("r1", "e1", "2022-01-31")}, 2,
                       Field("date"));
}

TEST_F(CliRules, EventDatedInAClosedYear) {
  ExpectImportRejected(kasse_,
                       {ExpenseLine("e1", "2022-02-01"), CloseLine("c1", 2022, "2023-01-05"),
                        ExpenseLine("e2", "2022-12-31")},
                       3, Field("date"), {"2022 is closed", "reversal"});
  kasse_.Ok({"import", "-"},
            ExpenseLine("e1", "2022-02-01") + "\n" + CloseLine("c1", 2022, "2023-01-05") + "\n");
  const Args late_expense = {"expense", "--category", "Hardware",  "--amount",
                             "1",       "--date",     "2022-06-01"};
  // The message says why and how to correct: with a reversal.
  ExpectCommandRejected(kasse_, late_expense, Field("date"), {"2022 is closed", "reversal"});
  ExpectImportRejected(kasse_, {JoinLine("j1", "M-1", "2022-03-01")}, 1, Field("date"),
                       {"reversal"});
  // The correction the message asks for: a reversal dated in an open year.
  EXPECT_CONTAINS(kasse_.Ok({"reverse", "e1", "--reason", "falsch", "--date", "2023-01-06"}),
                  "recorded entry.reversed");
  EXPECT_EQ(kasse_.Report({"report", "spending", "--year", "2022", "--json"})["total"], "100.00");
  EXPECT_EQ(kasse_.Report({"report", "spending", "--year", "2023", "--json"})["total"], "-100.00");
}

TEST_F(CliRules, ClosingAYearTwice) {
  ExpectImportRejected(kasse_,
                       {CloseLine("c1", 2022, "2023-01-05"), CloseLine("c2", 2022, "2023-02-01")},
                       2, Field("year"), {"already closed"});
  kasse_.Ok({"close-year", "2022", "--date", "2023-01-05"});
  ExpectCommandRejected(kasse_, {"close-year", "2022", "--date", "2023-02-01"}, Field("year"));
}

TEST_F(CliRules, ClosingAYearBeforeItEnded) {
  ExpectImportRejected(kasse_,
                       {ExpenseLine("e1", "2022-02-01"), CloseLine("c1", 2023, "2023-06-01")}, 2,
                       Field("date"));
}

TEST_F(CliRules, LateDepartureCountsByItsBookingDate) {
  // Recorded in this order; the departure of M-1 comes last but is dated before M-3's join.
  kasse_.Ok({"import", "-"}, JoinLine("j1", "M-1", "2022-01-10") + "\n" +
                                 JoinLine("j2", "M-2", "2022-02-01", "institutional") + "\n" +
                                 JoinLine("j3", "M-3", "2022-09-01") + "\n" +
                                 ChangeLine("c2", "M-2", "2022-10-01", "personal") + "\n");
  kasse_.Ok({"leave", "--member", "M-1", "--date", "2022-06-30"});
  auto members = [this](const std::string& as_of) {
    return kasse_.Report({"report", "members", "--as-of", as_of, "--json"});
  };
  const json before_departure = members("2022-06-29");
  EXPECT_EQ(before_departure["total"], 2);
  EXPECT_EQ(before_departure["personal"], 1);
  EXPECT_EQ(before_departure["institutional"], 1);
  const json after_departure = members("2022-06-30");
  EXPECT_EQ(after_departure["total"], 1);
  EXPECT_EQ(after_departure["personal"], 0);
  EXPECT_EQ(after_departure["institutional"], 1);
  const json year_end = members("2022-12-31");
  EXPECT_EQ(year_end["total"], 2);
  EXPECT_EQ(year_end["personal"], 2);  // M-2 became personal
  EXPECT_EQ(year_end["institutional"], 0);
  EXPECT_EQ(year_end["joined_in_year"], 3);
  EXPECT_EQ(year_end["left_in_year"], 1);
  EXPECT_EQ(members("2021-12-31")["total"], 0);
  // A fresh replay agrees with the stored projections.
  kasse_.Ok({"verify"});
}

TEST_F(CliRules, LateKindChangeCountsFromItsBookingDate) {
  kasse_.Ok({"import", "-"}, JoinLine("j1", "M-1", "2022-01-01") + "\n" +
                                 LeaveLine("l1", "M-1", "2022-06-01") + "\n");
  // Recorded last, dated between the join and the departure.
  kasse_.Ok(
      {"change-member", "--member", "M-1", "--kind", "institutional", "--date", "2022-03-01"});
  auto members = [this](const std::string& as_of) {
    return kasse_.Report({"report", "members", "--as-of", as_of, "--json"});
  };
  EXPECT_EQ(members("2022-02-28")["personal"], 1);
  EXPECT_EQ(members("2022-02-28")["institutional"], 0);
  EXPECT_EQ(members("2022-03-01")["personal"], 0);
  EXPECT_EQ(members("2022-03-01")["institutional"], 1);
  const json after = members("2022-06-01");
  EXPECT_EQ(after["total"], 0);
  EXPECT_EQ(after["institutional"], 0);
  EXPECT_EQ(after["left_in_year"], 1);
  kasse_.Ok({"verify"});
}

TEST_F(CliRules, ReversalCountsNegatedInTheYearOfItsOwnDate) {
  kasse_.Ok({"import", "-"}, ExpenseLine("e1", "2022-05-01", "Hardware", "100.00") + "\n" +
                                 ExpenseLine("e2", "2022-06-01", "Hardware", "50.00") + "\n" +
                                 ExpenseLine("e3", "2023-02-01", "Reisekosten", "20.00") + "\n");
  kasse_.Ok({"reverse", "e1", "--reason", "Rückgabe", "--date", "2023-01-10"});
  auto spending = [this](const std::string& year) {
    std::map<std::string, std::string> amounts;
    const json report = kasse_.Report({"report", "spending", "--year", year, "--json"});
    for (const json& line : report["categories"])
      amounts[line["category"].get<std::string>()] = line["amount"].get<std::string>();
    amounts["total"] = report["total"].get<std::string>();
    return amounts;
  };
  std::map<std::string, std::string> y2022 = spending("2022");
  EXPECT_EQ(y2022["Hardware"], "150.00");
  EXPECT_EQ(y2022["total"], "150.00");
  std::map<std::string, std::string> y2023 = spending("2023");
  EXPECT_EQ(y2023["Hardware"], "-100.00");
  EXPECT_EQ(y2023["Reisekosten"], "20.00");
  EXPECT_EQ(y2023["total"], "-80.00");
  const json statement = kasse_.Report({"report", "statement", "--year", "2023", "--json"});
  EXPECT_EQ(statement["expenses"]["total"], "-80.00");
  EXPECT_EQ(statement["result"]["total"], "80.00");
  kasse_.Ok({"verify"});
}

// The ledger accepts dues dated before the member's join (only "never joined" is a breach), so a
// report of the books as of a date between the two must work too.
TEST_F(CliRules, ReportAsOfADateBetweenDuesAndALaterDatedJoin) {
  kasse_.Ok({"import", "-"}, JoinLine("j1", "M-1", "2022-06-01") + "\n" +
                                 DuesLine("d1", "M-1", "2022-03-01", "10.00") + "\n");
  kasse_.Ok({"verify"});
  const json statement =
      kasse_.Report({"report", "statement", "--year", "2022", "--as-of", "2022-04-01", "--json"});
  EXPECT_EQ(statement["income"]["total"], "10.00");
}

TEST_F(CliRules, ReversalInTheSameFileAsItsEntry) {
  kasse_.Ok({"import", "-"},
            ExpenseLine("e1", "2022-05-01") + "\n" + ReverseLine("r1", "e1", "2022-05-02") + "\n");
  EXPECT_EQ(kasse_.Report({"report", "spending", "--year", "2022", "--json"})["total"], "0.00");
}

// ============================================================================================
// 4. Malformed input: one bad line in the middle of an otherwise valid file.
// ============================================================================================

struct Malformed {
  const char* name;
  std::string line;
  std::string what;  // a part of the message: the field, or what is wrong with the line
};

std::string ExpenseWith(const std::string& fields) {
  return R"({"type":"expense.paid","id":"bad","date":"2022-05-01",)" + fields + "}";
}

std::string ExpenseWithAmount(const std::string& amount) {
  return ExpenseWith(R"("category":"Hardware","amount":)" + amount);
}

std::string ExpenseOnDate(const std::string& date) {
  return R"({"type":"expense.paid","id":"bad","date":")" + date +
         R"(","category":"Hardware","amount":"1.00"})";
}

std::vector<Malformed> MalformedLines() {
  const std::string amount = Field("amount");
  const std::string date = Field("date");
  const std::string a_line_too_long = ExpenseWith(
      R"("category":"Hardware","amount":"1.00","payee":")" + std::string(70000, 'x') + "\"");
  return {
      {"AmountAsJsonNumber", ExpenseWithAmount("12.5"), amount},
      {"AmountWithComma", ExpenseWithAmount(R"("12,50")"), amount},
      {"AmountNegative", ExpenseWithAmount(R"("-5.00")"), amount},
      {"AmountWithPlus", ExpenseWithAmount(R"("+5")"), amount},
      {"AmountThreeDecimals", ExpenseWithAmount(R"("1.234")"), amount},
      {"AmountZero", ExpenseWithAmount(R"("0")"), amount},
      {"AmountZeroCents", ExpenseWithAmount(R"("0.00")"), amount},
      {"AmountAboveLimit", ExpenseWithAmount(R"("1000000000000.01")"), amount},
      {"AmountFourteenDigits", ExpenseWithAmount(R"("10000000000000")"), amount},
      {"AmountLeadingZero", ExpenseWithAmount(R"("01.50")"), amount},
      {"AmountExponent", ExpenseWithAmount(R"("1e3")"), amount},
      {"AmountEmpty", ExpenseWithAmount(R"("")"), amount},
      {"AmountMissing", ExpenseWith(R"("category":"Hardware")"), amount},
      {"DateFebruary30", ExpenseOnDate("2023-02-30"), date},
      {"DateMonth13", ExpenseOnDate("2022-13-01"), date},
      {"DateTwoDigitYear", ExpenseOnDate("22-01-01"), date},
      {"DateUnpadded", ExpenseOnDate("2022-1-1"), date},
      {"InvalidJson", R"({"type":"expense.paid","id":"bad",)", "not valid JSON"},
      {"JsonArray", R"([{"type":"expense.paid","id":"bad"}])", "one JSON object"},
      {"TypeMissing", R"({"id":"bad","date":"2022-05-01","category":"Hardware","amount":"1.00"})",
       Field("type")},
      {"TypeUnknown",
       R"({"type":"expense.refunded","id":"bad","date":"2022-05-01","amount":"1.00"})",
       Field("type")},
      {"IdMissing",
       R"({"type":"expense.paid","date":"2022-05-01","category":"Hardware","amount":"1.00"})",
       Field("id")},
      {"IdWithSpace",
       R"({"type":"expense.paid","id":"a b","date":"2022-05-01","category":"Hardware","amount":"1.00"})",
       Field("id")},
      {"Id65Characters",
       R"({"type":"expense.paid","id":")" + std::string(65, 'x') +
           R"(","date":"2022-05-01","category":"Hardware","amount":"1.00"})",
       Field("id")},
      {"UnknownField", ExpenseWith(R"("category":"Hardware","amount":"1.00","colour":"red")"),
       Field("colour")},
      {"Note1001Characters",
       ExpenseWith(R"("category":"Hardware","amount":"1.00","note":")" + std::string(1001, 'n') +
                   "\""),
       Field("note")},
      {"MemberKindAlien",
       R"({"type":"member.joined","id":"bad","date":"2022-05-01","member":"M-2","name":"X","kind":"alien"})",
       Field("kind")},
      {"DonationKindCash",
       R"({"type":"donation.received","id":"bad","date":"2022-05-01","donor":"X","amount":"1.00","kind":"cash"})",
       Field("kind")},
      {"CoversBackwards",
       R"({"type":"dues.paid","id":"bad","date":"2022-05-01","member":"M-1","amount":"1.00","covers":"2025-2022"})",
       Field("covers")},
      {"YearAsString", R"({"type":"year.closed","id":"bad","date":"2023-01-05","year":"2022"})",
       Field("year")},
      {"YearFraction", R"({"type":"year.closed","id":"bad","date":"2023-01-05","year":2022.5})",
       Field("year")},
      {"MemberNumberWithSpace",
       R"({"type":"member.joined","id":"bad","date":"2022-05-01","member":"M 2","name":"X","kind":"personal"})",
       Field("member")},
      {"ChangeWithoutNameOrKind",
       R"({"type":"member.changed","id":"bad","date":"2022-05-01","member":"M-1"})", Field("name")},
      {"ReversalWithoutReason",
       R"({"type":"entry.reversed","id":"bad","date":"2022-05-01","reverses":"ok-2"})",
       Field("reason")},
      {"CategoryWithUnknownSphere",
       R"({"type":"category.defined","id":"bad","date":"2022-05-01","category":"C","direction":"income","sphere":"moon"})",
       Field("sphere")},
      {"CategoryWithUnknownDirection",
       R"({"type":"category.defined","id":"bad","date":"2022-05-01","category":"C","direction":"sideways","sphere":"ideal"})",
       Field("direction")},
      {"YearOutOfRange", R"({"type":"year.closed","id":"bad","date":"2023-01-05","year":1800})",
       Field("year")},
      {"DateMissing", R"({"type":"expense.paid","id":"bad","category":"Hardware","amount":"1.00"})",
       Field("date")},
      {"DocumentNotAString", ExpenseWith(R"("category":"Hardware","amount":"1.00","document":17)"),
       Field("document")},
      {"LineLongerThan64KiB", a_line_too_long, "65536"},
  };
}

// Line 1 a comment, line 3 blank: the bad line is line 5 of the file.
std::vector<std::string> FileAround(const std::string& bad_line) {
  return {
      "# Testdatei", JoinLine("ok-1", "M-1", "2022-01-10"), "", ExpenseLine("ok-2", "2022-02-01"),
      bad_line,      DuesLine("ok-3", "M-1", "2022-03-01")};
}

void PrintTo(const Malformed& malformed, std::ostream* out) {
  *out << malformed.name;
}

class CliMalformedInput : public ::testing::TestWithParam<Malformed> {};

TEST_P(CliMalformedInput, IsRejectedWithFileLineAndFieldAndNothingIsWritten) {
  Kasse kasse;
  kasse.Init();
  ExpectImportRejected(kasse, FileAround(GetParam().line), 5, GetParam().what);
}

INSTANTIATE_TEST_SUITE_P(Cli, CliMalformedInput, ::testing::ValuesIn(MalformedLines()),
                         [](const ::testing::TestParamInfo<Malformed>& info) {
                           return std::string(info.param.name);
                         });

TEST(CliImport, TheSameFileWithAGoodMiddleLineIsAccepted) {
  Kasse kasse;
  kasse.Init();
  // At the limits: a 64-character id, a note of 1000 characters (2000 bytes), covers of 4 years.
  std::string note;
  for (int i = 0; i < 1000; ++i) note += "ä";
  json good = Base("dues.paid", std::string(64, 'i'), "2022-05-01");
  good["member"] = "M-1";
  good["amount"] = "1000000000000.00";
  good["covers"] = "2022-2025";
  good["note"] = note;
  const std::string path = kasse.Write("good.jsonl", FileAround(good.dump()));
  EXPECT_CONTAINS(kasse.Ok({"import", path}), "imported 4 new events (seq 16-19)");
  const std::vector<json> events = JsonLines(kasse.Log());
  ASSERT_EQ(events.size(), 19u);
  EXPECT_EQ(events[17]["note"], note);
  EXPECT_EQ(events[17]["amount"], "1000000000000.00");
  EXPECT_EQ(events[17]["covers"], "2022-2025");
  EXPECT_EQ(events[18]["id"], "ok-3");
}

TEST(CliImport, AmountsWithoutOrWithOneDecimal) {
  Kasse kasse;
  kasse.Init();
  kasse.Ok({"import", "-"}, ExpenseLine("e1", "2022-01-01", "Hardware", "30000") + "\n" +
                                ExpenseLine("e2", "2022-01-01", "Hardware", "0.5") + "\n");
  const std::vector<json> events = JsonLines(kasse.Ok({"log", "--json", "--type", "expense.paid"}));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["amount"], "30000.00");
  EXPECT_EQ(events[1]["amount"], "0.50");
}

TEST(CliImport, ErrorsOnStdinNameStdinAndTheLine) {
  Kasse kasse;
  kasse.Init();
  ExpectRejected(kasse, {"import", "-"},
                 "# a\n" + ExpenseLine("e1", "2022-01-01") + "\n" + ExpenseWithAmount("1") + "\n",
                 "<stdin>:3:", Field("amount"));
}

// ============================================================================================
// 5. Idempotency and dry runs.
// ============================================================================================

TEST_F(CliExample, ReimportingTheSameFileIsANoOp) {
  const std::string before = kasse_.Log();
  const std::string out = kasse_.Ok({"import", SourcePath(kExample)});
  EXPECT_CONTAINS(out, "0 new events");
  EXPECT_CONTAINS(out, "221 already recorded");
  EXPECT_EQ(kasse_.Log(), before);
}

TEST_F(CliExample, ReimportingAfterClosingTheYearIsANoOp) {
  kasse_.Ok({"close-year", "2022", "--date", "2023-01-10"});
  const std::string before = kasse_.Log();
  const std::string out = kasse_.Ok({"import", SourcePath(kExample)});
  EXPECT_CONTAINS(out, "0 new events");
  EXPECT_CONTAINS(out, "221 already recorded");
  EXPECT_EQ(kasse_.Log(), before);
}

TEST_F(CliExample, AnIdReusedWithDifferentContentIsRejected) {
  ExpectImportRejected(kasse_,
                       {ExpenseLine("new-1", "2022-12-31"),
                        ExpenseLine("exp-2022-001", "2022-01-14", "Versicherung", "400.00")},
                       2, Field("id"));
  ExpectCommandRejected(kasse_,
                        {"expense", "--id", "exp-2022-001", "--category", "Versicherung",
                         "--amount", "400", "--date", "2022-01-14"},
                        Field("id"));
}

TEST_F(CliExample, LogPipedIntoImportIsANoOp) {
  const std::string before = kasse_.Log();
  const std::string out = kasse_.Ok({"import", "-"}, before);
  EXPECT_CONTAINS(out, "0 new events");
  EXPECT_CONTAINS(out, "236 already recorded");
  EXPECT_EQ(kasse_.Log(), before);
}

TEST(CliImport, DuplicateIdInsideOneFile) {
  Kasse kasse;
  kasse.Init();
  const std::string line = ExpenseLine("e1", "2022-01-01");
  const std::string out = kasse.Ok({"import", kasse.Write("twice.jsonl", {line, line})});
  EXPECT_CONTAINS(out, "1 new events");
  EXPECT_CONTAINS(out, "1 already recorded");
  EXPECT_EQ(JsonLines(kasse.Ok({"log", "--json", "--type", "expense.paid"})).size(), 1u);
  ExpectImportRejected(
      kasse,
      {ExpenseLine("e2", "2022-01-01"), ExpenseLine("e2", "2022-01-01", "Hardware", "99.00")}, 2,
      Field("id"));
}

TEST(CliImport, DryRunWritesNothing) {
  Kasse kasse;
  kasse.Init();
  const std::string before = kasse.Log();
  const std::string out = kasse.Ok({"import", "--dry-run", SourcePath(kExample)});
  EXPECT_CONTAINS(out, "checked: 221 new events");
  EXPECT_CONTAINS(out, "nothing written");
  EXPECT_EQ(kasse.Log(), before);
  // A dry run finds the same errors as a real import.
  ExpectRejected(kasse, {"import", "--dry-run", "-"},
                 ExpenseLine("e1", "2022-01-01") + "\n" + ExpenseWithAmount(R"("1,00")") + "\n",
                 "<stdin>:2:", Field("amount"));
  // And the real import still works afterwards.
  EXPECT_CONTAINS(kasse.Ok({"import", SourcePath(kExample)}), "imported 221 new events");
}

// ============================================================================================
// 6. Paths and the environment.
// ============================================================================================

TEST(CliPaths, AMissingLedgerSuggestsInit) {
  TempDir dir;
  const std::string missing = dir.File("nothing-here");
  for (const Args& command :
       {Args{"report", "members", "--as-of", "2022-12-31"}, Args{"report", "statement"},
        Args{"log"}, Args{"verify"}, Args{"expense", "--category", "Hardware", "--amount", "1"}}) {
    Args args = {"--db", missing};
    args.insert(args.end(), command.begin(), command.end());
    const RunResult result = RunKasse(args);
    SCOPED_TRACE(Show(args, result));
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_CONTAINS(result.err, missing);
    EXPECT_CONTAINS(result.err, "init");
  }
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST(CliPaths, ADirectoryThatIsNoLedgerIsRejected) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("other"));
  WriteFile(dir.File("other/file.txt"), "x");
  const RunResult result = RunKasse({"--db", dir.File("other"), "report", "members"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_CONTAINS(result.err, "not a kasse ledger");
}

// RunKasse clears KASSE_DB and KASSE_USER, so these run the binary through the shell.
int RunWithEnvironment(const std::string& directory, const std::string& environment,
                       const std::string& args, const std::string& out_file) {
  const std::string command =
      fmt::format("cd '{}' && env -u KASSE_DB -u KASSE_USER {} '{}' {} > '{}' 2>&1", directory,
                  environment, KASSE_BINARY, args, out_file);
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(CliPaths, KasseDbAndKasseUserFromTheEnvironment) {
  TempDir dir;
  const std::string out = dir.File("out.txt");
  const std::string db = dir.File("env.db");
  ASSERT_EQ(RunWithEnvironment(dir.path(), "KASSE_DB=" + db, "init --name Env", out), 0)
      << ReadFile(out);
  EXPECT_TRUE(std::filesystem::exists(db));
  ASSERT_EQ(RunWithEnvironment(dir.path(), "KASSE_DB=" + db + " KASSE_USER=bob",
                               "join --member M-1 --name X --kind personal --date 2022-01-01", out),
            0)
      << ReadFile(out);
  // --user beats KASSE_USER, --db beats KASSE_DB.
  ASSERT_EQ(RunWithEnvironment(dir.path(), "KASSE_DB=" + dir.File("nowhere") + " KASSE_USER=bob",
                               "--db '" + db + "' --user carol " +
                                   "join --member M-2 --name Y --kind personal --date 2022-01-01",
                               out),
            0)
      << ReadFile(out);
  // Neither: the operating-system user.
  ASSERT_EQ(RunWithEnvironment(dir.path(), "KASSE_DB=" + db,
                               "join --member M-3 --name Z --kind personal --date 2022-01-01", out),
            0)
      << ReadFile(out);
  const std::vector<json> events = JsonLines(RunKasse({"--db", db, "log", "--json"}).out);
  ASSERT_EQ(events.size(), 18u);
  EXPECT_EQ(events[15]["recorded_by"], "bob");
  EXPECT_EQ(events[16]["recorded_by"], "carol");
  const passwd* user = ::getpwuid(::geteuid());
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(events[17]["recorded_by"], user->pw_name);
  EXPECT_FALSE(std::filesystem::exists(dir.File("nowhere")));
}

// Readers open a RocksDB secondary instance, which once needed a directory of its own under
// $TMPDIR for its info log: without a usable one, every report failed.
TEST(CliPaths, ReadersNeedNoTemporaryDirectoryAndWriteNothing) {
  TempDir dir;
  const std::string out = dir.File("out.txt");
  const std::string db = dir.File("v.db");
  ASSERT_EQ(RunKasse({"--db", db, "init", "--name", "V"}).exit_code, 0);
  ASSERT_EQ(RunKasse({"--db", db, "join", "--member", "M-1", "--name", "X", "--kind", "personal",
                      "--date", "2022-01-01"})
                .exit_code,
            0);
  const auto before = FilesAndSizes(db);
  const std::string environment = "TMPDIR=" + dir.File("no-such-dir");
  for (const std::string command :
       {"report members --as-of 2022-12-31", "report statement --year 2022", "log", "verify"}) {
    EXPECT_EQ(RunWithEnvironment(dir.path(), environment, "--db '" + db + "' " + command, out), 0)
        << command << ": " << ReadFile(out);
  }
  EXPECT_NE(ReadFile(out).find("OK"), std::string::npos) << ReadFile(out);
  EXPECT_EQ(FilesAndSizes(db), before) << "a reader changed the ledger's files";
  EXPECT_FALSE(std::filesystem::exists(dir.File("no-such-dir")));
}

TEST(CliPaths, DefaultIsKasseDbInTheWorkingDirectory) {
  TempDir dir;
  const std::string out = dir.File("out.txt");
  ASSERT_EQ(RunWithEnvironment(dir.path(), "", "init --name Default", out), 0) << ReadFile(out);
  EXPECT_TRUE(std::filesystem::exists(dir.File("kasse.db")));
  EXPECT_EQ(RunWithEnvironment(dir.path(), "", "verify", out), 0) << ReadFile(out);
}

// ============================================================================================
// 7. Legal checks in the statement (projections/legal_limits.cc holds the figures).
// ============================================================================================

std::string CategoryLine(const std::string& id, const std::string& category,
                         const std::string& direction, const std::string& sphere) {
  json e = Base("category.defined", id, "2000-01-01");
  e["category"] = category;
  e["direction"] = direction;
  e["sphere"] = sphere;
  return e.dump();
}

std::string DonationLine(const std::string& id, const std::string& date, const std::string& amount,
                         const std::string& kind = "money") {
  json e = Base("donation.received", id, date);
  e["donor"] = "Donor " + id;
  e["amount"] = amount;
  e["kind"] = kind;
  return e.dump();
}

// The check with `code` of a statement report; an empty object (and a failure) when missing.
json Check(const json& statement, const std::string& code) {
  for (const json& check : statement["checks"]) {
    if (check["code"] == code) return check;
  }
  ADD_FAILURE() << "no check \"" << code << "\" in " << statement["checks"].dump();
  return json::object();
}

class CliLegalChecks : public ::testing::Test {
 protected:
  void SetUp() override {
    kasse_.Init();
    kasse_.Ok({"import", "-"},
              CategoryLine("c1", "Verkauf", "income", "commercial") + "\n" +
                  CategoryLine("c2", "Wareneinkauf", "expense", "commercial") + "\n" +
                  CategoryLine("c3", "Zinsen", "income", "asset_management") + "\n" +
                  CategoryLine("c4", "Depotgebühren", "expense", "asset_management") + "\n" +
                  CategoryLine("c5", "Kurse", "income", "purpose_business") + "\n");
  }
  json Statement(int year) const {
    return kasse_.Report({"report", "statement", "--year", std::to_string(year), "--json"});
  }
  Kasse kasse_;
};

TEST_F(CliExample, LegalChecksOfTheReferenceYear) {
  const json s = kasse_.Report({"report", "statement", "--year", "2022", "--json"});
  // § 62 (1) no. 3 AO: no asset management, 10 % of 120.000,00 EUR ideal income.
  const json reserve = Check(s, "free_reserve");
  EXPECT_EQ(reserve["severity"], "info");
  EXPECT_EQ(reserve["amount"], "12000.00");
  EXPECT_CONTAINS(reserve["message"].get<std::string>(), "12.000,00 EUR");
  EXPECT_CONTAINS(reserve["message"].get<std::string>(), "§ 62 (1) Nr. 3 AO");
  const json commercial = Check(s, "commercial_income");
  EXPECT_EQ(commercial["severity"], "info");
  EXPECT_EQ(commercial["amount"], "0.00");
  EXPECT_CONTAINS(commercial["message"].get<std::string>(), "45.000,00 EUR");
  // Above 45.000,00 EUR income: the overview; what is left of 2022 is due by the end of 2024.
  const json timely = Check(s, "timely_use");
  EXPECT_EQ(timely["severity"], "info");
  EXPECT_EQ(timely["amount"], "64195.11");
  EXPECT_CONTAINS(timely["message"].get<std::string>(), "64.195,11 EUR by 31.12.2024");
  // The four donations of 2022 are all above 300 EUR.
  const json receipts = Check(s, "donation_receipts");
  EXPECT_EQ(receipts["severity"], "info");
  EXPECT_EQ(receipts["count"], 4);
  for (const char* id : {"don-2022-01", "don-2022-02", "don-2022-03", "don-2022-04"}) {
    EXPECT_CONTAINS(receipts["message"].get<std::string>(), id);
  }
  const std::string text = kasse_.Ok({"report", "statement", "--year", "2022"});
  EXPECT_CONTAINS(text,
                  "[info] § 62 (1) Nr. 3 AO: the free reserve may take at most 12.000,00 EUR");
  EXPECT_CONTAINS(text, "[info] § 50 (4) EStDV: 4 donations of 2022");
}

TEST_F(CliLegalChecks, CommercialIncomeAboveTheLimitOfItsYear) {
  kasse_.Ok({"import", "-"}, IncomeLine("i2019", "2019-05-01", "Verkauf", "35000.01") + "\n" +
                                 IncomeLine("i2022a", "2022-05-01", "Verkauf", "45000.00") + "\n" +
                                 IncomeLine("i2025", "2025-05-01", "Verkauf", "45000.01") + "\n" +
                                 IncomeLine("i2026", "2026-05-01", "Verkauf", "50000.00") + "\n");
  const json at_2022 = Check(Statement(2022), "commercial_income");
  EXPECT_EQ(at_2022["severity"], "info");  // at the limit is not above it
  EXPECT_EQ(at_2022["amount"], "45000.00");
  const json at_2019 = Check(Statement(2019), "commercial_income");
  EXPECT_EQ(at_2019["severity"], "warning");
  EXPECT_CONTAINS(at_2019["message"].get<std::string>(), "35.000,00 EUR");
  const json at_2025 = Check(Statement(2025), "commercial_income");
  EXPECT_EQ(at_2025["severity"], "warning");
  EXPECT_CONTAINS(at_2025["message"].get<std::string>(), "§ 64 (3) AO");
  EXPECT_CONTAINS(at_2025["message"].get<std::string>(), "45.000,01 EUR");
  EXPECT_CONTAINS(at_2025["message"].get<std::string>(), "above the limit of 45.000,00 EUR");
  EXPECT_EQ(Check(Statement(2026), "commercial_income")["severity"], "info");  // 50.000 from 2026
  // A reversal brings 2025 back under the limit.
  kasse_.Ok({"import", "-"}, ReverseLine("r2025", "i2025", "2025-06-01") + "\n");
  EXPECT_EQ(Check(Statement(2025), "commercial_income")["severity"], "info");
  const std::string text = kasse_.Ok({"report", "statement", "--year", "2019"});
  EXPECT_CONTAINS(text, "[warning] § 64 (3) AO");
}

TEST_F(CliLegalChecks, TimelyUseExemptOrOverviewWithLateFunds) {
  kasse_.Ok({"import", "-"}, IncomeLine("a", "2020-03-01", "Zinsen", "30000.00") + "\n" +
                                 DonationLine("b", "2020-04-01", "20000.00") + "\n" +
                                 ExpenseLine("c", "2021-02-01", "Hardware", "20000.00") + "\n" +
                                 IncomeLine("d", "2023-03-01", "Kurse", "40000.00") + "\n" +
                                 IncomeLine("e", "2024-03-01", "Kurse", "45000.00") + "\n");
  // 2023 and 2024: at most 45.000,00 EUR income, exempt.
  for (int year : {2023, 2024}) {
    const json exempt = Check(Statement(year), "timely_use");
    EXPECT_EQ(exempt["severity"], "info") << year;
    EXPECT_CONTAINS(exempt["message"].get<std::string>(), "need not use its funds in time");
  }
  // 2020: 50.000,00 EUR income: the overview, nothing late yet.
  const json at_2020 = Check(Statement(2020), "timely_use");
  EXPECT_EQ(at_2020["severity"], "info");
  EXPECT_EQ(at_2020["amount"], "50000.00");
  EXPECT_CONTAINS(at_2020["message"].get<std::string>(), "50.000,00 EUR by 31.12.2022");
  // 2026: 100.000,00 EUR is the limit; 150.000,00 EUR is above it. 30.000,00 EUR of 2020 were
  // not used by the end of 2022.
  kasse_.Ok({"import", "-"}, IncomeLine("f", "2026-03-01", "Kurse", "150000.00") + "\n");
  const json at_2026 = Check(Statement(2026), "timely_use");
  EXPECT_EQ(at_2026["severity"], "warning");
  const std::string message = at_2026["message"].get<std::string>();
  EXPECT_CONTAINS(message, "above the exemption limit of 100.000,00 EUR");
  EXPECT_CONTAINS(message, "2020: income 50.000,00 EUR, used 20.000,00 EUR by the end of 2026");
  EXPECT_CONTAINS(message, "NOT USED IN TIME: 30.000,00 EUR still unused at the end of 2022");
  EXPECT_CONTAINS(message,
                  "2026: income 150.000,00 EUR, used 0,00 EUR by the end of 2026, still "
                  "to use 150.000,00 EUR by 31.12.2028");
}

TEST_F(CliLegalChecks, FreeReserveWithAssetManagementRoundsDown) {
  kasse_.Ok({"import", "-"},
            IncomeLine("z", "2022-03-01", "Zinsen", "1000.00") + "\n" +
                MoneyLine("expense.paid", "g", "2022-03-02", "Depotgebühren", "0.01") + "\n" +
                DonationLine("s", "2022-04-01", "1000.05") + "\n" +
                IncomeLine("k", "2022-05-01", "Kurse", "500.00") + "\n" +
                IncomeLine("v", "2022-06-01", "Verkauf", "200.00") + "\n");
  // A third of 999,99 EUR = 333,33 EUR; 10 % of 1.700,05 EUR = 170,005 EUR -> 170,00 EUR.
  const json reserve = Check(Statement(2022), "free_reserve");
  EXPECT_EQ(reserve["amount"], "503.33");
  EXPECT_CONTAINS(reserve["message"].get<std::string>(),
                  "1/3 of the surplus of asset management "
                  "(999,99 EUR) plus 10 % of the income "
                  "of the other spheres (1.700,05 EUR)");
}

TEST_F(CliLegalChecks, DonationsAboveTheSimplifiedProofLimitOfTheirYear) {
  kasse_.Ok({"import", "-"}, DonationLine("d2020", "2020-06-01", "250.00") + "\n" +
                                 DonationLine("d2021a", "2021-06-01", "250.00") + "\n" +
                                 DonationLine("d2021b", "2021-06-02", "300.00") + "\n" +
                                 DonationLine("d2021c", "2021-06-03", "300.01") + "\n" +
                                 DonationLine("d2021d", "2021-06-04", "900.00", "in_kind") + "\n" +
                                 DonationLine("d2021e", "2021-06-05", "5000.00") + "\n" +
                                 ReverseLine("r2021e", "d2021e", "2022-01-10") + "\n");
  // 200 EUR up to 2020.
  const json at_2020 = Check(Statement(2020), "donation_receipts");
  EXPECT_EQ(at_2020["count"], 1);
  EXPECT_CONTAINS(at_2020["message"].get<std::string>(), "above 200,00 EUR");
  EXPECT_CONTAINS(at_2020["message"].get<std::string>(), "d2020");
  // 300 EUR from 2021: 300,00 is not above it; the reversed donation is left out.
  const json at_2021 = Check(Statement(2021), "donation_receipts");
  EXPECT_EQ(at_2021["count"], 2);
  const std::string message = at_2021["message"].get<std::string>();
  EXPECT_CONTAINS(message, "(d2021c, 300,01 EUR)");
  EXPECT_CONTAINS(message, "(d2021d, 900,00 EUR, in kind)");
  EXPECT_NOT_CONTAINS(message, "d2021a");
  EXPECT_NOT_CONTAINS(message, "d2021b");
  EXPECT_NOT_CONTAINS(message, "d2021e");
  const json at_2023 = Check(Statement(2023), "donation_receipts");
  EXPECT_EQ(at_2023["count"], 0);
  EXPECT_CONTAINS(at_2023["message"].get<std::string>(), "no donation of 2023 is above 300,00");
  // The donations are projection state: verify compares it with a fresh replay, and a replay
  // (and a replay up to a point in history) gives the same.
  const std::string verified = kasse_.Ok({"verify"});
  EXPECT_CONTAINS(kasse_.Ok({"replay"}), "replayed");
  EXPECT_EQ(kasse_.Ok({"verify"}), verified);
  EXPECT_EQ(Check(Statement(2021), "donation_receipts"), at_2021);
  const json before_reversal =
      kasse_.Report({"report", "statement", "--year", "2021", "--as-of", "2021-12-31", "--json"});
  EXPECT_EQ(Check(before_reversal, "donation_receipts")["count"], 3);
}

// However many donations need a receipt, the report reads a count and the first few: it names 20.
TEST_F(CliLegalChecks, ManyDonationsAboveTheLimitAreCountedAndTheFirstTwentyNamed) {
  std::string lines;
  for (int i = 0; i < 25; ++i) {
    lines += DonationLine(fmt::format("big{:02}", i), "2022-07-01", "400.00") + "\n";
  }
  lines += ReverseLine("rbig00", "big00", "2022-07-02") + "\n";
  kasse_.Ok({"import", "-"}, lines);
  const json receipts = Check(Statement(2022), "donation_receipts");
  EXPECT_EQ(receipts["count"], 24);
  const std::string message = receipts["message"].get<std::string>();
  EXPECT_NOT_CONTAINS(message, "big00");
  EXPECT_CONTAINS(message, "(big01, 400,00 EUR)");
  EXPECT_CONTAINS(message, "(big20, 400,00 EUR)");
  EXPECT_NOT_CONTAINS(message, "big21");
  EXPECT_CONTAINS(message, "and 4 more");
}

// ============================================================================================
// 8. Report formats: --format text|json|csv, --csv-dialect german|plain. The CSV is read back by
//    an independent reader, Python's csv module (/usr/bin/python3, as in tests/schema).
// ============================================================================================

// Reads a CSV file with Python's csv module; prints {"bom": bool, "header": [...], "rows": [...]},
// each row an object of the header's names, and an "amount" converted to whole cents ("cents").
constexpr char kCsvReader[] = R"PY(
import csv, io, json, sys
from decimal import Decimal
path, dialect = sys.argv[1], sys.argv[2]
raw = open(path, "rb").read()
text = raw.decode("utf-8")
bom = text.startswith("\ufeff")
if bom:
    text = text[1:]
separator, decimal, other = (";", ",", ".") if dialect == "german" else (",", ".", ",")
reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
header = next(reader)
rows = []
for fields in reader:
    if len(fields) != len(header):
        sys.exit("row of %d fields, header of %d" % (len(fields), len(header)))
    row = dict(zip(header, fields))
    if "amount" in row:
        amount = row["amount"]
        if other in amount:
            sys.exit("amount %r has a %r" % (amount, other))
        row["cents"] = int(Decimal(amount.replace(decimal, ".")) * 100)
    rows.append(row)
print(json.dumps({"bom": bom, "crlf": "\r\n" in text and "\n" not in text.replace("\r\n", ""),
                  "header": header, "rows": rows}))
)PY";

// `kasse <args>` as CSV in `dialect`, read back by Python; an empty object (and a failure) when
// Python is missing or refuses the file.
json ReadCsv(const Kasse& kasse, const Args& args, const std::string& dialect) {
  const std::string path = kasse.dir() + "/report.csv";
  WriteFile(path, kasse.Ok(args));
  const RunResult read = RunProgram("/usr/bin/python3", {"-c", kCsvReader, path, dialect});
  EXPECT_EQ(read.exit_code, 0) << "python3 (Debian's, needed by the tests) failed: " << read.err;
  const json parsed = json::parse(read.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(parsed.is_object()) << read.out;
  return parsed.is_object() ? parsed : json::object();
}

Args WithCsv(Args args, const std::string& dialect) {
  args.insert(args.end(), {"--format", "csv"});
  if (dialect == "plain") args.insert(args.end(), {"--csv-dialect", "plain"});
  return args;
}

TEST_F(CliExample, StatementCsvSumsEqualTheJsonReport) {
  const Args report = {"report", "statement", "--year", "2022"};
  Args as_json = report;
  as_json.push_back("--json");
  const json s = kasse_.Report(as_json);
  for (const std::string dialect : {"german", "plain"}) {
    SCOPED_TRACE(dialect);
    const json csv = ReadCsv(kasse_, WithCsv(report, dialect), dialect);
    EXPECT_EQ(csv["bom"], dialect == "german");
    EXPECT_EQ(csv["crlf"], true);
    EXPECT_EQ(csv["header"], json::parse(R"(["year", "direction", "sphere", "group", "category",
                                             "amount", "bookings"])"));
    ASSERT_EQ(csv["rows"].size(), s["lines"].size());
    std::map<std::string, int64_t> totals_cents;
    for (size_t i = 0; i < csv["rows"].size(); ++i) {
      const json& row = csv["rows"][i];
      const json& line = s["lines"][i];
      EXPECT_EQ(row["category"], line["category"]);
      EXPECT_EQ(row["sphere"], line["sphere"]);
      EXPECT_EQ(row["group"], line.value("group", ""));
      EXPECT_EQ(row["bookings"], std::to_string(line["bookings"].get<int>()));
      EXPECT_EQ(row["cents"].get<int64_t>(), Cents(line["amount"].get<std::string>()));
      totals_cents[row["direction"].get<std::string>()] += row["cents"].get<int64_t>();
    }
    EXPECT_EQ(totals_cents["income"], Cents(s["income"]["total"].get<std::string>()));
    EXPECT_EQ(totals_cents["expense"], Cents(s["expenses"]["total"].get<std::string>()));
    EXPECT_EQ(totals_cents["income"], 12'000'000);
  }
  const std::string german = kasse_.Ok(WithCsv(report, "german"));
  EXPECT_TRUE(german.starts_with("\xEF\xBB\xBFyear;direction;")) << german.substr(0, 40);
  EXPECT_CONTAINS(german, ";Kommunikation;12966,53;");
  const std::string plain = kasse_.Ok(WithCsv(report, "plain"));
  EXPECT_TRUE(plain.starts_with("year,direction,")) << plain.substr(0, 40);
  EXPECT_CONTAINS(plain, ",Kommunikation,12966.53,");
}

TEST_F(CliExample, SpendingAndMembersCsv) {
  const json spending = kasse_.Report({"report", "spending", "--year", "2022", "--json"});
  const json members =
      kasse_.Report({"report", "members", "--as-of", "2022-12-31", "--format", "json"});
  for (const std::string dialect : {"german", "plain"}) {
    SCOPED_TRACE(dialect);
    const json csv =
        ReadCsv(kasse_, WithCsv({"report", "spending", "--year", "2022"}, dialect), dialect);
    ASSERT_EQ(csv["rows"].size(), spending["categories"].size());
    int64_t sum_cents = 0;
    for (size_t i = 0; i < csv["rows"].size(); ++i) {
      EXPECT_EQ(csv["rows"][i]["category"], spending["categories"][i]["category"]);
      sum_cents += csv["rows"][i]["cents"].get<int64_t>();
    }
    EXPECT_EQ(sum_cents, Cents(spending["total"].get<std::string>()));
    const json counts =
        ReadCsv(kasse_, WithCsv({"report", "members", "--as-of", "2022-12-31"}, dialect), dialect);
    ASSERT_EQ(counts["rows"].size(), 1u);
    const json& row = counts["rows"][0];
    EXPECT_EQ(row["as_of"], "2022-12-31");
    for (const char* field :
         {"total", "personal", "institutional", "joined_in_year", "left_in_year"}) {
      EXPECT_EQ(row[field], std::to_string(members[field].get<int>())) << field;
    }
  }
}

TEST_F(CliExample, FormatJsonAndTextAreTheOldOutputs) {
  for (const Args& report :
       {Args{"report", "statement", "--year", "2022"}, Args{"report", "spending", "--year", "2022"},
        Args{"report", "members", "--as-of", "2022-12-31"}}) {
    Args json_flag = report, format_json = report, format_text = report;
    json_flag.push_back("--json");
    format_json.insert(format_json.end(), {"--format", "json"});
    format_text.insert(format_text.end(), {"--format", "text"});
    EXPECT_EQ(kasse_.Ok(format_json), kasse_.Ok(json_flag));
    EXPECT_EQ(kasse_.Ok(format_text), kasse_.Ok(report));
    format_json.push_back("--json");  // the alias beside the same format is no contradiction
    EXPECT_EQ(kasse_.Ok(format_json), kasse_.Ok(json_flag));
  }
}

TEST_F(CliRules, CsvQuotesFieldsAfterRfc4180) {
  const std::string name = "Miete; \"Haus A\", Nebenkosten";
  kasse_.Ok({"import", "-"}, CategoryLine("c1", name, "expense", "ideal") + "\n" +
                                 ExpenseLine("e1", "2022-05-01", name, "1234.50") + "\n");
  for (const std::string dialect : {"german", "plain"}) {
    SCOPED_TRACE(dialect);
    const json csv =
        ReadCsv(kasse_, WithCsv({"report", "spending", "--year", "2022"}, dialect), dialect);
    bool found = false;
    for (const json& row : csv["rows"]) {
      if (row["category"] != name) continue;
      found = true;
      EXPECT_EQ(row["cents"], 123450);
    }
    EXPECT_TRUE(found) << csv.dump();
  }
  const std::string german = kasse_.Ok({"report", "spending", "--year", "2022", "--format", "csv"});
  EXPECT_CONTAINS(german, "\"Miete; \"\"Haus A\"\", Nebenkosten\"");
  // A negative amount (a reversal in another year) keeps its sign and decimal comma.
  kasse_.Ok({"import", "-"}, ReverseLine("r1", "e1", "2023-01-10") + "\n");
  EXPECT_CONTAINS(kasse_.Ok({"report", "spending", "--year", "2023", "--format", "csv"}),
                  ";-1234,50;1\r\n");
}

TEST_F(CliRules, UnknownFormatOrDialectIsAUsageError) {
  struct Case {
    Args args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"report", "statement", "--format", "pdf"}, "--format: pdf not in {text,json,csv,html}"},
      {{"report", "spending", "--format", "CSV"}, "--format: CSV not in {text,json,csv,html}"},
      {{"report", "members", "--format", "csv", "--csv-dialect", "excel"},
       "--csv-dialect: excel not in {german,plain}"},
      {{"report", "statement", "--csv-dialect", "plain"}, "--csv-dialect needs --format csv"},
      {{"report", "statement", "--json", "--format", "csv"},
       "--json means --format json; it contradicts --format csv"},
      {{"report", "members", "--format"}, "--format"},
  };
  for (const Case& c : cases) {
    const RunResult result = kasse_.Run(c.args);
    SCOPED_TRACE(Show(c.args, result));
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_CONTAINS(result.err, c.message);
    EXPECT_EQ(result.out, "");
  }
}

}  // namespace
}  // namespace kasse::test
