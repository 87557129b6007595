// The commands that write events: init, one recording command per event type, and import.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "cli/line_reader.h"
#include "cli/record.h"
#include "ledger/hash.h"
#include "ledger/json_event.h"
#include "ledger/money.h"
#include "projections/chart.h"

namespace kasse::cli {

namespace {

// A generated id: the type's short name, the booking date and 32 random bits, e.g.
// "expense-20220301-5f3a9c1e". Collisions are caught by the id index like any other.
std::string GenerateId(std::string_view prefix, const Date& date) {
  uint8_t random[4];
  FillRandomBytes(random, sizeof(random));
  return fmt::format("{}-{:08}-{:02x}{:02x}{:02x}{:02x}", prefix, date.yyyymmdd(), random[0],
                     random[1], random[2], random[3]);
}

Status RecordOne(GlobalOptions& options, const nlohmann::json& object, RecordSummary* summary) {
  Event event;
  KASSE_RETURN_IF_ERROR(EventFromJson(object, &event).WithContext("command line"));
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForWrite(options.db_path, Appends::kFew, &ledger));
  bool given = false;
  EventSource source = [&](Event* next, std::string* context, bool* done) {
    *done = given;
    *next = event;
    *context = "command line";
    given = true;
    return Status::Ok();
  };
  return RecordEvents(ledger.get(), RecordingUser(options), source, /*dry_run=*/false, summary);
}

// Options every recording command has.
struct CommonFlags {
  std::string id;
  std::string date;
  std::string document;
  std::string note;
};

void AddCommonFlags(CLI::App* command, CommonFlags& flags) {
  command->add_option("--id", flags.id, "your unique id for the event (generated when omitted)");
  command->add_option("--date", flags.date, "booking date YYYY-MM-DD (default: today)");
  command->add_option("--document", flags.document, "voucher reference (Belegnummer)");
  command->add_option("--note", flags.note, "free text, at most 1000 characters");
}

// Builds the event's JSON object from the flags, so that flags and files meet the same checks.
Status StartObject(std::string_view type, std::string_view id_prefix, const CommonFlags& flags,
                   nlohmann::json* object) {
  Date date = Today();
  if (!flags.date.empty()) {
    Status parsed = ParseDate(flags.date, &date);
    if (!parsed.ok()) return parsed.WithContext("option --date");
  }
  *object = nlohmann::json::object();
  (*object)["type"] = type;
  (*object)["id"] = flags.id.empty() ? GenerateId(id_prefix, date) : flags.id;
  (*object)["date"] = FormatDate(date);
  if (!flags.document.empty()) (*object)["document"] = flags.document;
  if (!flags.note.empty()) (*object)["note"] = flags.note;
  return Status::Ok();
}

// Accepts "129,90" as typed by a treasurer and stores the contract's "129.90".
Status PutAmount(const std::string& text, nlohmann::json* object) {
  int64_t amount_cents = 0;
  Status parsed = ParseAmount(text, AmountSyntax::kCommand, &amount_cents);
  if (!parsed.ok()) return parsed.WithContext("option --amount");
  (*object)["amount"] = FormatAmount(amount_cents);
  return Status::Ok();
}

void PutIfGiven(nlohmann::json* object, const char* field, const std::string& value) {
  if (!value.empty()) (*object)[field] = value;
}

// Registers one recording command. `fill` adds the type's fields to the object.
void AddRecordingCommand(CLI::App& app, GlobalOptions& options, int& exit_code, const char* name,
                         const char* type, const char* help, const char* example,
                         const std::function<void(CLI::App*)>& add_flags,
                         const std::function<Status(nlohmann::json*)>& fill) {
  auto flags = std::make_shared<CommonFlags>();
  CLI::App* command = app.add_subcommand(name, help);
  command->footer(fmt::format("Example:\n  {}", example));
  add_flags(command);
  AddCommonFlags(command, *flags);
  command->callback([&options, &exit_code, flags, type, name, fill]() {
    ResolveDefaults(&options);
    nlohmann::json object;
    Status status = StartObject(type, name, *flags, &object);
    if (status.ok()) status = fill(&object);
    RecordSummary summary;
    if (status.ok()) status = RecordOne(options, object, &summary);
    if (status.ok() && summary.appended == 1) {
      fmt::print("recorded {} seq {} id {}\n", type, summary.last_seq, summary.last_id);
    } else if (status.ok()) {
      fmt::print("already recorded: id {} with the same content; nothing written\n",
                 object["id"].get<std::string>());
    }
    exit_code = Finish(status);
  });
}

}  // namespace

void AddInitCommand(CLI::App& app, GlobalOptions& options, int& exit_code) {
  auto name = std::make_shared<std::string>();
  CLI::App* command =
      app.add_subcommand("init", "Create a new ledger with the default chart of categories");
  command->add_option("--name", *name, "the association's name")->required();
  command->footer("Example:\n  kasse --db verein.db init --name \"NExT e.V.\"");
  command->callback([&options, &exit_code, name]() {
    ResolveDefaults(&options);
    std::unique_ptr<Ledger> ledger;
    Status status = Ledger::Create(options.db_path, *name, &ledger);
    RecordSummary summary;
    if (status.ok()) {
      const std::vector<CategoryDefined> chart = DefaultChart();
      size_t next = 0;
      // The default chart applies to the whole history, and is the same in every ledger, so
      // that a `log --json` export re-imports into a fresh ledger.
      const Date chart_date{kYearMin, 1, 1};
      EventSource source = [&](Event* event, std::string* context, bool* done) {
        *done = next == chart.size();
        if (*done) return Status::Ok();
        *event = Event();
        event->id = fmt::format("init-category-{:02}", next + 1);
        event->date = chart_date;
        event->body = chart[next++];
        *context = "default chart";
        return Status::Ok();
      };
      status = RecordEvents(ledger.get(), RecordingUser(options), source, false, &summary);
    }
    if (status.ok()) {
      fmt::print("created ledger \"{}\" at {} with {} categories (seq 1-{})\n", *name,
                 options.db_path, summary.appended, summary.last_seq);
    }
    exit_code = Finish(status);
  });
}

void AddRecordingCommands(CLI::App& app, GlobalOptions& options, int& exit_code) {
  struct Fields {
    std::string category, direction, sphere, group, member, name, kind, reason, amount, covers,
        donor, payer, payee, project, reverses, year, chart, account;
    // tax-data
    std::string address, tax_office, tax_number, notice, notice_date, assessment_period, purposes,
        place;
  };
  auto f = std::make_shared<Fields>();

  AddRecordingCommand(
      app, options, exit_code, "category", "category.defined", "Define a category of the chart",
      "kasse category --category Zinsen --direction income --sphere asset_management",
      [f](CLI::App* c) {
        c->add_option("--category", f->category, "the category's name")->required();
        c->add_option("--direction", f->direction, "income or expense")->required();
        c->add_option("--sphere", f->sphere,
                      "ideal, asset_management, purpose_business or commercial")
            ->required();
        c->add_option("--group", f->group, "heading in the statement");
      },
      [f](nlohmann::json* o) {
        (*o)["category"] = f->category;
        (*o)["direction"] = f->direction;
        (*o)["sphere"] = f->sphere;
        PutIfGiven(o, "group", f->group);
        return Status::Ok();
      });
  AddRecordingCommand(
      app, options, exit_code, "join", "member.joined", "Record a member joining",
      "kasse join --member M-0081 --name \"Erika Muster\" --kind personal --date 2023-01-15",
      [f](CLI::App* c) {
        c->add_option("--member", f->member, "member number")->required();
        c->add_option("--name", f->name, "the member's name")->required();
        c->add_option("--kind", f->kind, "personal or institutional")->required();
      },
      [f](nlohmann::json* o) {
        (*o)["member"] = f->member;
        (*o)["name"] = f->name;
        (*o)["kind"] = f->kind;
        return Status::Ok();
      });
  AddRecordingCommand(
      app, options, exit_code, "change-member", "member.changed",
      "Record a member's new name or kind",
      "kasse change-member --member M-0022 --name \"Erika Beispiel\" --date 2022-06-01",
      [f](CLI::App* c) {
        c->add_option("--member", f->member, "member number")->required();
        c->add_option("--name", f->name, "the new name");
        c->add_option("--kind", f->kind, "the new kind: personal or institutional");
      },
      [f](nlohmann::json* o) {
        (*o)["member"] = f->member;
        PutIfGiven(o, "name", f->name);
        PutIfGiven(o, "kind", f->kind);
        return Status::Ok();
      });
  AddRecordingCommand(
      app, options, exit_code, "leave", "member.left", "Record a member leaving",
      "kasse leave --member M-0007 --reason \"Austritt zum Jahresende\" --date 2022-12-31",
      [f](CLI::App* c) {
        c->add_option("--member", f->member, "member number")->required();
        c->add_option("--reason", f->reason, "why the member left");
      },
      [f](nlohmann::json* o) {
        (*o)["member"] = f->member;
        PutIfGiven(o, "reason", f->reason);
        return Status::Ok();
      });
  AddRecordingCommand(
      app, options, exit_code, "dues", "dues.paid", "Record membership dues paid",
      "kasse dues --member M-0001 --amount 600 --covers 2022 --date 2022-02-01",
      [f](CLI::App* c) {
        c->add_option("--member", f->member, "member number")->required();
        c->add_option("--amount", f->amount, "euros, \"129.90\" or \"129,90\"")->required();
        c->add_option("--covers", f->covers, "the year(s) paid for: 2022 or 2022-2025")->required();
      },
      [f](nlohmann::json* o) {
        (*o)["member"] = f->member;
        (*o)["covers"] = f->covers;
        return PutAmount(f->amount, o);
      });
  AddRecordingCommand(
      app, options, exit_code, "donation", "donation.received", "Record a donation received",
      "kasse donation --donor \"Stiftung Beispiel\" --amount 5000 --date 2022-05-10",
      [f](CLI::App* c) {
        c->add_option("--donor", f->donor, "who gave")->required();
        c->add_option("--amount", f->amount, "euros, \"129.90\" or \"129,90\"")->required();
        c->add_option("--kind", f->kind, "money (default) or in_kind");
        c->add_option("--member", f->member, "the donor's member number, if a member");
      },
      [f](nlohmann::json* o) {
        (*o)["donor"] = f->donor;
        PutIfGiven(o, "kind", f->kind);
        PutIfGiven(o, "member", f->member);
        return PutAmount(f->amount, o);
      });
  AddRecordingCommand(
      app, options, exit_code, "income", "income.received", "Record other income",
      "kasse income --category Zinsen --amount 12,50 --date 2022-12-30",
      [f](CLI::App* c) {
        c->add_option("--category", f->category, "an income category")->required();
        c->add_option("--amount", f->amount, "euros, \"129.90\" or \"129,90\"")->required();
        c->add_option("--payer", f->payer, "who paid");
      },
      [f](nlohmann::json* o) {
        (*o)["category"] = f->category;
        PutIfGiven(o, "payer", f->payer);
        return PutAmount(f->amount, o);
      });
  AddRecordingCommand(
      app, options, exit_code, "expense", "expense.paid", "Record an expense paid",
      "kasse expense --date 2022-03-01 --amount 129.90 --category Hardware --document B-2022-017",
      [f](CLI::App* c) {
        c->add_option("--category", f->category, "an expense category")->required();
        c->add_option("--amount", f->amount, "euros, \"129.90\" or \"129,90\"")->required();
        c->add_option("--payee", f->payee, "who was paid");
        c->add_option("--project", f->project, "cost centre");
      },
      [f](nlohmann::json* o) {
        (*o)["category"] = f->category;
        PutIfGiven(o, "payee", f->payee);
        PutIfGiven(o, "project", f->project);
        return PutAmount(f->amount, o);
      });
  AddRecordingCommand(
      app, options, exit_code, "reverse", "entry.reversed",
      "Reverse (cancel) an earlier money event; it counts negated in the year of this date",
      "kasse reverse exp-2022-017 --reason \"doppelt gebucht\" --date 2022-03-05",
      [f](CLI::App* c) {
        c->add_option("reverses", f->reverses, "the id of the event to reverse")->required();
        c->add_option("--reason", f->reason, "why")->required();
      },
      [f](nlohmann::json* o) {
        (*o)["reverses"] = f->reverses;
        (*o)["reason"] = f->reason;
        return Status::Ok();
      });
  AddRecordingCommand(
      app, options, exit_code, "close-year", "year.closed",
      "Close a year (Festschreibung): nothing dated in it is accepted afterwards",
      "kasse close-year 2022 --date 2023-03-31",
      [f](CLI::App* c) { c->add_option("year", f->year, "the year to close")->required(); },
      [f](nlohmann::json* o) {
        int32_t year = 0;
        Status parsed = ParseYear(f->year, &year);
        if (!parsed.ok()) return parsed.WithContext("argument YEAR");
        (*o)["year"] = year;
        return Status::Ok();
      });
  AddRecordingCommand(
      app, options, exit_code, "datev-account", "datev.account_mapped",
      "Book a category to another DATEV account in `kasse export datev`, from --date on",
      "kasse datev-account --category Hardware --chart SKR42 --account 64950 --date 2025-01-01",
      [f](CLI::App* c) {
        c->add_option("--category", f->category, "a category of the chart")->required();
        c->add_option("--chart", f->chart, "SKR49 (up to 2024) or SKR42 (from 2025)")->required();
        c->add_option("--account", f->account, "the account: 4 digits in SKR49, 5 in SKR42")
            ->required();
      },
      [f](nlohmann::json* o) {
        (*o)["category"] = f->category;
        (*o)["chart"] = f->chart;
        (*o)["account"] = f->account;
        return Status::Ok();
      });
  AddRecordingCommand(
      app, options, exit_code, "tax-data", "tax_data.recorded",
      "Record the association's tax data, which donation receipts print (from --date on)",
      "kasse tax-data --name \"NExT e.V.\" --address \"Musterstraße 1|10115 Berlin\" "
      "--tax-office \"für Körperschaften I\" --tax-number 27/640/12345 "
      "--notice exemption --notice-date 2022-08-15 --assessment-period 2019-2021 "
      "--purposes \"der Volks- und Berufsbildung\" --place Berlin --date 2022-08-20",
      [f](CLI::App* c) {
        c->add_option("--name", f->name, "the association as printed on receipts")->required();
        c->add_option("--address", f->address, "its address, lines separated by |")->required();
        c->add_option("--tax-office", f->tax_office,
                      "the tax office as it follows \"Finanzamt\" on the receipt, e.g. \"für "
                      "Körperschaften I Berlin\"")
            ->required();
        c->add_option("--tax-number", f->tax_number, "the tax number (Steuernummer)")->required();
        c->add_option("--notice", f->notice,
                      "exemption (Freistellungsbescheid or Anlage zum Körperschaftsteuerbescheid) "
                      "or 60a (Feststellung nach § 60a AO)")
            ->required();
        c->add_option("--notice-date", f->notice_date, "the notice's date, YYYY-MM-DD")->required();
        c->add_option("--assessment-period", f->assessment_period,
                      "the last assessment period of an exemption notice, e.g. 2019-2021");
        c->add_option("--purposes", f->purposes,
                      "the tax-privileged purposes as they follow \"Förderung\" on the receipt, "
                      "e.g. \"der Volks- und Berufsbildung\"")
            ->required();
        c->add_option("--place", f->place, "the town printed beside the signature")->required();
      },
      [f](nlohmann::json* o) {
        std::string address = f->address;
        std::replace(address.begin(), address.end(), '|', '\n');
        (*o)["name"] = f->name;
        (*o)["address"] = address;
        (*o)["tax_office"] = f->tax_office;
        (*o)["tax_number"] = f->tax_number;
        (*o)["notice"] = f->notice;
        (*o)["notice_date"] = f->notice_date;
        PutIfGiven(o, "assessment_period", f->assessment_period);
        (*o)["purposes"] = f->purposes;
        (*o)["place"] = f->place;
        return Status::Ok();
      });
}

void AddSealCommand(CLI::App& app, GlobalOptions& options, int& exit_code) {
  struct Flags {
    std::string auditor;
    CommonFlags common;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand(
      "seal", "Record the auditors' seal over the history as it is now (audit.sealed)");
  command->add_option("--auditor", flags->auditor, "the auditor's name")->required();
  AddCommonFlags(command, flags->common);
  command->footer(
      "Write the printed seq and hash into the audit report; next year,\n"
      "kasse verify --expect SEQ:HASH proves that nothing up to it has changed.\n"
      "Example:\n  kasse seal --auditor \"Erika Prüfer\" --date 2023-03-31");
  command->callback([&options, &exit_code, flags]() {
    ResolveDefaults(&options);
    std::unique_ptr<Ledger> ledger;
    Status status = Ledger::OpenForWrite(options.db_path, Appends::kFew, &ledger);
    nlohmann::json object;
    if (status.ok() && ledger->head_seq() == 0) status = Status::Rejected("the ledger is empty");
    if (status.ok()) status = StartObject("audit.sealed", "seal", flags->common, &object);
    RecordSummary summary;
    if (status.ok()) {
      object["auditor"] = flags->auditor;
      object["covers_seq"] = ledger->head_seq();
      object["covers_hash"] = HexOf(ledger->head_hash());
      Event event;
      status = EventFromJson(object, &event).WithContext("command line");
      bool given = false;
      EventSource source = [&](Event* next, std::string* context, bool* done) {
        *done = given;
        *next = event;
        *context = "command line";
        given = true;
        return Status::Ok();
      };
      if (status.ok()) {
        status = RecordEvents(ledger.get(), RecordingUser(options), source, false, &summary);
      }
    }
    if (status.ok()) {
      fmt::print("recorded audit.sealed seq {} id {}\nsealed: events 1-{}, hash {}\n",
                 summary.last_seq, summary.last_id, object["covers_seq"].get<uint64_t>(),
                 object["covers_hash"].get<std::string>());
      fmt::print("check later with: kasse verify --expect {}:{}\n",
                 object["covers_seq"].get<uint64_t>(), object["covers_hash"].get<std::string>());
    }
    exit_code = Finish(status);
  });
}

void AddImportCommand(CLI::App& app, GlobalOptions& options, int& exit_code) {
  struct Flags {
    std::string file;
    bool dry_run = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand(
      "import", "Append a JSON-lines file of events, all or nothing (- reads stdin)");
  command->add_option("file", flags->file, "the JSON-lines file, or - for stdin")->required();
  command->add_flag("--dry-run", flags->dry_run, "check everything, write nothing");
  command->footer(
      "Re-importing events already recorded (same id, same content) is a no-op.\n"
      "Example:\n  kasse import examples/next-ev-2022.jsonl");
  command->callback([&options, &exit_code, flags]() {
    ResolveDefaults(&options);
    const bool from_stdin = flags->file == "-";
    const std::string shown = from_stdin ? "<stdin>" : flags->file;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(
        from_stdin ? stdin : std::fopen(flags->file.c_str(), "rb"),
        from_stdin ? +[](std::FILE*) { return 0; } : &std::fclose);
    if (!file) {
      exit_code = Finish(Status::NotFound(fmt::format("cannot open {}", flags->file)));
      return;
    }
    std::unique_ptr<Ledger> ledger;
    // One lookup per line at least, and usually many lines.
    Status status = Ledger::OpenForWrite(options.db_path, Appends::kMany, &ledger);
    LineReader reader(file.get(), kLineBytesMax);
    // Runs on the reading thread of RecordEvents (SourceThread::kAhead).
    EventSource source = [&](Event* event, std::string* context, bool* done) {
      std::string line;
      while (true) {
        Status read = reader.Next(&line, done);
        if (!read.ok()) return read.WithContext(fmt::format("{}:{}", shown, reader.line_number()));
        if (*done) return Status::Ok();
        if (reader.line_number() == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
        const size_t first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        // Allocated on this thread and freed on it too: the checking thread swaps the string
        // with its own and hands the spent one back. Freeing on that thread what this one
        // allocated cost the import 5 % of its time (perf).
        context->clear();
        fmt::format_to(std::back_inserter(*context), "{}:{}", shown, reader.line_number());
        return ParseEventJson(line, event).WithContext(*context);
      }
    };
    RecordSummary summary;
    if (status.ok()) {
      status = RecordEvents(ledger.get(), RecordingUser(options), source, flags->dry_run, &summary,
                            SourceThread::kAhead);
    }
    if (status.ok()) {
      const std::string range =
          summary.appended > 0 ? fmt::format(" (seq {}-{})", summary.first_seq, summary.last_seq)
                               : "";
      fmt::print("{} {} new events{}, {} already recorded, from {}{}\n",
                 flags->dry_run ? "checked:" : "imported", summary.appended, range,
                 summary.already_present, shown,
                 flags->dry_run ? "; nothing written (dry run)" : "");
    }
    exit_code = Finish(status);
  });
}

}  // namespace kasse::cli
