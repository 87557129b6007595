#include "cli/csv.h"

#include "ledger/money.h"

namespace kasse::cli {

namespace {

constexpr char kByteOrderMark[] = "\xEF\xBB\xBF";

std::string Field(std::string_view text, char separator) {
  if (text.find_first_of(std::string{separator, '"', '\r', '\n'}) == std::string_view::npos) {
    return std::string(text);
  }
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

bool CsvDialectFromName(std::string_view name, CsvDialect* dialect) {
  if (name == "german") {
    *dialect = CsvDialect::kGerman;
  } else if (name == "plain") {
    *dialect = CsvDialect::kPlain;
  } else {
    return false;
  }
  return true;
}

CsvWriter::CsvWriter(CsvDialect dialect, ByteOrderMark mark)
    : dialect_(dialect), separator_(dialect == CsvDialect::kGerman ? ';' : ',') {
  if (dialect_ == CsvDialect::kGerman && mark == ByteOrderMark::kAsDialect) text_ = kByteOrderMark;
}

void CsvWriter::Row(const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) text_ += separator_;
    text_ += Field(fields[i], separator_);
  }
  text_ += "\r\n";
}

std::string CsvWriter::Amount(int64_t amount_cents) const {
  std::string amount = FormatAmount(amount_cents);
  if (dialect_ == CsvDialect::kGerman) amount[amount.size() - 3] = ',';
  return amount;
}

}  // namespace kasse::cli
