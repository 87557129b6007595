// bench/short_floor.cc, the benchmark's floor of a short command, run against real ledgers: it
// must open a kasse ledger with kasse's own options (ledger/rocks_options.h), or bench/run would
// fail half an hour in, and its reader must write nothing, since bench/run points it at the
// ledger that kasse's reports then read.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/raw_ledger.h"
#include "tests/support/run.h"

namespace kasse::test {
namespace {

RunResult ShortFloor(const std::vector<std::string>& args) {
  return RunProgram(KASSE_SHORT_FLOOR_BINARY, args);
}

class ShortFloorFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("db");
    ASSERT_EQ(RunKasse({"--db", db_, "init", "--name", "Boden e.V."}).exit_code, 0);
    const RunResult imported = RunKasse({"--db", db_, "import", SourcePath(kExample)});
    ASSERT_EQ(imported.exit_code, 0) << Describe(imported);
  }

  static constexpr char kExample[] = "examples/next-ev-2022.jsonl";
  TempDir dir_;
  std::string db_;
};
using bench_short_floor = ShortFloorFixture;

TEST_F(bench_short_floor, ReadOpensTheLedgerAsAReportDoesAndChangesNoFile) {
  const auto before = FilesAndSizes(db_);
  const RunResult read = ShortFloor({"read", db_});
  ASSERT_EQ(read.exit_code, 0) << Describe(read);
  EXPECT_NE(read.out.find("head_bytes=8 "), std::string::npos) << Describe(read);
  EXPECT_EQ(read.out.find("first_state_bytes=0"), std::string::npos) << Describe(read);
  EXPECT_EQ(FilesAndSizes(db_), before) << "the read floor changed the ledger's files";
  const RunResult verify = RunKasse({"--db", db_, "verify"});
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
}

TEST_F(bench_short_floor, WriteAppendsItsBatchToTheLedgerSynced) {
  const RunResult written = ShortFloor({"write", db_});
  ASSERT_EQ(written.exit_code, 0) << Describe(written);
  const std::string prefix = "wrote=";
  ASSERT_EQ(written.out.rfind(prefix, 0), 0u) << Describe(written);
  const std::string id = written.out.substr(prefix.size(), written.out.find('\n') - prefix.size());
  RawLedger raw(db_);
  EXPECT_EQ(raw.Get(kIds, id), "\xff\xff\xff\xff");
  EXPECT_EQ(raw.Get(kMeta, "floor.head"), id);
  EXPECT_EQ(raw.Get(kEvents, "\xff\xff\xff\xff" + id), std::string(256, 'e'));
}

TEST(bench_short_floor_usage, WrongArgumentsOrNoLedgerFailLoudly) {
  const RunResult usage = ShortFloor({"scan"});
  EXPECT_EQ(usage.exit_code, 1);
  EXPECT_NE(usage.err.find("usage: kasse_short_floor read|write LEDGER"), std::string::npos)
      << Describe(usage);
  TempDir dir;
  const RunResult missing = ShortFloor({"read", dir.File("none")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("kasse_short_floor: opening as a reader: "), std::string::npos)
      << Describe(missing);
}

}  // namespace
}  // namespace kasse::test
