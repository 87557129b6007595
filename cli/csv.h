// CSV output after RFC 4180: CRLF after every record, a field quoted when it holds the separator,
// a double quote, CR or LF, a double quote inside doubled. Two dialects: the one German
// spreadsheet programs open as they are (semicolon, decimal comma, UTF-8 with a byte order mark,
// so that "Büroausstattung" is not read as Latin-1), and a plain one for scripts (comma, decimal
// dot, no byte order mark).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kasse::cli {

enum class CsvDialect { kGerman, kPlain };

// Whether the text starts with the dialect's byte order mark. A Z3 export (cli/gdpdu.h) declares
// its encoding in index.xml instead, and a mark there would be read as part of the first field.
enum class ByteOrderMark { kAsDialect, kNone };

// The dialect's name on the command line: "german", "plain".
bool CsvDialectFromName(std::string_view name, CsvDialect* dialect);

class CsvWriter {
 public:
  // Starts the text with the byte order mark when the dialect has one and `mark` allows it.
  explicit CsvWriter(CsvDialect dialect, ByteOrderMark mark = ByteOrderMark::kAsDialect);

  // Appends one record.
  void Row(const std::vector<std::string>& fields);
  // An amount as a number that the dialect's spreadsheets read: "12966,53" or "12966.53"; no
  // thousands separator, always two decimals.
  std::string Amount(int64_t amount_cents) const;

  const std::string& text() const { return text_; }

 private:
  CsvDialect dialect_;
  char separator_;
  std::string text_;
};

}  // namespace kasse::cli
