// libFuzzer target: ParseAmount in both syntaxes. An accepted amount is within 1..kAmountCentsMax
// cents, and FormatAmount of it parses back to the same cents in either syntax.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/money.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using kasse::AmountSyntax;

void CheckRoundTrip(std::string_view text, AmountSyntax syntax) {
  int64_t cents = -1;
  if (!kasse::ParseAmount(text, syntax, &cents).ok()) return;
  FUZZ_CHECK(cents >= 1 && cents <= kasse::kAmountCentsMax);
  const std::string formatted = kasse::FormatAmount(cents);
  for (AmountSyntax again : {AmountSyntax::kJson, AmountSyntax::kCommand}) {
    int64_t reparsed = -1;
    FUZZ_CHECK(kasse::ParseAmount(formatted, again, &reparsed).ok());
    FUZZ_CHECK(reparsed == cents);
  }
  (void)kasse::FormatAmountGerman(cents);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckRoundTrip(text, AmountSyntax::kJson);
  CheckRoundTrip(text, AmountSyntax::kCommand);
  // The command syntax is the JSON syntax plus a decimal comma: whatever JSON accepts, it accepts
  // with the same value.
  int64_t json_cents = -1;
  if (kasse::ParseAmount(text, AmountSyntax::kJson, &json_cents).ok()) {
    int64_t command_cents = -1;
    FUZZ_CHECK(kasse::ParseAmount(text, AmountSyntax::kCommand, &command_cents).ok());
    FUZZ_CHECK(command_cents == json_cents);
  }
  return 0;
}
