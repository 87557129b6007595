// kasse receipts: the donation receipts (Zuwendungsbestätigungen) of a year as PDF, each recorded
// as a receipt.issued event; and --reprint, the byte-identical duplicate of an issued receipt.
//
// All or nothing: the PDFs are rendered into a temporary folder inside --out first, then every
// receipt.issued event is appended in one atomic write (the ledger's rules refuse a donation
// receipted twice), and only then are the files linked to their final names, which never replace
// an existing file. If the append fails, the temporary files go and the ledger is unchanged.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "cli/common.h"
#include "cli/receipt_pdf.h"
#include "cli/receipts.h"
#include "cli/record.h"
#include "ledger/hash.h"
#include "ledger/json_event.h"
#include "ledger/money.h"
#include "projections/books.h"
#include "projections/receipts.h"

namespace kasse::cli {

namespace {

namespace fs = std::filesystem;

struct ReceiptsFlags {
  std::string year;
  std::string donor;
  std::string out;
  std::string addresses;
  std::string date;
  std::string in_kind_origin;
  bool valuation_documents = false;
  bool dry_run = false;
  std::string reprint;
};

// A receipt ready to be recorded: its event (with the PDF's hash) and the PDF.
struct IssuedReceipt {
  Event event;
  std::string pdf;
};

Status ReadWholeFile(const std::string& path, size_t bytes_max, std::string* text) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::NotFound(fmt::format("cannot open {}", path));
  text->assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  if (file.bad()) return Status::IoError(fmt::format("cannot read {}", path));
  if (text->size() > bytes_max) {
    return Status::InvalidInput(fmt::format("{} is larger than {} bytes", path, bytes_max));
  }
  return Status::Ok();
}

// --out: an existing directory, or a new one in an existing parent.
Status PrepareOutDirectory(const std::string& text, bool create, fs::path* out) {
  if (text.empty()) return Status::InvalidInput("option --out: the directory name is empty");
  *out = fs::path(text);
  std::error_code error;
  if (fs::is_directory(*out, error)) return Status::Ok();
  if (fs::exists(*out, error)) {
    return Status::InvalidInput(fmt::format("option --out: {} is not a directory", text));
  }
  if (!create) return Status::Ok();
  if (!fs::create_directory(*out, error) || error) {
    return Status::IoError(fmt::format("option --out: cannot create {}: {}", text,
                                       error ? error.message() : "it exists"));
  }
  return Status::Ok();
}

// An existing file is never replaced: a receipt issued before stays as it was.
Status RefuseExisting(const fs::path& path) {
  std::error_code error;
  if (!fs::exists(fs::symlink_status(path, error))) return Status::Ok();
  return Status::Rejected(fmt::format(
      "option --out: {} exists already; kasse never overwrites a receipt (move it away or choose "
      "another directory)",
      path.string()));
}

// Gives `from` the name `to` unless `to` exists (link() fails then), and removes `from`.
Status LinkNoReplace(const fs::path& from, const fs::path& to) {
  if (::link(from.c_str(), to.c_str()) != 0) {
    return Status::IoError(fmt::format("cannot create {}: {}", to.string(), std::strerror(errno)));
  }
  ::unlink(from.c_str());
  return Status::Ok();
}

// The temporary folder inside --out; removed with what it holds when the object goes.
class StagingDirectory {
 public:
  Status Create(const fs::path& out) {
    std::string pattern = (out / ".kasse-receipts-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Status::IoError(fmt::format("option --out: cannot create a temporary folder in {}: {}",
                                         out.string(), std::strerror(errno)));
    }
    path_ = pattern;
    return Status::Ok();
  }
  ~StagingDirectory() {
    std::error_code error;
    if (!path_.empty()) fs::remove_all(path_, error);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Status ParseFlags(const ReceiptsFlags& flags, ReceiptOptions* options) {
  KASSE_RETURN_IF_ERROR(ParseYear(flags.year, &options->year).WithContext("option --year"));
  options->issued_on = Today();
  if (!flags.date.empty()) {
    KASSE_RETURN_IF_ERROR(ParseDate(flags.date, &options->issued_on).WithContext("option --date"));
  }
  if (options->issued_on.year < options->year) {
    return Status::InvalidInput(fmt::format("option --date: {} is before the year {} ended",
                                            FormatDate(options->issued_on), options->year));
  }
  if (!flags.donor.empty()) options->donor = flags.donor;
  if (!flags.in_kind_origin.empty() &&
      !InKindOriginFromName(flags.in_kind_origin, &options->in_kind_origin)) {
    return Status::InvalidInput(
        fmt::format("option --in-kind-origin: \"{}\" is not one of private, business, unknown",
                    flags.in_kind_origin));
  }
  options->valuation_documents = flags.valuation_documents;
  return Status::Ok();
}

// The tax data in force on the issue date, checked against § 63 (5) AO.
Status FindTaxData(const Ledger& ledger, Date issued_on, TaxDataInForce* tax) {
  std::vector<TaxDataEntry> entries;
  KASSE_RETURN_IF_ERROR(ReadTaxData(StoredState(ledger), &entries));
  std::vector<std::pair<uint64_t, Date>> candidates;
  for (const TaxDataEntry& entry : entries) candidates.emplace_back(entry.seq, entry.date);
  KASSE_RETURN_IF_ERROR(ChooseTaxData(candidates, issued_on, &tax->seq));
  Event event;
  KASSE_RETURN_IF_ERROR(ledger.ReadEvent(tax->seq, &event));
  const auto* data = std::get_if<TaxDataRecorded>(&event.body);
  const bool listed = std::any_of(entries.begin(), entries.end(), [&](const TaxDataEntry& entry) {
    return entry.seq == tax->seq && entry.id == event.id;
  });
  if (data == nullptr || !listed) {
    return Status::Corruption(fmt::format(
        "the stored tax data name seq {}, which is not the tax_data.recorded event \"{}\"; run "
        "kasse verify",
        tax->seq, event.id));
  }
  tax->id = event.id;
  tax->date = event.date;
  tax->data = *data;
  return CheckNoticeAge(tax->data, issued_on);
}

// Every donation.received of `year`, with its donor, reversal and receipt; and the events.
Status ReadDonations(const Ledger& ledger, int32_t year, std::vector<DonationForReceipt>* donations,
                     std::map<std::string, Event>* events) {
  const StateView state = StoredState(ledger);
  return ledger.ForEachEvent(
      1, ledger.head_seq(), /*with_personal=*/true, [&](const Ledger::EventRecord& record) {
        const Event& event = record.event;
        const auto* body = std::get_if<DonationReceived>(&event.body);
        if (body == nullptr || event.date.year != year) return Status::Ok();
        DonationForReceipt donation{.id = event.id,
                                    .seq = event.seq,
                                    .date = event.date,
                                    .amount_cents = body->amount_cents,
                                    .kind = body->kind,
                                    .donor = event.personal,
                                    .note = event.note};
        uint64_t reversal_seq = 0;
        KASSE_RETURN_IF_ERROR(FindReversal(state, event.id, &reversal_seq, &donation.reversed));
        ReceiptOfDonation receipt;
        KASSE_RETURN_IF_ERROR(
            FindReceiptOfDonation(state, event.id, &receipt, &donation.receipted));
        donations->push_back(std::move(donation));
        events->emplace(event.id, event);
        return Status::Ok();
      });
}

// Renders every planned receipt and fills in the PDF's hash.
Status RenderAll(const ReceiptPlan& plan, const std::map<std::string, Event>& donation_events,
                 const TaxDataInForce& tax, std::vector<IssuedReceipt>* issued) {
  for (const Event& planned : plan.receipts) {
    IssuedReceipt receipt{planned, ""};
    auto& body = std::get<ReceiptIssued>(receipt.event.body);
    std::vector<Event> donations;
    for (const std::string& id : body.donations) donations.push_back(donation_events.at(id));
    ReceiptDocument document;
    KASSE_RETURN_IF_ERROR(MakeReceiptDocument(receipt.event, donations, tax.data, &document));
    KASSE_RETURN_IF_ERROR(RenderReceiptPdf(document, &receipt.pdf)
                              .WithContext(fmt::format("receipt {}", body.number)));
    body.pdf_sha256 = ComputeSha256(receipt.pdf);
    issued->push_back(std::move(receipt));
  }
  return Status::Ok();
}

Status RecordReceipts(Ledger* ledger, const std::string& user,
                      const std::vector<IssuedReceipt>& issued, bool dry_run,
                      RecordSummary* summary) {
  size_t next = 0;
  EventSource source = [&](Event* event, std::string* context, bool* done) {
    *done = next == issued.size();
    if (*done) return Status::Ok();
    *event = issued[next].event;
    *context = fmt::format("receipt {}", std::get<ReceiptIssued>(event->body).number);
    ++next;
    return Status::Ok();
  };
  return RecordEvents(ledger, user, source, dry_run, summary);
}

void PrintReceipt(const IssuedReceipt& receipt, const std::string& file) {
  const auto& body = std::get<ReceiptIssued>(receipt.event.body);
  std::string donor, address;
  SplitReceiptPersonal(*receipt.event.personal, &donor, &address);
  fmt::print("{}  {:<10}  {}  {} EUR  {}\n", body.number, ReceiptFormName(body.form), donor,
             FormatAmountGerman(body.amount_cents), file);
}

// Writes the PDFs into a temporary folder in `out`, records the events, then names the files.
Status IssueFiles(Ledger* ledger, const std::string& user, const fs::path& out,
                  const std::vector<IssuedReceipt>& issued, RecordSummary* summary) {
  StagingDirectory staging;
  KASSE_RETURN_IF_ERROR(staging.Create(out));
  for (const IssuedReceipt& receipt : issued) {
    const auto& body = std::get<ReceiptIssued>(receipt.event.body);
    const fs::path staged = staging.path() / ReceiptFileName(body.number, false);
    KASSE_RETURN_IF_ERROR(WriteNewFile(staged, receipt.pdf, staged.string() + " exists"));
  }
  KASSE_RETURN_IF_ERROR(RecordReceipts(ledger, user, issued, /*dry_run=*/false, summary));
  // Recorded: from here a failure loses no receipt, --reprint makes any missing file again.
  for (const IssuedReceipt& receipt : issued) {
    const std::string name =
        ReceiptFileName(std::get<ReceiptIssued>(receipt.event.body).number, false);
    Status linked = LinkNoReplace(staging.path() / name, out / name);
    if (!linked.ok()) {
      return linked.WithContext(
          "the receipts are recorded, but a file is missing; make it with "
          "kasse receipts --reprint NUMBER");
    }
  }
  return Status::Ok();
}

Status RunIssue(const GlobalOptions& global, const ReceiptsFlags& flags) {
  ReceiptOptions options;
  KASSE_RETURN_IF_ERROR(ParseFlags(flags, &options));
  std::string addresses_text;
  KASSE_RETURN_IF_ERROR(ReadWholeFile(flags.addresses, kAddressesFileBytesMax, &addresses_text)
                            .WithContext("option --addresses"));
  std::map<std::string, std::string> addresses;
  KASSE_RETURN_IF_ERROR(ParseAddresses(addresses_text, &addresses)
                            .WithContext(fmt::format("option --addresses: {}", flags.addresses)));
  fs::path out;
  KASSE_RETURN_IF_ERROR(PrepareOutDirectory(flags.out, /*create=*/false, &out));
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForWrite(global.db_path, Appends::kFew, &ledger));
  KASSE_RETURN_IF_ERROR(CheckProjectionsVersion(StoredState(*ledger), ledger->head_seq()));
  TaxDataInForce tax;
  KASSE_RETURN_IF_ERROR(FindTaxData(*ledger, options.issued_on, &tax));
  options.tax_data_id = tax.id;
  KASSE_RETURN_IF_ERROR(
      ReadLastReceiptNumber(StoredState(*ledger), options.year, &options.last_number));
  std::vector<DonationForReceipt> donations;
  std::map<std::string, Event> donation_events;
  KASSE_RETURN_IF_ERROR(ReadDonations(*ledger, options.year, &donations, &donation_events));
  ReceiptPlan plan;
  KASSE_RETURN_IF_ERROR(PlanReceipts(donations, addresses, options, &plan));
  for (const std::string& note : plan.notes) fmt::print(stderr, "note: not receipted: {}\n", note);
  if (plan.receipts.empty()) {
    fmt::print("nothing to issue: every donation of {}{} has a receipt\n", options.year,
               options.donor ? " of " + *options.donor : "");
    return Status::Ok();
  }
  const bool in_kind = std::any_of(plan.receipts.begin(), plan.receipts.end(), [](const Event& e) {
    return std::get<ReceiptIssued>(e.body).form == ReceiptForm::kInKind;
  });
  if (in_kind && flags.in_kind_origin.empty()) {
    return Status::InvalidInput(
        "option --in-kind-origin: an in-kind receipt must say where the gift came from (private, "
        "business, or unknown: no statement despite a request); issue in-kind receipts per donor "
        "with --donor when their origins differ");
  }
  std::vector<IssuedReceipt> issued;
  KASSE_RETURN_IF_ERROR(RenderAll(plan, donation_events, tax, &issued));
  for (const IssuedReceipt& receipt : issued) {
    KASSE_RETURN_IF_ERROR(RefuseExisting(
        out / ReceiptFileName(std::get<ReceiptIssued>(receipt.event.body).number, false)));
  }
  RecordSummary summary;
  if (flags.dry_run) {
    KASSE_RETURN_IF_ERROR(
        RecordReceipts(ledger.get(), RecordingUser(global), issued, true, &summary));
  } else {
    KASSE_RETURN_IF_ERROR(PrepareOutDirectory(flags.out, /*create=*/true, &out));
    KASSE_RETURN_IF_ERROR(IssueFiles(ledger.get(), RecordingUser(global), out, issued, &summary));
  }
  int64_t total_cents = 0;
  size_t donation_count = 0;
  for (const IssuedReceipt& receipt : issued) {
    const auto& body = std::get<ReceiptIssued>(receipt.event.body);
    PrintReceipt(receipt, (out / ReceiptFileName(body.number, false)).string());
    (void)AddCents(total_cents, body.amount_cents, &total_cents);
    donation_count += body.donations.size();
  }
  if (flags.dry_run) {
    fmt::print("dry run: would issue {} receipts of {} ({} donations, {} EUR); nothing written\n",
               issued.size(), options.year, donation_count, FormatAmountGerman(total_cents));
  } else {
    fmt::print(
        "issued {} receipts of {} ({} donations, {} EUR), recorded as seq {}-{}, tax data {} (seq "
        "{})\n",
        issued.size(), options.year, donation_count, FormatAmountGerman(total_cents),
        summary.first_seq, summary.last_seq, tax.id, tax.seq);
  }
  return Status::Ok();
}

// Reads the events a receipt names: its donations (in its order) and its tax data, all by client
// id (stable in a copy of the ledger whose seqs differ). *tax_seq is the tax data's seq here.
Status ReadReceiptSources(const Ledger& ledger, const ReceiptIssued& body,
                          std::vector<Event>* donations, TaxDataRecorded* tax, uint64_t* tax_seq) {
  for (const std::string& id : body.donations) {
    uint64_t seq = 0;
    KASSE_RETURN_IF_ERROR(ledger.FindId(id, &seq));
    Event donation;
    KASSE_RETURN_IF_ERROR(ledger.ReadEvent(seq, &donation));
    if (!donation.personal) {
      return Status::Rejected(
          fmt::format("the donor of \"{}\" was erased; receipt {} cannot be "
                      "reprinted",
                      id, body.number));
    }
    donations->push_back(std::move(donation));
  }
  Status found = ledger.FindId(body.tax_data_id, tax_seq);
  if (found.code() == Status::Code::kNotFound) {
    return Status::Corruption(
        fmt::format("receipt {} names the tax data \"{}\", but no event of this ledger has that id",
                    body.number, body.tax_data_id));
  }
  KASSE_RETURN_IF_ERROR(found);
  Event tax_event;
  KASSE_RETURN_IF_ERROR(ledger.ReadEvent(*tax_seq, &tax_event));
  const auto* data = std::get_if<TaxDataRecorded>(&tax_event.body);
  if (data == nullptr) {
    return Status::Corruption(
        fmt::format("receipt {} names the tax data \"{}\", but the event with that id (seq {}) "
                    "is a {} event",
                    body.number, body.tax_data_id, *tax_seq, TypeName(TypeOf(tax_event.body))));
  }
  *tax = *data;
  return Status::Ok();
}

Status RunReprint(const GlobalOptions& global, const ReceiptsFlags& flags) {
  fs::path out;
  KASSE_RETURN_IF_ERROR(PrepareOutDirectory(flags.out, /*create=*/false, &out));
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForRead(global.db_path, &ledger));
  KASSE_RETURN_IF_ERROR(CheckProjectionsVersion(StoredState(*ledger), ledger->head_seq()));
  uint64_t seq = 0;
  bool found = false;
  KASSE_RETURN_IF_ERROR(FindReceiptByNumber(StoredState(*ledger), flags.reprint, &seq, &found));
  if (!found) {
    return Status::NotFound(
        fmt::format("option --reprint: no receipt {} was issued", flags.reprint));
  }
  Event receipt;
  KASSE_RETURN_IF_ERROR(ledger->ReadEvent(seq, &receipt));
  if (!receipt.personal) {
    return Status::Rejected(
        fmt::format("the donor's data of receipt {} were erased; it cannot be "
                    "reprinted",
                    flags.reprint));
  }
  const auto& body = std::get<ReceiptIssued>(receipt.body);
  std::vector<Event> donations;
  TaxDataRecorded tax;
  uint64_t tax_seq = 0;
  KASSE_RETURN_IF_ERROR(ReadReceiptSources(*ledger, body, &donations, &tax, &tax_seq));
  ReceiptDocument document;
  KASSE_RETURN_IF_ERROR(MakeReceiptDocument(receipt, donations, tax, &document));
  std::string pdf;
  KASSE_RETURN_IF_ERROR(RenderReceiptPdf(document, &pdf));
  const Sha256 hash = ComputeSha256(pdf);
  if (hash != body.pdf_sha256) {
    return Status::Rejected(fmt::format(
        "the duplicate of receipt {} is not byte for byte the receipt issued: SHA-256 {} now, {} "
        "when issued (seq {}). Most likely the fonts differ (fonts-dejavu-core, fontconfig) or "
        "another kasse version renders; no file was written",
        body.number, HexOf(hash), HexOf(body.pdf_sha256), seq));
  }
  const fs::path path = out / ReceiptFileName(body.number, true);
  KASSE_RETURN_IF_ERROR(RefuseExisting(path));
  KASSE_RETURN_IF_ERROR(PrepareOutDirectory(flags.out, /*create=*/true, &out));
  StagingDirectory staging;
  KASSE_RETURN_IF_ERROR(staging.Create(out));
  const fs::path staged = staging.path() / path.filename();
  KASSE_RETURN_IF_ERROR(WriteNewFile(staged, pdf, staged.string() + " exists"));
  KASSE_RETURN_IF_ERROR(LinkNoReplace(staging.path() / path.filename(), path));
  fmt::print(
      "duplicate of receipt {} (issued {}, seq {}; tax data {}, seq {}): {}, SHA-256 {} as "
      "recorded\n",
      body.number, FormatDate(receipt.date), seq, body.tax_data_id, tax_seq, path.string(),
      HexOf(hash));
  return Status::Ok();
}

}  // namespace

void AddReceiptsCommand(CLI::App& app, GlobalOptions& options, int& exit_code) {
  auto flags = std::make_shared<ReceiptsFlags>();
  CLI::App* command = app.add_subcommand(
      "receipts",
      "Issue the donation receipts (Zuwendungsbestätigungen) of a year as PDF, or reprint one");
  command->add_option("--year", flags->year, "the year of the donations");
  command->add_option("--out", flags->out, "the directory of the PDFs (created if missing)")
      ->required();
  command->add_option("--addresses", flags->addresses,
                      "CSV file: header donor;address, then one row per donor, address lines "
                      "separated by |");
  command->add_option("--donor", flags->donor, "only this donor (the exact name)");
  command->add_option("--date", flags->date, "the issue date (default: today)");
  command->add_option("--in-kind-origin", flags->in_kind_origin,
                      "of in-kind gifts: private, business or unknown (the donor said nothing)");
  command->add_flag(
      "--valuation-documents", flags->valuation_documents,
      "of in-kind gifts: documents of the valuation (invoice, appraisal) are at hand");
  command->add_flag("--dry-run", flags->dry_run, "show what would be issued, write nothing");
  command->add_option("--reprint", flags->reprint,
                      "the duplicate of an issued receipt, e.g. 2022-001, byte for byte");
  command->footer(
      "Example:\n  kasse receipts --year 2022 --out belege --addresses spender.csv --date "
      "2023-01-20\n  kasse receipts --reprint 2022-001 --out belege");
  command->callback([&options, &exit_code, flags, command]() {
    ResolveDefaults(&options);
    if (flags->reprint.empty() && (flags->year.empty() || flags->addresses.empty())) {
      fmt::print(stderr, "kasse receipts: --year and --addresses are required (or --reprint)\n{}",
                 command->help());
      exit_code = kExitUsage;
      return;
    }
    if (!flags->reprint.empty() && (!flags->year.empty() || !flags->addresses.empty() ||
                                    !flags->donor.empty() || flags->dry_run)) {
      fmt::print(stderr, "kasse receipts: --reprint takes only --out\n");
      exit_code = kExitUsage;
      return;
    }
    exit_code =
        Finish(flags->reprint.empty() ? RunIssue(options, *flags) : RunReprint(options, *flags));
  });
}

}  // namespace kasse::cli
