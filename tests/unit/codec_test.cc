// The stored event format: round trips, refusal of damage, and the golden fixture that pins the
// bytes. If GoldenFixture fails, the stored format changed: old ledgers would no longer verify.
// Do not regenerate the fixture to make it pass; bump the class or envelope version instead, keep
// the old decoding, and add a new fixture beside the old one (schemas/STORAGE.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ledger/codec.h"
#include "ledger/hash.h"
#include "tests/support/run.h"

namespace kasse {
namespace {

Event Base(std::string id, EventBody body) {
  Event event;
  event.id = std::move(id);
  event.date = Date{2022, 3, 1};
  event.document = "B-2022-017";
  event.note = "Notiz";
  event.body = std::move(body);
  event.recorded_at_unix_ms = 1669852800123;
  event.recorded_by = "kassenwart";
  return event;
}

// One event of every type, with every optional field used somewhere.
std::vector<Event> FixtureEvents() {
  std::vector<Event> events = {
      Base("c1", CategoryDefined{"Hardware", Direction::kExpense, Sphere::kIdeal,
                                 "Ausgaben für Satzungszwecke"}),
      Base("m1", MemberJoined{"M-0001", MemberKind::kInstitutional}),
      Base("m2", MemberChanged{"M-0001", MemberKind::kPersonal}),
      Base("m3", MemberLeft{"M-0001", "Umzug"}),
      Base("d1", DuesPaid{"M-0001", 60000, 2022, 2025}),
      Base("s1", DonationReceived{9000000, DonationKind::kInKind, "M-0001"}),
      Base("i1", IncomeReceived{"Zinsen", 1250}),
      Base("e1", ExpensePaid{"Hardware", 12990, "Projekt X"}),
      Base("r1", EntryReversed{"e1", "doppelt gebucht"}),
      Base("y1", YearClosed{2022}),
      Base("a1", AuditSealed{9, Sha256{1, 2, 3}}),
      Base("k1", DatevAccountMapped{"Hardware", DatevChart::kSkr49, "2501"}),
      Base("t1", TaxDataRecorded{"NExT e.V.", "Musterstraße 1\n10115 Berlin",
                                 "Finanzamt für Körperschaften I", "27/640/12345",
                                 ExemptionNotice::kExemption, Date{2021, 8, 15}, "2017-2019",
                                 "Förderung der Volks- und Berufsbildung", "Berlin"}),
      Base("q1", ReceiptIssued{"2021-007",
                               2021,
                               ReceiptForm::kInKind,
                               {"s1", "s2"},
                               9000000,
                               "t1",
                               InKindOrigin::kBusiness,
                               true,
                               Sha256{9, 8, 7}}),
  };
  for (size_t i = 0; i < events.size(); ++i) {
    events[i].seq = i + 1;
    if (i == 1 || i == 5 || i == 10 || i == 13) {  // events with personal data carry a subject
      events[i].subject = "m:M-0001";
      for (size_t b = 0; b < 32; ++b)
        events[i].personal_digest[b] = static_cast<uint8_t>(b * 7 + i);
    }
  }
  return events;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (char c : bytes) {
    hex += kDigits[static_cast<uint8_t>(c) >> 4];
    hex += kDigits[static_cast<uint8_t>(c) & 0x0f];
  }
  return hex;
}

// The fixture: one line per event, the stored bytes in hex, chained from the zero hash.
std::string EncodeFixture() {
  std::string lines;
  Sha256 prev{};
  for (const Event& event : FixtureEvents()) {
    const std::string bytes = EncodeEvent(event, prev);
    lines += Hex(bytes) + "\n";
    prev = ComputeSha256(bytes);
  }
  return lines;
}

std::string Unhex(std::string_view hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

const char kFixturePath[] = "tests/golden/events-v1.hex";

TEST(Codec, RoundTripsEveryType) {
  Sha256 prev{};
  prev[0] = 0xab;
  for (const Event& event : FixtureEvents()) {
    const std::string bytes = EncodeEvent(event, prev);
    Event decoded;
    Sha256 decoded_prev;
    ASSERT_TRUE(DecodeEvent(bytes, &decoded, &decoded_prev).ok()) << event.id;
    EXPECT_TRUE(SameClientContent(event, decoded)) << event.id;
    EXPECT_EQ(decoded.seq, event.seq);
    EXPECT_EQ(decoded.recorded_at_unix_ms, event.recorded_at_unix_ms);
    EXPECT_EQ(decoded.recorded_by, event.recorded_by);
    EXPECT_EQ(decoded.subject, event.subject);
    EXPECT_EQ(decoded.personal_digest, event.personal_digest);
    EXPECT_EQ(decoded_prev, prev);
  }
}

TEST(Codec, KeepsPersonalDataOutOfTheChainedBytes) {
  Event event = FixtureEvents()[1];
  event.personal = "Erika Mustermann";
  const std::string bytes = EncodeEvent(event, Sha256{});
  EXPECT_EQ(bytes.find("Erika"), std::string::npos);
}

TEST(Codec, GoldenFixture) {
  const std::string path = test::SourcePath(kFixturePath);
  if (std::getenv("KASSE_WRITE_GOLDEN") != nullptr) test::WriteFile(path, EncodeFixture());
  const std::string golden = test::ReadFile(path);
  ASSERT_FALSE(golden.empty()) << "missing " << path;
  EXPECT_EQ(EncodeFixture(), golden) << "the stored event format changed";
  // Every future version must decode these bytes to the same events.
  std::istringstream lines(golden);
  std::string line;
  const std::vector<Event> expected = FixtureEvents();
  size_t index = 0;
  Sha256 prev{};
  while (std::getline(lines, line)) {
    ASSERT_LT(index, expected.size());
    const std::string bytes = Unhex(line);
    Event decoded;
    Sha256 decoded_prev;
    ASSERT_TRUE(DecodeEvent(bytes, &decoded, &decoded_prev).ok()) << "line " << index + 1;
    EXPECT_TRUE(SameClientContent(decoded, expected[index])) << "line " << index + 1;
    EXPECT_EQ(decoded_prev, prev) << "line " << index + 1;
    prev = ComputeSha256(bytes);
    ++index;
  }
  EXPECT_EQ(index, expected.size());
}

// Everything DecodeEvent restores (the personal digest is stored only with a subject).
bool SameStoredEvent(const Event& a, const Event& b) {
  return SameClientContent(a, b) && a.seq == b.seq &&
         a.recorded_at_unix_ms == b.recorded_at_unix_ms && a.recorded_by == b.recorded_by &&
         a.subject == b.subject && a.personal_digest == b.personal_digest;
}

// ViewIArchive (ledger/view_archive.h) must read exactly what Boost's binary_iarchive reads: the
// golden events and every one-byte change of them (a flipped bit, a zero, 0xff) decode the same
// way with both, or fail with both.
TEST(Codec, ViewArchiveDecodesLikeBinaryIArchive) {
  const std::string golden = test::ReadFile(test::SourcePath(kFixturePath));
  std::istringstream lines(golden);
  std::string line;
  size_t variants = 0;
  size_t decoded_variants = 0;
  while (std::getline(lines, line)) {
    const std::string original = Unhex(line);
    for (size_t offset = kEnvelopeHeaderSize; offset < original.size(); ++offset) {
      struct Change {
        bool flip;  // XOR with `bits`, else set to `bits`
        uint8_t bits;
      };
      for (const Change change :
           {Change{true, 0x01}, Change{true, 0x80}, Change{false, 0x00}, Change{false, 0xff}}) {
        std::string bytes = original;
        const auto byte = static_cast<uint8_t>(bytes[offset]);
        bytes[offset] = static_cast<char>(change.flip ? byte ^ change.bits : change.bits);
        // A changed string length may claim gigabytes: codec.cc refuses it before either archive
        // allocates (RefusesAStringLengthLongerThanAnEvent).
        Event view;
        Event reference;
        Sha256 view_prev{};
        Sha256 reference_prev{};
        const Status view_status = DecodeEvent(bytes, &view, &view_prev);
        const Status reference_status =
            DecodeEventWithBinaryIArchive(bytes, &reference, &reference_prev);
        ASSERT_EQ(view_status.code(), reference_status.code())
            << "offset " << offset << ": " << view_status.message() << " / "
            << reference_status.message();
        ++variants;
        if (!view_status.ok()) continue;
        ++decoded_variants;
        EXPECT_TRUE(SameStoredEvent(view, reference)) << "offset " << offset;
        EXPECT_EQ(view_prev, reference_prev);
      }
    }
  }
  EXPECT_GT(variants, 5000u);
  EXPECT_GT(decoded_variants, 1000u);  // many changes only alter a character or a number
}

// StringOArchive (ledger/view_archive.h) must write exactly what Boost's binary_oarchive writes:
// every event type, with empty, long (a length above 255) and non-ASCII strings, with and without
// a subject and digest.
// `event` with its optional header fields empty and a default body of its type: every string
// empty, every number zero.
Event Blank(const Event& event) {
  Event blank = event;
  blank.document.clear();
  blank.note.clear();
  std::visit([&blank](const auto& body) { blank.body = std::decay_t<decltype(body)>{}; },
             event.body);
  return blank;
}

// A replay's reader decodes into the events it decoded before (LoadBody keeps the alternative and
// the strings of the same type): every field must still come from the new bytes. Each golden
// event and a blank one of its type are decoded, in turns, into one reused event, after events of
// every other type, and must equal a fresh decode of the same bytes.
TEST(Codec, DecodingIntoAReusedEventEqualsAFreshDecode) {
  std::vector<std::string> stored;
  for (const Event& event : FixtureEvents()) {
    stored.push_back(EncodeEvent(event, Sha256{}));
    stored.push_back(EncodeEvent(Blank(event), Sha256{}));
    stored.push_back(EncodeEvent(event, Sha256{}));
  }
  Event reused;
  for (const std::string& bytes : stored) {
    Event fresh;
    Sha256 fresh_prev{};
    Sha256 reused_prev{};
    ASSERT_TRUE(DecodeEvent(bytes, &fresh, &fresh_prev).ok());
    ASSERT_TRUE(DecodeEvent(bytes, &reused, &reused_prev).ok());
    EXPECT_TRUE(SameStoredEvent(reused, fresh)) << "event " << fresh.id;
  }
}

// ReadAhead hands spent events back by swap(Event&, Event&), member by member.
TEST(Codec, SwapExchangesEveryMemberOfTwoEvents) {
  const std::vector<Event> events = FixtureEvents();
  ASSERT_GE(events.size(), 2u);
  Event a = events.front();
  Event b = events.back();
  // Every member differs between the two.
  a.seq = 7;
  a.personal = "Erika Mustermann";
  a.recorded_at_unix_ms = 1;
  a.recorded_by = "kassenwart";
  a.subject = "subject-a";
  a.personal_digest[0] = 0x0a;
  a.document = "B-1";
  a.note = "";
  b.seq = 9;
  b.date = Date{2023, 12, 31};
  b.personal.reset();
  b.recorded_at_unix_ms = 2;
  b.recorded_by = "pruefer";
  b.subject = "";
  b.personal_digest[0] = 0x0b;
  b.document = "";
  b.note = "Notiz";
  ASSERT_NE(a.id, b.id);
  ASSERT_NE(a.date, b.date);
  ASSERT_NE(a.body.index(), b.body.index());
  const Event a_before = a;
  const Event b_before = b;
  swap(a, b);
  EXPECT_TRUE(SameStoredEvent(a, b_before) && a.personal == b_before.personal);
  EXPECT_TRUE(SameStoredEvent(b, a_before) && b.personal == a_before.personal);
}

TEST(Codec, StringArchiveEncodesLikeBinaryOArchive) {
  Sha256 prev{};
  prev[31] = 0x5a;
  size_t compared = 0;
  for (const Event& fixture : FixtureEvents()) {
    for (int variant = 0; variant < 3; ++variant) {
      Event event = fixture;
      if (variant == 1) {
        event.note = std::string(300, 'x') + " Grüße €";
        event.subject = "p:0123456789abcdef01234567";
        event.personal_digest[0] = 0xff;
        event.personal_digest[31] = 0x01;
      } else if (variant == 2) {
        event.note.clear();
        event.document.clear();
        event.recorded_by.clear();
      }
      const std::string bytes = EncodeEvent(event, prev);
      EXPECT_EQ(bytes, EncodeEventWithBinaryOArchive(event, prev))
          << event.id << " variant " << variant;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 3 * FixtureEvents().size());
}

TEST(Codec, RefusesDamage) {
  const std::string bytes = EncodeEvent(FixtureEvents()[7], Sha256{});
  Event decoded;
  Sha256 prev;
  EXPECT_EQ(DecodeEvent(bytes.substr(0, 20), &decoded, &prev).code(), Status::Code::kCorruption);
  std::string bad_magic = bytes;
  bad_magic[0] = 'x';
  EXPECT_EQ(DecodeEvent(bad_magic, &decoded, &prev).code(), Status::Code::kCorruption);
  std::string bad_type = bytes;
  bad_type[5] = 99;
  EXPECT_NE(DecodeEvent(bad_type, &decoded, &prev).message().find("unknown type"),
            std::string::npos);
  std::string truncated = bytes.substr(0, bytes.size() - 3);
  EXPECT_EQ(DecodeEvent(truncated, &decoded, &prev).code(), Status::Code::kCorruption);
  std::string longer = bytes + "x";
  EXPECT_EQ(DecodeEvent(longer, &decoded, &prev).code(), Status::Code::kCorruption);
}

TEST(Codec, RefusesANewerSchemaVersion) {
  std::string bytes = EncodeEvent(FixtureEvents()[7], Sha256{});
  bytes[7] = 2;  // schema version 2 of expense.paid, which this build does not know
  Event decoded;
  Sha256 prev;
  const Status status = DecodeEvent(bytes, &decoded, &prev);
  EXPECT_EQ(status.code(), Status::Code::kCorruption);
  EXPECT_NE(status.message().find("newer"), std::string::npos) << status.message();
}

TEST(Codec, RefusesANewerBoostClassVersionInsideThePayload) {
  // Boost 1.74 writes, before StoredHeader's fields, its class info: a 1-byte tracking flag, then
  // the class version as a 4-byte little-endian number (pinned by the golden fixture). Boost itself
  // would load a newer version silently; serialize() must refuse it.
  const std::string bytes = EncodeEvent(FixtureEvents()[7], Sha256{});
  const size_t version_offset = kEnvelopeHeaderSize + 1;
  ASSERT_EQ(bytes[version_offset], 1) << "the header's class version is no longer where expected";
  std::string newer = bytes;
  newer[version_offset] = 2;
  Event decoded;
  Sha256 prev;
  const Status status = DecodeEvent(newer, &decoded, &prev);
  EXPECT_EQ(status.code(), Status::Code::kCorruption);
  EXPECT_NE(status.message().find("class version"), std::string::npos) << status.message();
}

// The tracking byte before the header's class version and the one before the body's: kasse writes
// no tracked object, and ViewIArchive refuses a byte that says one is (view_archive.h).
// Where the body's class preamble starts in `event`'s stored bytes: after the envelope, the
// header's preamble (a tracking byte and a 4-byte class version) and the header's fields (strings
// as an 8-byte length and their bytes, the date as 4 bytes, recorded_at as 8), as the golden
// fixture pins them.
size_t BodyOffsetOf(const Event& event) {
  const size_t kLength = 8;
  return kEnvelopeHeaderSize + 1 + 4 + (kLength + event.id.size()) + 4 +
         (kLength + event.document.size()) + (kLength + event.note.size()) + 8 +
         (kLength + event.recorded_by.size()) + (kLength + event.subject.size()) +
         (kLength + (event.subject.empty() ? 0 : 32));
}

TEST(Codec, RefusesAnObjectMarkedAsTracked) {
  const Event event = FixtureEvents()[7];
  const std::string bytes = EncodeEvent(event, Sha256{});
  for (const size_t offset : {kEnvelopeHeaderSize, BodyOffsetOf(event)}) {
    ASSERT_LT(offset + 1, bytes.size());
    ASSERT_EQ(bytes[offset], 0) << "no preamble at " << offset;
    ASSERT_EQ(bytes[offset + 1], 1) << "no class version 1 at " << offset + 1;
    std::string tracked = bytes;
    tracked[offset] = 1;
    Event decoded;
    Sha256 prev;
    const Status status = DecodeEvent(tracked, &decoded, &prev);
    EXPECT_EQ(status.code(), Status::Code::kCorruption) << offset;
    EXPECT_NE(status.message().find("marked as tracked"), std::string::npos) << status.message();
  }
}

// A refused field is named in the message that verify shows, not "unknown derived exception"
// (Boost's text for every exception of its own other_exception code).
TEST(Codec, NamesWhatIsWrongWithAStoredField) {
  Event event;
  for (const Event& fixture : FixtureEvents()) {
    if (std::holds_alternative<CategoryDefined>(fixture.body)) event = fixture;
  }
  ASSERT_TRUE(std::holds_alternative<CategoryDefined>(event.body));
  std::string bytes = EncodeEvent(event, Sha256{});
  // The body: its preamble (5 bytes), the category (8-byte length and bytes), then the direction.
  const size_t direction_offset =
      BodyOffsetOf(event) + 5 + 8 + std::get<CategoryDefined>(event.body).category.size();
  ASSERT_LT(static_cast<uint8_t>(bytes[direction_offset]), 2);
  bytes[direction_offset] = 7;
  Event decoded;
  Sha256 prev;
  const Status status = DecodeEvent(bytes, &decoded, &prev);
  EXPECT_EQ(status.code(), Status::Code::kCorruption);
  EXPECT_NE(status.message().find("enum value out of range"), std::string::npos)
      << status.message();
}

// Found by tests/fuzz/fuzz_decode_event: a golden event whose note length claims 3 GiB. Boost
// would allocate that much before failing; the decoder must refuse the length first.
TEST(Codec, RefusesAStringLengthLongerThanAnEvent) {
  const std::string bytes = Unhex(
      "6b657631010100010001000000000000000000000000000000000000000000000000000000000000000000000000"
      "000000970000000001000000020000000000000063318d8934010a00000000000000422d323032322d3031370000"
      "00c0000000004e6f74697a7ba4fbca840100000a000000000000006b617373656e77617274000000000000000000"
      "0000000000000000010000000800000000000000486172647761726501001c00000000000000417573676162656e"
      "2066c3bc72205361747a756e67737a7765636b65");
  Event decoded;
  Sha256 prev;
  const Status status = DecodeEvent(bytes, &decoded, &prev);
  EXPECT_EQ(status.code(), Status::Code::kCorruption);
  EXPECT_NE(status.message().find("does not decode: string longer than an event"),
            std::string::npos)
      << status.message();
}

TEST(Personal, DigestCoversSaltAndText) {
  const PersonalSalt salt_a = {1};
  const PersonalSalt salt_b = {2};
  EXPECT_NE(PersonalDigest(salt_a, "Erika"), PersonalDigest(salt_b, "Erika"));
  EXPECT_NE(PersonalDigest(salt_a, "Erika"), PersonalDigest(salt_a, "Erikb"));
  // SHA-256(salt || text), as format 1 stored it: the digest of the whole record.
  const std::string record = EncodePersonal(PersonalFormat::kSaltInEveryRecord, &salt_a, "Erika");
  EXPECT_EQ(PersonalDigest(salt_a, "Erika"), ComputeSha256(record));
}

TEST(Personal, FormatOneRecordIsSaltThenText) {
  const PersonalSalt salt = {7, 8, 9};
  const std::string record = EncodePersonal(PersonalFormat::kSaltInEveryRecord, &salt, "Erika");
  ASSERT_EQ(record.size(), kPersonalSaltSize + 5);
  PersonalRecord parsed;
  ASSERT_TRUE(ParsePersonal(PersonalFormat::kSaltInEveryRecord, record, &parsed).ok());
  ASSERT_TRUE(parsed.salt.has_value());
  EXPECT_EQ(*parsed.salt, salt);
  EXPECT_EQ(parsed.text, "Erika");
  const Status status = ParsePersonal(PersonalFormat::kSaltInEveryRecord, "short", &parsed);
  EXPECT_EQ(status.code(), Status::Code::kCorruption);
  EXPECT_NE(status.message().find("shorter than its salt"), std::string::npos);
}

TEST(Personal, FormatTwoRecordsWithAndWithoutSalt) {
  const PersonalSalt salt = {7, 8, 9};
  const auto format = PersonalFormat::kSaltOncePerAppend;
  const std::string with_salt = EncodePersonal(format, &salt, "Erika");
  const std::string without = EncodePersonal(format, nullptr, "Erika");
  ASSERT_EQ(with_salt.size(), 1 + kPersonalSaltSize + 5);
  EXPECT_EQ(with_salt[0], '\x01');
  EXPECT_EQ(without, std::string("\x02") + "Erika");
  PersonalRecord parsed;
  ASSERT_TRUE(ParsePersonal(format, with_salt, &parsed).ok());
  ASSERT_TRUE(parsed.salt.has_value());
  EXPECT_EQ(*parsed.salt, salt);
  EXPECT_EQ(parsed.text, "Erika");
  ASSERT_TRUE(ParsePersonal(format, without, &parsed).ok());
  EXPECT_FALSE(parsed.salt.has_value());
  EXPECT_EQ(parsed.text, "Erika");
}

TEST(Personal, FormatTwoRefusesMalformedRecords) {
  const auto format = PersonalFormat::kSaltOncePerAppend;
  PersonalRecord parsed;
  EXPECT_NE(ParsePersonal(format, "", &parsed).message().find("empty"), std::string::npos);
  EXPECT_NE(ParsePersonal(format,
                          "\x03"
                          "Erika",
                          &parsed)
                .message()
                .find("unknown kind 3"),
            std::string::npos);
  EXPECT_NE(ParsePersonal(format, "\x01short", &parsed).message().find("shorter than its salt"),
            std::string::npos);
}

}  // namespace
}  // namespace kasse
