// End-to-end tests of kasse tax-data and kasse receipts through the real binary on a real ledger:
// the PDFs are read back with pdftotext (poppler-utils), the duplicate is compared byte for byte,
// and every refusal leaves the ledger's head and the output folder as they were.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/run.h"

namespace kasse::test {
namespace {

using nlohmann::json;
using Args = std::vector<std::string>;
namespace fs = std::filesystem;

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE((text).find(part), std::string::npos) << "expected \"" << (part) << "\" in:\n" << (text)

constexpr char kAddresses[] =
    "donor;address\n"
    "Erika Muster;Weg 1|12345 Ort\n"
    "Hans Huber;Allee 2|54321 Stadt\n"
    "Firma X GmbH;Industriestraße 3|11111 Y\n";

class Receipts : public ::testing::Test {
 protected:
  void SetUp() override {
    Ok({"init", "--name", "Test e.V."});
    WriteFile(dir_.File("addresses.csv"), kAddresses);
  }

  RunResult Run(Args args, const std::string& input = "") const {
    args.insert(args.begin(), {"--db", db_});
    return RunKasse(args, input);
  }
  std::string Ok(const Args& args, const std::string& input = "") const {
    const RunResult result = Run(args, input);
    EXPECT_EQ(result.exit_code, 0) << Show(args, result);
    return result.out;
  }
  // Runs `args`, expects exit 1 and returns stderr.
  std::string Refused(const Args& args, const std::string& input = "") const {
    const RunResult result = Run(args, input);
    EXPECT_EQ(result.exit_code, 1) << Show(args, result);
    return result.err;
  }
  static std::string Show(const Args& args, const RunResult& result) {
    std::string text = "kasse";
    for (const std::string& arg : args) text += " " + arg;
    return fmt::format("{}\nexit {}\nstdout: {}\nstderr: {}", text, result.exit_code, result.out,
                       result.err);
  }

  // Records tax data with the id `id`, which the receipts then name.
  void TaxData(const std::string& notice_date = "2021-08-15",
               const std::string& date = "2021-09-01", const std::string& id = "tax-2021") const {
    Ok({"tax-data",
        "--id",
        id,
        "--name",
        "NExT e.V.",
        "--address",
        "Musterstraße 1|10115 Berlin",
        "--tax-office",
        "für Körperschaften I",
        "--tax-number",
        "27/640/12345",
        "--notice",
        "exemption",
        "--notice-date",
        notice_date,
        "--assessment-period",
        "2017-2019",
        "--purposes",
        "der Volks- und Berufsbildung",
        "--place",
        "Berlin",
        "--date",
        date});
  }
  void Donations() const {
    Ok({"import", "-"},
       R"({"type":"donation.received","id":"h1","date":"2022-05-01","donor":"Hans Huber","amount":"1230.50"})"
       "\n"
       R"({"type":"donation.received","id":"e1","date":"2022-02-01","donor":"Erika Muster","amount":"25.50"})"
       "\n"
       R"({"type":"donation.received","id":"e2","date":"2022-03-01","donor":"Erika Muster","amount":"100.00"})"
       "\n"
       R"({"type":"donation.received","id":"e3","date":"2022-04-01","donor":"Erika Muster","amount":"400.00"})"
       "\n"
       R"({"type":"donation.received","id":"x1","date":"2022-06-01","donor":"Firma X GmbH","amount":"900.00","kind":"in_kind","note":"Laptop Lenovo T14, 2 Jahre alt, guter Zustand"})"
       "\n");
  }
  Args Issue(Args more = {}, const std::string& date = "2023-01-20") const {
    Args args = {
        "receipts", "--year", "2022", "--out", Out(), "--addresses", dir_.File("addresses.csv"),
        "--date",   date};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }
  std::string Out() const { return dir_.File("out"); }
  std::string Pdf(const std::string& number, bool duplicate = false) const {
    return Out() + "/Zuwendungsbestaetigung-" + number + (duplicate ? "-Duplikat" : "") + ".pdf";
  }
  static std::string PdfText(const std::string& path) {
    const RunResult run = RunProgram("/usr/bin/pdftotext", {"-layout", path, "-"});
    EXPECT_EQ(run.exit_code, 0) << "pdftotext (poppler-utils, needed by the tests): " << run.err;
    return run.out;
  }
  // The head as `kasse verify` prints it, which also checks everything.
  std::string Head() const {
    const std::string out = Ok({"verify"});
    std::smatch match;
    EXPECT_TRUE(std::regex_search(out, match, std::regex("head seq (\\d+)"))) << out;
    return match.size() > 1 ? match[1].str() : "";
  }
  size_t FilesInOut() const {
    std::error_code error;
    if (!fs::exists(Out(), error)) return 0;
    return static_cast<size_t>(
        std::distance(fs::directory_iterator(Out()), fs::directory_iterator()));
  }

  TempDir dir_;
  std::string db_ = dir_.File("db");
};

TEST_F(Receipts, IssuesMoneyCollectiveAndInKindReceiptsAndReadsThemBack) {
  TaxData();
  Donations();
  const std::string out = Ok(Issue({"--in-kind-origin", "business", "--valuation-documents"}));
  EXPECT_CONTAINS(out, "2022-001  collective  Erika Muster  525,50 EUR  " + Pdf("2022-001"));
  EXPECT_CONTAINS(out, "2022-002  money       Hans Huber  1.230,50 EUR  " + Pdf("2022-002"));
  EXPECT_CONTAINS(out, "2022-003  in_kind     Firma X GmbH  900,00 EUR  " + Pdf("2022-003"));
  EXPECT_CONTAINS(out, "issued 3 receipts of 2022 (5 donations, 2.656,00 EUR)");
  EXPECT_EQ(FilesInOut(), 3u) << "no temporary folder is left";

  const std::string money = PdfText(Pdf("2022-002"));
  EXPECT_CONTAINS(money, "Bestätigung über Geldzuwendungen");
  EXPECT_CONTAINS(money, "Hans Huber");
  EXPECT_CONTAINS(money, "Allee 2");
  EXPECT_CONTAINS(money, "1.230,50");
  // The words wrap in their column.
  EXPECT_TRUE(std::regex_search(
      money, std::regex("eintausendzweihundertdreißig Euro(.|\n)*und fünfzig Cent")))
      << money;
  EXPECT_CONTAINS(money, "01.05.2022");
  EXPECT_CONTAINS(money, "für Körperschaften I");
  EXPECT_CONTAINS(money, "27/640/12345");
  EXPECT_CONTAINS(money, "15.08.2021");
  EXPECT_CONTAINS(money, "Berlin, 20.01.2023");
  EXPECT_CONTAINS(money, "Förderung der Volks- und Berufsbildung");

  const std::string collective = PdfText(Pdf("2022-001"));
  EXPECT_CONTAINS(collective, "Sammelbestätigung über Geldzuwendungen");
  EXPECT_CONTAINS(collective, "Erika Muster");
  EXPECT_CONTAINS(collective, "525,50");
  EXPECT_CONTAINS(collective, "fünfhundertfünfundzwanzig Euro und");
  EXPECT_CONTAINS(collective, "01.02.2022 bis");
  EXPECT_CONTAINS(collective, "Anlage zur Sammelbestätigung vom 20.01.2023");
  EXPECT_TRUE(
      std::regex_search(collective, std::regex("01\\.02\\.2022 +Geldzuwendung +nein +25,50")))
      << collective;
  EXPECT_TRUE(
      std::regex_search(collective, std::regex("01\\.03\\.2022 +Geldzuwendung +nein +100,00")));
  EXPECT_TRUE(
      std::regex_search(collective, std::regex("01\\.04\\.2022 +Geldzuwendung +nein +400,00")));
  EXPECT_TRUE(std::regex_search(collective, std::regex("Gesamtsumme +525,50")));

  const std::string in_kind = PdfText(Pdf("2022-003"));
  EXPECT_CONTAINS(in_kind, "Bestätigung über Sachzuwendungen");
  EXPECT_CONTAINS(in_kind, "Firma X GmbH");
  EXPECT_CONTAINS(in_kind, "neunhundert Euro");
  EXPECT_CONTAINS(in_kind, "Laptop Lenovo T14");

  // Every donation has its receipt: a second run issues nothing.
  const std::string head = Head();
  EXPECT_CONTAINS(Ok(Issue()), "nothing to issue: every donation of 2022 has a receipt");
  EXPECT_EQ(Head(), head);
  EXPECT_EQ(FilesInOut(), 3u);

  // The duplicate is the receipt, byte for byte.
  EXPECT_CONTAINS(Ok({"receipts", "--reprint", "2022-001", "--out", Out()}), "as recorded");
  EXPECT_EQ(ReadFile(Pdf("2022-001", true)), ReadFile(Pdf("2022-001")));
  EXPECT_EQ(Head(), head) << "a reprint records nothing";

  // The statement counts the receipted donations above 300 EUR.
  const json statement = json::parse(Ok({"report", "statement", "--year", "2022", "--json"}));
  for (const json& check : statement["checks"]) {
    if (check["code"] != "donation_receipts") continue;
    EXPECT_EQ(check["count"], 0);
    EXPECT_CONTAINS(check["message"].get<std::string>(),
                    "3 donations above 300,00 EUR already have one");
  }
}

TEST_F(Receipts, TheHistoryRoundTripsIntoAFreshLedgerAndReprintsThere) {
  TaxData();
  Donations();
  Ok(Issue({"--in-kind-origin", "private"}));
  const std::string log = Ok({"log", "--json"});
  EXPECT_CONTAINS(log, R"("donor_address":"Weg 1\n12345 Ort")");
  const std::string fresh = dir_.File("fresh");
  ASSERT_EQ(RunKasse({"--db", fresh, "init", "--name", "Test e.V."}).exit_code, 0);
  const RunResult imported = RunKasse({"--db", fresh, "import", "-"}, log);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  ASSERT_EQ(RunKasse({"--db", fresh, "verify"}).exit_code, 0);
  const std::string copies = dir_.File("copies");
  const RunResult reprint =
      RunKasse({"--db", fresh, "receipts", "--reprint", "2022-002", "--out", copies});
  ASSERT_EQ(reprint.exit_code, 0) << reprint.err;
  EXPECT_EQ(ReadFile(copies + "/Zuwendungsbestaetigung-2022-002-Duplikat.pdf"),
            ReadFile(Pdf("2022-002")));
}

// The copy the README describes: kasse log --json into a fresh ledger, without the audit.sealed
// lines (a fresh ledger refuses a seal of another ledger's hashes). Leaving out a seal recorded
// before the tax data shifts the seq of the tax data and of everything after it; a receipt names
// its tax data by id, so the copy still reprints every receipt byte for byte.
TEST_F(Receipts, ACopyWithoutTheSealsReprintsTheSameBytes) {
  Ok({"seal", "--auditor", "Erika Prüfer", "--id", "seal-1"});  // seq 16, after init's categories
  TaxData();                                                    // seq 17
  Donations();
  const std::string issued = Ok(Issue({"--in-kind-origin", "business", "--valuation-documents"}));
  EXPECT_CONTAINS(issued, "issued 3 receipts of 2022 (5 donations, 2.656,00 EUR)");
  EXPECT_CONTAINS(issued, "tax data tax-2021 (seq 17)");

  const std::string log = Ok({"log", "--json"});
  std::string copy;
  size_t seals = 0;
  for (size_t start = 0; start < log.size();) {
    const size_t end = std::min(log.find('\n', start), log.size());
    const std::string line = log.substr(start, end - start);
    start = end + 1;
    if (line.find(R"("type":"audit.sealed")") != std::string::npos) {
      ++seals;
      continue;
    }
    copy += line + "\n";
  }
  ASSERT_EQ(seals, 1u) << log;
  const std::string fresh = dir_.File("fresh");
  ASSERT_EQ(RunKasse({"--db", fresh, "init", "--name", "Test e.V."}).exit_code, 0);
  const RunResult imported = RunKasse({"--db", fresh, "import", "-"}, copy);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const RunResult verified = RunKasse({"--db", fresh, "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  // The seqs did shift: the tax data is seq 16 in the copy.
  const RunResult copied_log = RunKasse({"--db", fresh, "log", "--json"});
  ASSERT_EQ(copied_log.exit_code, 0) << copied_log.err;
  EXPECT_CONTAINS(copied_log.out, R"({"seq":16,"type":"tax_data.recorded","id":"tax-2021")");
  EXPECT_CONTAINS(copied_log.out, R"("tax_data_id":"tax-2021")");

  const std::string copies = dir_.File("copies");
  for (const std::string number : {"2022-001", "2022-002", "2022-003"}) {
    const RunResult reprint =
        RunKasse({"--db", fresh, "receipts", "--reprint", number, "--out", copies});
    ASSERT_EQ(reprint.exit_code, 0) << number << ": " << reprint.err;
    EXPECT_CONTAINS(reprint.out, "tax data tax-2021, seq 16");
    EXPECT_EQ(ReadFile(copies + "/Zuwendungsbestaetigung-" + number + "-Duplikat.pdf"),
              ReadFile(Pdf(number)))
        << number;
  }
  // Reprinting in the copy records nothing there either.
  const RunResult after = RunKasse({"--db", fresh, "verify"});
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, verified.out);
}

// Each refusal: its message, and neither the ledger nor the folder changed.
TEST_F(Receipts, RefusesWithoutTaxDataOrWithANoticeTooOld) {
  Donations();
  const std::string head = Head();
  EXPECT_CONTAINS(Refused(Issue({"--in-kind-origin", "private"})),
                  "no tax data dated on or before 2023-01-20: record the association's tax data "
                  "first (kasse tax-data)");
  TaxData("2017-12-01", "2018-01-10");
  const std::string with_tax = Head();
  EXPECT_NE(with_tax, head);
  EXPECT_CONTAINS(Refused(Issue({"--in-kind-origin", "private"})),
                  "§ 63 (5) AO: the exemption notice (Freistellungsbescheid) of 2017-12-01 is more "
                  "than 5 years old on 2023-01-20 (receipts could be issued up to 2022-12-01)");
  EXPECT_EQ(Head(), with_tax);
  EXPECT_EQ(FilesInOut(), 0u);
}

TEST_F(Receipts, RefusesADonorWithoutAddressAnExistingFileAndAClosedYear) {
  TaxData();
  Donations();
  const std::string head = Head();
  WriteFile(dir_.File("addresses.csv"), "donor;address\nErika Muster;Weg 1\n");
  EXPECT_CONTAINS(Refused(Issue({"--in-kind-origin", "private"})),
                  "no address for the donor \"Hans Huber\"");
  WriteFile(dir_.File("addresses.csv"), kAddresses);
  fs::create_directory(Out());
  WriteFile(Pdf("2022-002"), "an earlier receipt");
  EXPECT_CONTAINS(Refused(Issue({"--in-kind-origin", "private"})),
                  Pdf("2022-002") + " exists already; kasse never overwrites a receipt");
  EXPECT_EQ(ReadFile(Pdf("2022-002")), "an earlier receipt");
  EXPECT_EQ(FilesInOut(), 1u);
  fs::remove(Pdf("2022-002"));
  Ok({"close-year", "2022", "--date", "2023-01-10"});
  const std::string closed = Head();
  EXPECT_CONTAINS(Refused(Issue({"--in-kind-origin", "private"}, "2022-12-31")),
                  "the year 2022 is closed");
  EXPECT_EQ(Head(), closed);
  EXPECT_EQ(FilesInOut(), 0u) << "the temporary files are gone";
  EXPECT_NE(head, closed);
}

// A receipt.issued line written by hand meets the same rules as the command's.
TEST_F(Receipts, AnImportedReceiptMeetsTheRules) {
  TaxData();  // id tax-2021, dated 2021-09-01
  TaxData("2022-12-01", "2023-02-01", "tax-2023");
  Donations();
  Ok({"reverse", "e3", "--reason", "zurückgebucht", "--date", "2022-12-01"});
  const auto receipt = [](const std::string& number, const std::string& donations,
                          const std::string& amount, const std::string& donor,
                          const std::string& tax_data_id = "tax-2021") {
    return fmt::format(
        R"({{"type":"receipt.issued","id":"r-{}-{}","date":"2023-01-20","number":"{}","year":2022,)"
        R"("template":"{}","donations":{},"amount":"{}","tax_data_id":"{}","pdf_sha256":"{}",)"
        R"("donor":"{}","donor_address":"Weg 1\n12345 Ort"}})",
        number, amount, number, donations.find(',') == std::string::npos ? "money" : "collective",
        donations, amount, tax_data_id, std::string(64, 'a'), donor);
  };
  Ok({"import", "-"}, receipt("2022-001", R"(["e1"])", "25.50", "Erika Muster"));
  const std::string head = Head();
  EXPECT_CONTAINS(
      Refused({"import", "-"}, receipt("2022-002", R"(["e1","e2"])", "125.50", "Erika Muster")),
      "field \"donations\": \"e1\" is already covered by receipt 2022-001; a donation "
      "is never receipted twice");
  EXPECT_CONTAINS(
      Refused({"import", "-"}, receipt("2022-002", R"(["e2"])", "100.01", "Erika Muster")),
      "field \"amount\": 100.01 is not the sum of the donations listed, 100.00");
  EXPECT_CONTAINS(
      Refused({"import", "-"}, receipt("2022-002", R"(["e2","h1"])", "1330.50", "Erika Muster")),
      "field \"donations\": \"h1\" was given by another donor than the one named in "
      "field \"donor\"");
  EXPECT_CONTAINS(
      Refused({"import", "-"}, receipt("2022-002", R"(["e3"])", "400.00", "Erika Muster")),
      "field \"donations\": \"e3\" was reversed");
  EXPECT_CONTAINS(
      Refused({"import", "-"}, receipt("2022-001", R"(["e2"])", "100.00", "Erika Muster")),
      "field \"number\": receipt 2022-001 was already issued");
  EXPECT_CONTAINS(
      Refused({"import", "-"},
              receipt("2022-002", R"(["e2"])", "100.00", "Erika Muster", "no-such-tax")),
      "field \"tax_data_id\": \"no-such-tax\" is the id of no tax_data.recorded event recorded "
      "before the receipt");
  EXPECT_CONTAINS(
      Refused({"import", "-"}, receipt("2022-002", R"(["e2"])", "100.00", "Erika Muster", "h1")),
      "field \"tax_data_id\": \"h1\" is the id of no tax_data.recorded event");
  EXPECT_CONTAINS(
      Refused({"import", "-"},
              receipt("2022-002", R"(["e2"])", "100.00", "Erika Muster", "tax-2023")),
      "field \"tax_data_id\": the tax data \"tax-2023\" (seq 17) are dated after the receipt "
      "(2023-01-20)");
  EXPECT_CONTAINS(
      Refused({"import", "-"}, receipt("2022-002", R"(["e2"])", "100.00", "Erika Muster", "")),
      "field \"tax_data_id\": must be 1 to 64 characters long");
  EXPECT_EQ(Head(), head);
  // The command leaves out what the hand-written receipt covers; its PDF hash was made up, so a
  // reprint refuses and writes nothing.
  const std::string reprint = Refused({"receipts", "--reprint", "2022-001", "--out", Out()});
  EXPECT_CONTAINS(reprint, "is not byte for byte the receipt issued");
  EXPECT_CONTAINS(reprint, std::string(64, 'a'));
  EXPECT_CONTAINS(reprint, "fonts");
  EXPECT_EQ(FilesInOut(), 0u);
  const std::string out = Ok(Issue({"--in-kind-origin", "unknown", "--dry-run"}));
  EXPECT_CONTAINS(out, "2022-002  money       Erika Muster  100,00 EUR");
  EXPECT_CONTAINS(out, "dry run: would issue 3 receipts of 2022");
  EXPECT_EQ(Head(), head);
  EXPECT_EQ(FilesInOut(), 0u);
}

// A receipted donation paid back: allowed, and the statement says the receipt must be recalled.
TEST_F(Receipts, AReversedReceiptedDonationIsReportedForRecall) {
  TaxData();
  Donations();
  Ok(Issue({"--in-kind-origin", "private"}));
  Ok({"reverse", "h1", "--reason", "Rückzahlung", "--date", "2023-02-01"});
  const json statement = json::parse(Ok({"report", "statement", "--year", "2022", "--json"}));
  bool seen = false;
  for (const json& check : statement["checks"]) {
    if (check["code"] != "donation_receipts") continue;
    seen = true;
    EXPECT_EQ(check["severity"], "warning");
    EXPECT_CONTAINS(check["message"].get<std::string>(),
                    "§ 10b (4) EStG: 1 issued receipt covers a reversed donation of 2022 and must "
                    "be recalled from the donor: receipt 2022-002 (h1 reversed by seq");
  }
  EXPECT_TRUE(seen);
  Ok({"verify"});
  EXPECT_CONTAINS(Ok({"replay"}), "replayed");
  Ok({"verify"});
}

}  // namespace
}  // namespace kasse::test
