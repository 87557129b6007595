#include "cli/commands.h"

#include <array>

namespace kasse::cli {

namespace {

constexpr std::array<std::string_view, 1> kInit = {"init"};
constexpr std::array<std::string_view, 12> kRecording = {
    "category", "join",    "change-member", "leave",      "dues",          "donation",
    "income",   "expense", "reverse",       "close-year", "datev-account", "tax-data"};
constexpr std::array<std::string_view, 1> kSeal = {"seal"};
constexpr std::array<std::string_view, 1> kImport = {"import"};
constexpr std::array<std::string_view, 1> kLog = {"log"};
constexpr std::array<std::string_view, 1> kShow = {"show"};
constexpr std::array<std::string_view, 1> kReport = {"report"};
constexpr std::array<std::string_view, 1> kExport = {"export"};
constexpr std::array<std::string_view, 1> kReceipts = {"receipts"};
constexpr std::array<std::string_view, 2> kVerifyAndReplay = {"verify", "replay"};
constexpr std::array<std::string_view, 3> kBackup = {"compact", "backup", "restore"};

const std::array<CommandGroup, 11> kGroups = {{
    {AddInitCommand, kInit},
    {AddRecordingCommands, kRecording},
    {AddSealCommand, kSeal},
    {AddImportCommand, kImport},
    {AddLogCommand, kLog},
    {AddShowCommand, kShow},
    {AddReportCommands, kReport},
    {AddExportCommands, kExport},
    {AddReceiptsCommand, kReceipts},
    {AddVerifyAndReplayCommands, kVerifyAndReplay},
    {AddBackupCommands, kBackup},
}};

// The global options that take a value (main.cc defines them).
bool IsGlobalOptionWithValue(std::string_view arg) {
  return arg == "--db" || arg == "--user";
}

bool IsGlobalOptionWithItsValue(std::string_view arg) {
  return arg.starts_with("--db=") || arg.starts_with("--user=");
}

}  // namespace

std::span<const CommandGroup> CommandGroups() {
  return kGroups;
}

std::string_view CommandNameOf(std::span<const char* const> args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (IsGlobalOptionWithValue(arg)) {
      ++i;  // its value
      continue;
    }
    if (IsGlobalOptionWithItsValue(arg)) continue;
    if (arg.starts_with("-")) return {};
    return arg;
  }
  return {};
}

void AddCommandsFor(std::span<const char* const> args, CLI::App& app, GlobalOptions& options,
                    int& exit_code) {
  const std::string_view name = CommandNameOf(args);
  for (const CommandGroup& group : kGroups) {
    for (const std::string_view listed : group.names) {
      if (listed == name) {
        group.add(app, options, exit_code);
        return;
      }
    }
  }
  for (const CommandGroup& group : kGroups) group.add(app, options, exit_code);
}

}  // namespace kasse::cli
