// The pure part of kasse receipts (cli/receipts.h): the addresses file, the tax data in force and
// § 63 (5) AO, the plan (grouping, numbering, templates) and the document of a receipt.
#include "cli/receipts.h"

#include <gtest/gtest.h>

namespace kasse::cli {
namespace {

DonationForReceipt Donation(std::string id, uint64_t seq, Date date, int64_t amount_cents,
                            std::optional<std::string> donor,
                            DonationKind kind = DonationKind::kMoney, std::string note = "") {
  return {.id = std::move(id),
          .seq = seq,
          .date = date,
          .amount_cents = amount_cents,
          .kind = kind,
          .donor = std::move(donor),
          .note = std::move(note)};
}

TaxDataRecorded Tax(ExemptionNotice notice, Date notice_date) {
  return {"NExT e.V.",
          "Musterstraße 1\n10115 Berlin",
          "für Körperschaften I",
          "27/640/12345",
          notice,
          notice_date,
          notice == ExemptionNotice::kExemption ? "2017-2019" : "",
          "der Volks- und Berufsbildung",
          "Berlin"};
}

const std::map<std::string, std::string> kAddresses = {
    {"Erika Muster", "Weg 1\n12345 Ort"},
    {"Hans Huber", "Allee 2\n54321 Stadt"},
    {"Firma X GmbH", "Industriestr. 3\n11111 Y"}};

ReceiptOptions Options() {
  ReceiptOptions options;
  options.year = 2022;
  options.issued_on = Date{2023, 1, 20};
  options.tax_data_id = "tax-2023";
  options.in_kind_origin = kasse::InKindOrigin::kPrivate;
  return options;
}

const ReceiptIssued& Body(const Event& event) {
  return std::get<ReceiptIssued>(event.body);
}

TEST(ParseAddresses, ReadsRowsWithQuotesAndLines) {
  std::map<std::string, std::string> addresses;
  ASSERT_TRUE(ParseAddresses("\xEF\xBB\xBF"
                             "donor;address\r\n"
                             "Erika Muster;Weg 1|12345 Ort\r\n"
                             "\r\n"
                             "\"Huber; Hans\";\"c/o \"\"Huber\"\"|Allee 2\"\n",
                             &addresses)
                  .ok());
  EXPECT_EQ(addresses.size(), 2u);
  EXPECT_EQ(addresses.at("Erika Muster"), "Weg 1\n12345 Ort");
  EXPECT_EQ(addresses.at("Huber; Hans"), "c/o \"Huber\"\nAllee 2");
}

TEST(ParseAddresses, RefusesNamingTheLine) {
  std::map<std::string, std::string> addresses;
  EXPECT_EQ(ParseAddresses("name;anschrift\n", &addresses).message(),
            "line 1: the header row must be \"donor;address\"");
  EXPECT_EQ(ParseAddresses("", &addresses).message(), "is empty: the header row \"donor;address\"");
  EXPECT_EQ(ParseAddresses("donor;address\nErika;Weg 1;x\n", &addresses).message(),
            "line 2: expected two fields, donor;address");
  EXPECT_EQ(ParseAddresses("donor;address\n\"Erika;Weg 1\n", &addresses).message(),
            "line 2: expected two fields, donor;address");
  EXPECT_EQ(ParseAddresses("donor;address\nErika;\n", &addresses).message(),
            "line 2: the donor and the address are needed");
  EXPECT_EQ(ParseAddresses("donor;address\nErika;A\nErika;B\n", &addresses).message(),
            "line 3: \"Erika\" has an address already");
}

TEST(ChooseTaxData, TakesTheLatestRecordedDatedByTheIssueDate) {
  uint64_t seq = 0;
  // seq 30 is dated earlier than seq 20 but recorded later: it wins.
  const std::vector<std::pair<uint64_t, Date>> candidates = {
      {20, Date{2022, 6, 1}}, {30, Date{2022, 1, 1}}, {40, Date{2023, 2, 1}}};
  ASSERT_TRUE(ChooseTaxData(candidates, Date{2023, 1, 20}, &seq).ok());
  EXPECT_EQ(seq, 30u);
  ASSERT_TRUE(ChooseTaxData(candidates, Date{2023, 2, 1}, &seq).ok());
  EXPECT_EQ(seq, 40u);
  const Status none = ChooseTaxData(candidates, Date{2021, 12, 31}, &seq);
  EXPECT_EQ(none.code(), Status::Code::kNotFound);
  EXPECT_EQ(none.message(),
            "no tax data dated on or before 2021-12-31: record the association's tax data first "
            "(kasse tax-data), which every receipt prints");
}

TEST(CheckNoticeAge, FiveYearsForAnExemptionThreeForA60aNoticeToTheDay) {
  const TaxDataRecorded exemption = Tax(ExemptionNotice::kExemption, Date{2018, 3, 15});
  EXPECT_TRUE(CheckNoticeAge(exemption, Date{2023, 3, 15}).ok());
  const Status late = CheckNoticeAge(exemption, Date{2023, 3, 16});
  EXPECT_EQ(late.code(), Status::Code::kRejected);
  EXPECT_EQ(
      late.message(),
      "§ 63 (5) AO: the exemption notice (Freistellungsbescheid) of 2018-03-15 is more than 5 "
      "years old on 2023-03-16 (receipts could be issued up to 2023-03-15); a receipt would "
      "not be accepted as proof. Record the tax data of a newer notice (kasse tax-data)");
  const TaxDataRecorded section_60a = Tax(ExemptionNotice::kSection60a, Date{2020, 2, 29});
  EXPECT_TRUE(CheckNoticeAge(section_60a, Date{2023, 2, 28}).ok());
  EXPECT_NE(CheckNoticeAge(section_60a, Date{2023, 3, 1}).message().find("more than 3 years"),
            std::string::npos);
}

TEST(PlanReceipts, OneReceiptPerDonorOfMoneyAndOnePerGiftInKind) {
  const std::vector<DonationForReceipt> donations = {
      Donation("e2", 21, Date{2022, 4, 1}, 40000, "Erika Muster"),
      Donation("h1", 22, Date{2022, 3, 5}, 123050, "Hans Huber"),
      Donation("e1", 20, Date{2022, 2, 1}, 2550, "Erika Muster"),
      Donation("x1", 23, Date{2022, 6, 1}, 90000, "Firma X GmbH", DonationKind::kInKind,
               "Laptop, 2 Jahre alt"),
      Donation("e3", 24, Date{2022, 7, 1}, 5000, "Erika Muster", DonationKind::kInKind, "Bücher"),
      Donation("old", 5, Date{2021, 7, 1}, 5000, "Erika Muster"),
  };
  ReceiptOptions options = Options();
  options.last_number = 4;
  ReceiptPlan plan;
  ASSERT_TRUE(PlanReceipts(donations, kAddresses, options, &plan).ok());
  ASSERT_EQ(plan.receipts.size(), 4u);
  EXPECT_TRUE(plan.notes.empty());
  // Erika gave first (e1, 1 February): her collective receipt, then her gift in kind.
  EXPECT_EQ(Body(plan.receipts[0]).number, "2022-005");
  EXPECT_EQ(Body(plan.receipts[0]).form, ReceiptForm::kCollective);
  EXPECT_EQ(Body(plan.receipts[0]).donations, (std::vector<std::string>{"e1", "e2"}));
  EXPECT_EQ(Body(plan.receipts[0]).amount_cents, 42550);
  EXPECT_EQ(plan.receipts[0].personal, "Erika Muster\nWeg 1\n12345 Ort");
  EXPECT_EQ(plan.receipts[0].id, "receipt-2022-005");
  EXPECT_EQ(plan.receipts[0].date, (Date{2023, 1, 20}));
  EXPECT_EQ(Body(plan.receipts[0]).tax_data_id, "tax-2023");
  EXPECT_EQ(Body(plan.receipts[1]).number, "2022-006");
  EXPECT_EQ(Body(plan.receipts[1]).form, ReceiptForm::kInKind);
  EXPECT_EQ(Body(plan.receipts[1]).donations, (std::vector<std::string>{"e3"}));
  EXPECT_EQ(Body(plan.receipts[1]).in_kind_origin, kasse::InKindOrigin::kPrivate);
  EXPECT_EQ(Body(plan.receipts[2]).number, "2022-007");
  EXPECT_EQ(Body(plan.receipts[2]).form, ReceiptForm::kMoney);
  EXPECT_EQ(Body(plan.receipts[2]).donations, (std::vector<std::string>{"h1"}));
  EXPECT_FALSE(Body(plan.receipts[2]).in_kind_origin);
  EXPECT_EQ(Body(plan.receipts[3]).form, ReceiptForm::kInKind);
  EXPECT_EQ(Body(plan.receipts[3]).donations, (std::vector<std::string>{"x1"}));
}

TEST(PlanReceipts, LeavesOutTheReceiptedTheReversedAndOtherDonorsAndNotesTheUnreceiptable) {
  std::vector<DonationForReceipt> donations = {
      Donation("e1", 20, Date{2022, 2, 1}, 2550, "Erika Muster"),
      Donation("e2", 21, Date{2022, 4, 1}, 40000, "Erika Muster"),
      Donation("e3", 22, Date{2022, 5, 1}, 1000, "Erika Muster"),
      Donation("h1", 23, Date{2022, 3, 5}, 123050, "Hans Huber"),
      Donation("gone", 24, Date{2022, 3, 6}, 5000, std::nullopt),
      Donation("x1", 25, Date{2022, 6, 1}, 90000, "Firma X GmbH", DonationKind::kInKind, ""),
  };
  donations[0].receipted = true;
  donations[1].reversed = true;
  ReceiptOptions options = Options();
  ReceiptPlan plan;
  ASSERT_TRUE(PlanReceipts(donations, kAddresses, options, &plan).ok());
  ASSERT_EQ(plan.receipts.size(), 2u);
  EXPECT_EQ(Body(plan.receipts[0]).donations, (std::vector<std::string>{"h1"}));
  EXPECT_EQ(Body(plan.receipts[1]).donations, (std::vector<std::string>{"e3"}));
  EXPECT_EQ(Body(plan.receipts[1]).form, ReceiptForm::kMoney);
  ASSERT_EQ(plan.notes.size(), 2u);
  EXPECT_EQ(plan.notes[0],
            "gone (2022-03-06, 50,00 EUR): no donor on record (erased), so no receipt can name "
            "one");
  EXPECT_EQ(plan.notes[1],
            "x1 (2022-06-01, in kind, 900,00 EUR): an in-kind receipt describes the gift with the "
            "donation's note, and it has none; reverse it and record it again with --note");
  options.donor = "Hans Huber";
  ASSERT_TRUE(PlanReceipts(donations, kAddresses, options, &plan).ok());
  ASSERT_EQ(plan.receipts.size(), 1u);
  EXPECT_EQ(Body(plan.receipts[0]).donations, (std::vector<std::string>{"h1"}));
  EXPECT_TRUE(plan.notes.empty());
}

TEST(PlanReceipts, RefusesADonorWithoutAddressAndUsedUpNumbers) {
  const std::vector<DonationForReceipt> donations = {
      Donation("z1", 20, Date{2022, 2, 1}, 2550, "Zora Neu")};
  ReceiptPlan plan;
  const Status missing = PlanReceipts(donations, kAddresses, Options(), &plan);
  EXPECT_EQ(missing.code(), Status::Code::kInvalidInput);
  EXPECT_EQ(missing.message(),
            "option --addresses: no address for the donor \"Zora Neu\", who has donations of 2022 "
            "to receipt; add a row \"Zora Neu;<address lines separated by |>\"");
  std::map<std::string, std::string> addresses = kAddresses;
  addresses["Zora Neu"] = "Weg 9";
  ReceiptOptions options = Options();
  options.last_number = 999;
  EXPECT_EQ(PlanReceipts(donations, addresses, options, &plan).message(),
            "the receipt numbers of 2022 are used up (2022-999)");
  options.last_number = 998;
  ASSERT_TRUE(PlanReceipts(donations, addresses, options, &plan).ok());
  EXPECT_EQ(Body(plan.receipts[0]).number, "2022-999");
}

Event DonationEvent(std::string id, Date date, int64_t amount_cents, DonationKind kind,
                    std::string note = "") {
  Event event;
  event.id = std::move(id);
  event.date = date;
  event.note = std::move(note);
  event.body = DonationReceived{amount_cents, kind, ""};
  event.personal = "Erika Muster";
  return event;
}

TEST(MakeReceiptDocument, MapsTheEventsToTheTemplate) {
  const std::vector<DonationForReceipt> donations = {
      Donation("e2", 21, Date{2022, 4, 1}, 40000, "Erika Muster"),
      Donation("e1", 20, Date{2022, 2, 1}, 2550, "Erika Muster")};
  ReceiptPlan plan;
  ASSERT_TRUE(PlanReceipts(donations, kAddresses, Options(), &plan).ok());
  const std::vector<Event> events = {
      DonationEvent("e1", Date{2022, 2, 1}, 2550, DonationKind::kMoney),
      DonationEvent("e2", Date{2022, 4, 1}, 40000, DonationKind::kMoney)};
  ReceiptDocument document;
  const TaxDataRecorded tax = Tax(ExemptionNotice::kSection60a, Date{2021, 8, 15});
  ASSERT_TRUE(MakeReceiptDocument(plan.receipts[0], events, tax, &document).ok());
  EXPECT_EQ(document.form, ReceiptForm::kCollective);
  EXPECT_EQ(document.number, "2022-001");
  EXPECT_EQ(document.issued_on, (Date{2023, 1, 20}));
  EXPECT_EQ(document.issuer_name, "NExT e.V.");
  EXPECT_EQ(document.issuer_address, "Musterstraße 1\n10115 Berlin");
  EXPECT_EQ(document.tax_office, "für Körperschaften I");
  EXPECT_EQ(document.tax_number, "27/640/12345");
  EXPECT_EQ(document.notice, ExemptionNotice::kSection60a);
  EXPECT_EQ(document.notice_date, (Date{2021, 8, 15}));
  EXPECT_EQ(document.purposes, "der Volks- und Berufsbildung");
  EXPECT_EQ(document.place, "Berlin");
  EXPECT_EQ(document.donor_name, "Erika Muster");
  EXPECT_EQ(document.donor_address, "Weg 1\n12345 Ort");
  ASSERT_EQ(document.lines.size(), 2u);
  EXPECT_EQ(document.lines[0].date, (Date{2022, 2, 1}));
  EXPECT_EQ(document.lines[0].amount_cents, 2550);
  EXPECT_FALSE(document.lines[0].is_dues);
  EXPECT_EQ(document.lines[1].amount_cents, 40000);
  EXPECT_EQ(document.total_cents, 42550);
}

TEST(MakeReceiptDocument, AnInKindReceiptDescribesTheGiftWithTheDonationsNote) {
  const std::vector<DonationForReceipt> donations = {Donation("x1", 23, Date{2022, 6, 1}, 90000,
                                                              "Erika Muster", DonationKind::kInKind,
                                                              "Laptop, 2 Jahre alt")};
  ReceiptOptions options = Options();
  options.in_kind_origin = kasse::InKindOrigin::kBusiness;
  options.valuation_documents = true;
  ReceiptPlan plan;
  ASSERT_TRUE(PlanReceipts(donations, kAddresses, options, &plan).ok());
  ReceiptDocument document;
  const std::vector<Event> events = {
      DonationEvent("x1", Date{2022, 6, 1}, 90000, DonationKind::kInKind, "Laptop, 2 Jahre alt")};
  ASSERT_TRUE(MakeReceiptDocument(plan.receipts[0], events,
                                  Tax(ExemptionNotice::kExemption, Date{2021, 8, 15}), &document)
                  .ok());
  EXPECT_EQ(document.form, ReceiptForm::kInKind);
  EXPECT_EQ(document.in_kind_description, "Laptop, 2 Jahre alt");
  EXPECT_EQ(document.in_kind_origin, InKindOrigin::kBusiness);
  EXPECT_TRUE(document.valuation_documents);
  EXPECT_EQ(document.assessment_period, "2017-2019");
  // A money donation cannot stand on an in-kind receipt.
  const std::vector<Event> wrong = {
      DonationEvent("x1", Date{2022, 6, 1}, 90000, DonationKind::kMoney)};
  EXPECT_FALSE(MakeReceiptDocument(plan.receipts[0], wrong,
                                   Tax(ExemptionNotice::kExemption, Date{2021, 8, 15}), &document)
                   .ok());
}

TEST(ReceiptFileName, NamesOriginalAndDuplicate) {
  EXPECT_EQ(ReceiptFileName("2022-001", false), "Zuwendungsbestaetigung-2022-001.pdf");
  EXPECT_EQ(ReceiptFileName("2022-001", true), "Zuwendungsbestaetigung-2022-001-Duplikat.pdf");
}

}  // namespace
}  // namespace kasse::cli
