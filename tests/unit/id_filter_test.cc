#include "ledger/id_filter.h"

#include <gtest/gtest.h>

#include <string>

namespace kasse {
namespace {

std::string IdOf(size_t n) {
  return "dues-2024-" + std::to_string(n);
}

TEST(IdFilter, HoldsEveryAddedIdAcrossItsParts) {
  IdFilter filter;
  EXPECT_FALSE(filter.MayHold(IdOf(0)));
  // Fills the first two parts (65,536 and 262,144 ids) and starts the third.
  constexpr size_t kIds = 400000;
  for (size_t n = 0; n < kIds; ++n) filter.Add(IdOf(n));
  EXPECT_EQ(filter.ids(), kIds);
  for (size_t n = 0; n < kIds; ++n) ASSERT_TRUE(filter.MayHold(IdOf(n))) << n;
  // Ten bits per id in each of three parts: 1.38 M ids of room.
  EXPECT_EQ(filter.size_bytes(), (size_t{65536} + 262144 + 1048576) * IdFilter::kBitsPerId / 8);
}

// What makes the filter worth its lookups: few ids it was not given pass it.
TEST(IdFilter, FewOtherIdsPass) {
  IdFilter filter;
  constexpr size_t kIds = 300000;
  for (size_t n = 0; n < kIds; ++n) filter.Add(IdOf(n));
  size_t passed = 0;
  constexpr size_t kOthers = 100000;
  for (size_t n = kIds; n < kIds + kOthers; ++n) passed += filter.MayHold(IdOf(n)) ? 1 : 0;
  // About 1 % per part at 10 bits per id; the lookup asks three parts.
  EXPECT_LT(passed, kOthers * 4 / 100) << passed;
}

TEST(IdFilter, FullFilterLetsEveryIdPassAndFreesItsMemory) {
  IdFilter filter(/*ids_max=*/1000);
  for (size_t n = 0; n < 1000; ++n) filter.Add(IdOf(n));
  EXPECT_FALSE(filter.full());
  EXPECT_FALSE(filter.MayHold("never added"));
  filter.Add("one too many");
  EXPECT_TRUE(filter.full());
  EXPECT_TRUE(filter.MayHold("never added"));
  EXPECT_EQ(filter.size_bytes(), 0u);
}

}  // namespace
}  // namespace kasse
