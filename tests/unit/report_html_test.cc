// The HTML report's escaping and the member development it draws (ReadMemberYearEnds).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cli/report_html.h"
#include "projections/members.h"
#include "projections/state_cache.h"

namespace kasse {
namespace {

TEST(HtmlEscape, EscapesMarkupAmpersandAndBothQuotes) {
  EXPECT_EQ(cli::HtmlEscape("<b>Miete & \"Co\"</b>"),
            "&lt;b&gt;Miete &amp; &quot;Co&quot;&lt;/b&gt;");
  EXPECT_EQ(cli::HtmlEscape("it's"), "it&#39;s");
  EXPECT_EQ(cli::HtmlEscape("&amp;"), "&amp;amp;");  // escaped again: text is never markup
  EXPECT_EQ(cli::HtmlEscape("Büroausstattung"), "Büroausstattung");
  EXPECT_EQ(cli::HtmlEscape(""), "");
}

// Day fields: active change personal, institutional; joins personal, institutional; departures
// personal, institutional.
std::map<std::string, std::string> Days(const std::map<int32_t, std::vector<int64_t>>& days) {
  std::map<std::string, std::string> entries;
  for (const auto& [day, fields] : days) {
    entries["members/d/" + std::to_string(day)] = EncodeInt64s(fields);
  }
  return entries;
}

TEST(ReadMemberYearEnds, CountsAtEachYearEndWithGapsAndTheLastDay) {
  const auto entries = Days({{20190301, {2, 0, 2, 0, 0, 0}},
                             {20210615, {0, 1, 0, 1, 0, 0}},
                             {20220110, {-1, 0, 0, 0, 1, 0}},
                             {20220701, {1, 0, 1, 0, 0, 0}},
                             {20230101, {5, 0, 5, 0, 0, 0}}});
  const StateView state = InMemoryState(entries);
  std::vector<MemberCounts> years;
  ASSERT_TRUE(ReadMemberYearEnds(state, INT32_MAX, Date{2022, 6, 30}, &years).ok());
  ASSERT_EQ(years.size(), 4u);  // 2019..2022
  EXPECT_EQ(years[0].as_of, (Date{2019, 12, 31}));
  EXPECT_EQ(years[0].personal, 2);
  EXPECT_EQ(years[0].joined_in_year, 2);
  EXPECT_EQ(years[1].total(), 2);  // 2020: no event, the counts carry over
  EXPECT_EQ(years[1].joined_in_year, 0);
  EXPECT_EQ(years[2].institutional, 1);
  EXPECT_EQ(years[3].as_of, (Date{2022, 6, 30}));  // the last entry is the last day itself
  EXPECT_EQ(years[3].personal, 1);
  EXPECT_EQ(years[3].left_in_year, 1);
  EXPECT_EQ(years[3].joined_in_year, 0);  // the join of 1 July is later

  // An earlier first booked year (of money) starts the development with zero members.
  ASSERT_TRUE(ReadMemberYearEnds(state, 2017, Date{2019, 12, 31}, &years).ok());
  ASSERT_EQ(years.size(), 3u);
  EXPECT_EQ(years[0].as_of.year, 2017);
  EXPECT_EQ(years[0].total(), 0);
  EXPECT_EQ(years[2].total(), 2);

  const std::map<std::string, std::string> empty;
  ASSERT_TRUE(ReadMemberYearEnds(InMemoryState(empty), INT32_MAX, Date{2022, 12, 31}, &years).ok());
  EXPECT_TRUE(years.empty());
}

TEST(ReadMemberYearEnds, DamagedDayIsCorruption) {
  std::map<std::string, std::string> entries = {{"members/d/20220101", "short"}};
  std::vector<MemberCounts> years;
  EXPECT_FALSE(ReadMemberYearEnds(InMemoryState(entries), INT32_MAX, Date{2022, 12, 31}, &years).ok());
}

}  // namespace
}  // namespace kasse
