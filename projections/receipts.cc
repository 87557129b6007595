#include "projections/receipts.h"

#include <fmt/format.h>

#include <algorithm>

#include "ledger/money.h"
#include "projections/statement.h"

namespace kasse {

namespace {

constexpr char kTaxDataPrefix[] = "tax_data_id/";
constexpr char kReceiptPrefix[] = "receipt/";
constexpr char kReceiptedPrefix[] = "receipted/";
constexpr char kRecallPrefix[] = "receipt_recall/";

std::string TaxDataKey(const std::string& id) {
  return kTaxDataPrefix + id;
}
std::string ReceiptKey(const std::string& number) {
  return kReceiptPrefix + number;
}
std::string ReceiptedKey(const std::string& donation_id) {
  return kReceiptedPrefix + donation_id;
}
std::string RecallYearPrefix(int32_t year) {
  return fmt::format("{}{:04}/", kRecallPrefix, year);
}

Status Rejected(std::string_view field, std::string_view message) {
  return Status::Rejected(fmt::format("field \"{}\": {}", field, message));
}

// The kind of donation each template takes.
DonationKind KindOfForm(ReceiptForm form) {
  return form == ReceiptForm::kInKind ? DonationKind::kInKind : DonationKind::kMoney;
}

// The rules on one listed donation that need only the donation itself and the state.
Status CheckDonation(StateCache& cache, const Event& receipt, const ReceiptIssued& body,
                     const std::string& id, const ListedDonation& listed) {
  const Event& donation = listed.event;
  const auto* donated = std::get_if<DonationReceived>(&donation.body);
  if (donated == nullptr) {
    return Rejected("donations", fmt::format("\"{}\" is a {} event, not a donation.received", id,
                                             TypeName(TypeOf(donation.body))));
  }
  if (donation.date.year != body.year) {
    return Rejected("donations", fmt::format("\"{}\" is a donation of {}, not of {}", id,
                                             donation.date.year, body.year));
  }
  if (receipt.date < donation.date) {
    return Rejected("donations", fmt::format("\"{}\" was received on {}, after the receipt's date",
                                             id, FormatDate(donation.date)));
  }
  if (donated->kind != KindOfForm(body.form)) {
    return Rejected("donations",
                    fmt::format("\"{}\" is a donation {}, which a \"{}\" receipt cannot cover", id,
                                donated->kind == DonationKind::kMoney ? "of money" : "in kind",
                                ReceiptFormName(body.form)));
  }
  if (body.form == ReceiptForm::kInKind && donation.note.empty()) {
    return Rejected("donations", fmt::format("\"{}\" has no note: an in-kind receipt describes the "
                                             "gift (age, condition, purchase price) with the "
                                             "donation's note, so record it with one",
                                             id));
  }
  if (listed.reversed_by_seq != 0) {
    return Rejected("donations",
                    fmt::format("\"{}\" was reversed (seq {}); a receipt cannot cover it", id,
                                listed.reversed_by_seq));
  }
  std::string value;
  bool receipted = false;
  KASSE_RETURN_IF_ERROR(cache.Get(ReceiptedKey(id), &value, &receipted));
  if (receipted) {
    return Rejected("donations", fmt::format("\"{}\" is already covered by receipt {}; a donation "
                                             "is never receipted twice (a lost receipt is "
                                             "reprinted: kasse receipts --reprint)",
                                             id, value.size() > 8 ? value.substr(8) : "?"));
  }
  return Status::Ok();
}

// All listed donations come from one donor: the receipt's, when its personal data is at hand.
Status CheckOneDonor(const Event& receipt, const ReceiptIssued& body,
                     const std::vector<ListedDonation>& donations) {
  if (!receipt.personal) return Status::Ok();  // a replay: checked when it was recorded
  std::string donor, address;
  SplitReceiptPersonal(*receipt.personal, &donor, &address);
  for (size_t i = 0; i < donations.size(); ++i) {
    if (!donations[i].event.personal) {
      return Rejected("donations", fmt::format("\"{}\" has no donor on record (erased or never "
                                               "given), so no receipt can name one",
                                               body.donations[i]));
    }
    if (*donations[i].event.personal != donor) {
      return Rejected("donations", fmt::format("\"{}\" was given by another donor than the one "
                                               "named in field \"donor\"",
                                               body.donations[i]));
    }
  }
  return Status::Ok();
}

// By client id rather than seq: a copy of the ledger keeps the ids when its seqs shift.
Status CheckTaxDataId(StateCache& cache, const Event& receipt, const ReceiptIssued& body) {
  std::string value;
  bool found = false;
  KASSE_RETURN_IF_ERROR(cache.Get(TaxDataKey(body.tax_data_id), &value, &found));
  if (!found) {
    return Rejected("tax_data_id", fmt::format("\"{}\" is the id of no tax_data.recorded event "
                                               "recorded before the receipt",
                                               body.tax_data_id));
  }
  std::vector<int64_t> fields;
  if (!DecodeInt64s(value, 2, &fields)) {
    return Status::Corruption(fmt::format("stored tax data \"{}\" is damaged", body.tax_data_id));
  }
  if (fields[1] > receipt.date.yyyymmdd()) {
    return Rejected("tax_data_id",
                    fmt::format("the tax data \"{}\" (seq {}) are dated after the receipt ({})",
                                body.tax_data_id, fields[0], FormatDate(receipt.date)));
  }
  return Status::Ok();
}

}  // namespace

Status FoldTaxDataRecorded(StateCache& cache, const Event& event) {
  cache.Put(TaxDataKey(event.id),
            EncodeInt64s({static_cast<int64_t>(event.seq), event.date.yyyymmdd()}));
  return Status::Ok();
}

Status CheckAndFoldReceiptIssued(StateCache& cache, const Event& receipt,
                                 const std::vector<ListedDonation>& donations) {
  const auto& body = std::get<ReceiptIssued>(receipt.body);
  if (donations.size() != body.donations.size()) {
    return Status::Rejected("the donations of the receipt were not all looked up");
  }
  std::string value;
  bool used = false;
  KASSE_RETURN_IF_ERROR(cache.Get(ReceiptKey(body.number), &value, &used));
  if (used) {
    return Rejected("number", fmt::format("receipt {} was already issued", body.number));
  }
  int64_t sum_cents = 0;
  for (size_t i = 0; i < donations.size(); ++i) {
    KASSE_RETURN_IF_ERROR(CheckDonation(cache, receipt, body, body.donations[i], donations[i]));
    const int64_t amount_cents = std::get<DonationReceived>(donations[i].event.body).amount_cents;
    if (!AddCents(sum_cents, amount_cents, &sum_cents)) {
      return Rejected("amount", "the sum of the donations overflows");
    }
  }
  if (sum_cents != body.amount_cents) {
    return Rejected("amount",
                    fmt::format("{} is not the sum of the donations listed, {}",
                                FormatAmount(body.amount_cents), FormatAmount(sum_cents)));
  }
  KASSE_RETURN_IF_ERROR(CheckOneDonor(receipt, body, donations));
  KASSE_RETURN_IF_ERROR(CheckTaxDataId(cache, receipt, body));
  cache.Put(ReceiptKey(body.number), EncodeInt64s({static_cast<int64_t>(receipt.seq)}));
  for (size_t i = 0; i < donations.size(); ++i) {
    cache.Put(ReceiptedKey(body.donations[i]),
              EncodeInt64s({static_cast<int64_t>(receipt.seq)}) + body.number);
    KASSE_RETURN_IF_ERROR(CountReceiptedDonation(cache, donations[i].event, 1));
  }
  return Status::Ok();
}

Status FoldReversalOfReceipted(StateCache& cache, const Event& reversal, const Event& original) {
  if (!std::holds_alternative<DonationReceived>(original.body)) return Status::Ok();
  std::string value;
  bool receipted = false;
  KASSE_RETURN_IF_ERROR(cache.Get(ReceiptedKey(original.id), &value, &receipted));
  if (!receipted) return Status::Ok();
  std::vector<int64_t> fields;
  if (value.size() < 8 || !DecodeInt64s(std::string_view(value).substr(0, 8), 1, &fields)) {
    return Status::Corruption(fmt::format("stored receipt of \"{}\" is damaged", original.id));
  }
  cache.Put(RecallYearPrefix(original.date.year) + original.id,
            EncodeInt64s({static_cast<int64_t>(reversal.seq), fields[0]}) + value.substr(8));
  // The donation leaves the statement's count of receipted donations with its reversal.
  return CountReceiptedDonation(cache, original, -1);
}

Status FindReceiptOfDonation(const StateView& state, const std::string& donation_id,
                             ReceiptOfDonation* receipt, bool* found) {
  std::string value;
  Status status = state.get(ReceiptedKey(donation_id), &value);
  *found = status.ok();
  if (status.code() == Status::Code::kNotFound) return Status::Ok();
  KASSE_RETURN_IF_ERROR(status);
  std::vector<int64_t> fields;
  if (value.size() < 8 || !DecodeInt64s(std::string_view(value).substr(0, 8), 1, &fields)) {
    return Status::Corruption(fmt::format("stored receipt of \"{}\" is damaged", donation_id));
  }
  receipt->receipt_seq = static_cast<uint64_t>(fields[0]);
  receipt->number = value.substr(8);
  return Status::Ok();
}

Status FindReceiptByNumber(const StateView& state, const std::string& number, uint64_t* seq,
                           bool* found) {
  std::string value;
  Status status = state.get(ReceiptKey(number), &value);
  *found = status.ok();
  if (status.code() == Status::Code::kNotFound) return Status::Ok();
  KASSE_RETURN_IF_ERROR(status);
  std::vector<int64_t> fields;
  if (!DecodeInt64s(value, 1, &fields)) {
    return Status::Corruption(fmt::format("stored receipt {} is damaged", number));
  }
  *seq = static_cast<uint64_t>(fields[0]);
  return Status::Ok();
}

Status ReadLastReceiptNumber(const StateView& state, int32_t year, int32_t* last) {
  *last = 0;
  const std::string prefix = fmt::format("{}{:04}-", kReceiptPrefix, year);
  return state.for_each(prefix, [&](std::string_view key, std::string_view) {
    const std::string_view running = key.substr(prefix.size());
    if (running.size() != 3 || running.find_first_not_of("0123456789") != std::string::npos) {
      return Status::Corruption(fmt::format("stored receipt key {} is damaged", key));
    }
    *last = std::max(*last, std::stoi(std::string(running)));
    return Status::Ok();
  });
}

Status ReadTaxData(const StateView& state, std::vector<TaxDataEntry>* entries) {
  entries->clear();
  // A handful of entries (one per exemption notice), so reading them all and sorting is cheap.
  KASSE_RETURN_IF_ERROR(
      state.for_each(kTaxDataPrefix, [&](std::string_view key, std::string_view value) {
        std::vector<int64_t> fields;
        TaxDataEntry entry;
        entry.id = std::string(key.substr(sizeof(kTaxDataPrefix) - 1));
        if (entry.id.empty() || !DecodeInt64s(value, 2, &fields) || fields[0] <= 0 ||
            !DateFromYyyymmdd(static_cast<int32_t>(fields[1]), &entry.date).ok()) {
          return Status::Corruption(fmt::format("stored tax data {} is damaged", key));
        }
        entry.seq = static_cast<uint64_t>(fields[0]);
        entries->push_back(std::move(entry));
        return Status::Ok();
      }));
  std::sort(entries->begin(), entries->end(),
            [](const TaxDataEntry& a, const TaxDataEntry& b) { return a.seq < b.seq; });
  return Status::Ok();
}

Status ReadReceiptRecalls(const StateView& state, int32_t year, size_t listed_max,
                          std::vector<ReceiptRecall>* listed, int64_t* count) {
  listed->clear();
  *count = 0;
  const std::string prefix = RecallYearPrefix(year);
  // Recalls are rare (a receipted donation paid back), so counting them by a scan is cheap.
  return state.for_each(prefix, [&](std::string_view key, std::string_view value) {
    std::vector<int64_t> fields;
    if (value.size() < 16 || !DecodeInt64s(value.substr(0, 16), 2, &fields)) {
      return Status::Corruption(fmt::format("stored receipt recall {} is damaged", key));
    }
    ++*count;
    if (listed->size() < listed_max) {
      listed->push_back({.donation_id = std::string(key.substr(prefix.size())),
                         .reversal_seq = static_cast<uint64_t>(fields[0]),
                         .receipt_seq = static_cast<uint64_t>(fields[1]),
                         .number = std::string(value.substr(16))});
    }
    return Status::Ok();
  });
}

}  // namespace kasse
