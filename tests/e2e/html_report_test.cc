// End-to-end tests of `kasse report ... --format html` through the real binary: the page is one
// self-contained file (nothing loaded from elsewhere, no script), every text from the ledger is
// escaped, its machine-readable figures (data-field, data-value) equal the JSON reports, and
// headless Chromium (Debian's `chromium`) loads it without an error and keeps those figures in
// its DOM.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/run.h"

namespace kasse::test {
namespace {

using nlohmann::json;
using Args = std::vector<std::string>;

constexpr char kExample[] = "examples/next-ev-2022.jsonl";
constexpr char kChromium[] = "/usr/bin/chromium";  // Debian's package `chromium`
constexpr char kTimeout[] = "/usr/bin/timeout";    // coreutils: a hung browser fails the test
constexpr char kCategory[] = "<b>Miete & \"Co\"</b>";
constexpr char kCategoryEscaped[] = "&lt;b&gt;Miete &amp; &quot;Co&quot;&lt;/b&gt;";

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE((text).find(part), std::string::npos) << "expected \"" << (part) << "\" in the page"

#define EXPECT_NOT_CONTAINS(text, part)                                                      \
  EXPECT_EQ((text).find(part), std::string::npos) << "unexpected \"" << (part) << "\" in:\n" \
                                                  << (text).substr(0, 3000)

// A ledger in its own temporary folder, run with --db <tmp>/db.
class Ledger {
 public:
  Ledger() : db_(dir_.File("db")) {}

  RunResult Run(Args args, const std::string& input = "") const {
    args.insert(args.begin(), {"--db", db_});
    return RunKasse(args, input);
  }
  std::string Ok(const Args& args, const std::string& input = "") const {
    const RunResult result = Run(args, input);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    return result.out;
  }
  json Json(const Args& args) const {
    const json report = json::parse(Ok(args), nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(report.is_object());
    return report;
  }
  // Runs the report and keeps its page as a file in the ledger's folder; returns the path.
  std::string Page(const Args& args, const std::string& name) const {
    const std::string path = dir_.File(name);
    WriteFile(path, Ok(args));
    return path;
  }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::string db_;
};

// One machine-readable figure: the row key attributes (data-category="..." etc.) and the value.
struct Figure {
  std::string keys;
  std::string value;
  std::string text;  // what a reader sees
};

// Every element with data-field, then any data-* keys, then data-value (the page's documented
// order, which Chromium's serializer keeps). Keyed by field and keys; all occurrences are kept.
std::multimap<std::string, Figure> Figures(const std::string& html) {
  static const std::regex kFigure(
      R"re(data-field="([^"]*)"((?: data-[a-z-]+="[^"]*")*) data-value="([^"]*)">([^<]*)<)re");
  std::multimap<std::string, Figure> figures;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), kFigure);
       it != std::sregex_iterator(); ++it) {
    figures.emplace((*it)[1].str(), Figure{(*it)[2].str(), (*it)[3].str(), (*it)[4].str()});
  }
  return figures;
}

// "120000.00" -> "120.000,00", the German form a reader sees.
std::string German(const std::string& amount) {
  const bool negative = amount.starts_with('-');
  const std::string digits = negative ? amount.substr(1) : amount;
  const size_t dot = digits.find('.');
  std::string whole = digits.substr(0, dot);
  for (int i = static_cast<int>(whole.size()) - 3; i > 0; i -= 3) whole.insert(i, ".");
  return (negative ? "-" : "") + whole + "," + digits.substr(dot + 1);
}

// Every occurrence of `field` with exactly `keys` has `value`, shown in German form; there is at
// least one.
void ExpectFigure(const std::multimap<std::string, Figure>& figures, const std::string& field,
                  const std::string& keys, const std::string& value, bool money) {
  int found = 0;
  const auto [begin, end] = figures.equal_range(field);
  for (auto it = begin; it != end; ++it) {
    if (it->second.keys != keys) continue;
    ++found;
    EXPECT_EQ(it->second.value, value) << field << keys;
    EXPECT_EQ(it->second.text, money ? German(value) : value) << field << keys;
  }
  EXPECT_GT(found, 0) << "no figure " << field << keys;
}

void ExpectSpheres(const std::multimap<std::string, Figure>& figures, const json& statement) {
  for (const char* part : {"income", "expenses", "result"}) {
    ExpectFigure(figures, fmt::format("{}.total", part), "",
                 statement[part]["total"].get<std::string>(), true);
    for (const auto& [sphere, amount] : statement[part]["by_sphere"].items()) {
      ExpectFigure(figures, fmt::format("{}.by_sphere.{}", part, sphere), "",
                   amount.get<std::string>(), true);
    }
  }
}

// The statement page's figures against `report statement --json` and `report members --json`.
void ExpectStatementFigures(const std::string& html, const Ledger& ledger, int year) {
  const auto figures = Figures(html);
  const std::string year_text = std::to_string(year);
  const json statement = ledger.Json({"report", "statement", "--year", year_text, "--json"});
  ExpectSpheres(figures, statement);
  for (const json& line : statement["lines"]) {
    if (line["direction"] != "expense") continue;
    const std::string keys = fmt::format(R"( data-category="{}")", line["category"].get<std::string>());
    ExpectFigure(figures, "lines.amount", keys, line["amount"].get<std::string>(), true);
  }
  const json members =
      ledger.Json({"report", "members", "--as-of", year_text + "-12-31", "--json"});
  const std::string keys = fmt::format(R"( data-year="{}")", year);
  for (const char* field : {"total", "personal", "institutional", "joined_in_year", "left_in_year"}) {
    ExpectFigure(figures, fmt::format("members.{}", field), keys,
                 std::to_string(members[field].get<int64_t>()), false);
  }
  // The provenance names the head of the ledger as `kasse log --json` shows it.
  const std::string log = ledger.Ok({"log", "--json"});
  const json head = json::parse(log.substr(log.rfind('\n', log.size() - 2) + 1));
  ExpectFigure(figures, "ledger.head_seq", "", std::to_string(head["seq"].get<int64_t>()), false);
  ExpectFigure(figures, "ledger.head_hash", "", head["hash"].get<std::string>(), false);
}

// Nothing that a browser would fetch from elsewhere, and no script.
void ExpectSelfContained(const std::string& html) {
  for (const char* external : {"http://", "https://", "//", "<link", "<script", "<iframe",
                               "<img", "<object", "<embed", "src=", "href=", "url(", "@import"}) {
    EXPECT_NOT_CONTAINS(html, external);
  }
  EXPECT_CONTAINS(html, "Content-Security-Policy\" content=\"default-src 'none';");
}

class HtmlExample : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_.Ok({"init", "--name", "NExT e.V."});
    ledger_.Ok({"import", SourcePath(kExample)});
  }
  Ledger ledger_;
};

TEST_F(HtmlExample, StatementFiguresEqualTheJsonReports) {
  const std::string html =
      ReadFile(ledger_.Page({"report", "statement", "--year", "2022", "--format", "html"}, "s.html"));
  ExpectSelfContained(html);
  ExpectStatementFigures(html, ledger_, 2022);
  // The figures of the task, spelled out.
  EXPECT_CONTAINS(html, R"(data-field="income.total" data-value="120000.00">120.000,00<)");
  EXPECT_CONTAINS(html, R"(data-field="expenses.total" data-value="55804.89">55.804,89<)");
  EXPECT_CONTAINS(html, R"(data-field="members.total" data-year="2022" data-value="76">76<)");
  EXPECT_CONTAINS(html, R"(data-field="members.personal" data-year="2022" data-value="46">46<)");
  EXPECT_CONTAINS(html, R"(data-field="members.institutional" data-year="2022" data-value="30">30<)");
  // The A/B/C layout of the text report, and the charts.
  for (const char* part : {"A. Einnahmen", "B. Ausgaben", "C. Ergebnis", "1. Mitgliedsbeiträge",
                           "a) Kommunikation", "5. Verwaltungskosten", "davon ideeller Bereich",
                           "<svg role=\"img\" aria-label=\"Einnahmen und Ausgaben nach Bereichen\"",
                           "<svg role=\"img\" aria-label=\"Ausgaben nach Kategorien\"",
                           "<svg role=\"img\" aria-label=\"Mitglieder am Ende jedes Jahres\""}) {
    EXPECT_CONTAINS(html, part);
  }
}

TEST_F(HtmlExample, SpendingAndMembersPagesEqualTheirJson) {
  const std::string spending =
      ReadFile(ledger_.Page({"report", "spending", "--year", "2022", "--format", "html"}, "a.html"));
  ExpectSelfContained(spending);
  const json spending_json = ledger_.Json({"report", "spending", "--year", "2022", "--json"});
  const auto spending_figures = Figures(spending);
  ExpectFigure(spending_figures, "total", "", spending_json["total"].get<std::string>(), true);
  for (const json& category : spending_json["categories"]) {
    const std::string keys =
        fmt::format(R"( data-category="{}")", category["category"].get<std::string>());
    ExpectFigure(spending_figures, "categories.amount", keys, category["amount"].get<std::string>(),
                 true);
  }
  const std::string members = ReadFile(
      ledger_.Page({"report", "members", "--as-of", "2022-06-30", "--format", "html"}, "m.html"));
  ExpectSelfContained(members);
  const json members_json = ledger_.Json({"report", "members", "--as-of", "2022-06-30", "--json"});
  const auto member_figures = Figures(members);
  for (const char* field : {"total", "personal", "institutional", "joined_in_year", "left_in_year"}) {
    const std::string value = std::to_string(members_json[field].get<int64_t>());
    ExpectFigure(member_figures, field, "", value, false);
    // The development's last row is the as-of day, not the end of its year.
    ExpectFigure(member_figures, fmt::format("members.{}", field), R"( data-year="2022")", value,
                 false);
  }
  EXPECT_CONTAINS(members, "<td>30.06.2022</td>");
}

TEST(HtmlReport, EveryTextFromTheLedgerIsEscaped) {
  Ledger ledger;
  ledger.Ok({"init", "--name", "Verein <i>\"A & B\"</i> e.V."});
  ledger.Ok({"category", "--category", kCategory, "--direction", "expense", "--sphere", "ideal",
             "--group", "<Gruppe & 'Co'>", "--date", "2021-01-01"});
  ledger.Ok({"expense", "--category", kCategory, "--amount", "1234.56", "--payee", "X",
             "--date", "2022-03-01"});
  for (const Args& report : {Args{"report", "statement", "--year", "2022", "--format", "html"},
                             Args{"report", "spending", "--year", "2022", "--format", "html"},
                             Args{"report", "members", "--as-of", "2022-12-31", "--format", "html"}}) {
    SCOPED_TRACE(report[1]);
    const std::string html = ledger.Ok(report);
    ExpectSelfContained(html);
    EXPECT_CONTAINS(html, "Verein &lt;i&gt;&quot;A &amp; B&quot;&lt;/i&gt; e.V.");
    EXPECT_NOT_CONTAINS(html, "<i>");
    EXPECT_NOT_CONTAINS(html, "<b>");
    EXPECT_NOT_CONTAINS(html, "Miete & ");
    EXPECT_NOT_CONTAINS(html, "<Gruppe");
    if (report[1] == "members") continue;
    // In text, in the chart's label and in the row's key attribute.
    EXPECT_CONTAINS(html, fmt::format(">{}</td>", kCategoryEscaped));
    EXPECT_CONTAINS(html, fmt::format(">{}</text>", kCategoryEscaped));
    EXPECT_CONTAINS(html, fmt::format(R"(data-category="{}" data-value="1234.56">1.234,56<)",
                                      kCategoryEscaped));
    EXPECT_CONTAINS(html, "&lt;Gruppe &amp; &#39;Co&#39;&gt;");
  }
}

TEST(HtmlReport, HtmlWithCsvDialectOrJsonIsAUsageError) {
  Ledger ledger;
  ledger.Ok({"init", "--name", "Test e.V."});
  for (const Args& args :
       {Args{"report", "statement", "--format", "html", "--csv-dialect", "plain"},
        Args{"report", "members", "--format", "html", "--json"}}) {
    const RunResult result = ledger.Run(args);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_EQ(result.out, "");
  }
}

// --- Headless Chromium. ---

struct BrowserRun {
  RunResult result;
  std::vector<std::string> page_errors;  // stderr lines that concern the page
};

// Chromium in a container logs errors of its own that have nothing to do with the page: no D-Bus
// (dbus/, device/bluetooth/, ui/base/idle), no GPU or video device (gpu/, media/gpu/, viz/,
// ui/gl/, ui/ozone/), no sandbox (sandbox/), and, on a busy machine, a widget message between
// its own processes that arrives after --dump-dom has begun to shut the page down ("Message ...
// rejected by interface blink.mojom.FrameWidgetHost", from mojo/; seen 3 times in 24 runs with 8
// browsers at once). The filter keeps every other line with ":ERROR:" or ":FATAL:", every console
// message of the page ("CONSOLE", logged with --enable-logging: script errors, blocked loads,
// Content-Security-Policy violations), and anything mentioning the page's file name.
std::vector<std::string> PageErrors(const std::string& err, const std::string& page_name) {
  static const std::regex kHarmless(
      R"(:(ERROR|FATAL):(dbus/|device/bluetooth/|ui/base/idle/|gpu/|media/gpu/|components/viz/|ui/gl/|ui/ozone/|sandbox/|content/browser/gpu/|mojo/public/cpp/bindings/lib/interface_endpoint_client\.cc:\d+\] Message \d+ rejected by interface blink\.mojom\.FrameWidgetHost))");
  std::vector<std::string> errors;
  size_t begin = 0;
  while (begin < err.size()) {
    size_t end = err.find('\n', begin);
    if (end == std::string::npos) end = err.size();
    const std::string line = err.substr(begin, end - begin);
    begin = end + 1;
    const bool error = line.find(":ERROR:") != std::string::npos ||
                       line.find(":FATAL:") != std::string::npos;
    if (line.find("CONSOLE") != std::string::npos ||
        (error && !std::regex_search(line, kHarmless)) ||
        (!page_name.empty() && line.find(page_name) != std::string::npos)) {
      errors.push_back(line);
    }
  }
  return errors;
}

BrowserRun DumpDom(const TempDir& dir, const std::string& page) {
  BrowserRun run;
  run.result = RunProgram(kTimeout, {"120", kChromium, "--headless", "--no-sandbox",
                                     "--disable-gpu", "--user-data-dir=" + dir.File("chromium"),
                                     "--enable-logging=stderr", "--v=0", "--no-first-run",
                                     "--dump-dom", "file://" + page});
  run.page_errors = PageErrors(run.result.err, std::filesystem::path(page).filename());
  return run;
}

bool HaveChromium() { return std::filesystem::exists(kChromium); }

#define SKIP_WITHOUT_CHROMIUM()                                                             \
  if (!HaveChromium())                                                                      \
  GTEST_SKIP() << kChromium << " is missing: install Debian's package chromium "            \
                  "(apt-get install -y --no-install-recommends chromium; scripts/install-deps " \
                  "does)"

TEST_F(HtmlExample, ChromiumLoadsTheStatementWithoutErrorsAndItsDomHasTheFigures) {
  SKIP_WITHOUT_CHROMIUM();
  const std::string page =
      ledger_.Page({"report", "statement", "--year", "2022", "--format", "html"}, "bericht.html");
  const BrowserRun run = DumpDom(ledger_.dir(), page);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_TRUE(run.page_errors.empty()) << fmt::format("{}", fmt::join(run.page_errors, "\n"));
  const std::string& dom = run.result.out;
  ASSERT_NE(dom.find("</html>"), std::string::npos) << dom.substr(0, 2000);
  ExpectStatementFigures(dom, ledger_, 2022);
  EXPECT_NE(dom.find(R"(data-field="income.total" data-value="120000.00">120.000,00<)"),
            std::string::npos);
  EXPECT_NE(dom.find(R"(data-field="members.total" data-year="2022" data-value="76">76<)"),
            std::string::npos);
  EXPECT_NE(dom.find("<svg"), std::string::npos);
  // Parsed as the page wrote it: as many figures in the DOM as in the file.
  EXPECT_EQ(Figures(dom).size(), Figures(ReadFile(page)).size());
}

TEST(HtmlReport, ChromiumParsesEscapedTextAsTextNotAsMarkup) {
  SKIP_WITHOUT_CHROMIUM();
  Ledger ledger;
  ledger.Ok({"init", "--name", "Test e.V."});
  ledger.Ok({"category", "--category", kCategory, "--direction", "expense", "--sphere", "ideal",
             "--date", "2021-01-01"});
  ledger.Ok({"expense", "--category", kCategory, "--amount", "1234.56", "--payee", "X",
             "--date", "2022-03-01"});
  const std::string page =
      ledger.Page({"report", "statement", "--year", "2022", "--format", "html"}, "escaped.html");
  const BrowserRun run = DumpDom(ledger.dir(), page);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_TRUE(run.page_errors.empty()) << fmt::format("{}", fmt::join(run.page_errors, "\n"));
  // No <b> element came of the name: the serializer writes the text back escaped.
  EXPECT_EQ(run.result.out.find("<b>"), std::string::npos);
  EXPECT_NE(run.result.out.find("&lt;b&gt;Miete &amp; \"Co\"&lt;/b&gt;"), std::string::npos);
}

// The filter above must see a page's errors: a page that loads from elsewhere and runs a script
// is reported, through its console (the Content-Security-Policy blocks both).
TEST(HtmlReport, TheChromiumErrorFilterCatchesABadPage) {
  SKIP_WITHOUT_CHROMIUM();
  TempDir dir;
  const std::string page = dir.File("bad.html");
  WriteFile(page,
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta "
            "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
            "<link rel=\"stylesheet\" href=\"https://example.invalid/x.css\"></head>"
            "<body><script>console.error('boom')</script></body></html>\n");
  const BrowserRun run = DumpDom(dir, page);
  EXPECT_EQ(run.result.exit_code, 0) << run.result.err;
  EXPECT_GE(run.page_errors.size(), 2u) << run.result.err;
}

}  // namespace
}  // namespace kasse::test
