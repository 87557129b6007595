#include "ledger/date.h"

#include <fmt/format.h>

#include <cassert>

namespace kasse {

bool IsLeapYear(int32_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int32_t DaysInMonth(int32_t year, int32_t month) {
  static constexpr int32_t kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

namespace {
bool ParseDigits(std::string_view text, int32_t* value) {
  int32_t result = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *value = result;
  return !text.empty();
}

bool IsCalendarDate(const Date& date) {
  return date.year >= kYearMin && date.year <= kYearMax && date.month >= 1 && date.month <= 12 &&
         date.day >= 1 && date.day <= DaysInMonth(date.year, date.month);
}

// The same rule as IsCalendarDate, with a message that says which part is wrong.
Status CheckDate(const Date& date, std::string_view shown) {
  if (date.year < kYearMin || date.year > kYearMax) {
    return Status::InvalidInput(
        fmt::format("date \"{}\" is outside the years {} to {}", shown, kYearMin, kYearMax));
  }
  if (date.month < 1 || date.month > 12) {
    return Status::InvalidInput(fmt::format("date \"{}\" has no month {}", shown, date.month));
  }
  if (date.day < 1 || date.day > DaysInMonth(date.year, date.month)) {
    return Status::InvalidInput(fmt::format("date \"{}\" does not exist: {}-{:02} has {} days",
                                            shown, date.year, date.month,
                                            DaysInMonth(date.year, date.month)));
  }
  return Status::Ok();
}
}  // namespace

Status ParseDate(std::string_view text, Date* date) {
  Date parsed;
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                      ParseDigits(text.substr(0, 4), &parsed.year) &&
                      ParseDigits(text.substr(5, 2), &parsed.month) &&
                      ParseDigits(text.substr(8, 2), &parsed.day);
  if (!shaped) return Status::InvalidInput(fmt::format("date \"{}\" is not YYYY-MM-DD", text));
  KASSE_RETURN_IF_ERROR(CheckDate(parsed, text));
  *date = parsed;
  return Status::Ok();
}

Status DateFromYyyymmdd(int32_t yyyymmdd, Date* date) {
  const Date decoded{yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100};
  // Every stored event's date passes here: the number is formatted for the message only when the
  // date is bad (formatting it for every event was 3 % of a replay, perf).
  if (!IsCalendarDate(decoded)) {
    const Status refused = CheckDate(decoded, std::to_string(yyyymmdd));
    assert(!refused.ok());
    return Status::Corruption(refused.message());
  }
  *date = decoded;
  return Status::Ok();
}

std::string FormatDate(const Date& date) {
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

Status ParseYear(std::string_view text, int32_t* year) {
  int32_t parsed = 0;
  if (text.size() != 4 || !ParseDigits(text, &parsed) || parsed < kYearMin || parsed > kYearMax) {
    return Status::InvalidInput(
        fmt::format("year \"{}\" is not a year from {} to {}", text, kYearMin, kYearMax));
  }
  *year = parsed;
  return Status::Ok();
}

}  // namespace kasse
