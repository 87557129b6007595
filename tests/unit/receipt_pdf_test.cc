// The donation receipt renderer: the amount in German words, and the PDF read back through an
// independent path, poppler's pdftotext (package poppler-utils).
#include "cli/receipt_pdf.h"

#include <gtest/gtest.h>

#include <regex>
#include <utility>

#include <fmt/format.h>
#include <string>
#include <string_view>

#include "ledger/money.h"
#include "tests/support/run.h"

namespace kasse::cli {
namespace {

TEST(AmountInGermanWords, SmallNumbers) {
  EXPECT_EQ(AmountInGermanWords(0), "null Euro");
  EXPECT_EQ(AmountInGermanWords(1), "ein Cent");
  EXPECT_EQ(AmountInGermanWords(50), "fünfzig Cent");
  EXPECT_EQ(AmountInGermanWords(100), "ein Euro");
  EXPECT_EQ(AmountInGermanWords(101), "ein Euro und ein Cent");
  EXPECT_EQ(AmountInGermanWords(1100), "elf Euro");
  EXPECT_EQ(AmountInGermanWords(1700), "siebzehn Euro");
  EXPECT_EQ(AmountInGermanWords(2100), "einundzwanzig Euro");
  EXPECT_EQ(AmountInGermanWords(3000), "dreißig Euro");
  EXPECT_EQ(AmountInGermanWords(9999), "neunundneunzig Euro und neunundneunzig Cent");
}

TEST(AmountInGermanWords, HundredsAndThousandsAreOneWord) {
  EXPECT_EQ(AmountInGermanWords(10000), "einhundert Euro");
  EXPECT_EQ(AmountInGermanWords(10100), "einhunderteins Euro");
  EXPECT_EQ(AmountInGermanWords(30000), "dreihundert Euro");
  EXPECT_EQ(AmountInGermanWords(100000), "eintausend Euro");
  EXPECT_EQ(AmountInGermanWords(100100), "eintausendeins Euro");
  EXPECT_EQ(AmountInGermanWords(123050), "eintausendzweihundertdreißig Euro und fünfzig Cent");
  EXPECT_EQ(AmountInGermanWords(2100000), "einundzwanzigtausend Euro");
  EXPECT_EQ(AmountInGermanWords(10100000), "einhunderteintausend Euro");
  EXPECT_EQ(AmountInGermanWords(9000000000), "neunzig Millionen Euro");
  EXPECT_EQ(AmountInGermanWords(99999999),
            "neunhundertneunundneunzigtausendneunhundertneunundneunzig Euro und "
            "neunundneunzig Cent");
}

TEST(AmountInGermanWords, MillionsAreSeparateNouns) {
  EXPECT_EQ(AmountInGermanWords(100000000), "eine Million Euro");
  EXPECT_EQ(AmountInGermanWords(200000000), "zwei Millionen Euro");
  EXPECT_EQ(AmountInGermanWords(212000000), "zwei Millionen einhundertzwanzigtausend Euro");
  EXPECT_EQ(AmountInGermanWords(100000100), "eine Million eins Euro");
  EXPECT_EQ(AmountInGermanWords(100000000000), "eine Milliarde Euro");
  EXPECT_EQ(AmountInGermanWords(300000000001), "drei Milliarden Euro und ein Cent");
  EXPECT_EQ(AmountInGermanWords(kAmountCentsMax), "eine Billion Euro");
}

ReceiptDocument Money() {
  ReceiptDocument r;
  r.form = ReceiptForm::kMoney;
  r.number = "2022-001";
  r.issued_on = {2023, 1, 20};
  r.issuer_name = "NExT e. V.";
  r.issuer_address = "Musterstraße 1\n10115 Berlin";
  r.tax_office = "für Körperschaften I Berlin";
  r.tax_number = "27/640/12345";
  r.notice = ExemptionNotice::kExemption;
  r.notice_date = {2022, 5, 10};
  r.assessment_period = "2019-2021";
  r.purposes = "der Volks- und Berufsbildung";
  r.place = "Berlin";
  r.donor_name = "Erika Mustermann";
  r.donor_address = "Heidestraße 17\n51147 Köln";
  r.lines = {{{2022, 3, 14}, 123050, false}};
  r.total_cents = 123050;
  return r;
}

ReceiptDocument Collective() {
  ReceiptDocument r = Money();
  r.form = ReceiptForm::kCollective;
  r.number = "2022-002";
  r.lines = {
      {{2022, 1, 3}, 5000, false}, {{2022, 6, 30}, 3600, true}, {{2022, 12, 1}, 2500, false}};
  r.total_cents = 11100;
  return r;
}

ReceiptDocument InKind() {
  ReceiptDocument r = Money();
  r.form = ReceiptForm::kInKind;
  r.number = "2022-003";
  r.in_kind_description =
      "Notebook Lenovo ThinkPad T14, gekauft 2020, gebraucht, voll funktionsfähig";
  r.in_kind_origin = InKindOrigin::kPrivate;
  r.valuation_documents = true;
  r.lines = {{{2022, 9, 1}, 45000, false}};
  r.total_cents = 45000;
  return r;
}

// The PDF's text as pdftotext reads it twice: in reading order (a framed field stays together)
// and in physical layout (a table row stays on one line). Whitespace runs are folded to one space
// so that the test does not depend on where pango broke a line.
struct PdfText {
  std::string text;
  int pages = 0;
  // Where `passage` is in one of the two readings, npos when in neither.
  size_t find(std::string_view passage) const { return text.find(passage); }
};

PdfText ReadBack(const std::string& pdf) {
  test::TempDir dir;
  test::WriteFile(dir.File("r.pdf"), pdf);
  const test::RunResult text = test::RunProgram("/usr/bin/pdftotext", {dir.File("r.pdf"), "-"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  const test::RunResult layout =
      test::RunProgram("/usr/bin/pdftotext", {"-layout", dir.File("r.pdf"), "-"});
  EXPECT_EQ(layout.exit_code, 0) << layout.err;
  const test::RunResult info = test::RunProgram("/usr/bin/pdfinfo", {dir.File("r.pdf")});
  EXPECT_EQ(info.exit_code, 0) << info.err;
  std::smatch pages;
  EXPECT_TRUE(std::regex_search(info.out, pages, std::regex("Pages:\\s+(\\d+)")));
  const std::regex space("\\s+");
  return {
      std::regex_replace(text.out, space, " ") + "\n" + std::regex_replace(layout.out, space, " "),
      pages.empty() ? 0 : std::stoi(pages[1])};
}

std::string Render(const ReceiptDocument& receipt) {
  std::string pdf;
  const Status status = RenderReceiptPdfInProcess(receipt, &pdf);
  EXPECT_TRUE(status.ok()) << status.message();
  return pdf;
}

// The passages every template carries (BMF 7.11.2013: the notes are always printed).
void ExpectCommonPassages(const std::string& text) {
  EXPECT_NE(text.find("Aussteller (Bezeichnung und Anschrift der steuerbegünstigten Einrichtung) "
                      "NExT e. V. Musterstraße 1 10115 Berlin"),
            std::string::npos);
  EXPECT_NE(text.find("im Sinne des § 10b des Einkommensteuergesetzes an eine der in § 5 Abs. 1 "
                      "Nr. 9 des Körperschaftsteuergesetzes bezeichneten Körperschaften"),
            std::string::npos);
  EXPECT_NE(text.find("Erika Mustermann Heidestraße 17 51147 Köln"), std::string::npos);
  EXPECT_NE(text.find("☒ Wir sind wegen Förderung der Volks- und Berufsbildung nach dem "
                      "Freistellungsbescheid bzw. nach der Anlage zum Körperschaftsteuerbescheid "
                      "des Finanzamtes für Körperschaften I Berlin, StNr. 27/640/12345, "
                      "vom 10.05.2022 für den letzten Veranlagungszeitraum 2019-2021"),
            std::string::npos);
  EXPECT_NE(text.find("Es wird bestätigt, dass die Zuwendung nur zur Förderung der Volks- und "
                      "Berufsbildung verwendet wird."),
            std::string::npos);
  EXPECT_NE(text.find("Berlin, 20.01.2023"), std::string::npos);
  EXPECT_NE(text.find("(Ort, Datum und Unterschrift des Zuwendungsempfängers)"), std::string::npos);
  EXPECT_NE(text.find("haftet für die entgangene Steuer (§ 10b Abs. 4 EStG, § 9 Abs. 3 KStG, § 9 "
                      "Nr. 5 GewStG)."),
            std::string::npos);
  EXPECT_NE(text.find("seit Ausstellung des Bescheides zurückliegt (§ 63 Abs. 5 AO)."),
            std::string::npos);
}

TEST(RenderReceiptPdf, MoneyReceiptReadsBackAsTheTemplate) {
  const PdfText pdf = ReadBack(Render(Money()));
  EXPECT_EQ(pdf.pages, 1);
  EXPECT_NE(pdf.find("Bestätigung über Geldzuwendungen/Mitgliedsbeitrag"), std::string::npos);
  ExpectCommonPassages(pdf.text);
  EXPECT_NE(pdf.find("1.230,50 €"), std::string::npos) << pdf.text;
  EXPECT_NE(pdf.find("eintausendzweihundertdreißig Euro und fünfzig Cent"), std::string::npos);
  EXPECT_NE(pdf.find("14.03.2022"), std::string::npos);
  EXPECT_NE(pdf.find("Verzicht auf Erstattung von Aufwendungen Ja ☐ Nein ☒"), std::string::npos)
      << pdf.text;
  EXPECT_EQ(pdf.find("Sammelbestätigung"), std::string::npos);
  EXPECT_NE(pdf.find("Nr. 2022-001 · Seite 1 von 1"), std::string::npos);
}

TEST(RenderReceiptPdf, CollectiveReceiptHasTheAnnexWithEveryDonation) {
  const PdfText pdf = ReadBack(Render(Collective()));
  EXPECT_EQ(pdf.pages, 2);
  EXPECT_NE(pdf.find("Sammelbestätigung über Geldzuwendungen/Mitgliedsbeiträge"),
            std::string::npos);
  ExpectCommonPassages(pdf.text);
  EXPECT_NE(pdf.find("111,00 €"), std::string::npos);
  EXPECT_NE(pdf.find("einhundertelf Euro"), std::string::npos);
  EXPECT_NE(pdf.find("03.01.2022 bis 01.12.2022"), std::string::npos);
  EXPECT_NE(pdf.find("ist der Anlage zur Sammelbestätigung zu entnehmen."), std::string::npos);
  EXPECT_NE(pdf.find("keine weiteren Bestätigungen, weder formelle Zuwendungsbestätigungen "
                     "noch Beitragsquittungen oder ähnliches ausgestellt wurden und werden."),
            std::string::npos);
  EXPECT_NE(pdf.find("Anlage zur Sammelbestätigung vom 20.01.2023"), std::string::npos);
  EXPECT_NE(pdf.find("03.01.2022 Geldzuwendung nein 50,00 €"), std::string::npos) << pdf.text;
  EXPECT_NE(pdf.find("30.06.2022 Mitgliedsbeitrag nein 36,00 €"), std::string::npos);
  EXPECT_NE(pdf.find("01.12.2022 Geldzuwendung nein 25,00 €"), std::string::npos);
  EXPECT_NE(pdf.find("Gesamtsumme 111,00 €"), std::string::npos);
  EXPECT_NE(pdf.find("Seite 2 von 2"), std::string::npos);
}

TEST(RenderReceiptPdf, LongAnnexContinuesOnMorePages) {
  ReceiptDocument r = Collective();
  r.lines.clear();
  r.total_cents = 0;
  for (int i = 0; i < 100; ++i) {
    r.lines.push_back({{2022, 1 + i / 28, 1 + i % 28}, 1000, false});
    r.total_cents += 1000;
  }
  const PdfText pdf = ReadBack(Render(r));
  EXPECT_EQ(pdf.pages, 4);  // the receipt, then 36 + 36 + 28 rows and the total
  EXPECT_NE(pdf.find("(Fortsetzung)"), std::string::npos);
  EXPECT_NE(pdf.find("Gesamtsumme 1.000,00 €"), std::string::npos);
  EXPECT_NE(pdf.find("Seite 4 von 4"), std::string::npos);
}

TEST(RenderReceiptPdf, AnnexPageHoldsThirtySixRowsWithTheTotal) {
  for (const auto& [donations, pages] : {std::pair{35, 2}, std::pair{36, 3}}) {
    ReceiptDocument r = Collective();
    r.lines.assign(static_cast<size_t>(donations), {{2022, 2, 1}, 100, false});
    r.total_cents = 100 * donations;
    const PdfText pdf = ReadBack(Render(r));
    EXPECT_EQ(pdf.pages, pages) << donations;
    EXPECT_NE(pdf.find(fmt::format("Seite {} von {}", pages, pages)), std::string::npos);
  }
}

TEST(RenderReceiptPdf, InKindReceiptDescribesTheGift) {
  const PdfText pdf = ReadBack(Render(InKind()));
  EXPECT_EQ(pdf.pages, 1);
  EXPECT_NE(pdf.find("Bestätigung über Sachzuwendungen"), std::string::npos);
  ExpectCommonPassages(pdf.text);
  EXPECT_NE(pdf.find("Wert der Zuwendung - in Ziffern -"), std::string::npos);
  EXPECT_NE(pdf.find("450,00 €"), std::string::npos);
  EXPECT_NE(pdf.find("vierhundertfünfzig Euro"), std::string::npos);
  EXPECT_NE(pdf.find("Notebook Lenovo ThinkPad T14, gekauft 2020"), std::string::npos);
  EXPECT_NE(pdf.find("☒ Die Sachzuwendung stammt nach den Angaben des Zuwendenden aus dem "
                     "Privatvermögen."),
            std::string::npos);
  EXPECT_EQ(pdf.find("Betriebsvermögen"), std::string::npos);
  EXPECT_NE(pdf.find("☒ Geeignete Unterlagen, die zur Wertermittlung gedient haben"),
            std::string::npos);
  // The waiver line belongs to money receipts only.
  EXPECT_EQ(pdf.find("Verzicht auf Erstattung"), std::string::npos);
}

TEST(RenderReceiptPdf, Section60aNoticeIsCitedInsteadOfTheExemption) {
  ReceiptDocument r = Money();
  r.notice = ExemptionNotice::kSection60a;
  r.assessment_period.clear();
  const PdfText pdf = ReadBack(Render(r));
  EXPECT_NE(pdf.find("☒ Die Einhaltung der satzungsmäßigen Voraussetzungen nach den §§ 51, "
                     "59, 60 und 61 AO wurde vom Finanzamt für Körperschaften I "
                     "Berlin, StNr. 27/640/12345, mit Bescheid vom 10.05.2022 nach § 60a AO "
                     "gesondert festgestellt."),
            std::string::npos)
      << pdf.text;
  EXPECT_EQ(pdf.find("Freistellungsbescheid bzw."), std::string::npos);
}

TEST(RenderReceiptPdf, SameDocumentGivesTheSameBytes) {
  const std::string first = Render(Collective());
  const std::string second = Render(Collective());
  EXPECT_EQ(first, second);
  ReceiptDocument later = Collective();
  later.issued_on = {2023, 1, 21};
  EXPECT_NE(Render(later), first);
  EXPECT_NE(first.find("/CreationDate (20230120000000Z)"), std::string::npos);
}

TEST(RenderReceiptPdf, MarkupInUserTextIsPrintedAsText) {
  ReceiptDocument r = Money();
  r.donor_name = "A <b>&amp; B";
  const PdfText pdf = ReadBack(Render(r));
  EXPECT_NE(pdf.find("A <b>&amp; B"), std::string::npos);
}

TEST(RenderReceiptPdf, RefusesDocumentsThatBreakTheTemplate) {
  std::string pdf;
  ReceiptDocument wrong_total = Collective();
  wrong_total.total_cents = 11000;
  Status status = RenderReceiptPdfInProcess(wrong_total, &pdf);
  EXPECT_EQ(status.code(), Status::Code::kInvalidInput);
  EXPECT_EQ(status.message(),
            "receipt 2022-002: total 110.00 is not the sum 111.00 of its donations");

  ReceiptDocument two_on_single = Collective();
  two_on_single.form = ReceiptForm::kMoney;
  status = RenderReceiptPdfInProcess(two_on_single, &pdf);
  EXPECT_EQ(status.message(), "receipt 2022-002: a money receipt lists one donation, not 3");

  ReceiptDocument collective_of_one = Collective();
  collective_of_one.lines.resize(1);
  collective_of_one.total_cents = collective_of_one.lines[0].amount_cents;
  status = RenderReceiptPdfInProcess(collective_of_one, &pdf);
  EXPECT_EQ(status.message(),
            "receipt 2022-002: a collective receipt lists 2 to 10000 donations, not 1");

  ReceiptDocument no_donor = Money();
  no_donor.donor_address.clear();
  status = RenderReceiptPdfInProcess(no_donor, &pdf);
  EXPECT_EQ(status.message(), "receipt 2022-001: donor address is empty");

  ReceiptDocument unsorted = Collective();
  std::swap(unsorted.lines[0], unsorted.lines[1]);
  status = RenderReceiptPdfInProcess(unsorted, &pdf);
  EXPECT_EQ(status.message(), "receipt 2022-002: donations not sorted by date");

  ReceiptDocument too_long = InKind();
  too_long.in_kind_description = std::string(1900, 'x') + " " + std::string(1900, 'y');
  too_long.in_kind_description.resize(1999);
  too_long.donor_address = std::string(1990, 'z');
  status = RenderReceiptPdfInProcess(too_long, &pdf);
  EXPECT_EQ(status.message(),
            "receipt 2022-003: the receipt does not fit on one DIN A4 page, as the official "
            "template requires; shorten the addresses, the purposes or the in-kind description");
  EXPECT_TRUE(pdf.empty());
}

TEST(ReceiptDocumentJson, RoundTripsEveryField) {
  for (const ReceiptDocument& original : {Money(), Collective(), InKind()}) {
    ReceiptDocument copy;
    const Status status = ReceiptDocumentFromJson(ReceiptDocumentToJson(original), &copy);
    ASSERT_TRUE(status.ok()) << status.message();
    EXPECT_EQ(Render(copy), Render(original));
    EXPECT_EQ(ReceiptDocumentToJson(copy), ReceiptDocumentToJson(original));
  }
  ReceiptDocument copy;
  EXPECT_EQ(ReceiptDocumentFromJson(R"({"template": "letter"})", &copy).message(),
            "template: unknown value \"letter\"");
  EXPECT_EQ(ReceiptDocumentFromJson("[1]", &copy).message(),
            "receipt document is not a JSON object");
}

// The program kasse-receipt-pdf, built beside kasse, as `kasse receipts` runs it.
std::string RendererProgram() {
  const std::string kasse = KASSE_BINARY;
  return kasse.substr(0, kasse.rfind('/')) + "/kasse-receipt-pdf";
}

TEST(ReceiptRendererProgram, WritesTheSameBytesAsTheLibrary) {
  const test::RunResult run =
      test::RunProgram(RendererProgram(), {}, ReceiptDocumentToJson(Collective()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, Render(Collective()));
  EXPECT_EQ(run.err, "");
}

TEST(ReceiptRendererProgram, RefusedDocumentExitsOneWithTheReason) {
  ReceiptDocument wrong_total = Money();
  wrong_total.total_cents = 1;
  test::RunResult run = test::RunProgram(RendererProgram(), {}, ReceiptDocumentToJson(wrong_total));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, "receipt 2022-001: total 0.01 is not the sum 1230.50 of its donations\n");
  EXPECT_EQ(run.out, "");
  run = test::RunProgram(RendererProgram(), {}, "{\"template\": \"money\"}");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "kasse-receipt-pdf: number is missing or not a string\n");
}

// The unit test binary has no renderer beside it: the error names the program it looked for.
TEST(RenderReceiptPdf, MissingRendererIsNamed) {
  std::string pdf;
  const Status status = RenderReceiptPdf(Money(), &pdf);
  EXPECT_EQ(status.code(), Status::Code::kIoError);
  EXPECT_NE(status.message().find("/kasse-receipt-pdf is missing; it is built and installed with "
                                  "kasse"),
            std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace kasse::cli
