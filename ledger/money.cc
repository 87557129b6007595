#include "ledger/money.h"

#include <fmt/format.h>

namespace kasse {

namespace {
constexpr size_t kIntegerDigitsMax = 13;  // 1,000,000,000,000

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
}  // namespace

Status ParseAmount(std::string_view text, AmountSyntax syntax, int64_t* amount_cents) {
  if (text.empty()) return Status::InvalidInput("amount is empty");
  size_t integer_digits = 0;
  while (integer_digits < text.size() && IsDigit(text[integer_digits])) ++integer_digits;
  if (integer_digits == 0) {
    if (text[0] == '-' || text[0] == '+') {
      return Status::InvalidInput(
          fmt::format("amount \"{}\" has a sign; amounts are positive", text));
    }
    return Status::InvalidInput(fmt::format("amount \"{}\" must start with a digit", text));
  }
  if (integer_digits > 1 && text[0] == '0') {
    return Status::InvalidInput(fmt::format("amount \"{}\" has a leading zero", text));
  }
  if (integer_digits > kIntegerDigitsMax) {
    return Status::InvalidInput(
        fmt::format("amount \"{}\" is above the limit of 1000000000000.00", text));
  }
  int64_t euros = 0;
  for (size_t i = 0; i < integer_digits; ++i) euros = euros * 10 + (text[i] - '0');
  int64_t cents = 0;
  std::string_view rest = text.substr(integer_digits);
  if (!rest.empty()) {
    const char separator = rest[0];
    const bool separator_allowed =
        separator == '.' || (separator == ',' && syntax == AmountSyntax::kCommand);
    if (!separator_allowed) {
      if (separator == ',') {
        return Status::InvalidInput(
            fmt::format("amount \"{}\" has a comma; JSON amounts use a dot, \"129.90\"", text));
      }
      return Status::InvalidInput(
          fmt::format("amount \"{}\" is not a number of euros like \"129.90\"", text));
    }
    std::string_view decimals = rest.substr(1);
    if (decimals.empty() || decimals.size() > 2) {
      return Status::InvalidInput(
          fmt::format("amount \"{}\" must have one or two decimals after the separator", text));
    }
    for (char c : decimals) {
      if (!IsDigit(c)) {
        return Status::InvalidInput(
            fmt::format("amount \"{}\" is not a number of euros like \"129.90\"", text));
      }
    }
    cents = (decimals[0] - '0') * 10 + (decimals.size() == 2 ? decimals[1] - '0' : 0);
  }
  const int64_t total_cents = euros * 100 + cents;  // cannot overflow: at most 13 digits
  if (total_cents == 0) return Status::InvalidInput(fmt::format("amount \"{}\" is zero", text));
  if (total_cents > kAmountCentsMax) {
    return Status::InvalidInput(
        fmt::format("amount \"{}\" is above the limit of 1000000000000.00", text));
  }
  *amount_cents = total_cents;
  return Status::Ok();
}

namespace {
// Magnitude as euros and cents; int64 min has no positive counterpart, so work in uint64.
void SplitCents(int64_t amount_cents, bool* negative, uint64_t* euros, uint64_t* cents) {
  *negative = amount_cents < 0;
  const uint64_t magnitude =
      *negative ? (~static_cast<uint64_t>(amount_cents) + 1) : static_cast<uint64_t>(amount_cents);
  *euros = magnitude / 100;
  *cents = magnitude % 100;
}
}  // namespace

std::string FormatAmount(int64_t amount_cents) {
  bool negative;
  uint64_t euros, cents;
  SplitCents(amount_cents, &negative, &euros, &cents);
  return fmt::format("{}{}.{:02}", negative ? "-" : "", euros, cents);
}

std::string FormatAmountGerman(int64_t amount_cents) {
  bool negative;
  uint64_t euros, cents;
  SplitCents(amount_cents, &negative, &euros, &cents);
  std::string digits = std::to_string(euros);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += '.';
    grouped += digits[i];
  }
  return fmt::format("{}{},{:02}", negative ? "-" : "", grouped, cents);
}

bool AddCents(int64_t a_cents, int64_t b_cents, int64_t* sum_cents) {
  int64_t sum;
  if (__builtin_add_overflow(a_cents, b_cents, &sum)) return false;
  *sum_cents = sum;
  return true;
}

}  // namespace kasse
