// kasse verify and kasse replay.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "ledger/chain.h"
#include "ledger/hash.h"
#include "projections/books.h"

namespace kasse::cli {

namespace {

// "SEQ:HASH", as an auditor wrote it into last year's report.
Status ParseExpectation(const std::string& text, AuditSealed* expected) {
  const size_t colon = text.find(':');
  Status invalid = Status::InvalidInput(fmt::format(
      "option --expect: \"{}\" is not SEQ:HASH, e.g. 236:9261c245...(64 hex digits)", text));
  if (colon == std::string::npos || colon == 0 || colon > 19 ||
      text.find_first_not_of("0123456789") != colon) {
    return invalid;
  }
  expected->covers_seq = std::stoull(text.substr(0, colon));
  if (!Sha256FromHex(text.substr(colon + 1), &expected->covers_hash)) return invalid;
  return Status::Ok();
}

void PrintSeals(const Ledger& ledger, const ChainSummary& chain) {
  for (const SealCheck& check : chain.seals) {
    Event seal_event;
    std::string auditor = "(erased)";
    if (ledger.ReadEvent(check.seal_seq, &seal_event).ok() && seal_event.personal) {
      auditor = *seal_event.personal;
    }
    fmt::print("seal seq {} of {} by {}: events 1-{} unchanged (hash {})\n", check.seal_seq,
               FormatDate(check.date), auditor, check.seal.covers_seq,
               HexOf(check.seal.covers_hash));
  }
}

Status RunVerify(const GlobalOptions& options, const std::vector<std::string>& expectations) {
  std::vector<AuditSealed> expected(expectations.size());
  for (size_t i = 0; i < expectations.size(); ++i) {
    KASSE_RETURN_IF_ERROR(ParseExpectation(expectations[i], &expected[i]));
  }
  std::unique_ptr<Ledger> ledger;
  KASSE_RETURN_IF_ERROR(Ledger::OpenForRead(options.db_path, &ledger));
  // One pass over the log checks the chain and replays the projections.
  Books replayed(nullptr);
  const EventFold replay = [&](const Event& event) {
    bool counted = false;
    return ReplayEvent(*ledger, HistoryCut(), event, /*named=*/nullptr, &replayed, &counted);
  };
  ChainSummary chain;
  Status status = VerifyChain(*ledger, &chain, replay);
  if (!status.ok()) return Status::Corruption("verify FAILED: " + status.message());
  for (const AuditSealed& expectation : expected) {
    status = CheckSeal(*ledger, expectation);
    if (!status.ok()) return Status::Corruption("verify FAILED: --expect: " + status.message());
  }
  status = CheckProjectionsVersion(StoredState(*ledger), ledger->head_seq());
  // Equal digests prove the stored state equal to the replayed one (see SetDigest). Only when
  // they differ is it compared key by key, in key order, which names the first differing key
  // but sorts the whole state first (a tenth of verify at 1M events).
  if (status.ok() && !(replayed.StateDigest(chain.digest_key) == chain.stored_state)) {
    status = CompareWithStored(*ledger, replayed);
    if (status.ok()) {
      // Verify reads one fixed view of the ledger (OpenForRead), so this is a bug of kasse's.
      status = Status::Corruption(
          "the digest of the stored projection state differs from a fresh replay's, but no key "
          "does: kasse has a bug, please report it");
    }
  }
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
  PrintSeals(*ledger, chain);
  for (const AuditSealed& expectation : expected) {
    fmt::print("expected: event seq {} has hash {}\n", expectation.covers_seq,
               HexOf(expectation.covers_hash));
  }
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
  // Reads the whole log and writes all the state again; appends no event.
  KASSE_RETURN_IF_ERROR(Ledger::OpenForWrite(options.db_path, Appends::kNone, &ledger));
  // The new state replaces the stored one only when it is complete; until then the fold writes
  // what it holds beyond the bound ahead, so a replay of any ledger runs in bounded memory.
  ledger->BeginReplacingState();
  Books replayed(ledger.get(), StateCache::Backing::kStartsEmpty);
  const size_t state_bytes_max = StateBytesMax(kReplayStateBytesMax);
  uint64_t count = 0;
  const auto visit = [&](const Ledger::EventRecord& record) {
    bool counted = false;
    KASSE_RETURN_IF_ERROR(
        ReplayEvent(*ledger, HistoryCut(), record.event, record.named, &replayed, &counted));
    ++count;
    if (replayed.state_held_bytes() <= state_bytes_max) return Status::Ok();
    return replayed.TakeChanges(
        [&ledger](StateChanges changes) { return ledger->WriteReplacementAhead(changes); });
  };
  // Until ReplaceState commits, readers see the stored state and a next writer removes what was
  // written ahead, so a failure here leaves the projections as they were; the user should know.
  const Status folded =
      ledger->ForEachEvent(1, ledger->head_seq(), /*with_personal=*/false, visit,
                           Ledger::NamedEvents::kReadAhead, Ledger::StoredBytes::kSkipped);
  if (!folded.ok()) {
    return folded.WithContext("replay stopped; the stored projections are unchanged");
  }
  uint64_t state_keys = 0;
  KASSE_RETURN_IF_ERROR(ledger->ReplaceState(replayed.Changes(), &state_keys));
  fmt::print("replayed {} events; {} projection keys rebuilt\n", count, state_keys);
  return Status::Ok();
}

}  // namespace

void AddVerifyAndReplayCommands(CLI::App& app, GlobalOptions& options, int& exit_code) {
  CLI::App* verify = app.add_subcommand(
      "verify", "Check the whole ledger: hash chain, decoding, rules, projections");
  auto expectations = std::make_shared<std::vector<std::string>>();
  verify->add_option("--expect", *expectations,
                     "SEQ:HASH from an earlier audit report: event SEQ must still have HASH");
  verify->footer(
      "Exit 0 and the head hash when sound; exit 1 naming the first bad event otherwise.\n"
      "Example:\n  kasse verify\n  kasse verify --expect 236:9261c24564c024edd961cff45dec040d"
      "14903051f100dc1c00fec9ec428749fd");
  verify->callback([&options, &exit_code, expectations]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunVerify(options, *expectations));
  });
  CLI::App* replay = app.add_subcommand("replay", "Rebuild every projection from the event log");
  replay->footer("Example:\n  kasse replay");
  replay->callback([&options, &exit_code]() {
    ResolveDefaults(&options);
    exit_code = Finish(RunReplay(options));
  });
}

}  // namespace kasse::cli
