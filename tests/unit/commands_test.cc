#include "cli/commands.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <set>
#include <string>
#include <vector>

namespace kasse::cli {
namespace {

std::string_view NameOf(std::vector<const char*> args) {
  return CommandNameOf(args);
}

TEST(CommandNameOf, SkipsTheGlobalOptionsAndTheirValues) {
  EXPECT_EQ(NameOf({"report", "statement", "--year", "2022"}), "report");
  EXPECT_EQ(NameOf({"--db", "report", "join"}), "join") << "a value named like a command";
  EXPECT_EQ(NameOf({"--user", "anna", "--db", "v.db", "log"}), "log");
  EXPECT_EQ(NameOf({"--db=v.db", "--user=anna", "dues", "--member", "m1"}), "dues");
}

TEST(CommandNameOf, IsEmptyWhenNoCommandComesFirst) {
  EXPECT_EQ(NameOf({}), "");
  EXPECT_EQ(NameOf({"--help"}), "");
  EXPECT_EQ(NameOf({"-h", "report"}), "");
  EXPECT_EQ(NameOf({"--db"}), "") << "an option missing its value";
  EXPECT_EQ(NameOf({"--db", "v.db", "--verbose", "log"}), "");
}

// The table in cli/commands.cc must say which commands each function registers: a name listed
// under the wrong function would leave the named command unknown.
TEST(CommandGroups, EachFunctionRegistersExactlyTheCommandsListedForIt) {
  std::set<std::string> all;
  for (const CommandGroup& group : CommandGroups()) {
    CLI::App app;
    GlobalOptions options;
    int exit_code = 0;
    group.add(app, options, exit_code);
    std::vector<std::string> registered;
    for (const CLI::App* command : app.get_subcommands({})) {
      registered.push_back(command->get_name());
    }
    const std::vector<std::string> listed(group.names.begin(), group.names.end());
    EXPECT_EQ(registered, listed);
    for (const std::string& name : listed) EXPECT_TRUE(all.insert(name).second) << name;
  }
  EXPECT_EQ(all.size(), 25u);
}

TEST(AddCommandsFor, RegistersOnlyTheNamedCommandsGroupOrAllWhenNoneIsNamed) {
  const auto count_registered = [](std::vector<const char*> args) {
    CLI::App app;
    GlobalOptions options;
    int exit_code = 0;
    AddCommandsFor(args, app, options, exit_code);
    return app.get_subcommands({}).size();
  };
  EXPECT_EQ(count_registered({"--db", "v.db", "report", "statement"}), 1u);
  EXPECT_EQ(count_registered({"income", "--amount", "1"}), 12u);
  EXPECT_EQ(count_registered({"--help"}), 25u);
  EXPECT_EQ(count_registered({"reprot", "statement"}), 25u) << "CLI11 names the error";
}

}  // namespace
}  // namespace kasse::cli
