// Donation receipts (Zuwendungsbestätigungen) as PDF, after the official templates of the BMF
// letter of 7 November 2013 (binding wording and order, § 50 (1) EStDV). This file only lays out
// a receipt whose content is decided elsewhere (cli/cmd_receipts.cc): which donations, which
// number, which tax data. It reads no ledger.
//
// The same ReceiptDocument always gives the same bytes (no clock, no random ids in the PDF), so a
// duplicate of an issued receipt can be reproduced byte for byte from the ledger's history and
// checked against the SHA-256 recorded in its receipt.issued event. The bytes depend on the
// fonts that fontconfig finds (DejaVu Sans from fonts-dejavu-core), so a reprint on a machine
// with other fonts may differ; `kasse receipts --reprint` says so when the hash does not match.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/date.h"
#include "ledger/event.h"
#include "ledger/status.h"

namespace kasse::cli {

// The template (ReceiptForm), the notice it cites (ExemptionNotice) and an in-kind gift's origin
// (InKindOrigin) are the enums of the receipt.issued and tax_data.recorded events (ledger/event.h).

// One donation listed on a receipt. A collective receipt lists one or more, sorted by date.
struct ReceiptLine {
  Date date;
  int64_t amount_cents = 0;
  bool is_dues = false;  // Mitgliedsbeitrag instead of Geldzuwendung (annex column "Art")
};

struct ReceiptDocument {
  ReceiptForm form = ReceiptForm::kMoney;
  std::string number;  // the association's receipt number, e.g. "2022-001"; printed in the footer
  Date issued_on;      // printed as "Ort, Datum" beside the signature line

  // The issuer, from the association's tax data (event tax_data.recorded).
  std::string issuer_name;
  std::string issuer_address;  // lines separated by '\n'
  std::string tax_office;      // "Finanzamt Berlin für Körperschaften I"
  std::string tax_number;      // "27/640/12345"
  ExemptionNotice notice = ExemptionNotice::kExemption;
  Date notice_date;
  std::string assessment_period;  // "2019-2021"; printed for kExemption only
  std::string purposes;  // what follows "Förderung" in the template: "der Volks- und Berufsbildung"
  std::string place;     // "Berlin"

  // The donor. Personal data: it leaves the ledger only on the receipt.
  std::string donor_name;
  std::string donor_address;  // lines separated by '\n'

  // kMoney and kInKind: exactly one line. kCollective: two or more, sorted by date.
  std::vector<ReceiptLine> lines;
  int64_t total_cents = 0;  // the sum of lines[].amount_cents (checked)

  // kInKind only.
  std::string in_kind_description;  // "Genaue Bezeichnung der Sachzuwendung mit Alter, Zustand ..."
  InKindOrigin in_kind_origin = InKindOrigin::kPrivate;
  bool valuation_documents = false;  // "Geeignete Unterlagen ... liegen vor."
};

// The amount as the receipt writes it in letters, after German orthography (numbers below a
// million in one lowercase word, Million/Milliarde as separate capitalised nouns):
//   123050 -> "eintausendzweihundertdreißig Euro und fünfzig Cent"
//   30000  -> "dreihundert Euro",  10100 -> "einhunderteins Euro",  100 -> "ein Euro",
//   50 -> "fünfzig Cent",  0 -> "null Euro",  100000000 -> "eine Million Euro"
// `cents` is at least 0 and at most the contract's amount limit (1,000,000,000,000.00 EUR).
std::string AmountInGermanWords(int64_t cents);

// Lays out `receipt` on DIN A4 pages (one page; a collective receipt adds the annex "Anlage zur
// Sammelbestätigung" on further pages) and returns the PDF bytes in `pdf`. InvalidInput when the
// document breaks its own rules (a line count that does not fit the template, a total that is not
// the sum of the lines, an empty required field, a receipt that does not fit its one page);
// IoError when the renderer cannot be run or fails.
//
// Runs the program kasse-receipt-pdf that is installed beside the kasse binary, with the document
// as JSON on its standard input: cairo and pango load some forty shared libraries, which would
// add about 3 ms to every kasse command if kasse itself linked them (README, Dependencies).
Status RenderReceiptPdf(const ReceiptDocument& receipt, std::string* pdf);

// The same, in this process: what kasse-receipt-pdf runs (library kasse_receipt_pdf, which links
// cairo and pango).
Status RenderReceiptPdfInProcess(const ReceiptDocument& receipt, std::string* pdf);

// The document as the JSON object that kasse-receipt-pdf reads, and back. Amounts are whole
// cents, dates "YYYY-MM-DD". ReceiptDocumentFromJson checks types and enum values, not the
// template rules (RenderReceiptPdfInProcess does).
std::string ReceiptDocumentToJson(const ReceiptDocument& receipt);
Status ReceiptDocumentFromJson(std::string_view json, ReceiptDocument* receipt);

}  // namespace kasse::cli
