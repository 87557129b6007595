// The description of a Z3 export (Datenträgerüberlassung, § 147 (6) AO) after the
// "Beschreibungsstandard für die Datenträgerüberlassung": CSV tables and the index.xml that
// describes them under the DTD gdpdu-01-09-2004.dtd (schemas/gdpdu/), which the export carries.
//
// Every table is written the same way, and index.xml says so for each: UTF-8 (<UTF8/>, which the
// DTD offers, so that "Büroausstattung" needs no conversion), semicolon between columns, CRLF
// after every record (declared explicitly, as the DTD asks for a non-default code page), double
// quotes around a text that holds a separator or a quote (doubled inside), decimal comma and no
// digit grouping (the DTD requires DecimalSymbol and DigitGroupingSymbol together, so the dot is
// declared but never written), dates DD.MM.YYYY. A first row names the columns for people; the
// description skips it with SkipNumBytes, whose meaning the DTD defines exactly. An empty field
// is a missing value (a membership event has no amount).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/csv.h"

namespace kasse::cli {

// The DTD, embedded at build time (generated from schemas/gdpdu/gdpdu-01-09-2004.dtd).
std::string_view GdpduDtd();
inline constexpr char kGdpduDtdFileName[] = "gdpdu-01-09-2004.dtd";
inline constexpr char kGdpduIndexFileName[] = "index.xml";

enum class GdpduType { kAlphaNumeric, kNumeric, kDate };

struct GdpduColumn {
  std::string name;
  std::string description;
  GdpduType type = GdpduType::kAlphaNumeric;
  int32_t accuracy = 0;  // kNumeric: digits after the decimal comma (the DTD's default is 0)
};

struct GdpduForeignKey {
  std::string column;
  std::string references;  // the Name of the table whose primary key it refers to
};

// One CSV table and its description. Rows are added through the writer, which checks the count.
class GdpduTable {
 public:
  GdpduTable(std::string url, std::string name, std::string description,
             std::vector<GdpduColumn> columns, size_t primary_key_columns);

  // Declares that the rows belong to the dates from..to (the Validity element), "DD.MM.YYYY".
  void set_validity(std::string from, std::string to);
  void add_foreign_key(GdpduForeignKey key) { foreign_keys_.push_back(std::move(key)); }

  // Appends one record; `fields` holds one value per column, already formatted (see below).
  void Row(const std::vector<std::string>& fields);

  const std::string& url() const { return url_; }
  const std::string& csv() const { return csv_.text(); }
  size_t row_count() const { return row_count_; }
  // The table's element of index.xml.
  std::string IndexXml() const;

 private:
  std::string url_;
  std::string name_;
  std::string description_;
  std::vector<GdpduColumn> columns_;
  size_t primary_key_columns_;
  std::optional<std::pair<std::string, std::string>> validity_;
  std::vector<GdpduForeignKey> foreign_keys_;
  CsvWriter csv_;
  size_t header_bytes_ = 0;  // SkipNumBytes: the header row with its CRLF
  size_t row_count_ = 0;
};

// A date as the tables write it: "31.12.2022".
std::string GdpduDate(int32_t year, int32_t month, int32_t day);
// An amount in cents as the tables write it: "-129,90", two decimals, no digit grouping.
std::string GdpduAmount(int64_t amount_cents);

struct GdpduSupplier {
  std::string name;      // the association, as the ledger names it
  std::string location;  // where it is seated
  std::string comment;   // what the export holds: year, head of the log, kasse's version
};

// The whole index.xml: DOCTYPE, Version, DataSupplier and one Media with the tables.
std::string GdpduIndexXml(const GdpduSupplier& supplier, const std::string& media_name,
                          const std::vector<const GdpduTable*>& tables);

// Text as XML character data: & < > escaped; other characters (UTF-8) as they are.
std::string XmlText(std::string_view text);

}  // namespace kasse::cli
