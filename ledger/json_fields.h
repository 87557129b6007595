// The top-level fields of one JSON object, flat, as the event readers of ledger/json_event.cc see
// them, whichever parser produced them: simdjson for the lines of an import, where nlohmann's DOM
// (a std::map and a string per field) took a fifth of an import's CPU, or an nlohmann object that
// the recording commands build.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace kasse {

enum class JsonKind { kNull, kBool, kUnsigned, kSigned, kFloat, kString, kArray, kObject };

// One field. The views point into the parser's memory or the nlohmann object (see below). Numbers
// as nlohmann classifies them: a non-negative integer may be kUnsigned or kSigned, a number with a
// fraction or an exponent is kFloat.
struct JsonField {
  std::string_view key;
  JsonKind kind = JsonKind::kNull;
  std::string_view text;        // kString
  uint64_t unsigned_value = 0;  // kUnsigned
  int64_t signed_value = 0;     // kSigned
  bool bool_value = false;      // kBool
  // kArray: the number of elements and, when every element is a string, their texts.
  size_t array_size = 0;
  bool array_all_strings = true;
  std::vector<std::string_view> array_strings;
};
using JsonFields = std::vector<JsonField>;

// Parses `line` as one JSON object into its fields, in the order of the line. Invalid JSON, a line
// that is no object and a key given twice are InvalidInput with the message a user reads. The
// views stay valid until the next call on the same thread. Accepts exactly what nlohmann's strict
// parser accepts: what simdjson refuses is parsed again by nlohmann, whose message (or, where it
// accepts more, whose result) counts, so both parsers agree on every line.
Status ParseJsonObjectFields(std::string_view line, JsonFields* fields);

// The fields of `object`, which must be a JSON object, in nlohmann's (sorted) order; the views
// stay valid while `object` is unchanged.
Status FieldsOfJsonObject(const nlohmann::json& object, JsonFields* fields);

}  // namespace kasse
