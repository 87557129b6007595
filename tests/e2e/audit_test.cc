// End-to-end tests of what the auditors rely on (docs/AUDIT.md): the books as they stood
// (--at-seq, --known-at, --as-of), following one booking (show, log --member), the seal and
// verify --expect, tampering that rewrites the whole chain after a seal, and backup/restore.
// They run the real kasse binary; the tampering reaches into the RocksDB directory through the
// RocksDB C++ API the way storage_test.cc does, and recomputes the chain with OpenSSL.
//
// Test suites are named audit_* so that `ctest -R audit` selects them.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child.h"
#include "tests/support/raw_ledger.h"
#include "tests/support/run.h"

namespace kasse::test {
namespace {

using nlohmann::json;
using Args = std::vector<std::string>;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr uint64_t kChartEvents = 15;  // what init records
const std::string kExample = "examples/next-ev-2022.jsonl";

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE((text).find(part), std::string::npos) << "expected \"" << (part) << "\" in:\n" << (text)

#define EXPECT_NOT_CONTAINS(text, part)                                                      \
  EXPECT_EQ((text).find(part), std::string::npos) << "unexpected \"" << (part) << "\" in:\n" \
                                                  << (text)

// ---------------------------------------------------------------------------------------------
// Running kasse.

RunResult Kasse(const std::string& db, Args args, const std::string& input = "",
                const std::string& user = "tester") {
  args.insert(args.begin(), {"--db", db, "--user", user});
  return RunKasse(args, input);
}

// Runs a command that must succeed; returns its stdout.
std::string Ok(const std::string& db, const Args& args, const std::string& input = "",
               const std::string& user = "tester") {
  const RunResult result = Kasse(db, args, input, user);
  EXPECT_EQ(result.exit_code, 0) << fmt::format("{}", fmt::join(args, " ")) << "\n"
                                 << Describe(result);
  EXPECT_EQ(result.err, "") << Describe(result);
  return result.out;
}

json ParseJson(const std::string& text) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(parsed.is_discarded()) << text;
  return parsed.is_discarded() ? json::object() : parsed;
}

json ReportJson(const std::string& db, Args args) {
  args.insert(args.begin(), "report");
  args.push_back("--json");
  return ParseJson(Ok(db, args));
}

std::vector<json> LogJson(const std::string& db, Args extra = {}) {
  Args args = {"log", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const std::string out = Ok(db, args);
  std::vector<json> events;
  size_t begin = 0;
  while (begin < out.size()) {
    size_t end = out.find('\n', begin);
    if (end == std::string::npos) end = out.size();
    if (end > begin) events.push_back(ParseJson(out.substr(begin, end - begin)));
    begin = end + 1;
  }
  return events;
}

// The event with this seq from `log --json`.
json LogEvent(const std::string& db, uint64_t seq) {
  for (json& event : LogJson(db)) {
    if (event["seq"] == seq) return event;
  }
  ADD_FAILURE() << "no event seq " << seq << " in the log";
  return json::object();
}

std::string Capture(const std::string& text, const std::string& pattern) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex(pattern))) {
    throw std::runtime_error("\"" + pattern + "\" not found in:\n" + text);
  }
  return match[1].str();
}

struct Head {
  uint64_t seq = 0;
  std::string hash;
};

// Runs verify, which must pass; returns the head it printed.
Head VerifyOk(const std::string& db, const Args& extra = {}) {
  Args args = {"verify"};
  args.insert(args.end(), extra.begin(), extra.end());
  const RunResult verify = Kasse(db, args);
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  if (verify.exit_code != 0) return {};
  EXPECT_CONTAINS(verify.out, "verify OK");
  return {std::stoull(Capture(verify.out, R"(\nhead seq (\d+)\n)")),
          Capture(verify.out, R"(\nhead hash ([0-9a-f]{64})\n)")};
}

// Runs verify, which must fail with exit 1 and not say OK; returns its stderr.
std::string VerifyFails(const std::string& db, const Args& extra = {}) {
  Args args = {"verify"};
  args.insert(args.end(), extra.begin(), extra.end());
  const RunResult verify = Kasse(db, args);
  EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
  EXPECT_NOT_CONTAINS(verify.out, "verify OK");
  return verify.err;
}

// True when `text` names exactly event seq `seq` (not seq 200 when asked for 20).
bool NamesSeq(const std::string& text, uint64_t seq) {
  return std::regex_search(text, std::regex(fmt::format("seq {}([^0-9]|$)", seq)));
}

// --- Lines of the JSON-lines format. ---

json Base(const char* type, const std::string& id, const std::string& date) {
  return {{"type", type}, {"id", id}, {"date", date}};
}

std::string Join(const std::string& id, const std::string& member, const std::string& date,
                 const std::string& kind = "personal") {
  json e = Base("member.joined", id, date);
  e["member"] = member;
  e["name"] = "Name " + member;
  e["kind"] = kind;
  return e.dump();
}

std::string Leave(const std::string& id, const std::string& member, const std::string& date) {
  json e = Base("member.left", id, date);
  e["member"] = member;
  return e.dump();
}

std::string Dues(const std::string& id, const std::string& member, const std::string& date,
                 const std::string& amount) {
  json e = Base("dues.paid", id, date);
  e["member"] = member;
  e["amount"] = amount;
  e["covers"] = date.substr(0, 4);
  return e.dump();
}

std::string Expense(const std::string& id, const std::string& date, const std::string& category,
                    const std::string& amount, const std::string& document = "",
                    const std::string& payee = "") {
  json e = Base("expense.paid", id, date);
  e["category"] = category;
  e["amount"] = amount;
  if (!document.empty()) e["document"] = document;
  if (!payee.empty()) e["payee"] = payee;
  return e.dump();
}

std::string Donation(const std::string& id, const std::string& date, const std::string& amount) {
  json e = Base("donation.received", id, date);
  e["donor"] = "Stiftung Beispiel";
  e["amount"] = amount;
  return e.dump();
}

std::string Reverse(const std::string& id, const std::string& reverses, const std::string& date) {
  json e = Base("entry.reversed", id, date);
  e["reverses"] = reverses;
  e["reason"] = "Fehlbuchung";
  return e.dump();
}

std::string Seal(const std::string& id, uint64_t covers_seq, const std::string& covers_hash) {
  json e = Base("audit.sealed", id, "2023-03-31");
  e["auditor"] = "Erika Prüfer";
  e["covers_seq"] = covers_seq;
  e["covers_hash"] = covers_hash;
  return e.dump();
}

std::string Lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

// A new ledger with the default chart at <dir>/db.
std::string NewLedger(const TempDir& dir, const std::string& name = "db") {
  const std::string db = dir.File(name);
  Ok(db, {"init", "--name", "Prüfverein e.V."});
  return db;
}

// ---------------------------------------------------------------------------------------------
// Timestamps of `recorded_at` ("2023-03-31T18:00:00.123Z") as Unix milliseconds and back.

int64_t UnixMsOf(const std::string& timestamp) {
  std::tm utc{};
  int millis = 0;
  if (std::sscanf(timestamp.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &millis) != 7) {
    throw std::runtime_error("not a recorded_at: " + timestamp);
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&utc)) * 1000 + millis;
}

// RFC 3339 with an offset of `offset_minutes` east of UTC, e.g. "...T20:00:00.123+02:00".
std::string TimestampOf(int64_t unix_ms, int offset_minutes = 0) {
  const std::time_t seconds = static_cast<std::time_t>((unix_ms / 1000) + offset_minutes * 60);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  const std::string zone =
      offset_minutes == 0
          ? "Z"
          : fmt::format("{}{:02}:{:02}", offset_minutes < 0 ? '-' : '+',
                        std::abs(offset_minutes) / 60, std::abs(offset_minutes) % 60);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{}", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, unix_ms % 1000,
                     zone);
}

// Replaces the only occurrence of `from` in the payload of `bytes` with `to` (same length, so
// the event still decodes).
void ReplaceInPayload(std::string* bytes, const std::string& from, const std::string& to) {
  ASSERT_EQ(from.size(), to.size());
  const size_t at = bytes->find(from, kHeaderSize);
  ASSERT_NE(at, std::string::npos) << "\"" << from << "\" is not in the payload";
  ASSERT_EQ(bytes->find(from, at + 1), std::string::npos) << "\"" << from << "\" twice";
  bytes->replace(at, to.size(), to);
}

// ---------------------------------------------------------------------------------------------
// 1. The books as they stood: --at-seq, --known-at, --as-of.

// What a statement says, without its notes (checks), which differ between replayed and stored.
json Figures(const json& statement) {
  return {{"year", statement["year"]},
          {"income", statement["income"]},
          {"expenses", statement["expenses"]},
          {"result", statement["result"]},
          {"lines", statement["lines"]}};
}

json Counts(json members) {
  members.erase("at_seq");
  return members;
}

bool HasCheck(const json& report, const std::string& code) {
  for (const json& check : report["checks"]) {
    if (check["code"] == code) return true;
  }
  return false;
}

std::string HistoryCutMessage(const json& report) {
  for (const json& check : report["checks"]) {
    if (check["code"] == "history_cut") return check["message"];
  }
  return "";
}

// The amount booked on a category in a statement's lines, "" when the category is not listed.
std::string LineAmount(const json& statement, const std::string& category) {
  for (const json& line : statement["lines"]) {
    if (line["category"] == category) return line["amount"];
  }
  return "";
}

// A ledger recorded in three steps, with more than a second between them so that recorded_at
// differs, and each step's statement and member counts captured right after it.
class HistoryFixture : public ::testing::Test {
 protected:
  struct Step {
    uint64_t seq = 0;         // the last event of the step
    std::string recorded_at;  // its recorded_at
    json statement;           // report statement --year 2022 --json, right after the step
    json members;             // report members --as-of 2022-12-31 --json, right after the step
  };

  void SetUp() override {
    db_ = NewLedger(dir_);
    // Step 1 (an import): two members join, dues, an expense dated 2022-06-01.
    Ok(db_, {"import", "-"},
       Lines({Join("j-1", "M-001", "2022-01-10"),
              Join("j-2", "M-002", "2022-02-01", "institutional"),
              Dues("d-1", "M-001", "2022-01-15", "60.00"),
              Expense("e-jun", "2022-06-01", "Hardware", "100.00", "B-06")}));
    Capture(&steps_[0]);
    std::this_thread::sleep_for(milliseconds(1100));
    // Step 2 (a command): an expense dated 2022-12-20.
    Ok(db_, {"expense", "--id", "e-dec", "--date", "2022-12-20", "--category", "Kommunikation",
             "--amount", "50"});
    Capture(&steps_[1]);
    std::this_thread::sleep_for(milliseconds(1100));
    // Step 3 (an import): a late recording dated 2022-05-15, before step 2's expense; a reversal
    // of step 1's expense; a late join, a departure and a donation.
    Ok(db_, {"import", "-"},
       Lines({Expense("e-may", "2022-05-15", "Reisekosten", "30.00"),
              Reverse("r-jun", "e-jun", "2022-07-01"), Join("j-3", "M-003", "2022-04-01"),
              Leave("l-1", "M-001", "2022-11-30"), Donation("don-1", "2022-08-01", "500.00")}));
    Capture(&steps_[2]);
  }

  void Capture(Step* step) {
    const std::vector<json> log = LogJson(db_);
    ASSERT_FALSE(log.empty());
    step->seq = log.back()["seq"];
    step->recorded_at = log.back()["recorded_at"];
    step->statement = ReportJson(db_, {"statement", "--year", "2022"});
    step->members = ReportJson(db_, {"members", "--as-of", "2022-12-31"});
  }

  json Statement(const Args& cut) {
    Args args = {"statement", "--year", "2022"};
    args.insert(args.end(), cut.begin(), cut.end());
    return ReportJson(db_, args);
  }

  TempDir dir_;
  std::string db_;
  Step steps_[3];
};
using audit_history = HistoryFixture;

TEST_F(audit_history, TheStepsAreWhatWasRecorded) {
  EXPECT_EQ(steps_[0].seq, kChartEvents + 4);
  EXPECT_EQ(steps_[1].seq, kChartEvents + 5);
  EXPECT_EQ(steps_[2].seq, kChartEvents + 10);
  EXPECT_LT(steps_[0].recorded_at, steps_[1].recorded_at);
  EXPECT_LT(steps_[1].recorded_at, steps_[2].recorded_at);
  EXPECT_EQ(steps_[0].statement["income"]["total"], "60.00");
  EXPECT_EQ(steps_[0].statement["expenses"]["total"], "100.00");
  EXPECT_EQ(steps_[0].statement["result"]["total"], "-40.00");
  EXPECT_EQ(steps_[1].statement["expenses"]["total"], "150.00");
  EXPECT_EQ(steps_[2].statement["income"]["total"], "560.00");
  EXPECT_EQ(steps_[2].statement["expenses"]["total"], "80.00");  // 100 + 50 + 30 - 100
  EXPECT_EQ(steps_[2].statement["result"]["total"], "480.00");
  for (const Step& step : steps_) {
    EXPECT_FALSE(HasCheck(step.statement, "history_cut")) << step.statement.dump(2);
    EXPECT_TRUE(HasCheck(step.statement, "year_open")) << step.statement.dump(2);
    EXPECT_FALSE(step.members.contains("at_seq")) << step.members.dump();
  }
}

TEST_F(audit_history, AtSeqShowsTheStatementAsItWasAfterThatEvent) {
  for (const Step& step : steps_) {
    SCOPED_TRACE(fmt::format("--at-seq {}", step.seq));
    const json replayed = Statement({"--at-seq", std::to_string(step.seq)});
    EXPECT_EQ(Figures(replayed), Figures(step.statement));
    EXPECT_TRUE(HasCheck(replayed, "history_cut")) << replayed.dump(2);
    EXPECT_TRUE(HasCheck(replayed, "year_open")) << replayed.dump(2);
    EXPECT_CONTAINS(HistoryCutMessage(replayed),
                    fmt::format("up to seq {} of {}", step.seq, steps_[2].seq));
  }
  // Within a step: after the first event of step 3 only the late expense is added to step 2.
  const json mid = Statement({"--at-seq", std::to_string(steps_[1].seq + 1)});
  EXPECT_EQ(mid["expenses"]["total"], "180.00");
  EXPECT_EQ(LineAmount(mid, "Reisekosten"), "30.00");
  EXPECT_EQ(mid["income"], steps_[1].statement["income"]);
  // The text statement carries the note too; today's does not.
  const std::string text =
      Ok(db_, {"report", "statement", "--year", "2022", "--at-seq", std::to_string(steps_[0].seq)});
  EXPECT_CONTAINS(text, fmt::format("up to seq {} of {}", steps_[0].seq, steps_[2].seq));
  EXPECT_NOT_CONTAINS(Ok(db_, {"report", "statement", "--year", "2022"}), "Replayed history");
  // Beyond the head: today's books, still marked as a replay.
  const json beyond = Statement({"--at-seq", "999999"});
  EXPECT_EQ(Figures(beyond), Figures(steps_[2].statement));
  EXPECT_TRUE(HasCheck(beyond, "history_cut"));
}

TEST_F(audit_history, KnownAtShowsTheStatementAsItWasThen) {
  for (const Step& step : steps_) {
    SCOPED_TRACE(fmt::format("--known-at {}", step.recorded_at));
    const json replayed = Statement({"--known-at", step.recorded_at});
    EXPECT_EQ(Figures(replayed), Figures(step.statement));
    EXPECT_TRUE(HasCheck(replayed, "history_cut")) << replayed.dump(2);
    EXPECT_CONTAINS(HistoryCutMessage(replayed), fmt::format("up to seq {} of", step.seq));
  }
  // A millisecond before step 2 was recorded, also written with an offset east and west of UTC.
  const int64_t before_step_2 = UnixMsOf(steps_[1].recorded_at) - 1;
  for (int offset : {0, 120, -330}) {
    const std::string when = TimestampOf(before_step_2, offset);
    SCOPED_TRACE("--known-at " + when);
    EXPECT_EQ(Figures(Statement({"--known-at", when})), Figures(steps_[0].statement));
  }
  // Before anything was recorded: nothing; a date far ahead: everything.
  const json nothing = Statement({"--known-at", "2000-01-01T00:00:00Z"});
  EXPECT_EQ(nothing["income"]["total"], "0.00");
  EXPECT_EQ(nothing["expenses"]["total"], "0.00");
  EXPECT_EQ(Figures(Statement({"--known-at", "2999-12-31"})), Figures(steps_[2].statement));
  // --known-at and --at-seq together: the earlier of the two.
  EXPECT_EQ(Figures(Statement(
                {"--known-at", steps_[2].recorded_at, "--at-seq", std::to_string(steps_[0].seq)})),
            Figures(steps_[0].statement));
  EXPECT_EQ(Figures(Statement(
                {"--known-at", steps_[0].recorded_at, "--at-seq", std::to_string(steps_[2].seq)})),
            Figures(steps_[0].statement));
}

TEST_F(audit_history, AsOfLeavesOutWhatWasBookedLaterEvenIfRecordedEarlier) {
  // The expense dated 2022-12-20 was recorded before the one dated 2022-05-15.
  const json half_year = Statement({"--as-of", "2022-06-30"});
  EXPECT_EQ(half_year["income"]["total"], "60.00");  // the donation of 2022-08-01 is left out
  EXPECT_EQ(half_year["expenses"]["total"], "130.00") << half_year.dump(2);
  EXPECT_EQ(LineAmount(half_year, "Hardware"), "100.00");
  EXPECT_EQ(LineAmount(half_year, "Reisekosten"), "30.00");
  EXPECT_EQ(LineAmount(half_year, "Kommunikation"), "0.00");
  EXPECT_TRUE(HasCheck(half_year, "history_cut"));
  EXPECT_CONTAINS(HistoryCutMessage(half_year), "booked on or before 2022-06-30");

  // The reversal dated 2022-07-01 counts from its own day on.
  EXPECT_EQ(Statement({"--as-of", "2022-06-30"})["expenses"], half_year["expenses"]);
  EXPECT_EQ(Statement({"--as-of", "2022-07-01"})["expenses"]["total"], "30.00");
  // The whole year booked: today's figures.
  EXPECT_EQ(Figures(Statement({"--as-of", "2022-12-31"})), Figures(steps_[2].statement));

  // Combined with --at-seq: what had been recorded by step 2 and booked by 2022-06-30.
  const json combined =
      Statement({"--as-of", "2022-06-30", "--at-seq", std::to_string(steps_[1].seq)});
  EXPECT_EQ(combined["expenses"]["total"], "100.00") << combined.dump(2);
  EXPECT_EQ(LineAmount(combined, "Reisekosten"), "0.00");
  EXPECT_EQ(LineAmount(combined, "Kommunikation"), "0.00");
  EXPECT_CONTAINS(HistoryCutMessage(combined),
                  fmt::format("up to seq {} of {}", steps_[1].seq, steps_[2].seq));
  EXPECT_CONTAINS(HistoryCutMessage(combined), "2022-06-30");
  // ... and by the end of the year: the statement right after step 2.
  EXPECT_EQ(
      Figures(Statement({"--as-of", "2022-12-31", "--at-seq", std::to_string(steps_[1].seq)})),
      Figures(steps_[1].statement));
  // Spending takes the same cut.
  const json spending = ReportJson(db_, {"spending", "--year", "2022", "--as-of", "2022-06-30",
                                         "--at-seq", std::to_string(steps_[1].seq)});
  EXPECT_EQ(spending["total"], "100.00") << spending.dump(2);
}

TEST_F(audit_history, MembersAsTheyStood) {
  EXPECT_EQ(steps_[0].members, json({{"as_of", "2022-12-31"},
                                     {"total", 2},
                                     {"personal", 1},
                                     {"institutional", 1},
                                     {"joined_in_year", 2},
                                     {"left_in_year", 0}}));
  EXPECT_EQ(steps_[2].members, json({{"as_of", "2022-12-31"},
                                     {"total", 2},
                                     {"personal", 1},
                                     {"institutional", 1},
                                     {"joined_in_year", 3},
                                     {"left_in_year", 1}}));
  for (const Step& step : steps_) {
    SCOPED_TRACE(fmt::format("step seq {}", step.seq));
    const json at_seq =
        ReportJson(db_, {"members", "--as-of", "2022-12-31", "--at-seq", std::to_string(step.seq)});
    EXPECT_EQ(Counts(at_seq), step.members);
    EXPECT_EQ(at_seq["at_seq"], step.seq);
    const json known_at =
        ReportJson(db_, {"members", "--as-of", "2022-12-31", "--known-at", step.recorded_at});
    EXPECT_EQ(Counts(known_at), step.members);
    EXPECT_EQ(known_at["at_seq"], step.seq);
  }
  // Mid-year: M-001 had not left yet; M-003's late join (recorded in step 3) counts only then.
  EXPECT_EQ(Counts(ReportJson(db_, {"members", "--as-of", "2022-06-30", "--at-seq",
                                    std::to_string(steps_[2].seq)})),
            json({{"as_of", "2022-06-30"},
                  {"total", 3},
                  {"personal", 2},
                  {"institutional", 1},
                  {"joined_in_year", 3},
                  {"left_in_year", 0}}));
  EXPECT_EQ(Counts(ReportJson(db_, {"members", "--as-of", "2022-06-30", "--at-seq",
                                    std::to_string(steps_[1].seq)})),
            json({{"as_of", "2022-06-30"},
                  {"total", 2},
                  {"personal", 1},
                  {"institutional", 1},
                  {"joined_in_year", 2},
                  {"left_in_year", 0}}));
  // Text: a replayed report says so.
  const std::string text = Ok(db_, {"report", "members", "--as-of", "2022-12-31", "--at-seq",
                                    std::to_string(steps_[0].seq)});
  EXPECT_CONTAINS(text, fmt::format("up to seq {} of {}", steps_[0].seq, steps_[2].seq));
}

TEST_F(audit_history, BadCutValuesAreRejectedNamingTheOption) {
  const std::vector<std::pair<Args, std::string>> cases = {
      {{"--at-seq", "0"}, "--at-seq"},
      {{"--at-seq", "x"}, "--at-seq"},
      {{"--at-seq", "-1"}, "--at-seq"},
      {{"--at-seq", "12abc"}, "--at-seq"},
      {{"--at-seq", "99999999999999999999999"}, "--at-seq"},
      {{"--known-at", "yesterday"}, "--known-at"},
      {{"--known-at", "2023-02-30T00:00:00Z"}, "--known-at"},
      {{"--known-at", "2023-03-31T25:00:00Z"}, "--known-at"},
      {{"--known-at", "2023-03-31T18:00:00"}, "--known-at"},  // no zone
      {{"--as-of", "2022-13-01"}, "--as-of"},
      {{"--as-of", "gestern"}, "--as-of"},
  };
  for (const char* report : {"statement", "spending", "members"}) {
    for (const auto& [cut, option] : cases) {
      Args args = {"report", report};
      if (std::string(report) != "members") args.insert(args.end(), {"--year", "2022"});
      args.insert(args.end(), cut.begin(), cut.end());
      args.push_back("--json");
      const RunResult result = Kasse(db_, args);
      SCOPED_TRACE(fmt::format("{}", fmt::join(args, " ")));
      EXPECT_EQ(result.exit_code, 1) << Describe(result);
      EXPECT_CONTAINS(result.err, "option " + option);
      EXPECT_EQ(result.out, "");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Following one booking: show and log --member.

class ShowFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = NewLedger(dir_);
    Ok(db_, {"import", "-"},
       Lines({Join("j-1", "M-001", "2022-01-10"), Join("j-2", "M-002", "2022-01-11"),
              Dues("d-1", "M-001", "2022-01-15", "60.00"),
              Dues("d-2", "M-002", "2022-01-16", "60.00")}));
    Ok(db_,
       {"expense", "--id", "exp-17", "--date", "2022-03-01", "--category", "Hardware", "--amount",
        "129,90", "--document", "B-2022-017", "--payee", "Laden"},
       "", "Kassenwart Klaus");
    Ok(db_, {"change-member", "--member", "M-001", "--kind", "institutional", "--date",
             "2022-04-01", "--id", "c-1"});
    Ok(db_,
       {"reverse", "exp-17", "--reason", "doppelt gebucht", "--date", "2022-03-05", "--id",
        "rev-17", "--document", "S-1"},
       "", "Kassenprüferin Eva");
    Ok(db_, {"leave", "--member", "M-001", "--date", "2022-12-31", "--id", "l-1"});
    log_ = LogJson(db_);
  }

  const json& ById(const std::string& id) {
    for (const json& event : log_) {
      if (event["id"] == id) return event;
    }
    throw std::runtime_error("no event " + id);
  }

  TempDir dir_;
  std::string db_;
  std::vector<json> log_;
};
using audit_show = ShowFixture;

TEST_F(audit_show, JsonHasTheHashesTheRecorderAndTheReversal) {
  const json& logged = ById("exp-17");
  const json shown = ParseJson(Ok(db_, {"show", "exp-17", "--json"}));
  for (const char* field : {"seq", "type", "id", "date", "document", "payee", "category", "amount",
                            "recorded_at", "recorded_by", "prev_hash", "hash"}) {
    EXPECT_EQ(shown[field], logged[field]) << field << "\n" << shown.dump(2);
  }
  EXPECT_EQ(shown["recorded_by"], "Kassenwart Klaus");
  EXPECT_EQ(shown["document"], "B-2022-017");
  EXPECT_EQ(shown["amount"], "129.90");
  // The chain: prev_hash is the hash of the event before.
  const uint64_t seq = shown["seq"];
  EXPECT_EQ(shown["prev_hash"], log_[seq - 2]["hash"]);
  EXPECT_EQ(log_[seq - 2]["seq"], seq - 1);
  // Its reversal, with everything recorded about it.
  ASSERT_TRUE(shown.contains("reversed_by")) << shown.dump(2);
  const json& reversal = shown["reversed_by"];
  EXPECT_EQ(reversal["id"], "rev-17");
  EXPECT_EQ(reversal["seq"], ById("rev-17")["seq"]);
  EXPECT_EQ(reversal["hash"], ById("rev-17")["hash"]);
  EXPECT_EQ(reversal["prev_hash"], ById("rev-17")["prev_hash"]);
  EXPECT_EQ(reversal["recorded_by"], "Kassenprüferin Eva");
  EXPECT_EQ(reversal["reason"], "doppelt gebucht");
  EXPECT_FALSE(shown.contains("reverses_event"));

  // The reversal shows what it reverses.
  const json shown_reversal = ParseJson(Ok(db_, {"show", "rev-17", "--json"}));
  EXPECT_EQ(shown_reversal["reverses"], "exp-17");
  EXPECT_EQ(shown_reversal["document"], "S-1");
  ASSERT_TRUE(shown_reversal.contains("reverses_event")) << shown_reversal.dump(2);
  EXPECT_EQ(shown_reversal["reverses_event"]["id"], "exp-17");
  EXPECT_EQ(shown_reversal["reverses_event"]["seq"], seq);
  EXPECT_EQ(shown_reversal["reverses_event"]["hash"], logged["hash"]);
  EXPECT_FALSE(shown_reversal.contains("reversed_by"));

  // An event that was not reversed has neither.
  const json dues = ParseJson(Ok(db_, {"show", "d-1", "--json"}));
  EXPECT_FALSE(dues.contains("reversed_by"));
  EXPECT_FALSE(dues.contains("reverses_event"));
  EXPECT_EQ(dues["hash"], ById("d-1")["hash"]);
}

TEST_F(audit_show, TextNamesEveryField) {
  const json& logged = ById("exp-17");
  const std::string text = Ok(db_, {"show", "exp-17"});
  EXPECT_TRUE(std::regex_search(
      text, std::regex(fmt::format(R"((^|\n)seq +{}\n)", logged["seq"].get<uint64_t>()))))
      << text;
  EXPECT_TRUE(std::regex_search(
      text, std::regex("(^|\n)hash +" + logged["hash"].get<std::string>() + "\n")))
      << text;
  EXPECT_TRUE(std::regex_search(
      text, std::regex("(^|\n)prev_hash +" + logged["prev_hash"].get<std::string>() + "\n")))
      << text;
  EXPECT_TRUE(std::regex_search(text, std::regex("(^|\n)recorded_by +Kassenwart Klaus\n"))) << text;
  EXPECT_TRUE(std::regex_search(
      text, std::regex("(^|\n)recorded_at +" + logged["recorded_at"].get<std::string>() + "\n")))
      << text;
  EXPECT_TRUE(std::regex_search(text, std::regex("(^|\n)document +B-2022-017\n"))) << text;
  EXPECT_CONTAINS(text, "reversed by:");
  EXPECT_CONTAINS(text, "rev-17");
  EXPECT_CONTAINS(text, ById("rev-17")["hash"].get<std::string>());

  const std::string reversal = Ok(db_, {"show", "rev-17"});
  EXPECT_CONTAINS(reversal, "reverses:");
  EXPECT_CONTAINS(reversal, logged["hash"].get<std::string>());
}

TEST_F(audit_show, BySeqAndUnknown) {
  const json& logged = ById("exp-17");
  const std::string seq = std::to_string(logged["seq"].get<uint64_t>());
  EXPECT_EQ(Ok(db_, {"show", seq, "--json"}), Ok(db_, {"show", "exp-17", "--json"}));
  EXPECT_EQ(Ok(db_, {"show", seq}), Ok(db_, {"show", "exp-17"}));
  EXPECT_EQ(ParseJson(Ok(db_, {"show", "1", "--json"}))["id"], log_[0]["id"]);
  const std::string head = std::to_string(log_.back()["seq"].get<uint64_t>());
  EXPECT_EQ(ParseJson(Ok(db_, {"show", head, "--json"}))["id"], log_.back()["id"]);
  const std::string beyond = std::to_string(log_.back()["seq"].get<uint64_t>() + 1);
  for (const std::string& unknown :
       {std::string("exp-99"), std::string("0"), beyond, std::string("99999999999999999999999")}) {
    const RunResult result = Kasse(db_, {"show", unknown});
    EXPECT_EQ(result.exit_code, 1) << unknown << "\n" << Describe(result);
    EXPECT_CONTAINS(result.err, unknown);
    EXPECT_EQ(result.out, "");
  }
}

TEST_F(audit_show, LogMemberListsExactlyThatMembersEvents) {
  std::vector<std::string> ids;
  for (const json& event : LogJson(db_, {"--member", "M-001"})) {
    EXPECT_EQ(event["member"], "M-001") << event.dump();
    ids.push_back(event["id"]);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"j-1", "d-1", "c-1", "l-1"}));
  ids.clear();
  for (const json& event : LogJson(db_, {"--member", "M-002"})) ids.push_back(event["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"j-2", "d-2"}));
  EXPECT_TRUE(LogJson(db_, {"--member", "M-999"}).empty());
  // Text too, oldest first.
  const std::string text = Ok(db_, {"log", "--member", "M-001"});
  const size_t joined = text.find("[j-1]"), dues = text.find("[d-1]"), changed = text.find("[c-1]"),
               left = text.find("[l-1]");
  ASSERT_NE(left, std::string::npos) << text;
  EXPECT_TRUE(joined < dues && dues < changed && changed < left) << text;
  EXPECT_NOT_CONTAINS(text, "j-2");
  EXPECT_NOT_CONTAINS(text, "exp-17");
}

// ---------------------------------------------------------------------------------------------
// 3. The seal and verify --expect.

TEST(audit_seal, SealRightAfterInitAndVerifyExpect) {
  TempDir dir;
  const std::string db = NewLedger(dir);
  const Head head = VerifyOk(db);
  ASSERT_EQ(head.seq, kChartEvents);

  const std::string out =
      Ok(db, {"seal", "--auditor", "Erika Prüfer", "--date", "2023-03-31", "--id", "seal-1"});
  EXPECT_CONTAINS(out, fmt::format("recorded audit.sealed seq {} id seal-1", kChartEvents + 1));
  EXPECT_CONTAINS(out, fmt::format("sealed: events 1-{}, hash {}", kChartEvents, head.hash));
  EXPECT_CONTAINS(out, fmt::format("kasse verify --expect {}:{}", kChartEvents, head.hash));
  const json sealed = LogEvent(db, kChartEvents + 1);
  EXPECT_EQ(sealed["type"], "audit.sealed");
  EXPECT_EQ(sealed["auditor"], "Erika Prüfer");
  EXPECT_EQ(sealed["covers_seq"], kChartEvents);
  EXPECT_EQ(sealed["covers_hash"], head.hash);
  EXPECT_EQ(sealed["date"], "2023-03-31");

  const RunResult verify = Kasse(db, {"verify"});
  ASSERT_EQ(verify.exit_code, 0) << Describe(verify);
  const std::string seal_line = Capture(verify.out, R"((?:^|\n)(seal seq [^\n]*)\n)");
  EXPECT_TRUE(seal_line.starts_with(fmt::format("seal seq {} ", kChartEvents + 1))) << seal_line;
  EXPECT_CONTAINS(seal_line, "Erika Prüfer");
  EXPECT_CONTAINS(seal_line, "2023-03-31");
  EXPECT_CONTAINS(seal_line, fmt::format("events 1-{} ", kChartEvents));
  EXPECT_CONTAINS(seal_line, head.hash);

  // The pair written into the audit report.
  const std::string pair = fmt::format("{}:{}", kChartEvents, head.hash);
  const RunResult expected = Kasse(db, {"verify", "--expect", pair});
  EXPECT_EQ(expected.exit_code, 0) << Describe(expected);
  EXPECT_CONTAINS(expected.out,
                  fmt::format("expected: event seq {} has hash {}", kChartEvents, head.hash));
  // Another event, and the seal event itself, are fine too; several --expect at once.
  const Head after =
      VerifyOk(db, {"--expect", pair, "--expect",
                    fmt::format("{}:{}", kChartEvents + 1, LogEvent(db, 16)["hash"])});
  EXPECT_EQ(after.seq, kChartEvents + 1);

  // A wrong hash, or the right hash for another seq.
  std::string wrong = head.hash;
  wrong[10] = wrong[10] == '0' ? '1' : '0';
  std::string err = VerifyFails(db, {"--expect", fmt::format("{}:{}", kChartEvents, wrong)});
  EXPECT_CONTAINS(err, "--expect");
  EXPECT_TRUE(NamesSeq(err, kChartEvents)) << err;
  err = VerifyFails(db, {"--expect", fmt::format("{}:{}", kChartEvents - 1, head.hash)});
  EXPECT_CONTAINS(err, "--expect");
  err = VerifyFails(db, {"--expect", pair, "--expect", fmt::format("{}:{}", kChartEvents, wrong)});
  EXPECT_CONTAINS(err, "--expect");
  // A seq that does not exist.
  err = VerifyFails(db, {"--expect", fmt::format("{}:{}", 999, head.hash)});
  EXPECT_TRUE(NamesSeq(err, 999)) << err;

  // Garbage.
  for (const std::string& garbage :
       {std::string("garbage"), std::string("15"), fmt::format("15:{}", head.hash.substr(1)),
        fmt::format(":{}", head.hash), std::string("15:"), fmt::format("x:{}", head.hash),
        fmt::format("-15:{}", head.hash), fmt::format("15:{}0", head.hash),
        fmt::format("15:{}", std::string(64, 'g')),
        fmt::format("99999999999999999999999:{}", head.hash)}) {
    SCOPED_TRACE("--expect " + garbage);
    const RunResult result = Kasse(db, {"verify", "--expect", garbage});
    EXPECT_EQ(result.exit_code, 1) << Describe(result);
    EXPECT_CONTAINS(result.err, "--expect");
    EXPECT_EQ(result.out, "");
  }
}

TEST(audit_seal, ImportedSealsMustMatchTheLedger) {
  TempDir dir;
  const std::string db = NewLedger(dir);
  Ok(db, {"import", SourcePath(kExample)});
  const std::vector<json> log = LogJson(db);
  const uint64_t head = log.back()["seq"];
  const std::string hash_20 = log[19]["hash"];
  const std::string before = Ok(db, {"log", "--json"});

  auto rejected = [&](const std::string& line, const std::string& field) {
    SCOPED_TRACE(line);
    const RunResult result = Kasse(db, {"import", "-"}, line + "\n");
    EXPECT_EQ(result.exit_code, 1) << Describe(result);
    EXPECT_CONTAINS(result.err, "<stdin>:1");
    EXPECT_CONTAINS(result.err, "field \"" + field + "\"");
    EXPECT_EQ(Ok(db, {"log", "--json"}), before) << "a rejected seal was written";
  };
  std::string wrong = hash_20;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  rejected(Seal("s-bad", 20, wrong), "covers_hash");
  rejected(Seal("s-other", 21, hash_20), "covers_hash");
  rejected(Seal("s-later", head + 1, hash_20), "covers_seq");
  rejected(Seal("s-far", head + 100, hash_20), "covers_seq");
  rejected(Seal("s-zero", 0, hash_20), "covers_seq");
  // A seal cannot cover events of the same import: they have no committed hash yet.
  {
    const RunResult result = Kasse(db, {"import", "-"},
                                   Lines({Expense("e-new", "2022-12-01", "Hardware", "10.00"),
                                          Seal("s-same", head + 1, std::string(64, '0'))}));
    EXPECT_EQ(result.exit_code, 1) << Describe(result);
    EXPECT_CONTAINS(result.err, "<stdin>:2");
    EXPECT_EQ(Ok(db, {"log", "--json"}), before);
  }
  VerifyOk(db);

  // A right one is accepted, and verify lists it with the auditor.
  const std::string out = Ok(db, {"import", "-"}, Seal("s-good", 20, hash_20) + "\n");
  EXPECT_CONTAINS(out, fmt::format("imported 1 new events (seq {0}-{0})", head + 1));
  const RunResult verify = Kasse(db, {"verify"});
  ASSERT_EQ(verify.exit_code, 0) << Describe(verify);
  EXPECT_CONTAINS(verify.out,
                  fmt::format("seal seq {} of 2023-03-31 by Erika Prüfer: events 1-20 unchanged "
                              "(hash {})",
                              head + 1, hash_20));
  // Re-importing it is a no-op.
  EXPECT_CONTAINS(Ok(db, {"import", "-"}, Seal("s-good", 20, hash_20) + "\n"),
                  "imported 0 new events, 1 already recorded");
}

// ---------------------------------------------------------------------------------------------
// 4. Tampering that rewrites the whole chain.

// 40 events (the chart and 25 lines whose seq 20 is an expense with the voucher "BELEG-0020"),
// optionally the seal over 1-40 at seq 41, and 5 more events; the last an expense without
// personal data.
class TamperFixture : public ::testing::Test {
 protected:
  void Build(bool seal) {
    db_ = NewLedger(dir_);
    std::vector<std::string> lines;
    for (uint64_t seq = kChartEvents + 1; seq <= 40; ++seq) {
      if (seq % 5 == 1) {
        lines.push_back(Join(fmt::format("j-{}", seq), fmt::format("M-{:03}", seq), "2022-01-05"));
      } else {
        lines.push_back(Expense(fmt::format("e-{}", seq), "2022-02-01", "Hardware",
                                fmt::format("{}.50", seq), fmt::format("BELEG-{:04}", seq),
                                seq % 2 == 0 ? "Laden" : ""));
      }
    }
    Ok(db_, {"import", "-"}, Lines(lines));
    sealed_ = VerifyOk(db_);
    ASSERT_EQ(sealed_.seq, 40u);
    if (seal) {
      Ok(db_, {"seal", "--auditor", "Erika Prüfer", "--date", "2023-03-31"});
    }
    lines.clear();
    for (int i = 1; i <= 5; ++i) {
      lines.push_back(Expense(fmt::format("late-{}", i), "2022-03-01", "Kommunikation",
                              fmt::format("{}.00", i), "", i < 5 ? "Telefon AG" : ""));
    }
    Ok(db_, {"import", "-"}, Lines(lines));
    head_ = VerifyOk(db_);
    ASSERT_EQ(head_.seq, seal ? 46u : 45u);
    hash_20_ = LogEvent(db_, 20)["hash"];
    statement_ = ReportJson(db_, {"statement", "--year", "2022"});
  }

  // Changes the voucher of event 20 and rewrites the chain after it.
  void AlterEvent20AndRechain() {
    RawLedger raw(db_);
    EXPECT_EQ(Hex(raw.Get(kMeta, "kasse.head_hash")), head_.hash);
    EXPECT_EQ(raw.HeadSeq(), head_.seq);
    std::string bytes = raw.Get(kEvents, SeqKey(20));
    ReplaceInPayload(&bytes, "BELEG-0020", "BELEG-0X20");
    raw.Put(kEvents, SeqKey(20), bytes);
    raw.Rechain(21);
  }

  TempDir dir_;
  std::string db_;
  Head sealed_;  // the head the seal covers
  Head head_;
  std::string hash_20_;
  json statement_;
};
using audit_tamper = TamperFixture;

TEST_F(audit_tamper, RecomputedChainPassesWithoutASealButNotTheExpectedHash) {
  // What the README says the chain alone cannot prove: this is why there are seals.
  Build(/*seal=*/false);
  EXPECT_EQ(VerifyOk(db_, {"--expect", "20:" + hash_20_}).seq, head_.seq);
  AlterEvent20AndRechain();
  const Head after = VerifyOk(db_);
  EXPECT_EQ(after.seq, head_.seq);
  EXPECT_NE(after.hash, head_.hash);
  EXPECT_EQ(LogEvent(db_, 20)["document"], "BELEG-0X20");
  // The hash written on paper still catches it.
  const std::string err = VerifyFails(db_, {"--expect", "20:" + hash_20_});
  EXPECT_CONTAINS(err, "--expect");
  EXPECT_TRUE(NamesSeq(err, 20)) << err;
}

TEST_F(audit_tamper, RecomputedChainAfterASealFailsNamingTheSeal) {
  Build(/*seal=*/true);
  EXPECT_EQ(VerifyOk(db_, {"--expect", "20:" + hash_20_}).seq, head_.seq);
  AlterEvent20AndRechain();
  const std::string err = VerifyFails(db_);
  EXPECT_CONTAINS(err, "seal");
  EXPECT_TRUE(NamesSeq(err, 41)) << "the seal event: " << err;
  EXPECT_TRUE(NamesSeq(err, 40)) << "the sealed seq: " << err;
  EXPECT_CONTAINS(err, sealed_.hash);
  // The chain itself is consistent again: it is the seal that fails, not a link.
  EXPECT_NOT_CONTAINS(err, "chained in event");
  EXPECT_NOT_CONTAINS(err, "head hash kept");
  // The auditors' pairs fail too.
  std::string expect_err = VerifyFails(db_, {"--expect", "20:" + hash_20_});
  EXPECT_TRUE(expect_err.find("seal") != std::string::npos ||
              expect_err.find("--expect") != std::string::npos)
      << expect_err;
  expect_err = VerifyFails(db_, {"--expect", fmt::format("40:{}", sealed_.hash)});
  EXPECT_TRUE(NamesSeq(expect_err, 40)) << expect_err;
}

TEST_F(audit_tamper, AlteredAmountUnderASealIsCaughtToo) {
  Build(/*seal=*/true);
  {
    RawLedger raw(db_);
    // Event 22 books 22.50 EUR: 2250 cents, a little-endian 64-bit integer in the payload.
    std::string bytes = raw.Get(kEvents, SeqKey(22));
    std::string from(8, '\0'), to(8, '\0');
    from[0] = static_cast<char>(2250 & 0xff);
    from[1] = static_cast<char>(2250 >> 8);
    to[0] = static_cast<char>(2251 & 0xff);
    to[1] = static_cast<char>(2251 >> 8);
    ReplaceInPayload(&bytes, from, to);
    raw.Put(kEvents, SeqKey(22), bytes);
    raw.Rechain(23);
  }
  const std::string err = VerifyFails(db_);
  EXPECT_TRUE(err.find("seal") != std::string::npos || err.find("projection") != std::string::npos)
      << err;
  EXPECT_NOT_CONTAINS(err, "chained in event");
}

TEST_F(audit_tamper, ForgedEventAppendedAfterTheSealIsFound) {
  Build(/*seal=*/true);
  const uint64_t forged = head_.seq + 1;
  {
    RawLedger raw(db_);
    const std::string last = raw.Get(kEvents, SeqKey(head_.seq));
    std::string bytes = last;
    for (size_t i = 0; i < 8; ++i) {
      bytes[kSeqOffset + i] = static_cast<char>((forged >> (8 * i)) & 0xff);
    }
    bytes.replace(kPrevHashOffset, 32, Sha256(last));
    raw.Put(kEvents, SeqKey(forged), bytes);
    raw.Put(kMeta, "kasse.head_seq", SeqKey(forged));
    raw.Put(kMeta, "kasse.head_hash", Sha256(bytes));
  }
  const std::string err = VerifyFails(db_);
  EXPECT_TRUE(NamesSeq(err, forged) || err.find("projection") != std::string::npos) << err;
}

TEST_F(audit_tamper, ForgedEventWithItsOwnIdIsFoundByTheProjections) {
  Build(/*seal=*/true);
  const uint64_t forged = head_.seq + 1;
  {
    RawLedger raw(db_);
    const std::string last = raw.Get(kEvents, SeqKey(head_.seq));
    std::string bytes = last;
    ReplaceInPayload(&bytes, "late-5", "late-6");
    for (size_t i = 0; i < 8; ++i) {
      bytes[kSeqOffset + i] = static_cast<char>((forged >> (8 * i)) & 0xff);
    }
    bytes.replace(kPrevHashOffset, 32, Sha256(last));
    raw.Put(kEvents, SeqKey(forged), bytes);
    raw.Put(kIds, "late-6", SeqKey(forged));
    raw.Put(kMeta, "kasse.head_seq", SeqKey(forged));
    raw.Put(kMeta, "kasse.head_hash", Sha256(bytes));
  }
  EXPECT_EQ(LogEvent(db_, forged)["id"], "late-6");  // it reads like a recording
  const std::string err = VerifyFails(db_);
  EXPECT_CONTAINS(err, "projection");
}

// ---------------------------------------------------------------------------------------------
// 5. Backup and restore, and the plain-text path.

TEST(audit_backup, BackupRestoreVerifiesWithTheSameHeadAndReports) {
  TempDir dir;
  const std::string db = NewLedger(dir);
  const std::string backups = dir.File("backups");
  Ok(db, {"import", SourcePath(kExample)});
  const Head first = VerifyOk(db);
  std::string out = Ok(db, {"backup", backups});
  EXPECT_CONTAINS(out, "verified");
  EXPECT_CONTAINS(out, first.hash);
  Ok(db, {"expense", "--id", "after-backup", "--date", "2022-12-30", "--category", "Hardware",
          "--amount", "77,70", "--payee", "Laden"});
  Ok(db, {"seal", "--auditor", "Erika Prüfer", "--date", "2023-03-31"});
  out = Ok(db, {"backup", backups});
  EXPECT_CONTAINS(out, "backup 2 ");
  EXPECT_CONTAINS(out, "verified");
  const Head source = VerifyOk(db);
  EXPECT_CONTAINS(out, source.hash);

  const std::string restored = dir.File("restored");
  out = Ok(restored, {"restore", backups});
  EXPECT_CONTAINS(out, source.hash);
  const Head head = VerifyOk(restored);
  EXPECT_EQ(head.seq, source.seq);
  EXPECT_EQ(head.hash, source.hash);
  EXPECT_EQ(Ok(restored, {"log", "--json"}), Ok(db, {"log", "--json"}));
  for (const Args& report :
       {Args{"statement", "--year", "2022"}, Args{"spending", "--year", "2022"},
        Args{"members", "--as-of", "2022-12-31"},
        Args{"statement", "--year", "2022", "--at-seq", "200"}}) {
    EXPECT_EQ(ReportJson(restored, report), ReportJson(db, report)) << report[0];
  }
  // The restored ledger is a ledger like any other: it takes new events.
  Ok(restored, {"expense", "--date", "2022-12-31", "--category", "Hardware", "--amount", "1"});
  EXPECT_EQ(VerifyOk(restored).seq, source.seq + 1);
  EXPECT_EQ(VerifyOk(db).hash, source.hash);

  // Not over an existing ledger, not even the source.
  const std::string restored_log = Ok(restored, {"log", "--json"});
  for (const std::string& target : {restored, db}) {
    const RunResult again = Kasse(target, {"restore", backups});
    EXPECT_EQ(again.exit_code, 1) << Describe(again);
    EXPECT_CONTAINS(again.err, "exists");
  }
  EXPECT_EQ(Ok(restored, {"log", "--json"}), restored_log);
  EXPECT_EQ(VerifyOk(db).hash, source.hash);

  // Not from an empty or a missing directory, nor from a ledger; the target is not created.
  std::filesystem::create_directory(dir.File("empty"));
  for (const std::string& from : {dir.File("empty"), dir.File("missing"), db}) {
    const std::string target = dir.File("nothing");
    const RunResult result = Kasse(target, {"restore", from});
    EXPECT_EQ(result.exit_code, 1) << from << "\n" << Describe(result);
    EXPECT_CONTAINS(result.err, from);
    EXPECT_FALSE(std::filesystem::exists(target)) << "restore from " << from << " left " << target;
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.File("empty")));
  EXPECT_FALSE(std::filesystem::exists(dir.File("missing")));
}

TEST(audit_backup, BackupWhileAWriterHoldsTheLedgerFailsQuickly) {
  TempDir dir;
  const std::string db = NewLedger(dir);
  Ok(db, {"import", SourcePath(kExample)});
  const Head head = VerifyOk(db);

  Child writer(db, {"import", "-"}, dir.File("writer"));
  const auto give_up = Clock::now() + std::chrono::seconds(20);
  while (LockHolder(db) != writer.pid()) {
    ASSERT_FALSE(writer.WaitUntil(Clock::now()).has_value())
        << "the import ended early: " << writer.err();
    ASSERT_LT(Clock::now(), give_up) << "the import never took the lock";
    std::this_thread::sleep_for(milliseconds(5));
  }
  const std::string backups = dir.File("backups");
  const auto started = Clock::now();
  const RunResult backup = Kasse(db, {"backup", backups});
  const double took = std::chrono::duration<double>(Clock::now() - started).count();
  EXPECT_EQ(backup.exit_code, 1) << Describe(backup);
  EXPECT_CONTAINS(backup.err, fmt::format("in use by process {}", writer.pid()));
  EXPECT_LT(took, 5.0);
  EXPECT_FALSE(std::filesystem::exists(backups) && !std::filesystem::is_empty(backups))
      << "a refused backup wrote files";

  writer.CloseStdin();
  EXPECT_EQ(writer.WaitUntil(Clock::now() + std::chrono::seconds(30)), std::optional<int>(0))
      << writer.err();
  // Afterwards it works.
  EXPECT_CONTAINS(Ok(db, {"backup", backups}), "verified");
  const std::string restored = dir.File("restored");
  Ok(restored, {"restore", backups});
  EXPECT_EQ(VerifyOk(restored).hash, head.hash);
}

TEST(audit_backup, LogJsonReimportsIntoAFreshLedger) {
  TempDir dir;
  const std::string db = NewLedger(dir);
  Ok(db, {"import", SourcePath(kExample)});
  Ok(db, {"expense", "--id", "extra-1", "--date", "2022-12-30", "--category", "Beratung",
          "--amount", "300", "--payee", "Kanzlei"});
  Ok(db, {"reverse", "exp-2022-001", "--reason", "doppelt", "--date", "2022-12-31"});
  Ok(db, {"leave", "--member", "M-0001", "--date", "2022-12-31"});
  const std::string exported = Ok(db, {"log", "--json"});

  const std::string copy = NewLedger(dir, "copy");
  const std::string out = Ok(copy, {"import", "-"}, exported);
  const uint64_t head = VerifyOk(db).seq;
  EXPECT_CONTAINS(out, fmt::format("imported {} new events (seq {}-{}), {} already recorded",
                                   head - kChartEvents, kChartEvents + 1, head, kChartEvents));
  EXPECT_EQ(VerifyOk(copy).seq, head);
  for (const Args& report :
       {Args{"statement", "--year", "2022"}, Args{"spending", "--year", "2022"},
        Args{"members", "--as-of", "2022-12-31"}, Args{"members", "--as-of", "2022-06-30"}}) {
    EXPECT_EQ(ReportJson(copy, report), ReportJson(db, report)) << report[0];
  }
  // The same events with the same content, ids and order; only the recording differs.
  const std::vector<json> original = LogJson(db), copied = LogJson(copy);
  ASSERT_EQ(original.size(), copied.size());
  for (size_t i = 0; i < original.size(); ++i) {
    json a = original[i], b = copied[i];
    for (const char* field : {"recorded_at", "recorded_by", "prev_hash", "hash"}) {
      a.erase(field);
      b.erase(field);
    }
    EXPECT_EQ(a, b);
  }
}

TEST(audit_backup, LogJsonWithASealDoesNotReimportAndWritesNothing) {
  // A seal names hashes of its own ledger: in a fresh ledger they differ, so the export of a
  // sealed ledger is refused as a whole rather than carrying a seal that does not hold.
  TempDir dir;
  const std::string db = NewLedger(dir);
  Ok(db, {"import", SourcePath(kExample)});
  Ok(db, {"seal", "--auditor", "Erika Prüfer", "--date", "2023-03-31"});
  const std::string copy = NewLedger(dir, "copy");
  const std::string before = Ok(copy, {"log", "--json"});
  const RunResult result = Kasse(copy, {"import", "-"}, Ok(db, {"log", "--json"}));
  EXPECT_EQ(result.exit_code, 1) << Describe(result);
  EXPECT_CONTAINS(result.err, fmt::format("<stdin>:{}", VerifyOk(db).seq));
  EXPECT_CONTAINS(result.err, "covers_");
  EXPECT_EQ(Ok(copy, {"log", "--json"}), before);
}

}  // namespace
}  // namespace kasse::test

namespace kasse::test {
namespace {

TEST(audit_backup, BackupInsideTheLedgerIsRefused) {
  TempDir dir;
  const std::string db = NewLedger(dir);
  const std::string log_before = Ok(db, {"log", "--json"});
  for (const std::string& inside : {db + "/backups", db + "/../db/x"}) {
    const RunResult result = Kasse(db, {"backup", inside});
    EXPECT_EQ(result.exit_code, 1) << Describe(result);
    EXPECT_NE(result.err.find("inside the ledger"), std::string::npos) << Describe(result);
    EXPECT_FALSE(std::filesystem::exists(inside));
  }
  EXPECT_EQ(Ok(db, {"log", "--json"}), log_before);
  VerifyOk(db);
}

}  // namespace
}  // namespace kasse::test

namespace kasse::test {
namespace {

TEST(audit_history_year, AsOfWithoutYearReportsTheYearOfTheDate) {
  TempDir dir;
  const std::string db = NewLedger(dir);
  Ok(db,
     {"expense", "--id", "e1", "--date", "2022-03-01", "--category", "Hardware", "--amount", "10"});
  for (const char* report : {"statement", "spending"}) {
    const json result = ReportJson(db, {report, "--as-of", "2022-06-30"});
    EXPECT_EQ(result["year"], 2022) << report;
  }
  EXPECT_EQ(ReportJson(db, {"spending", "--as-of", "2022-06-30"})["total"], "10.00");
}

}  // namespace
}  // namespace kasse::test
