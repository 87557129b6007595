// kasse log: the recorded history, oldest first, as text or as the contract's JSON lines.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "ledger/hash.h"
#include "ledger/json_event.h"
#include "ledger/money.h"

namespace kasse::cli {

namespace {

struct LogFilter {
  std::string type;
  std::string member;
  std::string from;
  std::string to;
};

std::string MemberOf(const EventBody& body) {
  if (auto* e = std::get_if<MemberJoined>(&body)) return e->member;
  if (auto* e = std::get_if<MemberChanged>(&body)) return e->member;
  if (auto* e = std::get_if<MemberLeft>(&body)) return e->member;
  if (auto* e = std::get_if<DuesPaid>(&body)) return e->member;
  if (auto* e = std::get_if<DonationReceived>(&body)) return e->member;
  return "";
}

// "2022-001 collective 3 donations of 2022 to Erika Muster": the donor's name, not the address.
std::string ReceiptSummary(const ReceiptIssued& body, const std::string& personal) {
  std::string donor, address;
  SplitReceiptPersonal(personal, &donor, &address);
  return fmt::format("{} {} {} donation{} of {}{}", body.number, ReceiptFormName(body.form),
                     body.donations.size(), body.donations.size() == 1 ? "" : "s", body.year,
                     donor.empty() ? "" : " to " + donor);
}

// One readable phrase per event: what happened, without the ledger's bookkeeping fields.
std::string Summary(const Event& event) {
  const std::string who = event.personal.value_or("");
  return std::visit(
      [&who](const auto& body) -> std::string {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, CategoryDefined>) {
          return fmt::format("{} ({}, {}{}{})", body.category, DirectionName(body.direction),
                             SphereName(body.sphere), body.group.empty() ? "" : ", ", body.group);
        } else if constexpr (std::is_same_v<T, MemberJoined>) {
          return fmt::format("{} {} ({})", body.member, who, MemberKindName(body.kind));
        } else if constexpr (std::is_same_v<T, MemberChanged>) {
          return fmt::format("{}{}{}", body.member, who.empty() ? "" : " name: " + who,
                             body.kind ? fmt::format(" kind: {}", MemberKindName(*body.kind)) : "");
        } else if constexpr (std::is_same_v<T, MemberLeft>) {
          return fmt::format("{}{}", body.member,
                             body.reason.empty() ? "" : " (" + body.reason + ")");
        } else if constexpr (std::is_same_v<T, DuesPaid>) {
          return fmt::format("{} for {}", body.member,
                             FormatCovers(body.covers_first_year, body.covers_last_year));
        } else if constexpr (std::is_same_v<T, DonationReceived>) {
          return fmt::format("{}{}", who, body.kind == DonationKind::kInKind ? " (in kind)" : "");
        } else if constexpr (std::is_same_v<T, IncomeReceived>) {
          return fmt::format("{}{}", body.category, who.empty() ? "" : " from " + who);
        } else if constexpr (std::is_same_v<T, ExpensePaid>) {
          return fmt::format("{}{}", body.category, who.empty() ? "" : " to " + who);
        } else if constexpr (std::is_same_v<T, EntryReversed>) {
          return fmt::format("reverses {}: {}", body.reverses, body.reason);
        } else {
          if constexpr (std::is_same_v<T, YearClosed>) {
            return fmt::format("year {}", body.year);
          } else if constexpr (std::is_same_v<T, DatevAccountMapped>) {
            return fmt::format("{} -> {} account {}", body.category, DatevChartName(body.chart),
                               body.account);
          } else if constexpr (std::is_same_v<T, TaxDataRecorded>) {
            return fmt::format("{}, {} StNr. {}, {} notice of {}", body.name, body.tax_office,
                               body.tax_number, ExemptionNoticeName(body.notice),
                               FormatDate(body.notice_date));
          } else if constexpr (std::is_same_v<T, ReceiptIssued>) {
            return ReceiptSummary(body, who);
          } else {
            return fmt::format("{} sealed seq 1-{}, hash {}", who, body.covers_seq,
                               HexOf(body.covers_hash));
          }
        }
      },
      event.body);
}

Status RunLog(const GlobalOptions& options, const LogFilter& filter, bool json) {
  EventType type{};
  if (!filter.type.empty() && !TypeFromName(filter.type, &type)) {
    return Status::InvalidInput(
        fmt::format("option --type: \"{}\" is not an event type", filter.type));
  }
  Date from{kYearMin, 1, 1}, to{kYearMax, 12, 31};
  if (!filter.from.empty())
    KASSE_RETURN_IF_ERROR(ParseDate(filter.from, &from).WithContext("option --from"));
  if (!filter.to.empty())
    KASSE_RETURN_IF_ERROR(ParseDate(filter.to, &to).WithContext("option --to"));
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForRead(options.db_path, &ledger));
  return ledger->ForEachEvent(
      1, UINT64_MAX, /*with_personal=*/true, [&](const Ledger::EventRecord& record) {
        const Event& event = record.event;
        if (!filter.type.empty() && TypeOf(event.body) != type) return Status::Ok();
        if (!filter.member.empty() && MemberOf(event.body) != filter.member) return Status::Ok();
        if (event.date < from || to < event.date) return Status::Ok();
        if (json) {
          const Sha256 hash = ComputeSha256(record.stored_bytes);
          fmt::print("{}\n", EventToJson(event, record.prev_hash, hash).dump());
          return Status::Ok();
        }
        std::optional<int64_t> amount = MoneyAmountCents(event.body);
        if (auto* receipt = std::get_if<ReceiptIssued>(&event.body)) amount = receipt->amount_cents;
        const bool reversal = std::holds_alternative<EntryReversed>(event.body);
        fmt::print("{:>6}  {}  {:<17}  {:>14}  {}  [{}{}]\n", event.seq, FormatDate(event.date),
                   TypeName(TypeOf(event.body)),
                   amount ? FormatAmountGerman(*amount) : (reversal ? "Storno" : ""),
                   Summary(event), event.id,
                   event.document.empty() ? "" : ", Beleg " + event.document);
        return Status::Ok();
      });
}

}  // namespace

void AddLogCommand(CLI::App& app, GlobalOptions& options, int& exit_code) {
  auto filter = std::make_shared<LogFilter>();
  auto json = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand("log", "Print the recorded history, oldest first");
  command->add_flag("--json", *json, "the contract's JSON lines, with seq, hashes and recorder");
  command->add_option("--type", filter->type, "only events of this type, e.g. expense.paid");
  command->add_option("--member", filter->member, "only events of this member number");
  command->add_option("--from", filter->from, "only events booked on or after this date");
  command->add_option("--to", filter->to, "only events booked on or before this date");
  command->footer(
      "Example:\n  kasse log --type expense.paid --from 2022-01-01 --to 2022-03-31\n"
      "  kasse log --json > backup.jsonl");
  command->callback([&options, &exit_code, filter, json]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunLog(options, *filter, *json));
  });
}

}  // namespace kasse::cli
