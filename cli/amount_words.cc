// AmountInGermanWords (declared in cli/receipt_pdf.h): the amount of a donation receipt in
// letters. German writes numbers below a million as one lowercase word ("zweihundertdreißig");
// Million, Milliarde and Billion are nouns, capitalised and separated by spaces (Duden). We write
// "einhundert" and "eintausend" rather than "hundert" and "tausend": on a receipt, a leading
// "ein" makes it harder to put another word in front.
#include <array>
#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/receipt_pdf.h"
#include "ledger/money.h"

namespace kasse::cli {
namespace {

constexpr std::array<std::string_view, 20> kBelowTwenty = {
    "null",     "eins",     "zwei",     "drei",     "vier",     "fünf",    "sechs",
    "sieben",   "acht",     "neun",     "zehn",     "elf",      "zwölf",   "dreizehn",
    "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn"};
constexpr std::array<std::string_view, 10> kTens = {
    "", "", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig", "neunzig"};

// 1..99. "eins" only stands alone at the end of a number; inside a compound it is "ein":
// "einundzwanzig", "einhundert".
std::string BelowHundred(int64_t n, bool final_position) {
  assert(n >= 1 && n <= 99);
  if (n == 1) return final_position ? "eins" : "ein";
  if (n < 20) return std::string(kBelowTwenty[n]);
  std::string words;
  if (n % 10 != 0) {
    words = n % 10 == 1 ? "ein" : std::string(kBelowTwenty[n % 10]);
    words += "und";
  }
  words += kTens[n / 10];
  return words;
}

// 1..999.
std::string BelowThousand(int64_t n, bool final_position) {
  assert(n >= 1 && n <= 999);
  std::string words;
  if (n >= 100) {
    words = n / 100 == 1 ? "ein" : std::string(kBelowTwenty[n / 100]);
    words += "hundert";
  }
  if (n % 100 != 0) words += BelowHundred(n % 100, final_position);
  return words;
}

// 1..999,999: one word.
std::string BelowMillion(int64_t n, bool final_position) {
  assert(n >= 1 && n <= 999'999);
  std::string words;
  if (n >= 1000) words = BelowThousand(n / 1000, false) + "tausend";
  if (n % 1000 != 0) words += BelowThousand(n % 1000, final_position);
  return words;
}

struct LargeUnit {
  int64_t size;
  std::string_view singular;
  std::string_view plural;
};
constexpr std::array<LargeUnit, 3> kLargeUnits = {{
    {1'000'000'000'000, "Billion", "Billionen"},
    {1'000'000'000, "Milliarde", "Milliarden"},
    {1'000'000, "Million", "Millionen"},
}};

// 1 .. 999,999,999,999,999. Before the nouns the number agrees with their gender: "eine Million".
std::string Cardinal(int64_t n) {
  assert(n >= 1 && n < 1'000'000'000'000'000);
  std::string words;
  for (const LargeUnit& unit : kLargeUnits) {
    const int64_t count = n / unit.size;
    n %= unit.size;
    if (count == 0) continue;
    if (!words.empty()) words += ' ';
    words += count == 1 ? "eine " + std::string(unit.singular)
                        : BelowMillion(count, false) + " " + std::string(unit.plural);
  }
  if (n != 0) {
    if (!words.empty()) words += ' ';
    words += BelowMillion(n, true);
  }
  return words;
}

// "ein Euro", "einundzwanzig Euro", "einhunderteins Euro": only a lone one becomes "ein", the
// article form before a noun.
std::string CountOf(int64_t n, std::string_view unit) {
  return (n == 1 ? std::string("ein") : Cardinal(n)) + " " + std::string(unit);
}

}  // namespace

std::string AmountInGermanWords(int64_t cents) {
  assert(cents >= 0 && cents <= kAmountCentsMax);
  const int64_t euros = cents / 100;
  const int64_t rest_cents = cents % 100;
  if (euros == 0 && rest_cents == 0) return "null Euro";
  if (euros == 0) return CountOf(rest_cents, "Cent");
  std::string words = CountOf(euros, "Euro");
  if (rest_cents != 0) words += " und " + CountOf(rest_cents, "Cent");
  return words;
}

}  // namespace kasse::cli
