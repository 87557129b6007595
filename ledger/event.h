// The event types of the contract as plain structs. An Event is one immutable fact: what the client
// said (id, booking date, voucher, note, body) plus what the ledger added when it was recorded.
//
// Personal data (member names, donors, payers, payees) is not part of the chained bytes: an event
// holds it in `personal` only in memory. When stored, the ledger keeps it in its own column family
// under a pseudonymous `subject` and chains only a salted SHA-256 of it (`personal_digest`), so an
// erasure (GDPR) can delete it without breaking the hash chain. See schemas/STORAGE.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ledger/date.h"

namespace kasse {

// Stable numeric ids of the stored format; never reuse or renumber one.
enum class EventType : uint16_t {
  kCategoryDefined = 1,
  kMemberJoined = 2,
  kMemberChanged = 3,
  kMemberLeft = 4,
  kDuesPaid = 5,
  kDonationReceived = 6,
  kIncomeReceived = 7,
  kExpensePaid = 8,
  kEntryReversed = 9,
  kYearClosed = 10,
  kAuditSealed = 11,
  kDatevAccountMapped = 12,
  kTaxDataRecorded = 13,
  kReceiptIssued = 14,
};
inline constexpr uint16_t kEventTypeMax = 14;

using Sha256 = std::array<uint8_t, 32>;

enum class Direction : uint8_t { kIncome = 0, kExpense = 1 };
enum class Sphere : uint8_t {
  kIdeal = 0,
  kAssetManagement = 1,
  kPurposeBusiness = 2,
  kCommercial = 3
};
inline constexpr int kSphereCount = 4;
enum class MemberKind : uint8_t { kPersonal = 0, kInstitutional = 1 };
inline constexpr int kMemberKindCount = 2;
enum class DonationKind : uint8_t { kMoney = 0, kInKind = 1 };
// DATEV's charts of accounts for associations: SKR 49 (four-digit accounts, maintained up to the
// fiscal year 2024) and SKR 42 (five-digit accounts, from 2025).
enum class DatevChart : uint8_t { kSkr49 = 0, kSkr42 = 1 };
// The notice that makes the association tax-exempt, which its donation receipts cite.
enum class ExemptionNotice : uint8_t {
  kExemption = 0,   // Freistellungsbescheid or Anlage zum Körperschaftsteuerbescheid
  kSection60a = 1,  // Feststellung der satzungsmäßigen Voraussetzungen nach § 60a AO
};
// The official template a donation receipt follows.
enum class ReceiptForm : uint8_t {
  kMoney = 0,       // Bestätigung über Geldzuwendungen: one money donation
  kCollective = 1,  // Sammelbestätigung: two or more money donations of one donor
  kInKind = 2,      // Bestätigung über Sachzuwendungen: one in-kind donation
};
// Where an in-kind donation came from, as the donor said.
enum class InKindOrigin : uint8_t { kPrivate = 0, kBusiness = 1, kUnknown = 2 };

struct CategoryDefined {
  std::string category;
  Direction direction = Direction::kExpense;
  Sphere sphere = Sphere::kIdeal;
  std::string group;  // optional heading, "" when none
  friend bool operator==(const CategoryDefined&, const CategoryDefined&) = default;
};

struct MemberJoined {  // personal: the member's name
  std::string member;
  MemberKind kind = MemberKind::kPersonal;
  friend bool operator==(const MemberJoined&, const MemberJoined&) = default;
};

struct MemberChanged {  // personal: the new name, when the name changed
  std::string member;
  std::optional<MemberKind> kind;
  friend bool operator==(const MemberChanged&, const MemberChanged&) = default;
};

struct MemberLeft {
  std::string member;
  std::string reason;  // "" when none
  friend bool operator==(const MemberLeft&, const MemberLeft&) = default;
};

struct DuesPaid {
  std::string member;
  int64_t amount_cents = 0;
  int32_t covers_first_year = 0;
  int32_t covers_last_year = 0;  // equal to covers_first_year for one year
  friend bool operator==(const DuesPaid&, const DuesPaid&) = default;
};

struct DonationReceived {  // personal: the donor
  int64_t amount_cents = 0;
  DonationKind kind = DonationKind::kMoney;
  std::string member;  // "" when the donor is no member
  friend bool operator==(const DonationReceived&, const DonationReceived&) = default;
};

struct IncomeReceived {  // personal: the payer, optional
  std::string category;
  int64_t amount_cents = 0;
  friend bool operator==(const IncomeReceived&, const IncomeReceived&) = default;
};

struct ExpensePaid {  // personal: the payee, optional
  std::string category;
  int64_t amount_cents = 0;
  std::string project;  // cost centre, "" when none
  friend bool operator==(const ExpensePaid&, const ExpensePaid&) = default;
};

struct EntryReversed {
  std::string reverses;  // the id of an earlier money event
  std::string reason;
  friend bool operator==(const EntryReversed&, const EntryReversed&) = default;
};

struct YearClosed {
  int32_t year = 0;
  friend bool operator==(const YearClosed&, const YearClosed&) = default;
};

// The auditors' seal: the history up to `covers_seq` had the hash `covers_hash` when they
// checked it. Personal: the auditor's name.
struct AuditSealed {
  uint64_t covers_seq = 0;
  Sha256 covers_hash{};
  friend bool operator==(const AuditSealed&, const AuditSealed&) = default;
};

// The DATEV account that `kasse export datev` books a category to in one chart, for the bookings
// dated on or after this event's date; it replaces the default of cli/datev.cc. A mapping dated in
// a closed year is refused like any event, so the export of a closed year cannot change.
struct DatevAccountMapped {
  std::string category;
  DatevChart chart = DatevChart::kSkr42;
  std::string account;  // digits as DATEV writes them: four for SKR 49, five for SKR 42
  friend bool operator==(const DatevAccountMapped&, const DatevAccountMapped&) = default;
};

// The association's tax data as its donation receipts print them. A registered association's tax
// data are public, so none of it is personal data. A receipt uses the latest one (by seq) dated on
// or before its issue date, and names it by its client id, so that a reprint uses the same data
// also in a copy of the ledger whose seqs differ (a log --json copy without the seals).
struct TaxDataRecorded {
  std::string name;     // the association as printed on receipts
  std::string address;  // lines separated by '\n'
  std::string tax_office;
  std::string tax_number;
  ExemptionNotice notice = ExemptionNotice::kExemption;
  Date notice_date;
  std::string assessment_period;  // "2019-2021"; "" unless notice is kExemption
  std::string purposes;           // what follows "Förderung": "der Volks- und Berufsbildung"
  std::string place;              // the town printed beside the signature
  friend bool operator==(const TaxDataRecorded&, const TaxDataRecorded&) = default;
};

// The most donations one receipt may list (a collective receipt of a year's weekly gifts is 52).
inline constexpr size_t kReceiptDonationsMax = 1000;

// A donation receipt (Zuwendungsbestätigung) issued; the event's date is the issue date. It holds
// everything a duplicate needs besides the events it names, and the hash of the PDF issued.
// Personal: the donor's name, a line feed, then the donor's address (lines separated by '\n');
// JSON shows them as `donor` and `donor_address` (ReceiptDonorOf, ReceiptPersonal).
struct ReceiptIssued {
  std::string number;  // "2022-001": the donations' year, a dash, a running number of that year
  int32_t year = 0;    // the year of the donations
  ReceiptForm form = ReceiptForm::kMoney;
  std::vector<std::string> donations;          // ids of the donation.received events covered
  int64_t amount_cents = 0;                    // their sum
  std::string tax_data_id;                     // id of the tax_data.recorded event it cites
  std::optional<InKindOrigin> in_kind_origin;  // kInKind only
  bool valuation_documents = false;  // kInKind only: "Geeignete Unterlagen ... liegen vor"
  Sha256 pdf_sha256{};
  friend bool operator==(const ReceiptIssued&, const ReceiptIssued&) = default;
};

// The alternatives are in EventType order: index() + 1 == the type id.
using EventBody =
    std::variant<CategoryDefined, MemberJoined, MemberChanged, MemberLeft, DuesPaid,
                 DonationReceived, IncomeReceived, ExpensePaid, EntryReversed, YearClosed,
                 AuditSealed, DatevAccountMapped, TaxDataRecorded, ReceiptIssued>;

struct Event {
  // What the client says.
  std::string id;
  Date date;
  std::string document;  // voucher reference, "" when none
  std::string note;      // "" when none
  EventBody body;
  std::optional<std::string> personal;  // name, donor, payer or payee; nullopt when none or erased

  // What the ledger adds when it records the event.
  uint64_t seq = 0;
  int64_t recorded_at_unix_ms = 0;
  std::string recorded_by;
  std::string subject;       // pseudonymous holder of `personal`, "" when the event has none
  Sha256 personal_digest{};  // SHA-256(salt || personal), zero when the event has none
};

// Member by member, without the three moves of a whole Event that std::swap makes: what the
// reading thread of a replay or verify does once per event (ledger/read_ahead.h). The structured
// bindings name every member, so a member added to Event and not here does not compile.
inline void swap(Event& a, Event& b) noexcept {
  using std::swap;
  auto& [a_id, a_date, a_document, a_note, a_body, a_personal, a_seq, a_recorded_at_unix_ms,
         a_recorded_by, a_subject, a_personal_digest] = a;
  auto& [b_id, b_date, b_document, b_note, b_body, b_personal, b_seq, b_recorded_at_unix_ms,
         b_recorded_by, b_subject, b_personal_digest] = b;
  swap(a_id, b_id);
  swap(a_date, b_date);
  swap(a_document, b_document);
  swap(a_note, b_note);
  swap(a_body, b_body);
  swap(a_personal, b_personal);
  swap(a_seq, b_seq);
  swap(a_recorded_at_unix_ms, b_recorded_at_unix_ms);
  swap(a_recorded_by, b_recorded_by);
  swap(a_subject, b_subject);
  swap(a_personal_digest, b_personal_digest);
}

EventType TypeOf(const EventBody& body);

// The contract's type names ("expense.paid"); stable, independent of the C++ names.
std::string_view TypeName(EventType type);
bool TypeFromName(std::string_view name, EventType* type);

std::string_view DirectionName(Direction direction);
std::string_view SphereName(Sphere sphere);
std::string_view MemberKindName(MemberKind kind);
std::string_view DonationKindName(DonationKind kind);
std::string_view DatevChartName(DatevChart chart);  // "SKR49", "SKR42"
bool DatevChartFromName(std::string_view name, DatevChart* chart);
// The number of digits of a G/L account in `chart` (DATEV's Sachkontenlänge): 4 or 5.
int DatevAccountDigits(DatevChart chart);

std::string_view ExemptionNoticeName(ExemptionNotice notice);  // "exemption", "60a"
bool ExemptionNoticeFromName(std::string_view name, ExemptionNotice* notice);
std::string_view ReceiptFormName(ReceiptForm form);  // "money", "collective", "in_kind"
bool ReceiptFormFromName(std::string_view name, ReceiptForm* form);
std::string_view InKindOriginName(InKindOrigin origin);  // "private", "business", "unknown"
bool InKindOriginFromName(std::string_view name, InKindOrigin* origin);

// The contract's name of the personal field of `type` ("name", "donor", ...), "" when it has none.
// receipt.issued shows its personal data in two fields: `donor` and `donor_address`.
std::string_view PersonalFieldName(EventType type);

// The personal data of a receipt.issued event: the donor's name, '\n', the address. The name has
// no line feed (names hold no control characters), so the first line is always the name.
std::string ReceiptPersonal(std::string_view donor, std::string_view address);
// Splits ReceiptPersonal's text into name and address (address "" when there is no line feed).
void SplitReceiptPersonal(std::string_view personal, std::string* donor, std::string* address);

// The amount of a money event (dues, donation, income, expense); nullopt for other types.
std::optional<int64_t> MoneyAmountCents(const EventBody& body);

// True when two events say the same thing: everything the client gave, not what the ledger added.
bool SameClientContent(const Event& a, const Event& b);

}  // namespace kasse
