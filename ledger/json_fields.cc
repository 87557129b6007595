#include "ledger/json_fields.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <nlohmann/json.hpp>
#include <string>

namespace kasse {

using nlohmann::json;

namespace {

// Builds the DOM like json::parse and counts the keys of the outermost object, so that a key given
// twice can be refused (the DOM keeps only the last). A parser callback would do the same at a
// tenth of the import's time.
class KeyCountingParser {
 public:
  using Dom = nlohmann::detail::json_sax_dom_parser<json>;
  explicit KeyCountingParser(json& result) : dom_(result, /*allow_exceptions_=*/false) {}
  size_t top_level_keys() const { return top_level_keys_; }

  bool null() { return dom_.null(); }
  bool boolean(bool value) { return dom_.boolean(value); }
  bool number_integer(json::number_integer_t value) { return dom_.number_integer(value); }
  bool number_unsigned(json::number_unsigned_t value) { return dom_.number_unsigned(value); }
  bool number_float(json::number_float_t value, const std::string& text) {
    return dom_.number_float(value, text);
  }
  bool string(std::string& value) { return dom_.string(value); }
  bool binary(json::binary_t& value) { return dom_.binary(value); }
  bool start_object(std::size_t size) {
    ++depth_;
    return dom_.start_object(size);
  }
  bool key(std::string& value) {
    if (depth_ == 1) ++top_level_keys_;
    return dom_.key(value);
  }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t size) {
    ++depth_;
    return dom_.start_array(size);
  }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  bool parse_error(std::size_t position, const std::string& token,
                   const nlohmann::detail::exception& error) {
    return dom_.parse_error(position, token, error);
  }

 private:
  Dom dom_;
  int depth_ = 0;
  size_t top_level_keys_ = 0;
};

Status NotAnObject() {
  return Status::InvalidInput("a line must be one JSON object");
}
Status KeyGivenTwice() {
  return Status::InvalidInput("a field appears twice in the line");
}

// The slow path, for what simdjson refuses: nlohmann's strict parser, into `*object`.
Status ParseWithNlohmann(std::string_view line, json* object, JsonFields* fields) {
  KeyCountingParser parser(*object);
  const bool parsed = json::sax_parse(line, &parser, json::input_format_t::json, /*strict=*/true);
  if (!parsed) {
    // Parse again for the message: only broken input pays for the exception.
    try {
      const json ignored = json::parse(line);
      (void)ignored;
    } catch (const json::exception& error) {  // parse_error, or out_of_range: "1e999"
      return Status::InvalidInput(fmt::format("not valid JSON: {}", error.what()));
    }
    return Status::InvalidInput("not valid JSON");
  }
  if (!object->is_object()) return NotAnObject();
  // nlohmann keeps the last of duplicate keys silently; a ledger must not guess which was meant.
  if (parser.top_level_keys() != object->size()) return KeyGivenTwice();
  return FieldsOfJsonObject(*object, fields);
}

void ReadSimdjsonValue(simdjson::dom::element value, JsonField* field) {
  using Type = simdjson::dom::element_type;
  switch (value.type()) {
    case Type::STRING:
      field->kind = JsonKind::kString;
      field->text = value.get_string().value_unsafe();
      break;
    case Type::INT64:
      field->kind = JsonKind::kSigned;
      field->signed_value = value.get_int64().value_unsafe();
      break;
    case Type::UINT64:
      field->kind = JsonKind::kUnsigned;
      field->unsigned_value = value.get_uint64().value_unsafe();
      break;
    case Type::DOUBLE:
      field->kind = JsonKind::kFloat;
      break;
    case Type::BOOL:
      field->kind = JsonKind::kBool;
      field->bool_value = value.get_bool().value_unsafe();
      break;
    case Type::NULL_VALUE:
      field->kind = JsonKind::kNull;
      break;
    case Type::OBJECT:
      field->kind = JsonKind::kObject;
      break;
    case Type::ARRAY: {
      field->kind = JsonKind::kArray;
      simdjson::dom::array array;  // named: a range-for over a temporary's member would dangle
      if (value.get_array().get(array) != simdjson::SUCCESS) break;  // it is one: see type()
      for (simdjson::dom::element item : array) {
        ++field->array_size;
        std::string_view text;
        if (item.get_string().get(text) == simdjson::SUCCESS) {
          field->array_strings.push_back(text);
        } else {
          field->array_all_strings = false;
        }
      }
      break;
    }
  }
}

}  // namespace

Status ParseJsonObjectFields(std::string_view line, JsonFields* fields) {
  fields->clear();
  // simdjson reads up to SIMDJSON_PADDING bytes past the end of its input.
  thread_local std::string padded;
  padded.reserve(line.size() + simdjson::SIMDJSON_PADDING);
  padded.assign(line);
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(padded.data(), padded.size(), /*realloc_if_needed=*/false).get(root) !=
      simdjson::SUCCESS) {
    thread_local json fallback;
    fallback = json();
    return ParseWithNlohmann(line, &fallback, fields);
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return NotAnObject();
  for (const simdjson::dom::key_value_pair member : object) {
    for (const JsonField& earlier : *fields) {
      if (earlier.key == member.key) return KeyGivenTwice();
    }
    JsonField& field = fields->emplace_back();
    field.key = member.key;
    ReadSimdjsonValue(member.value, &field);
  }
  return Status::Ok();
}

Status FieldsOfJsonObject(const json& object, JsonFields* fields) {
  fields->clear();
  if (!object.is_object()) return NotAnObject();
  for (auto it = object.begin(); it != object.end(); ++it) {
    JsonField& field = fields->emplace_back();
    field.key = it.key();
    const json& value = it.value();
    if (value.is_string()) {
      field.kind = JsonKind::kString;
      field.text = value.get_ref<const std::string&>();
    } else if (value.is_number_unsigned()) {
      field.kind = JsonKind::kUnsigned;
      field.unsigned_value = value.get<uint64_t>();
    } else if (value.is_number_integer()) {
      field.kind = JsonKind::kSigned;
      field.signed_value = value.get<int64_t>();
    } else if (value.is_number_float()) {
      field.kind = JsonKind::kFloat;
    } else if (value.is_boolean()) {
      field.kind = JsonKind::kBool;
      field.bool_value = value.get<bool>();
    } else if (value.is_object()) {
      field.kind = JsonKind::kObject;
    } else if (value.is_array()) {
      field.kind = JsonKind::kArray;
      field.array_size = value.size();
      for (const json& item : value) {
        if (item.is_string()) {
          field.array_strings.push_back(item.get_ref<const std::string&>());
        } else {
          field.array_all_strings = false;
        }
      }
    } else {
      field.kind =
          JsonKind::kNull;  // also nlohmann's "discarded" and binary, which parse never makes
    }
  }
  return Status::Ok();
}

}  // namespace kasse
