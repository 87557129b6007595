// Which function registers which top-level command, so that a command line builds only the
// options of the command it names. (No CLI11 header here: each file that includes it constructs
// CLI11's validators again at start.)
#pragma once

#include <span>
#include <string_view>

#include "cli/common.h"

namespace kasse::cli {

using AddCommandsFunction = void (*)(CLI::App& app, GlobalOptions& options, int& exit_code);

// One Add*Command function and the top-level commands it registers.
struct CommandGroup {
  AddCommandsFunction add;
  std::span<const std::string_view> names;
};

// Every group, in the order `kasse --help` lists their commands.
std::span<const CommandGroup> CommandGroups();

// The command that argv names: its first word that is neither a global option (--db, --user) nor
// such an option's value. Empty when an other option comes first (--help) or there is no word.
std::string_view CommandNameOf(std::span<const char* const> args);

// Registers the group of the command that `args` names, or every group when it names none that a
// group lists (--help, a typing error): then CLI11 sees all commands, for its help and its error.
void AddCommandsFor(std::span<const char* const> args, CLI::App& app, GlobalOptions& options,
                    int& exit_code);

}  // namespace kasse::cli
