// The contract's JSON-lines form of events (docs: schemas/README.md, one JSON Schema per type).
// Parsing is strict: unknown fields, wrong JSON types and values out of range are errors whose
// message names the field; the caller adds file and line.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "ledger/event.h"
#include "ledger/status.h"

namespace kasse {

// Limits of the format, shared with the JSON Schemas.
inline constexpr size_t kLineBytesMax = 64 * 1024;
inline constexpr size_t kIdCharsMax = 64;
inline constexpr size_t kNoteCharsMax = 1000;
inline constexpr size_t kNameCharsMax = 200;
inline constexpr size_t kLabelCharsMax = 100;  // category, group, project, document
inline constexpr int32_t kCoversYearsMax = 10;
inline constexpr size_t kTaxTextCharsMax = 200;      // tax_data.recorded fields but the two below
inline constexpr size_t kTaxLinesCharsMax = 500;     // tax_data.recorded address and purposes
inline constexpr size_t kAddressCharsMax = 500;      // receipt.issued donor_address
inline constexpr int32_t kReceiptsPerYearMax = 999;  // receipt numbers "2022-001" to "2022-999"

// Parses one JSON object (one line) into `event`. The fields the ledger adds (seq, recorded_at,
// recorded_by, prev_hash, hash) are accepted and ignored, so that `kasse log --json` re-imports.
// On error, `event` holds some of the fields read: callers discard it.
Status ParseEventJson(std::string_view line, Event* event);
Status EventFromJson(const nlohmann::json& object, Event* event);

// The contract's JSON object of a recorded event, with the ledger-added fields.
nlohmann::ordered_json EventToJson(const Event& event, const Sha256& prev_hash, const Sha256& hash);

// Checks the shared value rules; used by the JSON parser and the recording commands alike.
Status CheckIdSyntax(std::string_view field, std::string_view value);
Status CheckText(std::string_view field, std::string_view value, size_t chars_max, bool multiline);
Status ParseCovers(std::string_view text, int32_t* first_year, int32_t* last_year);
std::string FormatCovers(int32_t first_year, int32_t last_year);
bool SphereFromName(std::string_view name, Sphere* sphere);
bool DirectionFromName(std::string_view name, Direction* direction);
bool MemberKindFromName(std::string_view name, MemberKind* kind);
bool DonationKindFromName(std::string_view name, DonationKind* kind);
// Checks a receipt number "2022-001" (the year, a dash, 001 to 999) against the receipt's year.
Status CheckReceiptNumber(std::string_view number, int32_t year);

// "2026-11-28T01:51:31.123Z".
std::string FormatTimestamp(int64_t unix_ms);
// Parses an RFC 3339 timestamp ("2023-03-31T18:00:00Z", "...T18:00:00.5+02:00") or a date
// ("2023-03-31", meaning the end of that day, UTC).
Status ParseTimestamp(std::string_view text, int64_t* unix_ms);

}  // namespace kasse
