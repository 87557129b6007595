#include "cli/report_format.h"

#include <fmt/format.h>

#include <map>

#include "ledger/money.h"
#include "projections/chart.h"

namespace kasse::cli {

namespace {

using nlohmann::ordered_json;

constexpr size_t kLabelWidth = 72;
constexpr size_t kAmountWidth = 15;
constexpr char kAdministrationGroup[] = "Verwaltungskosten";

ordered_json TotalsJson(const SphereTotals& totals) {
  ordered_json by_sphere = ordered_json::object();
  for (int s = 0; s < kSphereCount; ++s) {
    by_sphere[std::string(SphereName(static_cast<Sphere>(s)))] =
        FormatAmount(totals.by_sphere_cents[static_cast<size_t>(s)]);
  }
  return {{"total", FormatAmount(totals.total_cents)}, {"by_sphere", by_sphere}};
}

// Pads by characters, not bytes: labels are German ("Büroausstattung").
std::string PadRight(const std::string& text, size_t width) {
  size_t chars = 0;
  for (char c : text) chars += (static_cast<uint8_t>(c) & 0xc0) != 0x80;
  return chars >= width ? text + " " : text + std::string(width - chars, ' ');
}

std::string Row(const std::string& label, const std::string& inner, const std::string& outer) {
  std::string row = fmt::format("{}{:>{}}{:>{}}", PadRight(label, kLabelWidth), inner, kAmountWidth,
                                outer, kAmountWidth);
  row.erase(row.find_last_not_of(' ') + 1);
  return row + "\n";
}

const StatementDetail* FindDetail(const StatementLine& line, std::string_view detail) {
  for (const StatementDetail& d : line.details) {
    if (d.detail == detail) return &d;
  }
  return nullptr;
}

int64_t DetailCents(const StatementLine& line, std::string_view detail) {
  const StatementDetail* found = FindDetail(line, detail);
  return found ? found->amount_cents : 0;
}

std::string SectionsText(const std::vector<StatementSection>& sections) {
  std::string text;
  for (size_t i = 0; i < sections.size(); ++i) {
    const StatementSection& section = sections[i];
    const std::string heading = fmt::format("{}. {}", i + 1, section.heading);
    if (section.rows.empty()) {
      text += Row(heading, "", "");
      text += "   - Kein Anfall\n";
      continue;
    }
    text += Row(heading, "", FormatAmountGerman(section.total_cents));
    for (size_t r = 0; r < section.rows.size(); ++r) {
      text += Row(fmt::format("   {}) {}", RowLetter(r), section.rows[r].first),
                  FormatAmountGerman(section.rows[r].second), "");
    }
  }
  return text;
}

}  // namespace

std::string RowLetter(size_t index) {
  return index < 26 ? std::string(1, static_cast<char>('a' + index)) : std::to_string(index + 1);
}

std::vector<StatementSection> StatementSections(const Statement& statement, Direction direction) {
  static constexpr std::array<const char*, kSphereCount> kIncomeHeadings = {
      "", "Einnahmen aus Vermögensverwaltung", "Einnahmen aus Zweckbetrieben",
      "Einnahmen aus steuerpflichtigen wirtschaftlichen Geschäftsbetrieben"};
  static constexpr std::array<const char*, kSphereCount> kExpenseHeadings = {
      "", "Ausgaben für Vermögensverwaltung", "Ausgaben für Zweckbetriebe",
      "Ausgaben für steuerpflichtige wirtschaftliche Geschäftsbetriebe"};
  const bool income = direction == Direction::kIncome;
  std::vector<StatementSection> ideal, others(kSphereCount - 1), last;
  for (int s = 1; s < kSphereCount; ++s) {
    others[static_cast<size_t>(s - 1)].heading = income ? kIncomeHeadings[s] : kExpenseHeadings[s];
  }
  for (const StatementLine& line : statement.lines) {
    if (line.direction != direction) continue;
    std::vector<std::pair<std::string, int64_t>> rows;
    std::string heading;
    if (line.sphere == Sphere::kIdeal && line.category == kDuesCategory) {
      heading = line.category;
      rows = {{"Mitgliedsbeiträge für ein Jahr", DetailCents(line, "one_year")},
              {"Mitgliedsbeiträge für mehrere Jahre", DetailCents(line, "multi_year")}};
    } else if (line.sphere == Sphere::kIdeal && line.category == kDonationsCategory) {
      heading = line.category;
      rows = {{"Geldspenden", DetailCents(line, "money")},
              {"Sachspenden", DetailCents(line, "in_kind")}};
    } else {
      rows = {{line.category, line.amount_cents}};
    }
    StatementSection* section = nullptr;
    if (line.sphere != Sphere::kIdeal) {
      section = &others[static_cast<size_t>(line.sphere) - 1];
    } else {
      if (heading.empty()) {
        heading = !line.group.empty() ? line.group
                  : income            ? "Sonstige Einnahmen des ideellen Bereichs"
                                      : "Sonstige Ausgaben des ideellen Bereichs";
      }
      std::vector<StatementSection>& list = heading == kAdministrationGroup ? last : ideal;
      for (StatementSection& candidate : list) {
        if (candidate.heading == heading) section = &candidate;
      }
      if (section == nullptr) section = &list.emplace_back(StatementSection{heading, {}, 0});
    }
    for (auto& row : rows) section->rows.push_back(std::move(row));
    section->total_cents += line.amount_cents;
  }
  std::vector<StatementSection> sections = std::move(ideal);
  for (StatementSection& section : others) sections.push_back(std::move(section));
  for (StatementSection& section : last) sections.push_back(std::move(section));
  return sections;
}

ordered_json StatementJson(const Statement& statement, const std::vector<StatementCheck>& checks) {
  ordered_json lines = ordered_json::array();
  for (const StatementLine& line : statement.lines) {
    ordered_json entry = {{"direction", DirectionName(line.direction)},
                          {"sphere", SphereName(line.sphere)}};
    if (!line.group.empty()) entry["group"] = line.group;
    entry["category"] = line.category;
    entry["amount"] = FormatAmount(line.amount_cents);
    entry["bookings"] = line.bookings;
    lines.push_back(std::move(entry));
  }
  ordered_json checks_json = ordered_json::array();
  for (const StatementCheck& check : checks) {
    ordered_json entry = {
        {"code", check.code}, {"severity", check.severity}, {"message", check.message}};
    if (check.amount_cents) entry["amount"] = FormatAmount(*check.amount_cents);
    if (check.count) entry["count"] = *check.count;
    checks_json.push_back(std::move(entry));
  }
  return {{"year", statement.year},
          {"income", TotalsJson(statement.income)},
          {"expenses", TotalsJson(statement.expenses)},
          {"result", TotalsJson(statement.result)},
          {"lines", lines},
          {"checks", checks_json}};
}

ordered_json SpendingJson(const Statement& statement) {
  ordered_json categories = ordered_json::array();
  for (const StatementLine& line : statement.lines) {
    if (line.direction != Direction::kExpense) continue;
    ordered_json entry = {{"category", line.category}, {"sphere", SphereName(line.sphere)}};
    if (!line.group.empty()) entry["group"] = line.group;
    entry["amount"] = FormatAmount(line.amount_cents);
    entry["bookings"] = line.bookings;
    categories.push_back(std::move(entry));
  }
  return {{"year", statement.year},
          {"total", FormatAmount(statement.expenses.total_cents)},
          {"categories", categories}};
}

ordered_json MembersJson(const MemberCounts& counts) {
  return {{"as_of", FormatDate(counts.as_of)},
          {"total", counts.total()},
          {"personal", counts.personal},
          {"institutional", counts.institutional},
          {"joined_in_year", counts.joined_in_year},
          {"left_in_year", counts.left_in_year}};
}

std::string StatementText(const Statement& statement, const std::string& ledger_name,
                          const std::vector<StatementCheck>& checks) {
  static constexpr std::array<const char*, kSphereCount> kResultLabels = {
      "davon ideeller Bereich", "davon Vermögensverwaltung", "davon Zweckbetrieb",
      "davon steuerpflichtiger wirtschaftlicher Geschäftsbetrieb"};
  std::string text =
      fmt::format("{}\nÜbersicht Einzahlungen/Auszahlungen {}\n\n", ledger_name, statement.year);
  text += Row("A. Einnahmen", "EUR", "EUR");
  text += SectionsText(StatementSections(statement, Direction::kIncome));
  text += Row("Summe:", "", FormatAmountGerman(statement.income.total_cents));
  text += "\n" + Row("B. Ausgaben", "EUR", "EUR");
  text += SectionsText(StatementSections(statement, Direction::kExpense));
  text += Row("Summe:", "", FormatAmountGerman(statement.expenses.total_cents));
  text += "\n" + Row("C. Ergebnis", "EUR", "");
  for (size_t s = 0; s < kSphereCount; ++s) {
    text += Row(kResultLabels[s], FormatAmountGerman(statement.result.by_sphere_cents[s]), "");
  }
  text += Row("Summe:", "", FormatAmountGerman(statement.result.total_cents));
  for (const StatementCheck& check : checks) {
    text += fmt::format("\n[{}] {}", check.severity, check.message);
  }
  if (!checks.empty()) text += "\n";
  return text;
}

std::string SpendingText(const Statement& statement, const std::string& ledger_name) {
  std::string text =
      fmt::format("{}\nAusgaben nach Kategorien {}\n\n", ledger_name, statement.year);
  text += Row("Kategorie (Bereich, Gruppe)", "Buchungen", "EUR");
  for (const StatementLine& line : statement.lines) {
    if (line.direction != Direction::kExpense) continue;
    const std::string label = fmt::format("{} ({}{}{})", line.category, SphereName(line.sphere),
                                          line.group.empty() ? "" : ", ", line.group);
    text += Row(label, std::to_string(line.bookings), FormatAmountGerman(line.amount_cents));
  }
  text += Row("Summe:", "", FormatAmountGerman(statement.expenses.total_cents));
  return text;
}

std::string MembersText(const MemberCounts& counts, const std::string& ledger_name) {
  const std::string as_of =
      fmt::format("{:02}.{:02}.{:04}", counts.as_of.day, counts.as_of.month, counts.as_of.year);
  constexpr size_t kMembersLabelWidth = 44;
  auto row = [](const std::string& label, int64_t count) {
    return fmt::format("{}{:>8}\n", PadRight(label, kMembersLabelWidth), count);
  };
  std::string text = fmt::format("{}\nMitglieder am {}\n\n", ledger_name, as_of);
  text += row("persönliche Mitglieder", counts.personal);
  text += row("institutionelle Mitglieder", counts.institutional);
  text += row("Mitglieder insgesamt", counts.total());
  text += row(fmt::format("Eintritte vom 01.01.{} bis {}", counts.as_of.year, as_of),
              counts.joined_in_year);
  text += row(fmt::format("Austritte vom 01.01.{} bis {}", counts.as_of.year, as_of),
              counts.left_in_year);
  return text;
}

std::string StatementCsv(const Statement& statement, CsvDialect dialect) {
  CsvWriter csv(dialect);
  csv.Row({"year", "direction", "sphere", "group", "category", "amount", "bookings"});
  for (const StatementLine& line : statement.lines) {
    csv.Row({std::to_string(statement.year), std::string(DirectionName(line.direction)),
             std::string(SphereName(line.sphere)), line.group, line.category,
             csv.Amount(line.amount_cents), std::to_string(line.bookings)});
  }
  return csv.text();
}

std::string SpendingCsv(const Statement& statement, CsvDialect dialect) {
  CsvWriter csv(dialect);
  csv.Row({"year", "category", "sphere", "group", "amount", "bookings"});
  for (const StatementLine& line : statement.lines) {
    if (line.direction != Direction::kExpense) continue;
    csv.Row({std::to_string(statement.year), line.category, std::string(SphereName(line.sphere)),
             line.group, csv.Amount(line.amount_cents), std::to_string(line.bookings)});
  }
  return csv.text();
}

std::string MembersCsv(const MemberCounts& counts, CsvDialect dialect) {
  CsvWriter csv(dialect);
  csv.Row({"as_of", "total", "personal", "institutional", "joined_in_year", "left_in_year"});
  csv.Row({FormatDate(counts.as_of), std::to_string(counts.total()),
           std::to_string(counts.personal), std::to_string(counts.institutional),
           std::to_string(counts.joined_in_year), std::to_string(counts.left_in_year)});
  return csv.text();
}

}  // namespace kasse::cli
