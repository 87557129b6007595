#include "ledger/codec.h"

#include <fmt/format.h>

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/tracking.hpp>
#include <boost/serialization/version.hpp>
#include <cassert>
#include <cstring>
#include <streambuf>
#include <string_view>

#include "ledger/hash.h"
#include "ledger/view_archive.h"

namespace kasse {

// The ledger-added and client-given fields common to all types, as stored in the payload:
// loaded straight into the event's strings (StoredHeaderInto), written from views into the event
// (StoredHeaderView), in the same bytes (the golden fixtures hold both to them). Copying each
// string into a header of its own was a fifth of encoding at 1M events, and swapping the loaded
// strings into the event 6 % of a replay's samples (perf).
template <class Text>
struct BasicStoredHeader {
  Text id;
  int32_t date_yyyymmdd = 0;
  Text document;
  Text note;
  int64_t recorded_at_unix_ms = 0;
  Text recorded_by;
  Text subject;
  Text personal_digest;  // 32 bytes, or empty when the event has no personal data
};
using StoredHeaderInto = BasicStoredHeader<std::string&>;
using StoredHeaderView = BasicStoredHeader<std::string_view>;

}  // namespace kasse

// Explicit class versions. Bump one with every change of its struct's stored fields, keep the old
// branch in serialize(), and add a golden fixture of the old version (tests/golden/).
BOOST_CLASS_VERSION(kasse::StoredHeaderInto, 1)
BOOST_CLASS_VERSION(kasse::StoredHeaderView, 1)  // always StoredHeaderInto's: the same bytes
BOOST_CLASS_VERSION(kasse::CategoryDefined, 1)
BOOST_CLASS_VERSION(kasse::MemberJoined, 1)
BOOST_CLASS_VERSION(kasse::MemberChanged, 1)
BOOST_CLASS_VERSION(kasse::MemberLeft, 1)
BOOST_CLASS_VERSION(kasse::DuesPaid, 1)
BOOST_CLASS_VERSION(kasse::DonationReceived, 1)
BOOST_CLASS_VERSION(kasse::IncomeReceived, 1)
BOOST_CLASS_VERSION(kasse::ExpensePaid, 1)
BOOST_CLASS_VERSION(kasse::EntryReversed, 1)
BOOST_CLASS_VERSION(kasse::YearClosed, 1)
BOOST_CLASS_VERSION(kasse::AuditSealed, 1)
BOOST_CLASS_VERSION(kasse::DatevAccountMapped, 1)
BOOST_CLASS_VERSION(kasse::TaxDataRecorded, 1)
BOOST_CLASS_VERSION(kasse::ReceiptIssued, 1)
// Events are values, never shared pointers: object tracking would only cost bytes.
BOOST_CLASS_TRACKING(kasse::StoredHeaderInto, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::StoredHeaderView, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::CategoryDefined, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::MemberJoined, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::MemberChanged, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::MemberLeft, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::DuesPaid, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::DonationReceived, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::IncomeReceived, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::ExpensePaid, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::EntryReversed, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::YearClosed, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::AuditSealed, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::DatevAccountMapped, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::TaxDataRecorded, boost::serialization::track_never)
BOOST_CLASS_TRACKING(kasse::ReceiptIssued, boost::serialization::track_never)

namespace boost::serialization {

// Boost 1.74 loads a record of a newer class version without complaint; refuse it here.
inline void RefuseNewerVersion(unsigned int stored_version, unsigned int known_version) {
  if (stored_version > known_version) {
    throw boost::archive::archive_exception(
        boost::archive::archive_exception::unsupported_class_version);
  }
}

// Enums are stored as one byte; a byte out of range is corruption.
template <class Archive, class Enum>
void SerializeEnum(Archive& archive, Enum& value, uint8_t max) {
  uint8_t stored = static_cast<uint8_t>(value);
  archive& stored;
  if (stored > max) {
    throw kasse::StoredFieldError("enum value out of range");
  }
  value = static_cast<Enum>(stored);
}

// Boost's binary archive loads a std::string by resizing it to the 8-byte length it reads, before
// reading the bytes: a damaged length would allocate up to that many bytes. Strings are loaded
// here with the same layout (a std::size_t length, then the bytes) and the length checked first.
template <class Archive>
void SerializeString(Archive& archive, std::string& value) {
  if constexpr (Archive::is_saving::value) {
    archive& value;
  } else {
    std::size_t size = 0;
    archive.load_binary(&size, sizeof(size));
    if (size > kasse::kEventSizeMax) {
      throw kasse::StoredFieldError("string longer than an event");
    }
    value.resize(size);
    if (size > 0) archive.load_binary(value.data(), size);
  }
}

// Writes a string as SerializeString writes a std::string; views are only written.
template <class Archive>
void SerializeString(Archive& archive, std::string_view& value) {
  static_assert(Archive::is_saving::value, "a std::string_view is only written");
  const std::size_t size = value.size();
  archive.save_binary(&size, sizeof(size));
  if (size > 0) archive.save_binary(value.data(), size);
}

template <class Archive, class Text>
void serialize(Archive& archive, kasse::BasicStoredHeader<Text>& header,
               const unsigned int version) {
  RefuseNewerVersion(version, 1);
  SerializeString(archive, header.id);
  archive& header.date_yyyymmdd;
  SerializeString(archive, header.document);
  SerializeString(archive, header.note);
  archive& header.recorded_at_unix_ms;
  SerializeString(archive, header.recorded_by);
  SerializeString(archive, header.subject);
  SerializeString(archive, header.personal_digest);
}

template <class Archive>
void serialize(Archive& archive, kasse::CategoryDefined& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  SerializeString(archive, body.category);
  SerializeEnum(archive, body.direction, 1);
  SerializeEnum(archive, body.sphere, 3);
  SerializeString(archive, body.group);
}

template <class Archive>
void serialize(Archive& archive, kasse::MemberJoined& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  SerializeString(archive, body.member);
  SerializeEnum(archive, body.kind, 1);
}

template <class Archive>
void serialize(Archive& archive, kasse::MemberChanged& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  SerializeString(archive, body.member);
  // 0: kind unchanged, 1: personal, 2: institutional.
  uint8_t kind = body.kind ? static_cast<uint8_t>(*body.kind) + 1 : 0;
  archive& kind;
  if (kind > 2) {
    throw kasse::StoredFieldError("member kind out of range");
  }
  body.kind = kind == 0 ? std::nullopt : std::optional(static_cast<kasse::MemberKind>(kind - 1));
}

template <class Archive>
void serialize(Archive& archive, kasse::MemberLeft& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  SerializeString(archive, body.member);
  SerializeString(archive, body.reason);
}

template <class Archive>
void serialize(Archive& archive, kasse::DuesPaid& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  SerializeString(archive, body.member);
  archive& body.amount_cents& body.covers_first_year& body.covers_last_year;
}

template <class Archive>
void serialize(Archive& archive, kasse::DonationReceived& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  archive& body.amount_cents;
  SerializeEnum(archive, body.kind, 1);
  SerializeString(archive, body.member);
}

template <class Archive>
void serialize(Archive& archive, kasse::IncomeReceived& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  SerializeString(archive, body.category);
  archive& body.amount_cents;
}

template <class Archive>
void serialize(Archive& archive, kasse::ExpensePaid& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  SerializeString(archive, body.category);
  archive& body.amount_cents;
  SerializeString(archive, body.project);
}

template <class Archive>
void serialize(Archive& archive, kasse::EntryReversed& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  SerializeString(archive, body.reverses);
  SerializeString(archive, body.reason);
}

template <class Archive>
void serialize(Archive& archive, kasse::YearClosed& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  archive& body.year;
}

template <class Archive>
void serialize(Archive& archive, kasse::AuditSealed& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  std::string hash(body.covers_hash.begin(), body.covers_hash.end());
  archive& body.covers_seq;
  SerializeString(archive, hash);
  if (hash.size() != body.covers_hash.size()) {
    throw kasse::StoredFieldError("sealed hash is not 32 bytes");
  }
  std::copy(hash.begin(), hash.end(), body.covers_hash.begin());
}

template <class Archive>
void serialize(Archive& archive, kasse::DatevAccountMapped& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  SerializeString(archive, body.category);
  SerializeEnum(archive, body.chart, 1);
  SerializeString(archive, body.account);
}

template <class Archive>
void serialize(Archive& archive, kasse::TaxDataRecorded& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  SerializeString(archive, body.name);
  SerializeString(archive, body.address);
  SerializeString(archive, body.tax_office);
  SerializeString(archive, body.tax_number);
  SerializeEnum(archive, body.notice, 1);
  int32_t notice_yyyymmdd = body.notice_date.yyyymmdd();
  archive& notice_yyyymmdd;
  if (!kasse::DateFromYyyymmdd(notice_yyyymmdd, &body.notice_date).ok()) {
    throw kasse::StoredFieldError("notice date is not a date");
  }
  SerializeString(archive, body.assessment_period);
  SerializeString(archive, body.purposes);
  SerializeString(archive, body.place);
}

// The donation ids: a uint32 count, then the strings. The count is checked before anything is
// allocated, as SerializeString checks a length.
template <class Archive>
void SerializeIds(Archive& archive, std::vector<std::string>& ids) {
  uint32_t count = static_cast<uint32_t>(ids.size());
  archive& count;
  if (count > kasse::kReceiptDonationsMax) {
    throw kasse::StoredFieldError("more donations than a receipt may list");
  }
  ids.resize(count);
  for (std::string& id : ids) SerializeString(archive, id);
}

template <class Archive>
void serialize(Archive& archive, kasse::ReceiptIssued& body, const unsigned int version) {
  RefuseNewerVersion(version, 1);
  SerializeString(archive, body.number);
  archive& body.year;
  SerializeEnum(archive, body.form, 2);
  SerializeIds(archive, body.donations);
  archive& body.amount_cents;
  SerializeString(archive, body.tax_data_id);
  // 0: none (not in kind), 1: private, 2: business, 3: unknown.
  uint8_t origin = body.in_kind_origin ? static_cast<uint8_t>(*body.in_kind_origin) + 1 : 0;
  archive& origin;
  if (origin > 3) {
    throw kasse::StoredFieldError("in-kind origin out of range");
  }
  body.in_kind_origin =
      origin == 0 ? std::nullopt : std::optional(static_cast<kasse::InKindOrigin>(origin - 1));
  uint8_t valuation_documents = body.valuation_documents ? 1 : 0;
  archive& valuation_documents;
  if (valuation_documents > 1) {
    throw kasse::StoredFieldError("valuation_documents out of range");
  }
  body.valuation_documents = valuation_documents == 1;
  std::string hash(body.pdf_sha256.begin(), body.pdf_sha256.end());
  SerializeString(archive, hash);
  if (hash.size() != body.pdf_sha256.size()) {
    throw kasse::StoredFieldError("PDF hash is not 32 bytes");
  }
  std::copy(hash.begin(), hash.end(), body.pdf_sha256.begin());
}

}  // namespace boost::serialization

namespace kasse {

namespace {

constexpr char kMagic[4] = {'k', 'e', 'v', '1'};
constexpr unsigned kArchiveFlags = boost::archive::no_header | boost::archive::no_codecvt;

// Stream buffers for the archives: a std::ostringstream or std::istringstream would build a locale
// and copy the bytes for every event, which cost more than the encoding itself.
class StringAppendBuffer : public std::streambuf {
 public:
  explicit StringAppendBuffer(std::string* out) : out_(out) {}

 protected:
  std::streamsize xsputn(const char* bytes, std::streamsize count) override {
    out_->append(bytes, static_cast<size_t>(count));
    return count;
  }
  int_type overflow(int_type byte) override {
    if (!traits_type::eq_int_type(byte, traits_type::eof())) {
      out_->push_back(traits_type::to_char_type(byte));
    }
    return traits_type::not_eof(byte);
  }

 private:
  std::string* out_;
};

class ViewReadBuffer : public std::streambuf {
 public:
  explicit ViewReadBuffer(std::string_view bytes) {
    // The get area is never written through: std::streambuf only lacks a const variant.
    char* begin = const_cast<char*>(bytes.data());
    setg(begin, begin, begin + bytes.size());
  }
  bool at_end() const { return gptr() == egptr(); }
};

template <class T>
void PutFixed(std::string* out, T value) {
  static_assert(std::is_unsigned_v<T>);
  for (size_t i = 0; i < sizeof(T); ++i) out->push_back(static_cast<char>(value >> (8 * i) & 0xff));
}

template <class T>
T GetFixed(const char* bytes) {
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    value |= static_cast<T>(static_cast<T>(static_cast<uint8_t>(bytes[i])) << (8 * i));
  }
  return value;
}

uint16_t SchemaVersionOf(EventType type) {
  using boost::serialization::version;
  switch (type) {
    case EventType::kCategoryDefined:
      return version<CategoryDefined>::value;
    case EventType::kMemberJoined:
      return version<MemberJoined>::value;
    case EventType::kMemberChanged:
      return version<MemberChanged>::value;
    case EventType::kMemberLeft:
      return version<MemberLeft>::value;
    case EventType::kDuesPaid:
      return version<DuesPaid>::value;
    case EventType::kDonationReceived:
      return version<DonationReceived>::value;
    case EventType::kIncomeReceived:
      return version<IncomeReceived>::value;
    case EventType::kExpensePaid:
      return version<ExpensePaid>::value;
    case EventType::kEntryReversed:
      return version<EntryReversed>::value;
    case EventType::kYearClosed:
      return version<YearClosed>::value;
    case EventType::kAuditSealed:
      return version<AuditSealed>::value;
    case EventType::kDatevAccountMapped:
      return version<DatevAccountMapped>::value;
    case EventType::kTaxDataRecorded:
      return version<TaxDataRecorded>::value;
    case EventType::kReceiptIssued:
      return version<ReceiptIssued>::value;
  }
  return 0;
}

StoredHeaderView HeaderOf(const Event& event) {
  StoredHeaderView header;
  header.id = event.id;
  header.date_yyyymmdd = event.date.yyyymmdd();
  header.document = event.document;
  header.note = event.note;
  header.recorded_at_unix_ms = event.recorded_at_unix_ms;
  header.recorded_by = event.recorded_by;
  header.subject = event.subject;
  if (!event.subject.empty()) {
    header.personal_digest = std::string_view(
        reinterpret_cast<const char*>(event.personal_digest.data()), event.personal_digest.size());
  }
  return header;
}

// Reads one object as Boost's binary_iarchive does: with that archive itself (the reference), or
// with ViewIArchive, whose class preamble is read here before serialize() reads the fields.
template <class T>
void LoadObject(boost::archive::binary_iarchive& archive, T& object) {
  archive >> object;
}
template <class T>
void LoadObject(ViewIArchive& archive, T& object) {
  const unsigned int version = archive.LoadClassPreamble();
  boost::serialization::serialize(archive, object, version);
}

// Loads the body alternative for `type` from `archive` into `body`: into the alternative `body`
// holds already when it is of that type, whose strings then keep their memory (a replay's or
// verify's reader decodes into the same events again). So every serialize() must set every field,
// also when it loads an older version (codec_test: DecodingIntoAReusedEventEqualsAFreshDecode).
template <size_t I = 0, class Archive>
void LoadBody(Archive& archive, size_t index, EventBody* body) {
  if constexpr (I < std::variant_size_v<EventBody>) {
    if (index == I) {
      if (body->index() != I) body->template emplace<I>();
      LoadObject(archive, std::get<I>(*body));
      return;
    }
    LoadBody<I + 1>(archive, index, body);
  }
}

// Loads the payload of `envelope` into `header` and `body`; throws what the archive throws.
// Returns false when bytes are left over.
bool LoadPayload(const Envelope& envelope, bool reference_archive, StoredHeaderInto& header,
                 EventBody* body) {
  const size_t index = static_cast<size_t>(envelope.type) - 1;
  if (reference_archive) {
    ViewReadBuffer payload(envelope.payload);
    boost::archive::binary_iarchive archive(payload, kArchiveFlags);
    LoadObject(archive, header);
    LoadBody(archive, index, body);
    return payload.at_end();
  }
  ViewIArchive archive(envelope.payload);
  LoadObject(archive, header);
  LoadBody(archive, index, body);
  return archive.at_end();
}

}  // namespace

namespace {

// binary_oarchive on a stream buffer that appends to the string.
class BinaryOArchiveOnString {
 public:
  explicit BinaryOArchiveOnString(std::string* out)
      : buffer_(out), archive_(buffer_, kArchiveFlags) {}
  template <class T>
  void Save(const T& object) {
    archive_ << object;
  }

 private:
  StringAppendBuffer buffer_;
  boost::archive::binary_oarchive archive_;
};

// Writes one object as Boost's binary_oarchive does: with that archive itself (the reference), or
// with StringOArchive, whose class preamble is written here before serialize() writes the fields.
template <class T>
void SaveObject(BinaryOArchiveOnString& archive, const T& object) {
  archive.Save(object);
}
template <class T>
void SaveObject(StringOArchive& archive, const T& object) {
  constexpr unsigned int kVersion = boost::serialization::version<T>::value;
  archive.SaveClassPreamble(kVersion);
  // serialize() reads and writes through one non-const reference, as Boost's own oserializer
  // casts it; saving changes nothing.
  boost::serialization::serialize(archive, const_cast<T&>(object), kVersion);
}

// Writes `event`'s envelope and payload, chained to `prev_hash`, with an archive of type Archive.
template <class Archive>
void EncodeInto(const Event& event, const Sha256& prev_hash, std::string* out) {
  const EventType type = TypeOf(event.body);
  std::string& bytes = *out;
  bytes.clear();
  bytes.reserve(256);
  bytes.append(kMagic, sizeof(kMagic));
  bytes.push_back(static_cast<char>(kEnvelopeVersion));
  PutFixed<uint16_t>(&bytes, static_cast<uint16_t>(type));
  PutFixed<uint16_t>(&bytes, SchemaVersionOf(type));
  PutFixed<uint64_t>(&bytes, event.seq);
  bytes.append(reinterpret_cast<const char*>(prev_hash.data()), prev_hash.size());
  PutFixed<uint32_t>(&bytes, 0);  // the payload size, set below
  assert(bytes.size() == kEnvelopeHeaderSize);
  {
    Archive archive(&bytes);
    StoredHeaderView header = HeaderOf(event);
    SaveObject(archive, header);
    std::visit([&archive](const auto& body) { SaveObject(archive, body); }, event.body);
  }
  const auto payload_size = static_cast<uint32_t>(bytes.size() - kEnvelopeHeaderSize);
  for (size_t i = 0; i < sizeof(payload_size); ++i) {
    bytes[kEnvelopeHeaderSize - sizeof(payload_size) + i] =
        static_cast<char>(payload_size >> (8 * i) & 0xff);
  }
}

template <class Archive>
std::string Encode(const Event& event, const Sha256& prev_hash) {
  std::string bytes;
  EncodeInto<Archive>(event, prev_hash, &bytes);
  return bytes;
}

}  // namespace

std::string EncodeEvent(const Event& event, const Sha256& prev_hash) {
  return Encode<StringOArchive>(event, prev_hash);
}

void EncodeEventInto(const Event& event, const Sha256& prev_hash, std::string* bytes) {
  EncodeInto<StringOArchive>(event, prev_hash, bytes);
}

std::string EncodeEventWithBinaryOArchive(const Event& event, const Sha256& prev_hash) {
  return Encode<BinaryOArchiveOnString>(event, prev_hash);
}

Status ParseEnvelope(std::string_view bytes, Envelope* envelope) {
  if (bytes.size() < kEnvelopeHeaderSize) {
    return Status::Corruption(
        fmt::format("stored event is {} bytes, shorter than its header", bytes.size()));
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return Status::Corruption("stored event does not start with the magic \"kev1\"");
  }
  const uint8_t envelope_version = static_cast<uint8_t>(bytes[4]);
  if (envelope_version != kEnvelopeVersion) {
    return Status::Corruption(
        fmt::format("stored event has envelope version {}, this kasse reads {}", envelope_version,
                    kEnvelopeVersion));
  }
  const uint16_t type_id = GetFixed<uint16_t>(bytes.data() + 5);
  if (type_id == 0 || type_id > kEventTypeMax) {
    return Status::Corruption(fmt::format("stored event has unknown type id {}", type_id));
  }
  envelope->type = static_cast<EventType>(type_id);
  envelope->schema_version = GetFixed<uint16_t>(bytes.data() + 7);
  if (envelope->schema_version > SchemaVersionOf(envelope->type)) {
    return Status::Corruption(fmt::format(
        "stored {} has schema version {}, newer than this kasse knows ({}); upgrade kasse",
        TypeName(envelope->type), envelope->schema_version, SchemaVersionOf(envelope->type)));
  }
  envelope->seq = GetFixed<uint64_t>(bytes.data() + 9);
  std::memcpy(envelope->prev_hash.data(), bytes.data() + 17, envelope->prev_hash.size());
  const uint32_t payload_size = GetFixed<uint32_t>(bytes.data() + 49);
  if (payload_size != bytes.size() - kEnvelopeHeaderSize) {
    return Status::Corruption(fmt::format("stored event says its payload is {} bytes but has {}",
                                          payload_size, bytes.size() - kEnvelopeHeaderSize));
  }
  envelope->payload = bytes.substr(kEnvelopeHeaderSize);
  return Status::Ok();
}

namespace {

Status DecodePayload(const Envelope& envelope, bool reference_archive, Event* event) {
  // The header's strings are loaded into the event's own, so a caller that decodes into the same
  // events again (a replay's or verify's reader) allocates nothing for them: at 1M events the
  // allocations were a tenth of verify's reading thread. The digest, 0 or 32 bytes, is checked
  // before it is copied into the event's array.
  thread_local std::string personal_digest;
  StoredHeaderInto header{.id = event->id,
                          .document = event->document,
                          .note = event->note,
                          .recorded_by = event->recorded_by,
                          .subject = event->subject,
                          .personal_digest = personal_digest};
  try {
    if (!LoadPayload(envelope, reference_archive, header, &event->body)) {
      return Status::Corruption("stored event has bytes after its payload");
    }
  } catch (const std::exception& error) {
    return Status::Corruption(
        fmt::format("stored {} does not decode: {}", TypeName(envelope.type), error.what()));
  }
  Date date;
  KASSE_RETURN_IF_ERROR(DateFromYyyymmdd(header.date_yyyymmdd, &date));
  if (!header.personal_digest.empty() && header.personal_digest.size() != 32) {
    return Status::Corruption("stored event has a personal digest that is not 32 bytes");
  }
  event->seq = envelope.seq;
  event->date = date;
  event->recorded_at_unix_ms = header.recorded_at_unix_ms;
  event->personal_digest = {};
  std::memcpy(event->personal_digest.data(), header.personal_digest.data(),
              header.personal_digest.size());
  event->personal.reset();
  return Status::Ok();
}

Status Decode(std::string_view bytes, bool reference_archive, Event* event, Sha256* prev_hash) {
  Envelope envelope;
  KASSE_RETURN_IF_ERROR(ParseEnvelope(bytes, &envelope));
  KASSE_RETURN_IF_ERROR(DecodePayload(envelope, reference_archive, event));
  *prev_hash = envelope.prev_hash;
  return Status::Ok();
}

}  // namespace

Status DecodeEvent(std::string_view bytes, Event* event, Sha256* prev_hash) {
  return Decode(bytes, /*reference_archive=*/false, event, prev_hash);
}

Status DecodeEnvelope(const Envelope& envelope, Event* event) {
  return DecodePayload(envelope, /*reference_archive=*/false, event);
}

Status DecodeEventWithBinaryIArchive(std::string_view bytes, Event* event, Sha256* prev_hash) {
  return Decode(bytes, /*reference_archive=*/true, event, prev_hash);
}

namespace {
constexpr uint8_t kRecordWithSalt = 0x01;
constexpr uint8_t kRecordWithoutSalt = 0x02;
}  // namespace

std::string EncodePersonal(PersonalFormat format, const PersonalSalt* salt, std::string_view text) {
  assert(salt != nullptr || format == PersonalFormat::kSaltOncePerAppend);
  std::string record;
  record.reserve(1 + kPersonalSaltSize + text.size());
  if (format == PersonalFormat::kSaltOncePerAppend) {
    record.push_back(static_cast<char>(salt != nullptr ? kRecordWithSalt : kRecordWithoutSalt));
  }
  if (salt != nullptr) record.append(reinterpret_cast<const char*>(salt->data()), salt->size());
  record.append(text);
  return record;
}

Status ParsePersonal(PersonalFormat format, std::string_view record, PersonalRecord* parsed) {
  bool has_salt = true;
  if (format == PersonalFormat::kSaltOncePerAppend) {
    if (record.empty()) return Status::Corruption("personal record is empty");
    const auto kind = static_cast<uint8_t>(record[0]);
    if (kind != kRecordWithSalt && kind != kRecordWithoutSalt) {
      return Status::Corruption(fmt::format("personal record has unknown kind {}", kind));
    }
    has_salt = kind == kRecordWithSalt;
    record.remove_prefix(1);
  }
  parsed->salt.reset();
  if (has_salt) {
    if (record.size() < kPersonalSaltSize) {
      return Status::Corruption("personal record is shorter than its salt");
    }
    PersonalSalt salt;
    std::memcpy(salt.data(), record.data(), salt.size());
    parsed->salt = salt;
    record.remove_prefix(kPersonalSaltSize);
  }
  parsed->text = record;
  return Status::Ok();
}

Sha256 PersonalDigest(const PersonalSalt& salt, std::string_view text) {
  return ComputeSha256(std::string_view(reinterpret_cast<const char*>(salt.data()), salt.size()),
                       text);
}

}  // namespace kasse
