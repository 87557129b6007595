#include "cli/receipts.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ledger/hash.h"
#include "ledger/json_event.h"
#include "ledger/money.h"

namespace kasse::cli {

namespace {

// Splits one row of the addresses file at ';', honouring '"' quotes. False when a quote is open.
bool SplitRow(std::string_view row, std::vector<std::string>* fields) {
  fields->assign(1, "");
  bool quoted = false;
  for (size_t i = 0; i < row.size(); ++i) {
    const char c = row[i];
    if (quoted && c == '"' && i + 1 < row.size() && row[i + 1] == '"') {
      fields->back() += '"';
      ++i;
    } else if (c == '"' && (quoted || fields->back().empty())) {
      quoted = !quoted;
    } else if (c == ';' && !quoted) {
      fields->emplace_back();
    } else {
      fields->back() += c;
    }
  }
  return !quoted;
}

Status AddressRow(std::string_view row, size_t line_number,
                  std::map<std::string, std::string>* addresses) {
  const auto error = [line_number](std::string_view message) {
    return Status::InvalidInput(fmt::format("line {}: {}", line_number, message));
  };
  std::vector<std::string> fields;
  if (!SplitRow(row, &fields) || fields.size() != 2) {
    return error("expected two fields, donor;address");
  }
  if (fields[0].empty() || fields[1].empty()) return error("the donor and the address are needed");
  std::replace(fields[1].begin(), fields[1].end(), '|', '\n');
  if (!addresses->emplace(fields[0], fields[1]).second) {
    return error(fmt::format("\"{}\" has an address already", fields[0]));
  }
  return Status::Ok();
}

// The day `years` years after `date`; 29 February becomes 28 February in a common year, as a
// period of years ends on the month's last day when the day does not exist (§ 188 (3) BGB).
Date YearsAfter(Date date, int32_t years) {
  Date after{date.year + years, date.month, date.day};
  after.day = std::min(after.day, DaysInMonth(after.year, after.month));
  return after;
}

DonationKind KindOfForm(ReceiptForm form) {
  return form == ReceiptForm::kInKind ? DonationKind::kInKind : DonationKind::kMoney;
}

// The receipt.issued event of one receipt, built as JSON and parsed, so that it meets the checks
// of an imported line.
Status MakeReceiptEvent(const std::vector<const DonationForReceipt*>& donations, ReceiptForm form,
                        int32_t number, const std::string& donor, const std::string& address,
                        const ReceiptOptions& options, Event* event) {
  int64_t amount_cents = 0;
  nlohmann::json ids = nlohmann::json::array();
  for (const DonationForReceipt* donation : donations) {
    if (!AddCents(amount_cents, donation->amount_cents, &amount_cents)) {
      return Status::Rejected(fmt::format("the donations of {} overflow a receipt", donor));
    }
    ids.push_back(donation->id);
  }
  const std::string number_text = fmt::format("{:04}-{:03}", options.year, number);
  nlohmann::json object = {{"type", "receipt.issued"},
                           {"id", "receipt-" + number_text},
                           {"date", FormatDate(options.issued_on)},
                           {"number", number_text},
                           {"year", options.year},
                           {"template", ReceiptFormName(form)},
                           {"donations", ids},
                           {"amount", FormatAmount(amount_cents)},
                           {"tax_data_id", options.tax_data_id},
                           {"pdf_sha256", HexOf(Sha256{})},
                           {"donor", donor},
                           {"donor_address", address}};
  if (form == ReceiptForm::kInKind) {
    object["in_kind_origin"] = InKindOriginName(options.in_kind_origin);
    object["valuation_documents"] = options.valuation_documents;
  }
  return EventFromJson(object, event).WithContext(fmt::format("receipt {}", number_text));
}

// Why a donation cannot be receipted, or "" when it can.
std::string Unreceiptable(const DonationForReceipt& donation) {
  if (!donation.donor) {
    return fmt::format("{} ({}, {} EUR): no donor on record (erased), so no receipt can name one",
                       donation.id, FormatDate(donation.date),
                       FormatAmountGerman(donation.amount_cents));
  }
  if (donation.kind == DonationKind::kInKind && donation.note.empty()) {
    return fmt::format(
        "{} ({}, in kind, {} EUR): an in-kind receipt describes the gift with the donation's "
        "note, and it has none; reverse it and record it again with --note",
        donation.id, FormatDate(donation.date), FormatAmountGerman(donation.amount_cents));
  }
  return "";
}

// Per donor, in the order of their first donation: the donations to receipt.
struct DonorDonations {
  std::string donor;
  std::vector<const DonationForReceipt*> money;
  std::vector<const DonationForReceipt*> in_kind;
};

std::vector<DonorDonations> GroupByDonor(const std::vector<DonationForReceipt>& donations,
                                         const ReceiptOptions& options,
                                         std::vector<std::string>* notes) {
  std::vector<const DonationForReceipt*> sorted;
  for (const DonationForReceipt& donation : donations) {
    if (donation.date.year != options.year || donation.reversed || donation.receipted) continue;
    if (options.donor && donation.donor != options.donor) continue;
    const std::string why = Unreceiptable(donation);
    if (!why.empty()) {
      notes->push_back(why);
      continue;
    }
    sorted.push_back(&donation);
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return std::pair(a->date, a->seq) < std::pair(b->date, b->seq);
  });
  std::vector<DonorDonations> groups;
  std::map<std::string, size_t> index;
  for (const DonationForReceipt* donation : sorted) {
    auto [it, added] = index.emplace(*donation->donor, groups.size());
    if (added) groups.push_back({*donation->donor, {}, {}});
    DonorDonations& group = groups[it->second];
    (donation->kind == DonationKind::kMoney ? group.money : group.in_kind).push_back(donation);
  }
  return groups;
}

}  // namespace

Status ParseAddresses(std::string_view text, std::map<std::string, std::string>* addresses) {
  addresses->clear();
  if (text.size() > kAddressesFileBytesMax) {
    return Status::InvalidInput(
        fmt::format("is larger than the limit of {} bytes", kAddressesFileBytesMax));
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view row = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    if (row.ends_with('\r')) row.remove_suffix(1);
    if (line_number == 1) {
      if (row != "donor;address") {
        return Status::InvalidInput("line 1: the header row must be \"donor;address\"");
      }
      continue;
    }
    if (row.empty()) continue;
    if (addresses->size() == kAddressesRowsMax) {
      return Status::InvalidInput(
          fmt::format("line {}: more than {} donors", line_number, kAddressesRowsMax));
    }
    KASSE_RETURN_IF_ERROR(AddressRow(row, line_number, addresses));
  }
  if (line_number == 0) return Status::InvalidInput("is empty: the header row \"donor;address\"");
  return Status::Ok();
}

Status ChooseTaxData(const std::vector<std::pair<uint64_t, Date>>& candidates, Date issued_on,
                     uint64_t* seq) {
  *seq = 0;
  for (const auto& [candidate_seq, date] : candidates) {
    if (date <= issued_on && candidate_seq > *seq) *seq = candidate_seq;
  }
  if (*seq != 0) return Status::Ok();
  return Status::NotFound(fmt::format(
      "no tax data dated on or before {}: record the association's tax data first (kasse "
      "tax-data), which every receipt prints",
      FormatDate(issued_on)));
}

Status CheckNoticeAge(const TaxDataRecorded& tax, Date issued_on) {
  const bool exemption = tax.notice == ExemptionNotice::kExemption;
  const int32_t years = exemption ? 5 : 3;
  const Date last_day = YearsAfter(tax.notice_date, years);
  if (issued_on <= last_day) return Status::Ok();
  return Status::Rejected(fmt::format(
      "§ 63 (5) AO: the {} of {} is more than {} years old on {} (receipts could be issued up to "
      "{}); a receipt would not be accepted as proof. Record the tax data of a newer notice "
      "(kasse tax-data)",
      exemption ? "exemption notice (Freistellungsbescheid)"
                : "§ 60a AO notice (Feststellungsbescheid)",
      FormatDate(tax.notice_date), years, FormatDate(issued_on), FormatDate(last_day)));
}

Status PlanReceipts(const std::vector<DonationForReceipt>& donations,
                    const std::map<std::string, std::string>& addresses,
                    const ReceiptOptions& options, ReceiptPlan* plan) {
  *plan = ReceiptPlan();
  const std::vector<DonorDonations> groups = GroupByDonor(donations, options, &plan->notes);
  for (const DonorDonations& group : groups) {
    if (addresses.find(group.donor) == addresses.end()) {
      return Status::InvalidInput(fmt::format(
          "option --addresses: no address for the donor \"{}\", who has donations of {} to "
          "receipt; add a row \"{};<address lines separated by |>\"",
          group.donor, options.year, group.donor));
    }
  }
  int32_t number = options.last_number;
  const auto add = [&](const std::vector<const DonationForReceipt*>& listed, ReceiptForm form,
                       const DonorDonations& group) {
    if (number >= kReceiptsPerYearMax) {
      return Status::Rejected(fmt::format("the receipt numbers of {} are used up ({}-{:03})",
                                          options.year, options.year, kReceiptsPerYearMax));
    }
    Event event;
    KASSE_RETURN_IF_ERROR(MakeReceiptEvent(listed, form, ++number, group.donor,
                                           addresses.at(group.donor), options, &event));
    plan->receipts.push_back(std::move(event));
    return Status::Ok();
  };
  for (const DonorDonations& group : groups) {
    if (!group.money.empty()) {
      KASSE_RETURN_IF_ERROR(
          add(group.money, group.money.size() == 1 ? ReceiptForm::kMoney : ReceiptForm::kCollective,
              group));
    }
    for (const DonationForReceipt* donation : group.in_kind) {
      KASSE_RETURN_IF_ERROR(add({donation}, ReceiptForm::kInKind, group));
    }
  }
  return Status::Ok();
}

Status MakeReceiptDocument(const Event& receipt, const std::vector<Event>& donations,
                           const TaxDataRecorded& tax, ReceiptDocument* document) {
  const auto* body = std::get_if<ReceiptIssued>(&receipt.body);
  if (body == nullptr || !receipt.personal || donations.size() != body->donations.size()) {
    return Status::InvalidInput(
        fmt::format("event \"{}\" is no complete receipt.issued with its donations", receipt.id));
  }
  *document = ReceiptDocument();
  document->form = body->form;
  document->number = body->number;
  document->issued_on = receipt.date;
  document->issuer_name = tax.name;
  document->issuer_address = tax.address;
  document->tax_office = tax.tax_office;
  document->tax_number = tax.tax_number;
  document->notice = tax.notice;
  document->notice_date = tax.notice_date;
  document->assessment_period = tax.assessment_period;
  document->purposes = tax.purposes;
  document->place = tax.place;
  SplitReceiptPersonal(*receipt.personal, &document->donor_name, &document->donor_address);
  for (const Event& donation : donations) {
    const auto* donated = std::get_if<DonationReceived>(&donation.body);
    if (donated == nullptr || donated->kind != KindOfForm(body->form)) {
      return Status::InvalidInput(
          fmt::format("event \"{}\" is no donation that receipt {} can "
                      "cover",
                      donation.id, body->number));
    }
    document->lines.push_back({donation.date, donated->amount_cents, /*is_dues=*/false});
  }
  // A collective receipt's annex lists the donations by date; the sort is stable, so the order
  // of the event decides between donations of one day.
  std::stable_sort(document->lines.begin(), document->lines.end(),
                   [](const ReceiptLine& a, const ReceiptLine& b) { return a.date < b.date; });
  document->total_cents = body->amount_cents;
  if (body->form == ReceiptForm::kInKind) {
    document->in_kind_description = donations.front().note;
    document->in_kind_origin = body->in_kind_origin.value_or(InKindOrigin::kUnknown);
    document->valuation_documents = body->valuation_documents;
  }
  return Status::Ok();
}

std::string ReceiptFileName(std::string_view number, bool duplicate) {
  return fmt::format("Zuwendungsbestaetigung-{}{}.pdf", number, duplicate ? "-Duplikat" : "");
}

}  // namespace kasse::cli
