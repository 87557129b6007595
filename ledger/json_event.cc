#include "ledger/json_event.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>
#include <vector>

#include "ledger/hash.h"
#include "ledger/json_fields.h"
#include "ledger/money.h"

namespace kasse {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 5> kLedgerFields = {"seq", "recorded_at", "recorded_by",
                                                           "prev_hash", "hash"};

Status FieldError(std::string_view field, std::string_view message) {
  return Status::InvalidInput(fmt::format("field \"{}\": {}", field, message));
}

size_t CountCodePoints(std::string_view text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<uint8_t>(c) & 0xc0) != 0x80;
  return count;
}

bool IsIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

// Reads the fields of one JSON object, remembering which were used so that the rest can be
// reported as unknown.
class FieldReader {
 public:
  explicit FieldReader(const JsonFields& fields) : fields_(fields) {}

  // The field named `field`, or nullptr. A line has a dozen fields at most: a linear search.
  const JsonField* Find(std::string_view field) const {
    for (const JsonField& candidate : fields_) {
      if (candidate.key == field) return &candidate;
    }
    return nullptr;
  }

  // The string `field`, as a view into the line's fields; "" when it is absent and not required.
  Status View(std::string_view field, bool required, std::string_view* value) {
    MarkKnown(field);
    *value = {};
    const JsonField* found = Find(field);
    if (found == nullptr) {
      return required ? FieldError(field, "is required") : Status::Ok();
    }
    if (found->kind != JsonKind::kString) return FieldError(field, "must be a JSON string");
    *value = found->text;
    return Status::Ok();
  }

  // As View, copied into `value`, whose capacity an import's reading thread reuses line by line.
  Status String(std::string_view field, bool required, std::string* value) {
    std::string_view text;
    KASSE_RETURN_IF_ERROR(View(field, required, &text));
    value->assign(text);
    return Status::Ok();
  }

  Status Text(std::string_view field, bool required, size_t chars_max, std::string* value) {
    KASSE_RETURN_IF_ERROR(String(field, required, value));
    if (!Has(field)) return Status::Ok();
    return CheckText(field, *value, chars_max, field == "note" || field == "reason");
  }

  Status Id(std::string_view field, bool required, std::string* value) {
    KASSE_RETURN_IF_ERROR(String(field, required, value));
    if (!Has(field)) return Status::Ok();
    return CheckIdSyntax(field, *value);
  }

  Status Amount(int64_t* amount_cents) {
    MarkKnown("amount");
    const JsonField* found = Find("amount");
    if (found == nullptr) return FieldError("amount", "is required");
    if (found->kind != JsonKind::kString) {
      return FieldError("amount", "must be a JSON string like \"129.90\", not a JSON number");
    }
    Status status = ParseAmount(found->text, AmountSyntax::kJson, amount_cents);
    return status.ok() ? status : FieldError("amount", status.message());
  }

  template <class Enum>
  Status Choice(std::string_view field, bool required, bool (*from_name)(std::string_view, Enum*),
                std::string_view allowed, Enum* value, bool* present = nullptr) {
    std::string_view text;
    KASSE_RETURN_IF_ERROR(View(field, required, &text));
    if (present) *present = Has(field);
    if (!Has(field)) return Status::Ok();
    if (!from_name(text, value)) {
      return FieldError(field, fmt::format("\"{}\" is not one of {}", text, allowed));
    }
    return Status::Ok();
  }

  // `field` is a string literal: the names of the format's fields.
  void MarkKnown(std::string_view field) {
    assert(used_count_ < used_.size());  // the readers below ask for fewer fields
    if (used_count_ < used_.size()) used_[used_count_++] = field;
  }

  bool Has(std::string_view field) const { return Find(field) != nullptr; }

  // Names the first unknown field in key order, whichever order the line has them in.
  Status RejectUnknown() const {
    const JsonField* first_unknown = nullptr;
    for (const JsonField& field : fields_) {
      const auto is = [&field](std::string_view name) { return name == field.key; };
      if (std::none_of(used_.begin(), used_.begin() + used_count_, is) &&
          std::none_of(kLedgerFields.begin(), kLedgerFields.end(), is) &&
          (first_unknown == nullptr || field.key < first_unknown->key)) {
        first_unknown = &field;
      }
    }
    if (first_unknown == nullptr) return Status::Ok();
    return FieldError(first_unknown->key, "is not a field of this event type");
  }

 private:
  const JsonFields& fields_;
  // A handful: a linear search beats a set, and an array on the stack the allocation of a vector
  // for every line of an import.
  std::array<std::string_view, 32> used_;
  size_t used_count_ = 0;
};

Status ReadBody(EventType type, FieldReader& fields, Event* event);
Status EventFromFields(const JsonFields& json_fields, Event* event);

}  // namespace

Status CheckIdSyntax(std::string_view field, std::string_view value) {
  if (value.empty() || value.size() > kIdCharsMax) {
    return FieldError(field, fmt::format("must be 1 to {} characters long", kIdCharsMax));
  }
  for (char c : value) {
    if (!IsIdChar(c)) {
      return FieldError(field, fmt::format("\"{}\" may contain only A-Z a-z 0-9 . _ : -", value));
    }
  }
  return Status::Ok();
}

Status CheckText(std::string_view field, std::string_view value, size_t chars_max, bool multiline) {
  const size_t chars = CountCodePoints(value);
  if (chars > chars_max) {
    return FieldError(field,
                      fmt::format("is {} characters long, the limit is {}", chars, chars_max));
  }
  if (value.empty() && field != "note") return FieldError(field, "must not be empty");
  for (char c : value) {
    const bool allowed_control = multiline && (c == '\n' || c == '\t');
    if (static_cast<uint8_t>(c) < 0x20 && !allowed_control) {
      return FieldError(field, "must not contain control characters");
    }
  }
  return Status::Ok();
}

Status ParseCovers(std::string_view text, int32_t* first_year, int32_t* last_year) {
  // Formatted only for an error: every dues payment of an import passes here.
  const auto error = [text] {
    return FieldError("covers", fmt::format("\"{}\" is not a year \"2022\" or a span of years "
                                            "\"2022-2025\" of at most {} years",
                                            text, kCoversYearsMax));
  };
  int32_t first = 0, last = 0;
  if (text.size() == 4) {
    if (!ParseYear(text, &first).ok()) return error();
    last = first;
  } else if (text.size() == 9 && text[4] == '-') {
    if (!ParseYear(text.substr(0, 4), &first).ok() || !ParseYear(text.substr(5), &last).ok() ||
        last <= first || last - first + 1 > kCoversYearsMax) {
      return error();
    }
  } else {
    return error();
  }
  *first_year = first;
  *last_year = last;
  return Status::Ok();
}

std::string FormatCovers(int32_t first_year, int32_t last_year) {
  if (first_year == last_year) return std::to_string(first_year);
  return fmt::format("{}-{}", first_year, last_year);
}

bool SphereFromName(std::string_view name, Sphere* sphere) {
  for (int i = 0; i < kSphereCount; ++i) {
    if (SphereName(static_cast<Sphere>(i)) == name) {
      *sphere = static_cast<Sphere>(i);
      return true;
    }
  }
  return false;
}

bool DirectionFromName(std::string_view name, Direction* direction) {
  if (name != "income" && name != "expense") return false;
  *direction = name == "income" ? Direction::kIncome : Direction::kExpense;
  return true;
}

bool MemberKindFromName(std::string_view name, MemberKind* kind) {
  if (name != "personal" && name != "institutional") return false;
  *kind = name == "personal" ? MemberKind::kPersonal : MemberKind::kInstitutional;
  return true;
}

bool DonationKindFromName(std::string_view name, DonationKind* kind) {
  if (name != "money" && name != "in_kind") return false;
  *kind = name == "money" ? DonationKind::kMoney : DonationKind::kInKind;
  return true;
}

Status CheckReceiptNumber(std::string_view number, int32_t year) {
  const std::string message =
      fmt::format("\"{}\" is not a receipt number of {}: \"{}-001\" to \"{}-{:03}\"", number, year,
                  year, year, kReceiptsPerYearMax);
  if (number.size() != 8 || number[4] != '-' ||
      number.find_first_not_of("0123456789-") != std::string_view::npos ||
      number.substr(0, 4) != fmt::format("{:04}", year) || number.substr(5) == "000" ||
      number.substr(5).find('-') != std::string_view::npos) {
    return FieldError("number", message);
  }
  return Status::Ok();
}

Status ParseEventJson(std::string_view line, Event* event) {
  if (line.size() > kLineBytesMax) {
    return Status::InvalidInput(
        fmt::format("line is {} bytes long, the limit is {}", line.size(), kLineBytesMax));
  }
  thread_local JsonFields fields;  // keeps its capacity from line to line
  KASSE_RETURN_IF_ERROR(ParseJsonObjectFields(line, &fields));
  return EventFromFields(fields, event);
}

Status EventFromJson(const json& object, Event* event) {
  JsonFields fields;
  KASSE_RETURN_IF_ERROR(FieldsOfJsonObject(object, &fields));
  return EventFromFields(fields, event);
}

namespace {

Status EventFromFields(const JsonFields& json_fields, Event* event) {
  FieldReader fields(json_fields);
  std::string_view type_name;
  KASSE_RETURN_IF_ERROR(fields.View("type", true, &type_name));
  EventType type;
  if (!TypeFromName(type_name, &type)) {
    return FieldError("type", fmt::format("\"{}\" is not an event type", type_name));
  }
  // Into the event's own strings, not a new Event moved into place: the reading thread of an
  // import hands the same few events round, and their strings keep their capacity.
  KASSE_RETURN_IF_ERROR(fields.Id("id", true, &event->id));
  std::string_view date_text;
  KASSE_RETURN_IF_ERROR(fields.View("date", true, &date_text));
  Status date_status = ParseDate(date_text, &event->date);
  if (!date_status.ok()) return FieldError("date", date_status.message());
  KASSE_RETURN_IF_ERROR(fields.Text("document", false, kLabelCharsMax, &event->document));
  KASSE_RETURN_IF_ERROR(fields.Text("note", false, kNoteCharsMax, &event->note));
  // What the body's reader does not set, and what the ledger adds when it records the event.
  event->personal.reset();
  event->seq = 0;
  event->recorded_at_unix_ms = 0;
  event->recorded_by.clear();
  event->subject.clear();
  event->personal_digest = {};
  KASSE_RETURN_IF_ERROR(ReadBody(type, fields, event));
  return fields.RejectUnknown();
}

Status ReadPersonal(FieldReader& fields, std::string_view field, bool required, Event* event) {
  std::string text;
  KASSE_RETURN_IF_ERROR(fields.Text(field, required, kNameCharsMax, &text));
  if (fields.Has(field)) event->personal = std::move(text);
  return Status::Ok();
}

// The account's length depends on the chart: DATEV pads account numbers to the chart's
// Sachkontenlänge, so "2501" and "02501" would be different accounts.
Status ReadDatevAccountMapped(FieldReader& fields, Event* event) {
  DatevAccountMapped body;
  KASSE_RETURN_IF_ERROR(fields.Text("category", true, kLabelCharsMax, &body.category));
  KASSE_RETURN_IF_ERROR(
      fields.Choice("chart", true, &DatevChartFromName, "SKR49, SKR42", &body.chart));
  KASSE_RETURN_IF_ERROR(fields.String("account", true, &body.account));
  const size_t digits = static_cast<size_t>(DatevAccountDigits(body.chart));
  if (body.account.size() != digits ||
      body.account.find_first_not_of("0123456789") != std::string::npos) {
    return FieldError("account", fmt::format("\"{}\" is not an account of {}: {} digits as a "
                                             "JSON string, e.g. \"{}\"",
                                             body.account, DatevChartName(body.chart), digits,
                                             body.chart == DatevChart::kSkr49 ? "2501" : "68150"));
  }
  event->body = std::move(body);
  return Status::Ok();
}

// Text of several lines (an address): line feeds separate the lines, no other control character.
Status ReadLines(FieldReader& fields, std::string_view field, size_t chars_max,
                 std::string* value) {
  KASSE_RETURN_IF_ERROR(fields.String(field, true, value));
  KASSE_RETURN_IF_ERROR(CheckText(field, *value, chars_max, /*multiline=*/true));
  if (value->find('\t') != std::string::npos) {
    return FieldError(field, "must not contain control characters other than line feeds");
  }
  return Status::Ok();
}

// A JSON integer within [min, max].
Status ReadInteger(FieldReader& fields, std::string_view field, int64_t min, int64_t max,
                   std::string_view example, int64_t* value) {
  fields.MarkKnown(field);
  const JsonField* found = fields.Find(field);
  if (found == nullptr) return FieldError(field, "is required");
  // nlohmann keeps non-negative integers unsigned and negative ones signed, simdjson those that
  // fit signed; 2022.0 is a float.
  bool in_range = false;
  int64_t number = 0;
  if (found->kind == JsonKind::kUnsigned) {
    number = static_cast<int64_t>(found->unsigned_value);
    in_range = found->unsigned_value <= static_cast<uint64_t>(max) && number >= min;
  } else if (found->kind == JsonKind::kSigned) {
    number = found->signed_value;
    in_range = number >= min && number <= max;
  }
  if (!in_range) {
    return FieldError(
        field, fmt::format("must be a JSON integer from {} to {}, like {}", min, max, example));
  }
  *value = number;
  return Status::Ok();
}

Status ReadTaxDataRecorded(FieldReader& fields, Event* event) {
  TaxDataRecorded body;
  KASSE_RETURN_IF_ERROR(fields.Text("name", true, kTaxTextCharsMax, &body.name));
  KASSE_RETURN_IF_ERROR(ReadLines(fields, "address", kTaxLinesCharsMax, &body.address));
  KASSE_RETURN_IF_ERROR(fields.Text("tax_office", true, kTaxTextCharsMax, &body.tax_office));
  // The templates say "des Finanzamtes [Finanzamt]" and "vom Finanzamt [Finanzamt]".
  if (body.tax_office.starts_with("Finanzamt")) {
    return FieldError("tax_office",
                      "the receipt prints \"Finanzamt\" before the tax office: give what follows "
                      "it, e.g. \"für Körperschaften I Berlin\"");
  }
  KASSE_RETURN_IF_ERROR(fields.Text("tax_number", true, kTaxTextCharsMax, &body.tax_number));
  KASSE_RETURN_IF_ERROR(
      fields.Choice("notice", true, &ExemptionNoticeFromName, "exemption, 60a", &body.notice));
  std::string notice_date;
  KASSE_RETURN_IF_ERROR(fields.String("notice_date", true, &notice_date));
  Status date_status = ParseDate(notice_date, &body.notice_date);
  if (!date_status.ok()) return FieldError("notice_date", date_status.message());
  if (event->date < body.notice_date) {
    return FieldError("notice_date", fmt::format("{} is after the event's date {}: record the "
                                                 "tax data once the notice has been issued",
                                                 notice_date, FormatDate(event->date)));
  }
  const bool exemption = body.notice == ExemptionNotice::kExemption;
  KASSE_RETURN_IF_ERROR(
      fields.Text("assessment_period", exemption, kTaxTextCharsMax, &body.assessment_period));
  if (!exemption && fields.Has("assessment_period")) {
    return FieldError("assessment_period",
                      "is only for notice \"exemption\" (a § 60a notice names no period)");
  }
  KASSE_RETURN_IF_ERROR(ReadLines(fields, "purposes", kTaxLinesCharsMax, &body.purposes));
  // The templates say "wegen Förderung [Zweck]" and "nur zur Förderung [Zweck]".
  if (body.purposes.starts_with("Förderung ")) {
    return FieldError("purposes",
                      "the receipt prints \"Förderung\" before the purposes: give "
                      "what follows it, e.g. \"der Volks- und Berufsbildung\"");
  }
  KASSE_RETURN_IF_ERROR(fields.Text("place", true, kTaxTextCharsMax, &body.place));
  event->body = std::move(body);
  return Status::Ok();
}

Status ReadDonationIds(FieldReader& fields, std::vector<std::string>* ids) {
  fields.MarkKnown("donations");
  const JsonField* found = fields.Find("donations");
  if (found == nullptr) return FieldError("donations", "is required");
  if (found->kind != JsonKind::kArray || found->array_size == 0 ||
      found->array_size > kReceiptDonationsMax) {
    return FieldError("donations", fmt::format("must be a JSON array of 1 to {} event ids",
                                               kReceiptDonationsMax));
  }
  if (!found->array_all_strings) {
    return FieldError("donations", "must hold event ids as JSON strings");
  }
  for (const std::string_view text : found->array_strings) {
    KASSE_RETURN_IF_ERROR(CheckIdSyntax("donations", text));
    if (std::find(ids->begin(), ids->end(), text) != ids->end()) {
      return FieldError("donations", fmt::format("\"{}\" is listed twice", text));
    }
    ids->emplace_back(text);
  }
  return Status::Ok();
}

// How many donations each template lists: one, or (collective) at least two.
Status CheckReceiptForm(const ReceiptIssued& body) {
  const size_t count = body.donations.size();
  if (body.form == ReceiptForm::kCollective && count < 2) {
    return FieldError("donations",
                      "a collective receipt lists at least two donations; one "
                      "donation gets a \"money\" receipt");
  }
  if (body.form != ReceiptForm::kCollective && count != 1) {
    const bool money = body.form == ReceiptForm::kMoney;
    return FieldError("donations",
                      fmt::format("{} \"{}\" receipt covers exactly one donation, not {}{}",
                                  money ? "a" : "an", ReceiptFormName(body.form), count,
                                  money ? "; several money donations of one donor get a "
                                          "\"collective\" receipt"
                                        : ""));
  }
  return Status::Ok();
}

// The in-kind fields belong to in-kind receipts only, and are required there.
Status ReadInKindFields(FieldReader& fields, ReceiptIssued* body) {
  const bool in_kind = body->form == ReceiptForm::kInKind;
  InKindOrigin origin = InKindOrigin::kUnknown;
  KASSE_RETURN_IF_ERROR(fields.Choice("in_kind_origin", in_kind, &InKindOriginFromName,
                                      "private, business, unknown", &origin));
  fields.MarkKnown("valuation_documents");
  const JsonField* found = fields.Find("valuation_documents");
  if (in_kind && found == nullptr) return FieldError("valuation_documents", "is required");
  if (!in_kind) {
    for (std::string_view field : {"in_kind_origin", "valuation_documents"}) {
      if (fields.Has(field)) {
        return FieldError(field, "is only for a receipt with template \"in_kind\"");
      }
    }
    return Status::Ok();
  }
  if (found->kind != JsonKind::kBool) {
    return FieldError("valuation_documents", "must be true or false");
  }
  body->in_kind_origin = origin;
  body->valuation_documents = found->bool_value;
  return Status::Ok();
}

Status ReadDonor(FieldReader& fields, Event* event) {
  std::string donor, address;
  KASSE_RETURN_IF_ERROR(fields.Text("donor", true, kNameCharsMax, &donor));
  KASSE_RETURN_IF_ERROR(ReadLines(fields, "donor_address", kAddressCharsMax, &address));
  event->personal = ReceiptPersonal(donor, address);
  return Status::Ok();
}

Status ReadReceiptIssued(FieldReader& fields, Event* event) {
  ReceiptIssued body;
  KASSE_RETURN_IF_ERROR(fields.String("number", true, &body.number));
  int64_t year = 0;
  KASSE_RETURN_IF_ERROR(ReadInteger(fields, "year", kYearMin, kYearMax, "2022", &year));
  body.year = static_cast<int32_t>(year);
  KASSE_RETURN_IF_ERROR(CheckReceiptNumber(body.number, body.year));
  if (event->date.year < body.year) {
    return FieldError("year", fmt::format("a receipt dated {} cannot cover donations of {}",
                                          FormatDate(event->date), body.year));
  }
  KASSE_RETURN_IF_ERROR(fields.Choice("template", true, &ReceiptFormFromName,
                                      "money, collective, in_kind", &body.form));
  KASSE_RETURN_IF_ERROR(ReadDonationIds(fields, &body.donations));
  KASSE_RETURN_IF_ERROR(CheckReceiptForm(body));
  KASSE_RETURN_IF_ERROR(fields.Amount(&body.amount_cents));
  KASSE_RETURN_IF_ERROR(fields.Id("tax_data_id", true, &body.tax_data_id));
  KASSE_RETURN_IF_ERROR(ReadInKindFields(fields, &body));
  std::string hash;
  KASSE_RETURN_IF_ERROR(fields.String("pdf_sha256", true, &hash));
  if (!Sha256FromHex(hash, &body.pdf_sha256)) {
    return FieldError("pdf_sha256", "must be 64 lowercase hex digits");
  }
  KASSE_RETURN_IF_ERROR(ReadDonor(fields, event));
  event->body = std::move(body);
  return Status::Ok();
}

Status ReadBody(EventType type, FieldReader& fields, Event* event) {
  switch (type) {
    case EventType::kCategoryDefined: {
      CategoryDefined body;
      KASSE_RETURN_IF_ERROR(fields.Text("category", true, kLabelCharsMax, &body.category));
      KASSE_RETURN_IF_ERROR(
          fields.Choice("direction", true, &DirectionFromName, "income, expense", &body.direction));
      KASSE_RETURN_IF_ERROR(fields.Choice("sphere", true, &SphereFromName,
                                          "ideal, asset_management, purpose_business, commercial",
                                          &body.sphere));
      KASSE_RETURN_IF_ERROR(fields.Text("group", false, kLabelCharsMax, &body.group));
      event->body = std::move(body);
      return Status::Ok();
    }
    case EventType::kMemberJoined: {
      MemberJoined body;
      KASSE_RETURN_IF_ERROR(fields.Id("member", true, &body.member));
      KASSE_RETURN_IF_ERROR(ReadPersonal(fields, "name", true, event));
      KASSE_RETURN_IF_ERROR(
          fields.Choice("kind", true, &MemberKindFromName, "personal, institutional", &body.kind));
      event->body = std::move(body);
      return Status::Ok();
    }
    case EventType::kMemberChanged: {
      MemberChanged body;
      KASSE_RETURN_IF_ERROR(fields.Id("member", true, &body.member));
      KASSE_RETURN_IF_ERROR(ReadPersonal(fields, "name", false, event));
      MemberKind kind;
      bool has_kind = false;
      KASSE_RETURN_IF_ERROR(fields.Choice("kind", false, &MemberKindFromName,
                                          "personal, institutional", &kind, &has_kind));
      if (has_kind) body.kind = kind;
      if (!has_kind && !event->personal) return FieldError("name", "name or kind is required");
      event->body = std::move(body);
      return Status::Ok();
    }
    case EventType::kMemberLeft: {
      MemberLeft body;
      KASSE_RETURN_IF_ERROR(fields.Id("member", true, &body.member));
      KASSE_RETURN_IF_ERROR(fields.Text("reason", false, kNoteCharsMax, &body.reason));
      event->body = std::move(body);
      return Status::Ok();
    }
    case EventType::kDuesPaid: {
      DuesPaid body;
      KASSE_RETURN_IF_ERROR(fields.Id("member", true, &body.member));
      KASSE_RETURN_IF_ERROR(fields.Amount(&body.amount_cents));
      std::string covers;
      KASSE_RETURN_IF_ERROR(fields.String("covers", true, &covers));
      KASSE_RETURN_IF_ERROR(ParseCovers(covers, &body.covers_first_year, &body.covers_last_year));
      event->body = std::move(body);
      return Status::Ok();
    }
    case EventType::kDonationReceived: {
      DonationReceived body;
      KASSE_RETURN_IF_ERROR(ReadPersonal(fields, "donor", true, event));
      KASSE_RETURN_IF_ERROR(fields.Amount(&body.amount_cents));
      KASSE_RETURN_IF_ERROR(
          fields.Choice("kind", false, &DonationKindFromName, "money, in_kind", &body.kind));
      KASSE_RETURN_IF_ERROR(fields.Id("member", false, &body.member));
      event->body = std::move(body);
      return Status::Ok();
    }
    case EventType::kIncomeReceived: {
      IncomeReceived body;
      KASSE_RETURN_IF_ERROR(fields.Text("category", true, kLabelCharsMax, &body.category));
      KASSE_RETURN_IF_ERROR(fields.Amount(&body.amount_cents));
      KASSE_RETURN_IF_ERROR(ReadPersonal(fields, "payer", false, event));
      event->body = std::move(body);
      return Status::Ok();
    }
    case EventType::kExpensePaid: {
      ExpensePaid body;
      KASSE_RETURN_IF_ERROR(fields.Text("category", true, kLabelCharsMax, &body.category));
      KASSE_RETURN_IF_ERROR(fields.Amount(&body.amount_cents));
      KASSE_RETURN_IF_ERROR(ReadPersonal(fields, "payee", false, event));
      KASSE_RETURN_IF_ERROR(fields.Text("project", false, kLabelCharsMax, &body.project));
      event->body = std::move(body);
      return Status::Ok();
    }
    case EventType::kEntryReversed: {
      EntryReversed body;
      KASSE_RETURN_IF_ERROR(fields.Id("reverses", true, &body.reverses));
      KASSE_RETURN_IF_ERROR(fields.Text("reason", true, kNoteCharsMax, &body.reason));
      event->body = std::move(body);
      return Status::Ok();
    }
    case EventType::kYearClosed: {
      YearClosed body;
      fields.MarkKnown("year");
      const JsonField* found = fields.Find("year");
      if (found == nullptr) return FieldError("year", "is required");
      if (found->kind != JsonKind::kSigned && found->kind != JsonKind::kUnsigned) {
        return FieldError("year", "must be a JSON integer like 2022");
      }
      const int64_t year = found->kind == JsonKind::kSigned
                               ? found->signed_value
                               : static_cast<int64_t>(found->unsigned_value);
      if (year < kYearMin || year > kYearMax) {
        return FieldError("year",
                          fmt::format("{} is not a year from {} to {}", year, kYearMin, kYearMax));
      }
      body.year = static_cast<int32_t>(year);
      event->body = body;
      return Status::Ok();
    }
    case EventType::kAuditSealed: {
      AuditSealed body;
      KASSE_RETURN_IF_ERROR(ReadPersonal(fields, "auditor", true, event));
      fields.MarkKnown("covers_seq");
      const JsonField* found = fields.Find("covers_seq");
      if (found == nullptr) return FieldError("covers_seq", "is required");
      uint64_t covers_seq = 0;
      if (found->kind == JsonKind::kUnsigned) covers_seq = found->unsigned_value;
      if (found->kind == JsonKind::kSigned && found->signed_value > 0) {
        covers_seq = static_cast<uint64_t>(found->signed_value);
      }
      if (covers_seq == 0) return FieldError("covers_seq", "must be a JSON integer from 1");
      body.covers_seq = covers_seq;
      std::string hash;
      KASSE_RETURN_IF_ERROR(fields.String("covers_hash", true, &hash));
      if (!Sha256FromHex(hash, &body.covers_hash)) {
        return FieldError("covers_hash", "must be 64 lowercase hex digits");
      }
      event->body = body;
      return Status::Ok();
    }
    case EventType::kDatevAccountMapped:
      return ReadDatevAccountMapped(fields, event);
    case EventType::kTaxDataRecorded:
      return ReadTaxDataRecorded(fields, event);
    case EventType::kReceiptIssued:
      return ReadReceiptIssued(fields, event);
  }
  return FieldError("type", "is not an event type");
}

}  // namespace

std::string FormatTimestamp(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     unix_ms % 1000);
}

Status ParseTimestamp(std::string_view text, int64_t* unix_ms) {
  Status invalid = Status::InvalidInput(fmt::format(
      "\"{}\" is not a timestamp like 2023-03-31T18:00:00Z or a date like 2023-03-31", text));
  Date date;
  if (!ParseDate(text.substr(0, 10), &date).ok()) return invalid;
  std::tm utc{};
  utc.tm_year = date.year - 1900;
  utc.tm_mon = date.month - 1;
  utc.tm_mday = date.day;
  if (text.size() == 10) {
    *unix_ms = static_cast<int64_t>(timegm(&utc)) * 1000 + 86'399'999;
    return Status::Ok();
  }
  auto two_digits = [&text](size_t at, int max, int* value) {
    if (at + 2 > text.size() || !std::isdigit(static_cast<unsigned char>(text[at])) ||
        !std::isdigit(static_cast<unsigned char>(text[at + 1]))) {
      return false;
    }
    *value = (text[at] - '0') * 10 + (text[at + 1] - '0');
    return *value <= max;
  };
  int hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || (text[10] != 'T' && text[10] != ' ') || !two_digits(11, 23, &hour) ||
      text[13] != ':' || !two_digits(14, 59, &minute) || text[16] != ':' ||
      !two_digits(17, 59, &second)) {
    return invalid;
  }
  size_t at = 19;
  int64_t millis = 0;
  if (text[at] == '.') {
    int64_t scale = 100;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at) {
      millis += (text[at] - '0') * scale;
      scale /= 10;
    }
  }
  int64_t offset_minutes = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
    offset_minutes = 0;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    int offset_hours = 0, offset_mins = 0;
    if (!two_digits(at + 1, 23, &offset_hours) || !two_digits(at + 4, 59, &offset_mins)) {
      return invalid;
    }
    offset_minutes = (text[at] == '+' ? 1 : -1) * (int64_t{offset_hours} * 60 + offset_mins);
  } else {
    return invalid;
  }
  utc.tm_hour = hour;
  utc.tm_min = minute;
  utc.tm_sec = second;
  *unix_ms = (static_cast<int64_t>(timegm(&utc)) - offset_minutes * 60) * 1000 + millis;
  return Status::Ok();
}

namespace {

void PutTaxData(const TaxDataRecorded& body, nlohmann::ordered_json* object) {
  (*object)["name"] = body.name;
  (*object)["address"] = body.address;
  (*object)["tax_office"] = body.tax_office;
  (*object)["tax_number"] = body.tax_number;
  (*object)["notice"] = ExemptionNoticeName(body.notice);
  (*object)["notice_date"] = FormatDate(body.notice_date);
  if (body.notice == ExemptionNotice::kExemption) {
    (*object)["assessment_period"] = body.assessment_period;
  }
  (*object)["purposes"] = body.purposes;
  (*object)["place"] = body.place;
}

void PutReceipt(const ReceiptIssued& body, nlohmann::ordered_json* object) {
  (*object)["number"] = body.number;
  (*object)["year"] = body.year;
  (*object)["template"] = ReceiptFormName(body.form);
  (*object)["donations"] = body.donations;
  (*object)["amount"] = FormatAmount(body.amount_cents);
  (*object)["tax_data_id"] = body.tax_data_id;
  if (body.in_kind_origin) {
    (*object)["in_kind_origin"] = InKindOriginName(*body.in_kind_origin);
    (*object)["valuation_documents"] = body.valuation_documents;
  }
  (*object)["pdf_sha256"] = HexOf(body.pdf_sha256);
}

}  // namespace

nlohmann::ordered_json EventToJson(const Event& event, const Sha256& prev_hash,
                                   const Sha256& hash) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  const EventType type = TypeOf(event.body);
  object["seq"] = event.seq;
  object["type"] = TypeName(type);
  object["id"] = event.id;
  object["date"] = FormatDate(event.date);
  if (!event.document.empty()) object["document"] = event.document;
  if (!event.note.empty()) object["note"] = event.note;
  if (event.personal && type == EventType::kReceiptIssued) {
    std::string donor, address;
    SplitReceiptPersonal(*event.personal, &donor, &address);
    object["donor"] = donor;
    object["donor_address"] = address;
  } else if (event.personal) {
    object[std::string(PersonalFieldName(type))] = *event.personal;
  }
  std::visit(
      [&object](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, CategoryDefined>) {
          object["category"] = body.category;
          object["direction"] = DirectionName(body.direction);
          object["sphere"] = SphereName(body.sphere);
          if (!body.group.empty()) object["group"] = body.group;
        } else if constexpr (std::is_same_v<T, MemberJoined>) {
          object["member"] = body.member;
          object["kind"] = MemberKindName(body.kind);
        } else if constexpr (std::is_same_v<T, MemberChanged>) {
          object["member"] = body.member;
          if (body.kind) object["kind"] = MemberKindName(*body.kind);
        } else if constexpr (std::is_same_v<T, MemberLeft>) {
          object["member"] = body.member;
          if (!body.reason.empty()) object["reason"] = body.reason;
        } else if constexpr (std::is_same_v<T, DuesPaid>) {
          object["member"] = body.member;
          object["amount"] = FormatAmount(body.amount_cents);
          object["covers"] = FormatCovers(body.covers_first_year, body.covers_last_year);
        } else if constexpr (std::is_same_v<T, DonationReceived>) {
          object["amount"] = FormatAmount(body.amount_cents);
          object["kind"] = DonationKindName(body.kind);
          if (!body.member.empty()) object["member"] = body.member;
        } else if constexpr (std::is_same_v<T, IncomeReceived>) {
          object["category"] = body.category;
          object["amount"] = FormatAmount(body.amount_cents);
        } else if constexpr (std::is_same_v<T, ExpensePaid>) {
          object["category"] = body.category;
          object["amount"] = FormatAmount(body.amount_cents);
          if (!body.project.empty()) object["project"] = body.project;
        } else if constexpr (std::is_same_v<T, EntryReversed>) {
          object["reverses"] = body.reverses;
          object["reason"] = body.reason;
        } else if constexpr (std::is_same_v<T, YearClosed>) {
          object["year"] = body.year;
        } else if constexpr (std::is_same_v<T, AuditSealed>) {
          object["covers_seq"] = body.covers_seq;
          object["covers_hash"] = HexOf(body.covers_hash);
        } else if constexpr (std::is_same_v<T, DatevAccountMapped>) {
          object["category"] = body.category;
          object["chart"] = DatevChartName(body.chart);
          object["account"] = body.account;
        } else if constexpr (std::is_same_v<T, TaxDataRecorded>) {
          PutTaxData(body, &object);
        } else if constexpr (std::is_same_v<T, ReceiptIssued>) {
          PutReceipt(body, &object);
        }
      },
      event.body);
  object["recorded_at"] = FormatTimestamp(event.recorded_at_unix_ms);
  object["recorded_by"] = event.recorded_by;
  object["prev_hash"] = HexOf(prev_hash);
  object["hash"] = HexOf(hash);
  return object;
}

}  // namespace kasse
