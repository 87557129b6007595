// kasse verify and kasse replay.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "ledger/chain.h"
#include "ledger/hash.h"
#include "projections/books.h"

namespace kasse::cli {

namespace {

Status RunVerify(const GlobalOptions& options) {
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForRead(options.db_path, &ledger));
  ChainSummary chain;
  Status status = VerifyChain(*ledger, &chain);
  if (!status.ok()) return Status::Corruption("verify FAILED: " + status.message());
  Books replayed(nullptr);
  uint64_t replayed_count = 0;
  status = ReplayAll(*ledger, &replayed, &replayed_count);
  if (status.ok()) status = CompareWithStored(*ledger, replayed);
  if (!status.ok()) {
    return Status::Corruption(fmt::format("verify FAILED: {}{}", status.message(),
                                          status.message().find("projection") != std::string::npos
                                              ? "; kasse replay rebuilds the projections"
                                              : ""));
  }
  fmt::print(
      "verify OK: {} events, hash chain intact, {} personal records match, projections "
      "equal a fresh replay\n",
      chain.events, chain.personal_records);
  if (chain.uncommitted_events > 0) {
    fmt::print(
        "note: {} events of an unfinished import lie above the head; they were never "
        "part of the ledger and the next write removes them\n",
        chain.uncommitted_events);
  }
  fmt::print("head seq {}\nhead hash {}\n", ledger->head_seq(), HexOf(ledger->head_hash()));
  return Status::Ok();
}

Status RunReplay(const GlobalOptions& options) {
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForWrite(options.db_path, &ledger));
  Books replayed(nullptr);
  uint64_t count = 0;
  KASSE_RETURN_IF_ERROR(ReplayAll(*ledger, &replayed, &count));
  StateChanges changes = replayed.Changes();
  changes.replace_all = true;
  KASSE_RETURN_IF_ERROR(ledger->WriteState(changes));
  fmt::print("replayed {} events; {} projection keys rebuilt\n", count, changes.puts.size());
  return Status::Ok();
}

}  // namespace

void AddVerifyAndReplayCommands(CLI::App& app, GlobalOptions& options, int& exit_code) {
  CLI::App* verify = app.add_subcommand(
      "verify", "Check the whole ledger: hash chain, decoding, rules, projections");
  verify->footer(
      "Exit 0 and the head hash when sound; exit 1 naming the first bad event otherwise.\n"
      "Example:\n  kasse verify");
  verify->callback([&options, &exit_code]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunVerify(options));
  });
  CLI::App* replay = app.add_subcommand("replay", "Rebuild every projection from the event log");
  replay->footer("Example:\n  kasse replay");
  replay->callback([&options, &exit_code]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunReplay(options));
  });
}

}  // namespace kasse::cli
