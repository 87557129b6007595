// libFuzzer target: ParseDate. An accepted date is a real calendar day within kYearMin..kYearMax,
// FormatDate gives back exactly the parsed text ("YYYY-MM-DD" has one spelling), and the stored
// form (yyyymmdd) decodes to the same date.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ledger/date.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  kasse::Date date;
  if (!kasse::ParseDate(text, &date).ok()) return 0;
  FUZZ_CHECK(date.year >= kasse::kYearMin && date.year <= kasse::kYearMax);
  FUZZ_CHECK(date.month >= 1 && date.month <= 12);
  FUZZ_CHECK(date.day >= 1 && date.day <= kasse::DaysInMonth(date.year, date.month));
  FUZZ_CHECK(kasse::FormatDate(date) == text);
  kasse::Date stored;
  FUZZ_CHECK(kasse::DateFromYyyymmdd(date.yyyymmdd(), &stored).ok());
  FUZZ_CHECK(stored == date);
  return 0;
}
