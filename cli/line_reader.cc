#include "cli/line_reader.h"

#include <fmt/format.h>

#include <cstring>

namespace kasse::cli {

namespace {
constexpr size_t kBufferBytes = 1 << 20;
}

LineReader::LineReader(std::FILE* file, size_t line_bytes_max)
    : file_(file), line_bytes_max_(line_bytes_max), buffer_(kBufferBytes) {}

bool LineReader::Refill() {
  if (eof_) return false;
  std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  begin_ = 0;
  const size_t read = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_);
  end_ += read;
  if (read == 0) {
    eof_ = true;
    error_ = std::ferror(file_) != 0;
  }
  return read > 0;
}

Status LineReader::Next(std::string* line, bool* done) {
  *done = false;
  size_t scanned_bytes = 0;  // of the current line, relative to begin_ (which Refill moves)
  while (true) {
    const size_t scanned = begin_ + scanned_bytes;
    const void* newline = std::memchr(buffer_.data() + scanned, '\n', end_ - scanned);
    if (newline != nullptr) {
      const size_t stop = static_cast<size_t>(static_cast<const char*>(newline) - buffer_.data());
      line->assign(buffer_.data() + begin_, stop - begin_);
      begin_ = stop + 1;
      break;
    }
    scanned_bytes = end_ - begin_;
    if (scanned_bytes > line_bytes_max_ + 1) {
      ++line_number_;
      return Status::InvalidInput(fmt::format("the line is longer than {} bytes", line_bytes_max_));
    }
    if (!Refill()) {
      if (error_) return Status::IoError("cannot read the input");
      if (begin_ == end_) {
        *done = true;
        return Status::Ok();
      }
      line->assign(buffer_.data() + begin_, end_ - begin_);  // last line without "\n"
      begin_ = end_;
      break;
    }
  }
  ++line_number_;
  if (!line->empty() && line->back() == '\r') line->pop_back();
  if (line->size() > line_bytes_max_) {
    return Status::InvalidInput(fmt::format("the line is longer than {} bytes", line_bytes_max_));
  }
  return Status::Ok();
}

}  // namespace kasse::cli
