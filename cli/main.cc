// kasse: the event-sourced ledger of a German non-profit association.
#include <malloc.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"

namespace {

// Blocks of at least this size are mapped on their own and unmapped when freed. glibc otherwise
// raises this threshold to the largest block freed so far (up to 32 MiB), after which RocksDB's
// memtable arena blocks (8 MiB) and large write batches come from the heaps of the threads that
// wrote them and stay there after they are freed: at 1M events that held about 100 MB of the
// import's peak RSS (docs/PERFORMANCE.md, "At 10M events").
constexpr int kMmapThresholdBytes = 1 << 20;

}  // namespace

// An exception escaping main ends the process with a message and a non-zero status, which is the
// right outcome for a bug.
// NOLINTNEXTLINE(bugprone-exception-escape)
int main(int argc, char** argv) {
  using namespace kasse::cli;
  // A fixed threshold also turns off glibc's raising it; failure only costs memory.
  (void)mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes);
  CLI::App app(
      "kasse: the books of a registered association (e.V.), as an append-only, "
      "hash-chained event log",
      "kasse");
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions options;
  app.add_option("--db", options.db_path,
                 "the ledger directory (default: $KASSE_DB, else ./kasse.db)");
  app.add_option("--user", options.user_option,
                 "who records (default: $KASSE_USER, else the operating-system user)");
  app.footer(
      "Example:\n  kasse --db verein.db init --name \"NExT e.V.\"\n"
      "  kasse --db verein.db import examples/next-ev-2022.jsonl\n"
      "  kasse --db verein.db report statement --year 2022");
  int exit_code = kExitOk;
  // Only the named command's options: building all of them was a millisecond of every command.
  AddCommandsFor({argv + 1, static_cast<size_t>(argc - 1)}, app, options, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return kExitUsage;
  }
  return exit_code;
}
