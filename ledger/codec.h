// The stored form of an event: the bytes that the hash chain covers.
//
// Envelope, all integers little-endian (the grammar in schemas/STORAGE.md):
//
//   offset  size  field
//   0       4     magic "kev1"
//   4       1     envelope version, 1
//   5       2     type id (EventType; stable, never renumbered)
//   7       2     schema version of the body (its BOOST_CLASS_VERSION)
//   9       8     sequence number
//   17      32    SHA-256 of the previous event's stored bytes (zero for seq 1)
//   49      4     payload size in bytes
//   53      n     payload: a Boost.Serialization binary archive, no archive header, of
//                 StoredHeader (class version 1) followed by the body struct
//
// The envelope is kasse's own so that the chain, the type and the sequence never depend on Boost's
// internals; Boost encodes only the fields. A change to either must bump a version and keep the old
// decoder; tests/golden/ holds encoded bytes that every future version must decode.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/event.h"
#include "ledger/status.h"

namespace kasse {

inline constexpr uint8_t kEnvelopeVersion = 1;
inline constexpr size_t kEnvelopeHeaderSize = 53;
inline constexpr size_t kEventSizeMax = size_t{64} * 1024;  // a JSON line is at most 64 KiB too

struct Envelope {
  EventType type = EventType::kCategoryDefined;
  uint16_t schema_version = 0;
  uint64_t seq = 0;
  Sha256 prev_hash{};
  std::string_view payload;
};

// Encodes everything of `event` except `personal` (which is stored apart), chained to `prev_hash`.
// Writes the payload with StringOArchive (ledger/view_archive.h).
std::string EncodeEvent(const Event& event, const Sha256& prev_hash);
// The same into `*bytes` (replacing what it held), whose memory an appender reuses.
void EncodeEventInto(const Event& event, const Sha256& prev_hash, std::string* bytes);
// The same with Boost's own binary_oarchive, the reference that tests hold EncodeEvent to. Slower
// (a std::locale per event); not for production paths.
std::string EncodeEventWithBinaryOArchive(const Event& event, const Sha256& prev_hash);

// Splits stored bytes into envelope fields; Corruption naming the defect when malformed.
Status ParseEnvelope(std::string_view bytes, Envelope* envelope);

// Decodes stored bytes into `event` (without `personal`) and the hash of its predecessor.
// Refuses unknown types and schema versions newer than this build knows. Reuses the memory of
// what `event` holds; on error, `event` may be partly overwritten.
// Reads the payload with ViewIArchive (ledger/view_archive.h).
Status DecodeEvent(std::string_view bytes, Event* event, Sha256* prev_hash);
// The same for stored bytes that ParseEnvelope has split already (the prev_hash is the
// envelope's).
Status DecodeEnvelope(const Envelope& envelope, Event* event);
// The same with Boost's own binary_iarchive: the reference that tests and the decoder fuzzer hold
// DecodeEvent to. Slower (a std::locale per event); not for production paths.
Status DecodeEventWithBinaryIArchive(std::string_view bytes, Event* event, Sha256* prev_hash);

// Personal data is kept apart from the chain, one record per event, so that it can be erased. The
// event chains SHA-256(salt || text), where the salt is 16 random bytes that are erased with the
// text, so that a short name cannot be found by trying names against the digest afterwards.
//
// How a ledger stores the records is fixed by its format version (schemas/STORAGE.md):
//   format 1, every record:          salt (16 bytes) || text
//   format 2, a record with a salt:  0x01 || salt (16 bytes) || text
//             a record without:      0x02 || text
// In format 2 an append draws one salt per subject and stores it only in that subject's first
// record of the append; the subject's later records of the same append use it. A record without a
// salt uses the salt of the nearest earlier record of its subject that has one. Random salts are
// most of what personal data costs on disk: at 1M events format 1 took 17.8 bytes per event
// (docs/PERFORMANCE.md, "Storage").
inline constexpr size_t kPersonalSaltSize = 16;
using PersonalSalt = std::array<uint8_t, kPersonalSaltSize>;

enum class PersonalFormat : uint8_t {
  kSaltInEveryRecord = 1,  // ledger format version 1
  kSaltOncePerAppend = 2,  // ledger format version 2
};

// A record taken apart; `text` points into the record.
struct PersonalRecord {
  std::optional<PersonalSalt> salt;  // absent: the salt of an earlier record of the subject
  std::string_view text;
};

// `salt` may be null only in format 2 (a record that uses an earlier record's salt).
std::string EncodePersonal(PersonalFormat format, const PersonalSalt* salt, std::string_view text);
// Corruption when the record is too short or (format 2) its first byte is neither 0x01 nor 0x02.
Status ParsePersonal(PersonalFormat format, std::string_view record, PersonalRecord* parsed);
// The digest chained inside the event: SHA-256(salt || text).
Sha256 PersonalDigest(const PersonalSalt& salt, std::string_view text);

}  // namespace kasse
