#include "cli/report_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>

#include "ledger/json_event.h"
#include "ledger/money.h"

namespace kasse::cli {

namespace {

// No network, no scripts, no plugins: only the inline style sheet and the inline SVG. A page that
// tried to load anything would be blocked by the browser and say so on its console.
constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'";

constexpr char kStyle[] = R"(body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#222;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.35}
h1{font-size:1.6em;margin:0}
h2{font-size:1.25em;margin:1.6em 0 .4em;border-bottom:2px solid #222}
p.subtitle{font-size:1.2em;margin:.2em 0 1em}
table{border-collapse:collapse;width:100%;margin:.6em 0}
th,td{padding:.12em .5em;text-align:left;vertical-align:top}
th.num,td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
table.statement tr.part th{padding-top:1em;border-bottom:1px solid #222}
table.statement tr.section td{font-weight:bold}
table.statement td.row{padding-left:2em}
tr.sum td,tr.sum th{border-top:1px solid #222;font-weight:bold}
table.grid th{border-bottom:1px solid #222}
table.grid td{border-bottom:1px solid #ddd}
figure{margin:.8em 0}
figcaption{font-size:.9em;color:#555}
svg{display:block;max-width:100%;height:auto}
svg text{font-size:12px;fill:#222}
svg .axis{stroke:#222;stroke-width:1}
.income{fill:#2e7d32}.expense{fill:#c62828}.personal{fill:#1565c0}.institutional{fill:#90caf9}
dl.provenance{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;font-size:.9em;margin:.5em 0}
dl.provenance dt{font-weight:bold}
dl.provenance dd{margin:0;overflow-wrap:anywhere}
dl.provenance dd.hash{font-family:"DejaVu Sans Mono",monospace}
ul.checks li.warning,ul.checks li.error{color:#b71c1c}
@page{size:A4;margin:15mm}
@media print{body{max-width:none;margin:0;padding:0}figure,tr{break-inside:avoid}h2{break-after:avoid}}
)";

constexpr std::array<const char*, kSphereCount> kSphereLabels = {
    "ideeller Bereich", "Vermögensverwaltung", "Zweckbetrieb",
    "steuerpflichtiger wirtschaftlicher Geschäftsbetrieb"};

// --- Cells with machine-readable figures. ---

// `keys` are further attributes before data-value, already escaped (e.g. ` data-year="2022"`).
std::string MoneyCell(std::string_view field, std::string_view keys, int64_t amount_cents) {
  return fmt::format(R"(<td class="num" data-field="{}"{} data-value="{}">{}</td>)",
                     HtmlEscape(field), keys, FormatAmount(amount_cents),
                     FormatAmountGerman(amount_cents));
}

std::string CountCell(std::string_view field, std::string_view keys, int64_t count) {
  return fmt::format(R"(<td class="num" data-field="{}"{} data-value="{}">{}</td>)",
                     HtmlEscape(field), keys, count, count);
}

std::string Attribute(std::string_view name, std::string_view value) {
  return fmt::format(R"( {}="{}")", name, HtmlEscape(value));
}

std::string GermanDate(const Date& date) {
  return fmt::format("{:02}.{:02}.{:04}", date.day, date.month, date.year);
}

// --- Charts in inline SVG. ---

struct ChartSeries {
  const char* name;
  const char* css_class;
};

struct ChartGroup {
  std::string label;
  std::vector<int64_t> values;  // one per series: cents when `money`, else counts
};

std::string Coordinate(double value) { return fmt::format("{:.1f}", value); }

std::string ValueText(int64_t value, bool money) {
  return money ? FormatAmountGerman(value) : std::to_string(value);
}

std::string LegendSvg(const std::vector<ChartSeries>& series, double y) {
  std::string svg;
  double x = 0;
  for (const ChartSeries& s : series) {
    svg += fmt::format(R"(<rect class="{}" x="{}" y="{}" width="12" height="12"/>)", s.css_class,
                       Coordinate(x), Coordinate(y));
    svg += fmt::format(R"(<text x="{}" y="{}">{}</text>)", Coordinate(x + 16),
                       Coordinate(y + 10), HtmlEscape(s.name));
    x += 40 + 7.5 * static_cast<double>(std::string_view(s.name).size());
  }
  return svg;
}

// Horizontal bars, grouped: each group's label on its own line (long category names need the
// width), then one bar per series, scaled to the largest value. A negative value (more reversed
// than booked) draws no bar; its label still says it.
std::string HorizontalBarsSvg(std::string_view title, const std::vector<ChartSeries>& series,
                              const std::vector<ChartGroup>& groups, bool money) {
  constexpr double kWidth = 640, kTextRoom = 120, kBarHeight = 14, kLine = 17, kGroupGap = 8;
  int64_t largest = 1;
  for (const ChartGroup& group : groups) {
    for (int64_t value : group.values) largest = std::max(largest, value);
  }
  std::string body;
  double y = series.size() > 1 ? 24 : 0;
  if (series.size() > 1) body += LegendSvg(series, 0);
  for (const ChartGroup& group : groups) {
    assert(group.values.size() == series.size());
    body += fmt::format(R"(<text x="0" y="{}">{}</text>)", Coordinate(y + 12),
                        HtmlEscape(group.label));
    y += kLine;
    for (size_t s = 0; s < series.size(); ++s) {
      const int64_t value = group.values[s];
      const double length = value <= 0 ? 0
                                       : static_cast<double>(value) /
                                             static_cast<double>(largest) * (kWidth - kTextRoom);
      body += fmt::format(R"(<rect class="{}" x="0" y="{}" width="{}" height="{}"/>)",
                          series[s].css_class, Coordinate(y), Coordinate(length),
                          Coordinate(kBarHeight));
      body += fmt::format(R"(<text x="{}" y="{}">{}</text>)", Coordinate(length + 4),
                          Coordinate(y + 11), ValueText(value, money));
      y += kLine;
    }
    y += kGroupGap;
  }
  return fmt::format(
      R"(<svg role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}">{}</svg>)",
      HtmlEscape(title), kWidth, Coordinate(y), kWidth, Coordinate(y), body);
}

// Members at the end of each year as columns, personal below, institutional stacked on top.
std::string MemberColumnsSvg(const std::vector<MemberCounts>& years) {
  constexpr double kWidth = 640, kTop = 44, kPlotHeight = 180, kBottomRoom = 22;
  int64_t largest = 1;
  for (const MemberCounts& counts : years) largest = std::max(largest, counts.total());
  const size_t count = std::max<size_t>(years.size(), 1);
  const double slot = kWidth / static_cast<double>(count);
  const double bar = slot * 0.7;
  const size_t label_every = (count + 15) / 16;  // at most 16 year labels
  const double base = kTop + kPlotHeight;
  std::string body = LegendSvg({{"persönlich", "personal"}, {"institutionell", "institutional"}}, 0);
  for (size_t i = 0; i < years.size(); ++i) {
    const MemberCounts& counts = years[i];
    const double scale = kPlotHeight / static_cast<double>(largest);
    const double personal = static_cast<double>(std::max<int64_t>(counts.personal, 0)) * scale;
    const double institutional =
        static_cast<double>(std::max<int64_t>(counts.institutional, 0)) * scale;
    const double x = slot * static_cast<double>(i) + (slot - bar) / 2;
    const double center = x + bar / 2;
    body += fmt::format(R"(<rect class="personal" x="{}" y="{}" width="{}" height="{}"/>)",
                        Coordinate(x), Coordinate(base - personal), Coordinate(bar),
                        Coordinate(personal));
    body += fmt::format(R"(<rect class="institutional" x="{}" y="{}" width="{}" height="{}"/>)",
                        Coordinate(x), Coordinate(base - personal - institutional),
                        Coordinate(bar), Coordinate(institutional));
    if (years.size() <= 30) {
      body += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)",
                          Coordinate(center), Coordinate(base - personal - institutional - 4),
                          counts.total());
    }
    if (i % label_every == 0 || i + 1 == years.size()) {
      body += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{}</text>)",
                          Coordinate(center), Coordinate(base + 16), counts.as_of.year);
    }
  }
  body += fmt::format(R"(<line class="axis" x1="0" y1="{}" x2="{}" y2="{}"/>)", Coordinate(base),
                      kWidth, Coordinate(base));
  const double height = base + kBottomRoom;
  return fmt::format(
      R"(<svg role="img" aria-label="Mitglieder am Ende jedes Jahres" width="{}" height="{}" viewBox="0 0 {} {}">{}</svg>)",
      kWidth, Coordinate(height), kWidth, Coordinate(height), body);
}

std::string Figure(const std::string& svg, std::string_view caption) {
  return fmt::format("<figure>{}<figcaption>{}</figcaption></figure>\n", svg,
                     HtmlEscape(caption));
}

// --- Sections of the pages. ---

std::string PartRow(std::string_view heading, bool inner_column) {
  return fmt::format(R"(<tr class="part"><th>{}</th><th class="num">EUR</th><th class="num">{}</th></tr>)"
                     "\n",
                     heading, inner_column ? "EUR" : "");
}

std::string SectionsHtml(const std::vector<StatementSection>& sections, std::string_view direction) {
  std::string html;
  for (size_t i = 0; i < sections.size(); ++i) {
    const StatementSection& section = sections[i];
    const std::string heading = HtmlEscape(fmt::format("{}. {}", i + 1, section.heading));
    if (section.rows.empty()) {
      html += fmt::format(R"(<tr class="section"><td>{}</td><td></td><td></td></tr>)" "\n",
                          heading);
      html += R"(<tr><td class="row">– Kein Anfall</td><td></td><td></td></tr>)" "\n";
      continue;
    }
    const std::string keys =
        Attribute("data-direction", direction) + Attribute("data-section", std::to_string(i + 1));
    html += fmt::format(R"(<tr class="section"><td>{}</td><td></td>{}</tr>)" "\n", heading,
                        MoneyCell("section.amount", keys, section.total_cents));
    for (size_t r = 0; r < section.rows.size(); ++r) {
      const auto& [label, cents] = section.rows[r];
      html += fmt::format(R"(<tr><td class="row">{}) {}</td>{}<td></td></tr>)" "\n",
                          RowLetter(r), HtmlEscape(label),
                          MoneyCell("row.amount", keys + Attribute("data-row", RowLetter(r)), cents));
    }
  }
  return html;
}

// The A/B/C layout of the text report (and of the association's printed report).
std::string StatementTableHtml(const Statement& statement) {
  static constexpr std::array<const char*, kSphereCount> kResultLabels = {
      "davon ideeller Bereich", "davon Vermögensverwaltung", "davon Zweckbetrieb",
      "davon steuerpflichtiger wirtschaftlicher Geschäftsbetrieb"};
  std::string html = "<table class=\"statement\">\n";
  html += PartRow("A. Einnahmen", true);
  html += SectionsHtml(StatementSections(statement, Direction::kIncome), "income");
  html += fmt::format(R"(<tr class="sum"><td>Summe:</td><td></td>{}</tr>)" "\n",
                      MoneyCell("income.total", "", statement.income.total_cents));
  html += PartRow("B. Ausgaben", true);
  html += SectionsHtml(StatementSections(statement, Direction::kExpense), "expense");
  html += fmt::format(R"(<tr class="sum"><td>Summe:</td><td></td>{}</tr>)" "\n",
                      MoneyCell("expenses.total", "", statement.expenses.total_cents));
  html += PartRow("C. Ergebnis", false);
  for (size_t s = 0; s < kSphereCount; ++s) {
    const std::string field =
        fmt::format("result.by_sphere.{}", SphereName(static_cast<Sphere>(s)));
    html += fmt::format(R"(<tr><td>{}</td>{}<td></td></tr>)" "\n", kResultLabels[s],
                        MoneyCell(field, "", statement.result.by_sphere_cents[s]));
  }
  html += fmt::format(R"(<tr class="sum"><td>Summe:</td><td></td>{}</tr>)" "\n",
                      MoneyCell("result.total", "", statement.result.total_cents));
  return html + "</table>\n";
}

std::string SphereTableHtml(const Statement& statement) {
  std::string html =
      "<table class=\"grid\">\n<tr><th>Bereich</th><th class=\"num\">Einnahmen EUR</th>"
      "<th class=\"num\">Ausgaben EUR</th><th class=\"num\">Ergebnis EUR</th></tr>\n";
  for (size_t s = 0; s < kSphereCount; ++s) {
    const std::string_view sphere = SphereName(static_cast<Sphere>(s));
    html += fmt::format(
        "<tr{}><td>{}</td>{}{}{}</tr>\n", Attribute("data-sphere", sphere), kSphereLabels[s],
        MoneyCell(fmt::format("income.by_sphere.{}", sphere), "",
                  statement.income.by_sphere_cents[s]),
        MoneyCell(fmt::format("expenses.by_sphere.{}", sphere), "",
                  statement.expenses.by_sphere_cents[s]),
        MoneyCell(fmt::format("result.by_sphere.{}", sphere), "",
                  statement.result.by_sphere_cents[s]));
  }
  html += fmt::format("<tr class=\"sum\"><td>Summe</td>{}{}{}</tr>\n</table>\n",
                      MoneyCell("income.total", "", statement.income.total_cents),
                      MoneyCell("expenses.total", "", statement.expenses.total_cents),
                      MoneyCell("result.total", "", statement.result.total_cents));
  std::vector<ChartGroup> groups;
  for (size_t s = 0; s < kSphereCount; ++s) {
    groups.push_back({kSphereLabels[s],
                      {statement.income.by_sphere_cents[s], statement.expenses.by_sphere_cents[s]}});
  }
  html += Figure(HorizontalBarsSvg("Einnahmen und Ausgaben nach Bereichen",
                                   {{"Einnahmen", "income"}, {"Ausgaben", "expense"}}, groups,
                                   /*money=*/true),
                 "Einnahmen und Ausgaben nach Bereichen, EUR");
  return html;
}

// Spending by category: chart, then table. `field` is the JSON path of a category's amount:
// "lines.amount" in the statement, "categories.amount" in the spending report.
std::string SpendingSectionHtml(const Statement& statement, std::string_view field,
                                std::string_view total_field) {
  std::vector<ChartGroup> groups;
  std::string rows;
  for (const StatementLine& line : statement.lines) {
    if (line.direction != Direction::kExpense) continue;
    groups.push_back({line.category, {line.amount_cents}});
    const std::string keys = Attribute("data-category", line.category);
    rows += fmt::format("<tr{}><td>{}</td><td>{}</td><td>{}</td>{}{}</tr>\n", keys,
                        HtmlEscape(line.category), HtmlEscape(line.group),
                        kSphereLabels[static_cast<size_t>(line.sphere)],
                        CountCell("bookings", keys, line.bookings),
                        MoneyCell(field, keys, line.amount_cents));
  }
  std::string html = Figure(
      HorizontalBarsSvg("Ausgaben nach Kategorien", {{"Ausgaben", "expense"}}, groups, true),
      "Ausgaben nach Kategorien, EUR");
  html += "<table class=\"grid\">\n<tr><th>Kategorie</th><th>Gruppe</th><th>Bereich</th>"
          "<th class=\"num\">Buchungen</th><th class=\"num\">EUR</th></tr>\n";
  html += rows;
  html += fmt::format("<tr class=\"sum\"><td>Summe</td><td></td><td></td><td></td>{}</tr>\n",
                      MoneyCell(total_field, "", statement.expenses.total_cents));
  return html + "</table>\n";
}

std::string MemberTableHtml(const std::vector<MemberCounts>& years) {
  if (years.empty()) return "<p>Keine Mitglieder erfasst.</p>\n";
  std::string html = Figure(MemberColumnsSvg(years),
                            "Mitglieder am Ende jedes Jahres (im letzten Jahr am Stichtag), "
                            "persönliche und institutionelle");
  html += "<table class=\"grid\">\n<tr><th>Stichtag</th><th class=\"num\">persönlich</th>"
          "<th class=\"num\">institutionell</th><th class=\"num\">insgesamt</th>"
          "<th class=\"num\">Eintritte</th><th class=\"num\">Austritte</th></tr>\n";
  for (const MemberCounts& counts : years) {
    const std::string keys = Attribute("data-year", std::to_string(counts.as_of.year));
    html += fmt::format("<tr{}><td>{}</td>{}{}{}{}{}</tr>\n", keys, GermanDate(counts.as_of),
                        CountCell("members.personal", keys, counts.personal),
                        CountCell("members.institutional", keys, counts.institutional),
                        CountCell("members.total", keys, counts.total()),
                        CountCell("members.joined_in_year", keys, counts.joined_in_year),
                        CountCell("members.left_in_year", keys, counts.left_in_year));
  }
  return html + "</table>\n";
}

std::string ChecksHtml(const std::vector<StatementCheck>& checks) {
  if (checks.empty()) return "";
  std::string html = "<h2>Hinweise</h2>\n<ul class=\"checks\">\n";
  for (const StatementCheck& check : checks) {
    html += fmt::format("<li class=\"{}\"{}>[{}] {}</li>\n", HtmlEscape(check.severity),
                        Attribute("data-code", check.code), HtmlEscape(check.severity),
                        HtmlEscape(check.message));
  }
  return html + "</ul>\n";
}

std::string ProvenanceHtml(const HtmlProvenance& provenance) {
  const std::string recorded = FormatTimestamp(provenance.recorded_at_unix_ms);
  const std::string generated = FormatTimestamp(provenance.generated_at_unix_ms);
  return fmt::format(
      "<dl class=\"provenance\">\n"
      "<dt>Datenstand</dt><dd>alle bis Ereignis Nr. {} erfassten Buchungen; dieses Ereignis wurde "
      "am <time data-field=\"data.recorded_at\" datetime=\"{}\">{}</time> (UTC) erfasst</dd>\n"
      "<dt>Letztes Ereignis</dt><dd data-field=\"ledger.head_seq\" data-value=\"{}\">{}</dd>\n"
      "<dt>Hash</dt><dd class=\"hash\" data-field=\"ledger.head_hash\" data-value=\"{}\">{}</dd>\n"
      "<dt>Bericht erstellt</dt><dd><time data-field=\"report.generated_at\" "
      "datetime=\"{}\">{}</time> (UTC)</dd>\n"
      "</dl>\n",
      provenance.seq, recorded, recorded, provenance.seq, provenance.seq,
      HtmlEscape(provenance.hash_hex), HtmlEscape(provenance.hash_hex), generated, generated);
}

std::string Page(std::string_view title, const HtmlProvenance& provenance,
                 const std::string& body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"kasse\">\n<title>{} – {}</title>\n<style>\n{}</style>\n"
      "</head>\n<body>\n<header>\n<h1 data-field=\"ledger.name\">{}</h1>\n"
      "<p class=\"subtitle\">{}</p>\n{}</header>\n<main>\n{}</main>\n</body>\n</html>\n",
      kContentSecurityPolicy, HtmlEscape(provenance.ledger_name), HtmlEscape(title), kStyle,
      HtmlEscape(provenance.ledger_name), HtmlEscape(title), ProvenanceHtml(provenance), body);
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&#39;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

std::string StatementHtml(const Statement& statement, const std::vector<StatementCheck>& checks,
                          const std::vector<MemberCounts>& member_years,
                          const HtmlProvenance& provenance) {
  std::string body = "<h2>Übersicht Einzahlungen/Auszahlungen</h2>\n";
  body += StatementTableHtml(statement);
  body += "<h2>Einnahmen, Ausgaben und Ergebnis nach Bereichen</h2>\n";
  body += SphereTableHtml(statement);
  body += "<h2>Ausgaben nach Kategorien</h2>\n";
  body += SpendingSectionHtml(statement, "lines.amount", "expenses.total");
  body += "<h2>Mitgliederentwicklung</h2>\n";
  body += MemberTableHtml(member_years);
  body += ChecksHtml(checks);
  return Page(fmt::format("Übersicht Einzahlungen/Auszahlungen {}", statement.year), provenance,
              body);
}

std::string SpendingHtml(const Statement& statement, const HtmlProvenance& provenance) {
  return Page(fmt::format("Ausgaben nach Kategorien {}", statement.year), provenance,
              SpendingSectionHtml(statement, "categories.amount", "total"));
}

std::string MembersHtml(const MemberCounts& counts, const std::vector<MemberCounts>& member_years,
                        const std::vector<StatementCheck>& notes,
                        const HtmlProvenance& provenance) {
  const std::string as_of = GermanDate(counts.as_of);
  std::string body = "<table class=\"grid\">\n";
  const auto row = [](const std::string& label, std::string_view field, int64_t value) {
    return fmt::format("<tr><td>{}</td>{}</tr>\n", label, CountCell(field, "", value));
  };
  body += row("persönliche Mitglieder", "personal", counts.personal);
  body += row("institutionelle Mitglieder", "institutional", counts.institutional);
  body += row("Mitglieder insgesamt", "total", counts.total());
  body += row(fmt::format("Eintritte vom 01.01.{} bis {}", counts.as_of.year, as_of),
              "joined_in_year", counts.joined_in_year);
  body += row(fmt::format("Austritte vom 01.01.{} bis {}", counts.as_of.year, as_of),
              "left_in_year", counts.left_in_year);
  body += "</table>\n<h2>Mitgliederentwicklung</h2>\n";
  body += MemberTableHtml(member_years);
  body += ChecksHtml(notes);
  return Page(fmt::format("Mitglieder am {}", as_of), provenance, body);
}

}  // namespace kasse::cli
