// Donation receipts: the association's tax data and the receipts issued, with the rules that keep a
// donation from being receipted twice. A fold over tax_data.recorded, receipt.issued, and the
// reversals of receipted donations. State:
//   "tax_data_id/<id>"                     two int64: seq and date (yyyymmdd) of the
//                                          tax_data.recorded event with client id <id>
//   "receipt/<number>"                     one int64: seq of the receipt.issued event
//   "receipted/<donation id>"              one int64: seq of the receipt; then its number
//   "receipt_recall/<year>/<donation id>"  two int64: seq of the donation's reversal, seq of the
//                                          receipt; then its number. <year> is the donation's.
// A receipt number starts with its donations' year ("2022-001"), so "receipt/2022-" lists a
// year's numbers. A ledger without these event types has none of these keys, which is why adding
// them did not change the projections version. Tax data are keyed by client id, not seq, because a
// receipt names its tax data by id (seqs shift in a log --json copy that leaves out the seals);
// that key replaced "tax_data/<seq>" before either was released, so it needed no new version
// either.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "projections/state_cache.h"

namespace kasse {

// Records which tax data exist, by client id, with their seqs and dates, so that a receipt's
// tax_data_id can be checked and the tax data in force on a day be chosen.
Status FoldTaxDataRecorded(StateCache& cache, const Event& event);

// A donation a receipt lists, looked up by the caller (Books), which keeps the reversals.
struct ListedDonation {
  Event event;                   // with its personal data when the caller has it
  uint64_t reversed_by_seq = 0;  // 0 when not reversed
};

// Checks `receipt` (a receipt.issued event) against the donations it lists, given in its order,
// and against the state: each donation is a
// donation.received of the receipt's year and kind, dated on or before the receipt, not reversed
// and not on an earlier receipt, all of one donor (the receipt's, when its personal data is at
// hand, i.e. when it is recorded rather than replayed); the amount is their sum; an in-kind
// donation carries its description in its note; tax_data_id names a tax_data.recorded event
// dated on or before the receipt; the number is new. Rejected naming the field, or folds the
// receipt.
Status CheckAndFoldReceiptIssued(StateCache& cache, const Event& receipt,
                                 const std::vector<ListedDonation>& donations);

// Called for every reversal of a money event: a reversed donation that a receipt covers must be
// recalled from the donor (§ 10b (4) EStG), which the statement's check then reports.
Status FoldReversalOfReceipted(StateCache& cache, const Event& reversal, const Event& original);

// Readers.
struct ReceiptOfDonation {
  uint64_t receipt_seq = 0;
  std::string number;
};
// *found false when no receipt covers the donation with client id `donation_id`.
Status FindReceiptOfDonation(const StateView& state, const std::string& donation_id,
                             ReceiptOfDonation* receipt, bool* found);
// The seq of the receipt.issued event with `number`; *found false when there is none.
Status FindReceiptByNumber(const StateView& state, const std::string& number, uint64_t* seq,
                           bool* found);
// The highest running number used in `year` (0 when none): the next receipt gets one more.
Status ReadLastReceiptNumber(const StateView& state, int32_t year, int32_t* last);

struct TaxDataEntry {
  uint64_t seq = 0;
  Date date;
  std::string id;  // the event's client id, which a receipt records as its tax_data_id
};
// Every tax_data.recorded event, in seq order. Corruption naming the key when one is damaged.
Status ReadTaxData(const StateView& state, std::vector<TaxDataEntry>* entries);

struct ReceiptRecall {
  std::string donation_id;
  uint64_t reversal_seq = 0;
  uint64_t receipt_seq = 0;
  std::string number;
};
// The receipts that cover a reversed donation of `year`: their number, the first `listed_max`.
Status ReadReceiptRecalls(const StateView& state, int32_t year, size_t listed_max,
                          std::vector<ReceiptRecall>* listed, int64_t* count);

}  // namespace kasse
