// LineReader: reads a JSON-lines file line by line in bounded memory, refusing over-long lines
// instead of buffering them.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "ledger/status.h"

namespace kasse::cli {

class LineReader {
 public:
  // Does not take ownership of `file`.
  LineReader(std::FILE* file, size_t line_bytes_max);

  // Reads the next line without its "\n" (and "\r"); *done at the end of the input.
  // InvalidInput when a line is longer than the limit (line_number() is then that line's);
  // IoError when reading fails.
  Status Next(std::string* line, bool* done);
  // The number of the line last returned, from 1.
  uint64_t line_number() const { return line_number_; }

 private:
  bool Refill();

  std::FILE* file_;
  size_t line_bytes_max_;
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  uint64_t line_number_ = 0;
  bool eof_ = false;
  bool error_ = false;
};

}  // namespace kasse::cli
