// kasse show ID: one event with everything recorded about it, and its reversal if any.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "ledger/hash.h"
#include "ledger/json_event.h"
#include "projections/books.h"

namespace kasse::cli {

namespace {

// The event `seq` as the contract's JSON, with its hashes.
Status EventJsonAt(const Ledger& ledger, uint64_t seq, nlohmann::ordered_json* json) {
  return ledger.ForEachEvent(
      seq, seq, /*with_personal=*/true, [json](const Ledger::EventRecord& record) {
        *json = EventToJson(record.event, record.prev_hash, ComputeSha256(record.stored_bytes));
        return Status::Ok();
      });
}

Status FindEvent(const Ledger& ledger, const std::string& id_or_seq, uint64_t* seq) {
  Status by_id = ledger.FindId(id_or_seq, seq);
  if (by_id.code() != Status::Code::kNotFound) return by_id;
  // Also accept a sequence number, as `log` and `verify` print them.
  if (!id_or_seq.empty() && id_or_seq.find_first_not_of("0123456789") == std::string::npos &&
      id_or_seq.size() < 20) {
    *seq = std::stoull(id_or_seq);
    if (*seq >= 1 && *seq <= ledger.head_seq()) return Status::Ok();
  }
  return Status::NotFound(fmt::format("no event with id or seq \"{}\"", id_or_seq));
}

std::string TextOf(const nlohmann::ordered_json& json) {
  std::string text;
  for (const auto& [key, value] : json.items()) {
    if (value.is_object()) continue;
    text += fmt::format("{:<12} {}\n", key,
                        value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text;
}

Status RunShow(const GlobalOptions& options, const std::string& id_or_seq, bool json) {
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForRead(options.db_path, &ledger));
  uint64_t seq = 0;
  KASSE_RETURN_IF_ERROR(FindEvent(*ledger, id_or_seq, &seq));
  nlohmann::ordered_json event;
  KASSE_RETURN_IF_ERROR(EventJsonAt(*ledger, seq, &event));
  uint64_t reversal_seq = 0;
  bool reversed = false;
  KASSE_RETURN_IF_ERROR(
      FindReversal(StoredState(*ledger), event["id"].get<std::string>(), &reversal_seq, &reversed));
  if (reversed) {
    nlohmann::ordered_json reversal;
    KASSE_RETURN_IF_ERROR(EventJsonAt(*ledger, reversal_seq, &reversal));
    event["reversed_by"] = reversal;
  }
  if (event.contains("reverses")) {
    uint64_t original_seq = 0;
    if (ledger->FindId(event["reverses"].get<std::string>(), &original_seq).ok()) {
      nlohmann::ordered_json original;
      KASSE_RETURN_IF_ERROR(EventJsonAt(*ledger, original_seq, &original));
      event["reverses_event"] = original;
    }
  }
  if (json) {
    fmt::print("{}\n", event.dump(2));
    return Status::Ok();
  }
  fmt::print("{}", TextOf(event));
  if (event.contains("reversed_by")) {
    fmt::print("\nreversed by:\n{}", TextOf(event["reversed_by"]));
  }
  if (event.contains("reverses_event")) {
    fmt::print("\nreverses:\n{}", TextOf(event["reverses_event"]));
  }
  return Status::Ok();
}

}  // namespace

void AddShowCommand(CLI::App& app, GlobalOptions& options, int& exit_code) {
  struct Flags {
    std::string id;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand(
      "show", "Show one event with everything recorded about it, and its reversal if any");
  command->add_option("id", flags->id, "the event's id (or its seq)")->required();
  command->add_flag("--json", flags->json, "as JSON");
  command->footer("Example:\n  kasse show exp-2022-017\n  kasse show 42 --json");
  command->callback([&options, &exit_code, flags]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunShow(options, flags->id, flags->json));
  });
}

}  // namespace kasse::cli
