// The JSON form of tax_data.recorded and receipt.issued: what is read, what is written back, and
// every message of a refusal (the referential rules are in tests/e2e/receipts_test.cc).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ledger/hash.h"
#include "ledger/json_event.h"

namespace kasse {
namespace {

using nlohmann::json;

json TaxData() {
  return {{"type", "tax_data.recorded"},
          {"id", "tax-1"},
          {"date", "2022-08-20"},
          {"name", "NExT e.V."},
          {"address", "Musterstraße 1\n10115 Berlin"},
          {"tax_office", "für Körperschaften I"},
          {"tax_number", "27/640/12345"},
          {"notice", "exemption"},
          {"notice_date", "2022-08-15"},
          {"assessment_period", "2019-2021"},
          {"purposes", "der Volks- und Berufsbildung"},
          {"place", "Berlin"}};
}

json Receipt() {
  return {{"type", "receipt.issued"},
          {"id", "receipt-2022-001"},
          {"date", "2023-01-20"},
          {"number", "2022-001"},
          {"year", 2022},
          {"template", "collective"},
          {"donations", {"d1", "d2"}},
          {"amount", "500.00"},
          {"tax_data_id", "tax-1"},
          {"pdf_sha256", std::string(64, 'a')},
          {"donor", "Erika Muster"},
          {"donor_address", "Weg 1\n12345 Ort"}};
}

json InKind() {
  json receipt = Receipt();
  receipt["template"] = "in_kind";
  receipt["donations"] = {"d3"};
  receipt["in_kind_origin"] = "business";
  receipt["valuation_documents"] = true;
  return receipt;
}

// The message of the refusal of `object`.
std::string Refusal(const json& object) {
  Event event;
  const Status status = ParseEventJson(object.dump(), &event);
  EXPECT_FALSE(status.ok()) << object.dump();
  return status.message();
}

json With(json object, const char* field, json value) {
  object[field] = std::move(value);
  return object;
}

json Without(json object, const char* field) {
  object.erase(field);
  return object;
}

TEST(TaxDataJson, ReadsAndWritesEveryField) {
  Event event;
  ASSERT_TRUE(ParseEventJson(TaxData().dump(), &event).ok());
  const auto& body = std::get<TaxDataRecorded>(event.body);
  EXPECT_EQ(body.name, "NExT e.V.");
  EXPECT_EQ(body.address, "Musterstraße 1\n10115 Berlin");
  EXPECT_EQ(body.notice, ExemptionNotice::kExemption);
  EXPECT_EQ(FormatDate(body.notice_date), "2022-08-15");
  EXPECT_EQ(body.assessment_period, "2019-2021");
  EXPECT_FALSE(event.personal) << "an association's tax data are not personal data";
  const json written = json::parse(EventToJson(event, Sha256{}, Sha256{}).dump());
  const json given = TaxData();
  for (const auto& [field, value] : given.items()) {
    EXPECT_EQ(written.at(field), value) << field;
  }
}

TEST(TaxDataJson, A60aNoticeHasNoAssessmentPeriod) {
  Event event;
  const json line = With(Without(TaxData(), "assessment_period"), "notice", "60a");
  ASSERT_TRUE(ParseEventJson(line.dump(), &event).ok());
  EXPECT_EQ(std::get<TaxDataRecorded>(event.body).notice, ExemptionNotice::kSection60a);
  EXPECT_FALSE(EventToJson(event, Sha256{}, Sha256{}).contains("assessment_period"));
  EXPECT_EQ(Refusal(With(TaxData(), "notice", "60a")),
            "field \"assessment_period\": is only for notice \"exemption\" (a § 60a notice names "
            "no period)");
}

TEST(TaxDataJson, RefusesNamingTheField) {
  for (const char* field : {"name", "address", "tax_office", "tax_number", "notice", "notice_date",
                            "assessment_period", "purposes", "place"}) {
    EXPECT_EQ(Refusal(Without(TaxData(), field)), fmt::format("field \"{}\": is required", field));
  }
  EXPECT_EQ(Refusal(With(TaxData(), "notice", "Freistellung")),
            "field \"notice\": \"Freistellung\" is not one of exemption, 60a");
  EXPECT_EQ(Refusal(With(TaxData(), "notice_date", "2022-02-30")),
            "field \"notice_date\": date \"2022-02-30\" does not exist: 2022-02 has 28 days");
  EXPECT_EQ(Refusal(With(TaxData(), "notice_date", "2022-08-21")),
            "field \"notice_date\": 2022-08-21 is after the event's date 2022-08-20: record the "
            "tax data once the notice has been issued");
  EXPECT_EQ(Refusal(With(TaxData(), "name", std::string(201, 'n'))),
            "field \"name\": is 201 characters long, the limit is 200");
  EXPECT_EQ(Refusal(With(TaxData(), "tax_number", "")), "field \"tax_number\": must not be empty");
  EXPECT_EQ(Refusal(With(TaxData(), "place", "Ber\nlin")),
            "field \"place\": must not contain control characters");
  EXPECT_EQ(Refusal(With(TaxData(), "address", std::string(501, 'a'))),
            "field \"address\": is 501 characters long, the limit is 500");
  EXPECT_EQ(Refusal(With(TaxData(), "purposes", "Bildung\tKultur")),
            "field \"purposes\": must not contain control characters other than line feeds");
  EXPECT_EQ(Refusal(With(TaxData(), "purposes", "Förderung der Bildung")),
            "field \"purposes\": the receipt prints \"Förderung\" before the purposes: give what "
            "follows it, e.g. \"der Volks- und Berufsbildung\"");
  EXPECT_EQ(Refusal(With(TaxData(), "tax_office", 17)),
            "field \"tax_office\": must be a JSON string");
  EXPECT_EQ(Refusal(With(TaxData(), "tax_office", "Finanzamt für Körperschaften I Berlin")),
            "field \"tax_office\": the receipt prints \"Finanzamt\" before the tax office: give "
            "what follows it, e.g. \"für Körperschaften I Berlin\"");
}

TEST(ReceiptJson, ReadsTheDonorAsPersonalDataAndWritesItBack) {
  Event event;
  ASSERT_TRUE(ParseEventJson(Receipt().dump(), &event).ok());
  const auto& body = std::get<ReceiptIssued>(event.body);
  EXPECT_EQ(body.number, "2022-001");
  EXPECT_EQ(body.year, 2022);
  EXPECT_EQ(body.form, ReceiptForm::kCollective);
  EXPECT_EQ(body.donations, (std::vector<std::string>{"d1", "d2"}));
  EXPECT_EQ(body.amount_cents, 50000);
  EXPECT_EQ(body.tax_data_id, "tax-1");
  EXPECT_FALSE(body.in_kind_origin);
  EXPECT_EQ(event.personal, "Erika Muster\nWeg 1\n12345 Ort");
  std::string donor, address;
  SplitReceiptPersonal(*event.personal, &donor, &address);
  EXPECT_EQ(donor, "Erika Muster");
  EXPECT_EQ(address, "Weg 1\n12345 Ort");
  const json written = json::parse(EventToJson(event, Sha256{}, Sha256{}).dump());
  const json given = Receipt();
  for (const auto& [field, value] : given.items()) {
    EXPECT_EQ(written.at(field), value) << field;
  }
  EXPECT_FALSE(written.contains("in_kind_origin"));
  EXPECT_FALSE(written.contains("valuation_documents"));
}

TEST(ReceiptJson, ReadsAnInKindReceipt) {
  Event event;
  ASSERT_TRUE(ParseEventJson(InKind().dump(), &event).ok());
  const auto& body = std::get<ReceiptIssued>(event.body);
  EXPECT_EQ(body.form, ReceiptForm::kInKind);
  EXPECT_EQ(body.in_kind_origin, InKindOrigin::kBusiness);
  EXPECT_TRUE(body.valuation_documents);
  const json written = json::parse(EventToJson(event, Sha256{}, Sha256{}).dump());
  EXPECT_EQ(written.at("in_kind_origin"), "business");
  EXPECT_EQ(written.at("valuation_documents"), true);
}

TEST(ReceiptJson, RefusesNamingTheField) {
  for (const char* field : {"number", "year", "template", "donations", "amount", "tax_data_id",
                            "pdf_sha256", "donor", "donor_address"}) {
    EXPECT_EQ(Refusal(Without(Receipt(), field)), fmt::format("field \"{}\": is required", field));
  }
  const std::string bad_number =
      "field \"number\": \"{}\" is not a receipt number of 2022: \"2022-001\" to \"2022-999\"";
  for (const char* number :
       {"2022-1", "2022-000", "2022-1000", "2021-001", "2022_001", "2022--01", "2022-0a1"}) {
    EXPECT_EQ(Refusal(With(Receipt(), "number", number)),
              fmt::format(fmt::runtime(bad_number), number));
  }
  EXPECT_EQ(Refusal(With(Receipt(), "year", "2022")),
            "field \"year\": must be a JSON integer from 1900 to 2999, like 2022");
  EXPECT_EQ(Refusal(With(Receipt(), "year", 2022.0)),
            "field \"year\": must be a JSON integer from 1900 to 2999, like 2022");
  EXPECT_EQ(Refusal(With(With(Receipt(), "year", 2024), "number", "2024-001")),
            "field \"year\": a receipt dated 2023-01-20 cannot cover donations of 2024");
  EXPECT_EQ(Refusal(With(Receipt(), "template", "sammel")),
            "field \"template\": \"sammel\" is not one of money, collective, in_kind");
  EXPECT_EQ(Refusal(With(Receipt(), "amount", 500)),
            "field \"amount\": must be a JSON string like \"129.90\", not a JSON number");
  // The tax data are named by their event's client id, never by seq (which a copy may shift).
  EXPECT_EQ(Refusal(With(Receipt(), "tax_data_id", 16)),
            "field \"tax_data_id\": must be a JSON string");
  EXPECT_EQ(Refusal(With(Receipt(), "tax_data_id", "")),
            "field \"tax_data_id\": must be 1 to 64 characters long");
  EXPECT_EQ(Refusal(With(Receipt(), "tax_data_id", std::string(65, 't'))),
            "field \"tax_data_id\": must be 1 to 64 characters long");
  EXPECT_EQ(Refusal(With(Receipt(), "tax_data_id", "tax 1")),
            "field \"tax_data_id\": \"tax 1\" may contain only A-Z a-z 0-9 . _ : -");
  EXPECT_EQ(Refusal(With(Receipt(), "pdf_sha256", std::string(64, 'A'))),
            "field \"pdf_sha256\": must be 64 lowercase hex digits");
  EXPECT_EQ(Refusal(With(Receipt(), "donor", "")), "field \"donor\": must not be empty");
  EXPECT_EQ(Refusal(With(Receipt(), "donor", "Erika\nMuster")),
            "field \"donor\": must not contain control characters");
  EXPECT_EQ(Refusal(With(Receipt(), "donor_address", std::string(501, 'a'))),
            "field \"donor_address\": is 501 characters long, the limit is 500");
  EXPECT_EQ(Refusal(With(Receipt(), "donor_address", "Weg 1\t12345 Ort")),
            "field \"donor_address\": must not contain control characters other than line feeds");
}

TEST(ReceiptJson, RefusesDonationListsThatDoNotFitTheTemplate) {
  const std::string not_a_list = "field \"donations\": must be a JSON array of 1 to 1000 event ids";
  EXPECT_EQ(Refusal(With(Receipt(), "donations", "d1")), not_a_list);
  EXPECT_EQ(Refusal(With(Receipt(), "donations", json::array())), not_a_list);
  json many = json::array();
  for (int i = 0; i <= 1000; ++i) many.push_back(fmt::format("d{}", i));
  EXPECT_EQ(Refusal(With(Receipt(), "donations", many)), not_a_list);
  EXPECT_EQ(Refusal(With(Receipt(), "donations", {"d1", 2})),
            "field \"donations\": must hold event ids as JSON strings");
  EXPECT_EQ(Refusal(With(Receipt(), "donations", {"d1", "d 2"})),
            "field \"donations\": \"d 2\" may contain only A-Z a-z 0-9 . _ : -");
  EXPECT_EQ(Refusal(With(Receipt(), "donations", {"d1", "d1"})),
            "field \"donations\": \"d1\" is listed twice");
  EXPECT_EQ(Refusal(With(Receipt(), "donations", {"d1"})),
            "field \"donations\": a collective receipt lists at least two donations; one "
            "donation gets a \"money\" receipt");
  EXPECT_EQ(Refusal(With(Receipt(), "template", "money")),
            "field \"donations\": a \"money\" receipt covers exactly one donation, not 2; several "
            "money donations of one donor get a \"collective\" receipt");
  EXPECT_EQ(Refusal(With(InKind(), "donations", {"d3", "d4"})),
            "field \"donations\": an \"in_kind\" receipt covers exactly one donation, not 2");
}

TEST(ReceiptJson, InKindFieldsBelongToInKindReceiptsOnly) {
  EXPECT_EQ(Refusal(Without(InKind(), "in_kind_origin")), "field \"in_kind_origin\": is required");
  EXPECT_EQ(Refusal(Without(InKind(), "valuation_documents")),
            "field \"valuation_documents\": is required");
  EXPECT_EQ(Refusal(With(InKind(), "in_kind_origin", "privat")),
            "field \"in_kind_origin\": \"privat\" is not one of private, business, unknown");
  EXPECT_EQ(Refusal(With(InKind(), "valuation_documents", "yes")),
            "field \"valuation_documents\": must be true or false");
  EXPECT_EQ(Refusal(With(Receipt(), "in_kind_origin", "private")),
            "field \"in_kind_origin\": is only for a receipt with template \"in_kind\"");
  EXPECT_EQ(Refusal(With(Receipt(), "valuation_documents", false)),
            "field \"valuation_documents\": is only for a receipt with template \"in_kind\"");
}

}  // namespace
}  // namespace kasse
