// Donation receipts, the pure part: which receipts to issue for a year (grouping by donor,
// numbering, choosing the template), the tax data in force, and the mapping of a receipt.issued
// event and the events it names to the document that cli/receipt_pdf.h lays out. No I/O here:
// cli/cmd_receipts.cc reads the ledger and the addresses file, renders, and records.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/receipt_pdf.h"
#include "ledger/event.h"
#include "ledger/status.h"

namespace kasse::cli {

// Explicit limits of the addresses file.
inline constexpr size_t kAddressesFileBytesMax = 16 * 1024 * 1024;
inline constexpr size_t kAddressesRowsMax = 100'000;

// Donor name -> address (lines separated by '\n'), from the addresses file: UTF-8 text, a header
// row "donor;address", then one row per donor, address lines separated by '|'; a field may be
// quoted with '"' (a quote inside doubled). InvalidInput naming the line on any defect.
Status ParseAddresses(std::string_view text, std::map<std::string, std::string>* addresses);

// A donation.received of the year, as the planner needs it.
struct DonationForReceipt {
  std::string id;
  uint64_t seq = 0;
  Date date;
  int64_t amount_cents = 0;
  DonationKind kind = DonationKind::kMoney;
  std::optional<std::string> donor;  // nullopt when erased (or missing)
  std::string note;                  // an in-kind receipt's description of the gift
  bool reversed = false;
  bool receipted = false;
};

// The tax data a receipt cites, with its event's client id (which the receipt records), seq and
// date.
struct TaxDataInForce {
  std::string id;
  uint64_t seq = 0;
  Date date;
  TaxDataRecorded data;
};

// The latest tax data by seq dated on or before `issued_on`; NotFound when there is none.
// `candidates` is every tax_data.recorded event (seq, date), in any order.
Status ChooseTaxData(const std::vector<std::pair<uint64_t, Date>>& candidates, Date issued_on,
                     uint64_t* seq);

// § 63 (5) AO: receipts may be issued only while the exemption notice is at most 5 years old, or
// the § 60a notice at most 3, on the issue date, counted to the day. Rejected citing the rule.
Status CheckNoticeAge(const TaxDataRecorded& tax, Date issued_on);

struct ReceiptOptions {
  int32_t year = 0;
  Date issued_on;
  std::optional<std::string> donor;                                    // only this donor (--donor)
  kasse::InKindOrigin in_kind_origin = kasse::InKindOrigin::kUnknown;  // the event's enum
  bool valuation_documents = false;
  std::string tax_data_id;  // client id of the tax_data.recorded event the receipts print
  int32_t last_number = 0;  // the highest running number of `year` issued so far
};

struct ReceiptPlan {
  // receipt.issued events to record, in number order, complete except pdf_sha256; each with the
  // donor's name and address as its personal data.
  std::vector<Event> receipts;
  // Donations that cannot be receipted, one sentence each (no donor on record, no description).
  std::vector<std::string> notes;
};

// Plans the receipts of options.year: per donor (by exact name), in the order of the donors'
// first donations, one receipt of the money donations not yet receipted and not reversed (money
// for one, collective for more), then one in-kind receipt per in-kind donation. Numbers follow
// options.last_number. InvalidInput naming the donor when the addresses lack one; Rejected when
// the year's 999 numbers do not suffice.
Status PlanReceipts(const std::vector<DonationForReceipt>& donations,
                    const std::map<std::string, std::string>& addresses,
                    const ReceiptOptions& options, ReceiptPlan* plan);

// The document of a receipt: from its receipt.issued event (with its personal data), the
// donation.received events it lists (in its order) and the tax data it cites. The same inputs
// always give the same document, which is what makes a reprint identical.
Status MakeReceiptDocument(const Event& receipt, const std::vector<Event>& donations,
                           const TaxDataRecorded& tax, ReceiptDocument* document);

// "Zuwendungsbestaetigung-2022-001.pdf", or with "-Duplikat" before ".pdf".
std::string ReceiptFileName(std::string_view number, bool duplicate);

}  // namespace kasse::cli
