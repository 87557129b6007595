// What every command shares: the global options, opening the ledger, and turning a Status into
// the contract's exit status and message.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ledger/date.h"
#include "ledger/status.h"
#include "ledger/store.h"

namespace CLI {
class App;
}

namespace kasse::cli {

// The contract's exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;  // the ledger or the input was rejected, or is unsound
inline constexpr int kExitUsage = 2;

struct GlobalOptions {
  std::string db_path;      // --db, else $KASSE_DB, else ./kasse.db
  std::string user_option;  // --user as given; RecordingUser(options) says who records
};

// Fills the default of the ledger path when the user did not give it.
void ResolveDefaults(GlobalOptions* options);

// Who records: --user, else $KASSE_USER, else the operating-system user. Asked only by commands
// that record or print it: looking the user up reads /etc/nsswitch.conf and /etc/passwd.
std::string RecordingUser(const GlobalOptions& options);

// Prints "kasse: error: <message>" to stderr for a non-ok status and returns the exit status.
int Finish(const Status& status);

// How much projection state an import or a replay holds before writing it ahead:
// `default_bytes` (kStateCacheBytesMax, kReplayStateBytesMax), or $KASSE_STATE_CACHE_BYTES_MAX,
// with which the tests make small imports and replays take that path.
size_t StateBytesMax(size_t default_bytes);

// Today's date in the local time zone: the default booking date and as-of date.
Date Today();
int64_t NowUnixMs();

// Writes `bytes` to a new file at `path` and syncs it; never replaces an existing file (then
// Rejected with `exists_message`), and leaves no file behind on failure (IoError).
Status WriteNewFile(const std::string& path, std::string_view bytes,
                    const std::string& exists_message);

// Registers the commands; each sets *exit_code when it runs.
void AddInitCommand(CLI::App& app, GlobalOptions& options, int& exit_code);
void AddRecordingCommands(CLI::App& app, GlobalOptions& options, int& exit_code);
void AddSealCommand(CLI::App& app, GlobalOptions& options, int& exit_code);
void AddImportCommand(CLI::App& app, GlobalOptions& options, int& exit_code);
void AddLogCommand(CLI::App& app, GlobalOptions& options, int& exit_code);
void AddShowCommand(CLI::App& app, GlobalOptions& options, int& exit_code);
void AddReportCommands(CLI::App& app, GlobalOptions& options, int& exit_code);
void AddExportCommands(CLI::App& app, GlobalOptions& options, int& exit_code);
// kasse export datev (cli/cmd_export_datev.cc), under the export command.
void AddExportDatevCommand(CLI::App* export_command, GlobalOptions& options, int& exit_code);
// kasse receipts (cli/cmd_receipts.cc).
void AddReceiptsCommand(CLI::App& app, GlobalOptions& options, int& exit_code);
void AddBackupCommands(CLI::App& app, GlobalOptions& options, int& exit_code);
void AddVerifyAndReplayCommands(CLI::App& app, GlobalOptions& options, int& exit_code);

}  // namespace kasse::cli
