// Status: the result of an operation that can fail, passed across module borders instead of
// exceptions (after LevelDB's include/leveldb/status.h). A non-ok Status carries a message that is
// complete enough to show to the user as it is: which file, line and field, and what to do.
#pragma once

#include <string>
#include <utility>

namespace kasse {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidInput,  // the user's input breaks the contract (exit 1)
    kRejected,      // valid input that the ledger's rules refuse (exit 1)
    kNotFound,      // no such ledger, event or key
    kCorruption,    // stored bytes that do not decode or do not match their hash
    kIoError,       // the operating system or RocksDB failed
    kBusy,          // another process holds the ledger for writing
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidInput(std::string message) {
    return {Code::kInvalidInput, std::move(message)};
  }
  static Status Rejected(std::string message) { return {Code::kRejected, std::move(message)}; }
  static Status NotFound(std::string message) { return {Code::kNotFound, std::move(message)}; }
  static Status Corruption(std::string message) { return {Code::kCorruption, std::move(message)}; }
  static Status IoError(std::string message) { return {Code::kIoError, std::move(message)}; }
  static Status Busy(std::string message) { return {Code::kBusy, std::move(message)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message starts with `context` and ": ", e.g. the file and line.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace kasse

// Returns early from the enclosing function when `expr` yields a non-ok Status.
#define KASSE_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::kasse::Status kasse_status_ = (expr);        \
    if (!kasse_status_.ok()) return kasse_status_; \
  } while (false)
