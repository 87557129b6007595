// libFuzzer target: one line of an import file, as `kasse import` reads it (ParseEventJson). When
// the line parses, its export (EventToJson, as `kasse log --json` writes it) must parse again to
// the same client content: a `log --json | import` round trip never changes an event. And the
// line must read alike through nlohmann (EventFromJson, the recording commands' path): what
// simdjson accepts, nlohmann accepts too, to the same event (ledger/json_fields.h).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ledger/event.h"
#include "ledger/json_event.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  kasse::Event event;
  if (!kasse::ParseEventJson(line, &event).ok()) return 0;
  kasse::Event through_nlohmann;
  bool nlohmann_parses = true;
  try {
    FUZZ_CHECK(kasse::EventFromJson(nlohmann::json::parse(line), &through_nlohmann).ok());
  } catch (const nlohmann::json::exception&) {
    nlohmann_parses = false;
  }
  FUZZ_CHECK(nlohmann_parses);
  FUZZ_CHECK(kasse::SameClientContent(event, through_nlohmann));
  kasse::Sha256 prev_hash{};
  kasse::Sha256 hash{};
  hash.fill(0xab);
  // dump() throws (and so crashes here) on invalid UTF-8, which the parser must never let through.
  const std::string exported = kasse::EventToJson(event, prev_hash, hash).dump();
  kasse::Event reparsed;
  FUZZ_CHECK(kasse::ParseEventJson(exported, &reparsed).ok());
  FUZZ_CHECK(kasse::SameClientContent(event, reparsed));
  return 0;
}
