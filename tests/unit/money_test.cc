#include "ledger/money.h"

#include <gtest/gtest.h>

#include <limits>

namespace kasse {
namespace {

int64_t Parse(std::string_view text, AmountSyntax syntax = AmountSyntax::kJson) {
  int64_t cents = -1;
  Status status = ParseAmount(text, syntax, &cents);
  EXPECT_TRUE(status.ok()) << text << ": " << status.message();
  return cents;
}

std::string Refused(std::string_view text, AmountSyntax syntax = AmountSyntax::kJson) {
  int64_t cents = 42;
  Status status = ParseAmount(text, syntax, &cents);
  EXPECT_FALSE(status.ok()) << text << " was accepted";
  EXPECT_EQ(cents, 42) << "a refused amount must not be written";
  return status.message();
}

TEST(ParseAmount, AcceptsTheContractsForms) {
  EXPECT_EQ(Parse("12966.53"), 1296653);
  EXPECT_EQ(Parse("30000"), 3000000);
  EXPECT_EQ(Parse("0.5"), 50);
  EXPECT_EQ(Parse("0.01"), 1);
  EXPECT_EQ(Parse("0.10"), 10);
  EXPECT_EQ(Parse("1000000000000"), kAmountCentsMax);
  EXPECT_EQ(Parse("1000000000000.00"), kAmountCentsMax);
}

TEST(ParseAmount, CommandsAcceptADecimalComma) {
  EXPECT_EQ(Parse("129,90", AmountSyntax::kCommand), 12990);
  EXPECT_EQ(Parse("129.90", AmountSyntax::kCommand), 12990);
  EXPECT_NE(Refused("129,90").find("comma"), std::string::npos);
}

TEST(ParseAmount, RefusesWhatTheContractForbids) {
  EXPECT_NE(Refused("-5.00").find("sign"), std::string::npos);
  EXPECT_NE(Refused("+5").find("sign"), std::string::npos);
  EXPECT_NE(Refused("1.234").find("decimals"), std::string::npos);
  EXPECT_NE(Refused("0").find("zero"), std::string::npos);
  EXPECT_NE(Refused("0.00").find("zero"), std::string::npos);
  EXPECT_NE(Refused("1000000000000.01").find("limit"), std::string::npos);
  EXPECT_NE(Refused("10000000000000").find("limit"), std::string::npos);
  EXPECT_NE(Refused("99999999999999999999999").find("limit"), std::string::npos);
  EXPECT_NE(Refused("01.50").find("leading zero"), std::string::npos);
  Refused("");
  Refused("1.");
  Refused(".5");
  Refused("1e3");
  Refused(" 1");
  Refused("1 ");
  Refused("1\n");
  Refused("1.000,00", AmountSyntax::kCommand);
  Refused("1,5,0", AmountSyntax::kCommand);
  Refused("１");  // a full-width digit is no digit
}

TEST(FormatAmount, TwoDecimalsAlways) {
  EXPECT_EQ(FormatAmount(1296653), "12966.53");
  EXPECT_EQ(FormatAmount(0), "0.00");
  EXPECT_EQ(FormatAmount(1), "0.01");
  EXPECT_EQ(FormatAmount(-500), "-5.00");
  EXPECT_EQ(FormatAmount(std::numeric_limits<int64_t>::min()), "-92233720368547758.08");
  EXPECT_EQ(FormatAmount(std::numeric_limits<int64_t>::max()), "92233720368547758.07");
}

TEST(FormatAmountGerman, GroupsThousandsWithDots) {
  EXPECT_EQ(FormatAmountGerman(5580489), "55.804,89");
  EXPECT_EQ(FormatAmountGerman(12000000), "120.000,00");
  EXPECT_EQ(FormatAmountGerman(9411), "94,11");
  EXPECT_EQ(FormatAmountGerman(100000), "1.000,00");
  EXPECT_EQ(FormatAmountGerman(-123456789), "-1.234.567,89");
  EXPECT_EQ(FormatAmountGerman(0), "0,00");
}

TEST(AddCents, DetectsOverflowOnSums) {
  int64_t sum = 7;
  EXPECT_TRUE(AddCents(kAmountCentsMax, kAmountCentsMax, &sum));
  EXPECT_EQ(sum, 2 * kAmountCentsMax);
  sum = 7;
  EXPECT_FALSE(AddCents(std::numeric_limits<int64_t>::max(), 1, &sum));
  EXPECT_EQ(sum, 7);
  EXPECT_FALSE(AddCents(std::numeric_limits<int64_t>::min(), -1, &sum));
  // 92,233 of the largest amounts fit into an int64; the next one overflows.
  int64_t total = 0;
  int added = 0;
  while (AddCents(total, kAmountCentsMax, &total)) ++added;
  EXPECT_EQ(added, 92233);
}

}  // namespace
}  // namespace kasse
