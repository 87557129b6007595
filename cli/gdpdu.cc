#include "cli/gdpdu.h"

#include <fmt/format.h>

#include <cassert>

#include "ledger/money.h"

namespace kasse::cli {

namespace {

constexpr char kDateFormat[] = "DD.MM.YYYY";

std::string Element(std::string_view name, std::string_view text, int indent) {
  return fmt::format("{:{}}<{}>{}</{}>\n", "", indent, name, XmlText(text), name);
}

// A column's data type, which the DTD requires: Numeric with its accuracy (always written, since
// the default of zero decimals would cut off the cents), AlphaNumeric, or Date with its format.
std::string TypeXml(const GdpduColumn& column, int indent) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  switch (column.type) {
    case GdpduType::kNumeric:
      return fmt::format("{0}<Numeric>\n{0}  <Accuracy>{1}</Accuracy>\n{0}</Numeric>\n", pad,
                         column.accuracy);
    case GdpduType::kDate:
      return fmt::format("{0}<Date>\n{0}  <Format>{1}</Format>\n{0}</Date>\n", pad, kDateFormat);
    case GdpduType::kAlphaNumeric:
      break;
  }
  return pad + "<AlphaNumeric/>\n";
}

std::string ColumnXml(const GdpduColumn& column, bool primary_key) {
  const char* element = primary_key ? "VariablePrimaryKey" : "VariableColumn";
  std::string xml = fmt::format("        <{}>\n", element);
  xml += Element("Name", column.name, 10);
  if (!column.description.empty()) xml += Element("Description", column.description, 10);
  xml += TypeXml(column, 10);
  return xml + fmt::format("        </{}>\n", element);
}

}  // namespace

std::string XmlText(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    if (c == '&') {
      escaped += "&amp;";
    } else if (c == '<') {
      escaped += "&lt;";
    } else if (c == '>') {
      escaped += "&gt;";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string GdpduDate(int32_t year, int32_t month, int32_t day) {
  return fmt::format("{:02}.{:02}.{:04}", day, month, year);
}

std::string GdpduAmount(int64_t amount_cents) {
  std::string amount = FormatAmount(amount_cents);  // "-129.90": always two decimals
  amount[amount.size() - 3] = ',';
  return amount;
}

GdpduTable::GdpduTable(std::string url, std::string name, std::string description,
                       std::vector<GdpduColumn> columns, size_t primary_key_columns)
    : url_(std::move(url)),
      name_(std::move(name)),
      description_(std::move(description)),
      columns_(std::move(columns)),
      primary_key_columns_(primary_key_columns),
      csv_(CsvDialect::kGerman, ByteOrderMark::kNone) {
  assert(primary_key_columns_ <= columns_.size());
  std::vector<std::string> header;
  for (const GdpduColumn& column : columns_) header.push_back(column.name);
  csv_.Row(header);
  header_bytes_ = csv_.text().size();
}

void GdpduTable::set_validity(std::string from, std::string to) {
  validity_.emplace(std::move(from), std::move(to));
}

void GdpduTable::Row(const std::vector<std::string>& fields) {
  // A row of another width would shift every later column for the reader: a bug, not input.
  assert(fields.size() == columns_.size());
  csv_.Row(fields);
  ++row_count_;
}

std::string GdpduTable::IndexXml() const {
  std::string xml = "    <Table>\n";
  xml += Element("URL", url_, 6);
  xml += Element("Name", name_, 6);
  xml += Element("Description", description_, 6);
  if (validity_) {
    xml += fmt::format(
        "      <Validity>\n        <Range>\n          <From>{}</From>\n          <To>{}</To>\n"
        "        </Range>\n        <Format>{}</Format>\n      </Validity>\n",
        validity_->first, validity_->second, kDateFormat);
  }
  xml += "      <UTF8/>\n";
  xml += Element("DecimalSymbol", ",", 6) + Element("DigitGroupingSymbol", ".", 6);
  xml += fmt::format("      <SkipNumBytes>{}</SkipNumBytes>\n", header_bytes_);
  xml += "      <VariableLength>\n";
  xml += Element("ColumnDelimiter", ";", 8);
  xml += "        <RecordDelimiter>&#13;&#10;</RecordDelimiter>\n";
  xml += Element("TextEncapsulator", "\"", 8);
  for (size_t i = 0; i < columns_.size(); ++i) xml += ColumnXml(columns_[i], i < primary_key_columns_);
  for (const GdpduForeignKey& key : foreign_keys_) {
    xml += "        <ForeignKey>\n";
    xml += Element("Name", key.column, 10) + Element("References", key.references, 10);
    xml += "        </ForeignKey>\n";
  }
  return xml + "      </VariableLength>\n    </Table>\n";
}

std::string GdpduIndexXml(const GdpduSupplier& supplier, const std::string& media_name,
                          const std::vector<const GdpduTable*>& tables) {
  std::string xml = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE DataSet SYSTEM \"{}\">\n"
      "<DataSet>\n  <Version>1.0</Version>\n  <DataSupplier>\n",
      kGdpduDtdFileName);
  xml += Element("Name", supplier.name, 4) + Element("Location", supplier.location, 4) +
         Element("Comment", supplier.comment, 4);
  xml += "  </DataSupplier>\n  <Media>\n";
  xml += Element("Name", media_name, 4);
  for (const GdpduTable* table : tables) xml += table->IndexXml();
  return xml + "  </Media>\n</DataSet>\n";
}

}  // namespace kasse::cli
