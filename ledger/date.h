// Date: a validated calendar date (proleptic Gregorian), the booking date of an event.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace kasse {

// Explicit limits: books older than 1900 or dated after 2999 are typing errors.
inline constexpr int32_t kYearMin = 1900;
inline constexpr int32_t kYearMax = 2999;

struct Date {
  int32_t year = kYearMin;
  int32_t month = 1;  // 1..12
  int32_t day = 1;    // 1..DaysInMonth

  // A single sortable number, 20220131: the stored form of a date.
  int32_t yyyymmdd() const { return year * 10000 + month * 100 + day; }
  friend auto operator<=>(const Date&, const Date&) = default;
};

bool IsLeapYear(int32_t year);
int32_t DaysInMonth(int32_t year, int32_t month);

// Parses exactly "YYYY-MM-DD" and checks that the day exists ("2023-02-30" is an error).
Status ParseDate(std::string_view text, Date* date);

// Decodes a stored yyyymmdd number; Corruption when it is not a valid date.
Status DateFromYyyymmdd(int32_t yyyymmdd, Date* date);

// "2022-12-31".
std::string FormatDate(const Date& date);

// Parses a year "2022" within [kYearMin, kYearMax].
Status ParseYear(std::string_view text, int32_t* year);

}  // namespace kasse
