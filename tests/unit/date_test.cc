#include "ledger/date.h"

#include <gtest/gtest.h>

namespace kasse {
namespace {

TEST(ParseDate, AcceptsRealDays) {
  Date date;
  ASSERT_TRUE(ParseDate("2022-12-31", &date).ok());
  EXPECT_EQ(date.yyyymmdd(), 20221231);
  EXPECT_EQ(FormatDate(date), "2022-12-31");
  EXPECT_TRUE(ParseDate("2024-02-29", &date).ok());  // leap year
  EXPECT_TRUE(ParseDate("2000-02-29", &date).ok());  // divisible by 400
  EXPECT_TRUE(ParseDate("1900-01-01", &date).ok());
  EXPECT_TRUE(ParseDate("2999-12-31", &date).ok());
}

TEST(ParseDate, RefusesDaysThatDoNotExist) {
  Date date{2001, 2, 3};
  const Status status = ParseDate("2023-02-30", &date);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("does not exist"), std::string::npos);
  EXPECT_EQ(date.yyyymmdd(), 20010203) << "a refused date must not be written";
  EXPECT_FALSE(ParseDate("2023-02-29", &date).ok());  // no leap year
  EXPECT_FALSE(ParseDate("1900-02-29", &date).ok());  // divisible by 100, not 400
  EXPECT_FALSE(ParseDate("2022-04-31", &date).ok());
  EXPECT_FALSE(ParseDate("2022-13-01", &date).ok());
  EXPECT_FALSE(ParseDate("2022-00-10", &date).ok());
  EXPECT_FALSE(ParseDate("2022-01-00", &date).ok());
  EXPECT_FALSE(ParseDate("1899-12-31", &date).ok());
  EXPECT_FALSE(ParseDate("3000-01-01", &date).ok());
}

TEST(ParseDate, RefusesOtherShapes) {
  Date date;
  for (const char* text : {"2022-1-1", "22-01-01", "2022/01/01", "01.01.2022", "2022-01-01T00:00",
                           " 2022-01-01", "2022-01-0a", "", "+022-01-01"}) {
    const Status status = ParseDate(text, &date);
    EXPECT_FALSE(status.ok()) << text;
  }
}

TEST(Date, OrdersByCalendar) {
  EXPECT_LT((Date{2022, 12, 31}), (Date{2023, 1, 1}));
  EXPECT_LT((Date{2022, 2, 28}), (Date{2022, 3, 1}));
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_FALSE(IsLeapYear(2100));
}

TEST(DateFromYyyymmdd, RefusesDamagedNumbers) {
  Date date;
  EXPECT_TRUE(DateFromYyyymmdd(20220101, &date).ok());
  EXPECT_EQ(DateFromYyyymmdd(20220230, &date).code(), Status::Code::kCorruption);
  EXPECT_EQ(DateFromYyyymmdd(0, &date).code(), Status::Code::kCorruption);
}

TEST(ParseYear, FourDigitsInRange) {
  int32_t year = 0;
  EXPECT_TRUE(ParseYear("2022", &year).ok());
  EXPECT_EQ(year, 2022);
  EXPECT_FALSE(ParseYear("22", &year).ok());
  EXPECT_FALSE(ParseYear("1899", &year).ok());
  EXPECT_FALSE(ParseYear("20222", &year).ok());
  EXPECT_FALSE(ParseYear("2O22", &year).ok());
}

}  // namespace
}  // namespace kasse
