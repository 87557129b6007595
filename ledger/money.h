// Money: exact amounts in whole euro cents in an int64_t. No floating point anywhere on a money
// path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace kasse {

// The largest single amount the contract accepts: 1,000,000,000,000.00 EUR.
inline constexpr int64_t kAmountCentsMax = 100'000'000'000'000;

enum class AmountSyntax {
  kJson,     // the contract's JSON form: digits, optionally a dot and one or two decimals
  kCommand,  // what a treasurer types: additionally a decimal comma, "129,90"
};

// Parses a positive amount of at most kAmountCentsMax. Rejects signs, zero, leading zeros,
// thousands separators, a third decimal, exponents and anything but the digits of `syntax`.
// On error the message says what is wrong with `text` (the caller adds file, line and field).
Status ParseAmount(std::string_view text, AmountSyntax syntax, int64_t* amount_cents);

// "12966.53", "-5.00", "0.00": the contract's JSON form, always two decimals.
std::string FormatAmount(int64_t amount_cents);

// "12.966,53", "-5,00": German number format for text reports.
std::string FormatAmountGerman(int64_t amount_cents);

// Adds with overflow check; returns false (and leaves *sum_cents unchanged) on overflow.
[[nodiscard]] bool AddCents(int64_t a_cents, int64_t b_cents, int64_t* sum_cents);

}  // namespace kasse
