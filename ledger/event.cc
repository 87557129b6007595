#include "ledger/event.h"

#include <array>

namespace kasse {

namespace {
constexpr std::array<std::string_view, kEventTypeMax> kTypeNames = {
    "category.defined",  "member.joined",     "member.changed",  "member.left",
    "dues.paid",         "donation.received", "income.received", "expense.paid",
    "entry.reversed",    "year.closed",       "audit.sealed",    "datev.account_mapped",
    "tax_data.recorded", "receipt.issued",
};
}  // namespace

EventType TypeOf(const EventBody& body) {
  return static_cast<EventType>(body.index() + 1);
}

std::string_view TypeName(EventType type) {
  return kTypeNames[static_cast<size_t>(type) - 1];
}

bool TypeFromName(std::string_view name, EventType* type) {
  for (size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) {
      *type = static_cast<EventType>(i + 1);
      return true;
    }
  }
  return false;
}

std::string_view DirectionName(Direction direction) {
  return direction == Direction::kIncome ? "income" : "expense";
}

std::string_view SphereName(Sphere sphere) {
  static constexpr std::array<std::string_view, kSphereCount> kNames = {
      "ideal", "asset_management", "purpose_business", "commercial"};
  return kNames[static_cast<size_t>(sphere)];
}

std::string_view MemberKindName(MemberKind kind) {
  return kind == MemberKind::kPersonal ? "personal" : "institutional";
}

std::string_view DonationKindName(DonationKind kind) {
  return kind == DonationKind::kMoney ? "money" : "in_kind";
}

std::string_view DatevChartName(DatevChart chart) {
  return chart == DatevChart::kSkr49 ? "SKR49" : "SKR42";
}

bool DatevChartFromName(std::string_view name, DatevChart* chart) {
  if (name != "SKR49" && name != "SKR42") return false;
  *chart = name == "SKR49" ? DatevChart::kSkr49 : DatevChart::kSkr42;
  return true;
}

int DatevAccountDigits(DatevChart chart) {
  return chart == DatevChart::kSkr49 ? 4 : 5;
}

std::string_view ExemptionNoticeName(ExemptionNotice notice) {
  return notice == ExemptionNotice::kExemption ? "exemption" : "60a";
}

bool ExemptionNoticeFromName(std::string_view name, ExemptionNotice* notice) {
  if (name != "exemption" && name != "60a") return false;
  *notice = name == "exemption" ? ExemptionNotice::kExemption : ExemptionNotice::kSection60a;
  return true;
}

namespace {
constexpr std::array<std::string_view, 3> kReceiptFormNames = {"money", "collective", "in_kind"};
constexpr std::array<std::string_view, 3> kInKindOriginNames = {"private", "business", "unknown"};

template <class Enum, size_t N>
bool FromNames(const std::array<std::string_view, N>& names, std::string_view name, Enum* value) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) {
      *value = static_cast<Enum>(i);
      return true;
    }
  }
  return false;
}
}  // namespace

std::string_view ReceiptFormName(ReceiptForm form) {
  return kReceiptFormNames[static_cast<size_t>(form)];
}

bool ReceiptFormFromName(std::string_view name, ReceiptForm* form) {
  return FromNames(kReceiptFormNames, name, form);
}

std::string_view InKindOriginName(InKindOrigin origin) {
  return kInKindOriginNames[static_cast<size_t>(origin)];
}

bool InKindOriginFromName(std::string_view name, InKindOrigin* origin) {
  return FromNames(kInKindOriginNames, name, origin);
}

std::string ReceiptPersonal(std::string_view donor, std::string_view address) {
  std::string text(donor);
  text += '\n';
  text += address;
  return text;
}

void SplitReceiptPersonal(std::string_view personal, std::string* donor, std::string* address) {
  const size_t line_feed = personal.find('\n');
  *donor = std::string(personal.substr(0, line_feed));
  *address = line_feed == std::string_view::npos ? "" : std::string(personal.substr(line_feed + 1));
}

std::string_view PersonalFieldName(EventType type) {
  switch (type) {
    case EventType::kMemberJoined:
    case EventType::kMemberChanged:
      return "name";
    case EventType::kDonationReceived:
      return "donor";
    case EventType::kIncomeReceived:
      return "payer";
    case EventType::kExpensePaid:
      return "payee";
    case EventType::kAuditSealed:
      return "auditor";
    case EventType::kReceiptIssued:
      return "donor";
    default:
      return "";
  }
}

std::optional<int64_t> MoneyAmountCents(const EventBody& body) {
  if (auto* dues = std::get_if<DuesPaid>(&body)) return dues->amount_cents;
  if (auto* donation = std::get_if<DonationReceived>(&body)) return donation->amount_cents;
  if (auto* income = std::get_if<IncomeReceived>(&body)) return income->amount_cents;
  if (auto* expense = std::get_if<ExpensePaid>(&body)) return expense->amount_cents;
  return std::nullopt;
}

bool SameClientContent(const Event& a, const Event& b) {
  return a.id == b.id && a.date == b.date && a.document == b.document && a.note == b.note &&
         a.body == b.body && a.personal == b.personal;
}

}  // namespace kasse
