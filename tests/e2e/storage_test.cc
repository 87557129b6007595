// End-to-end tests of the store on disk: tamper evidence, refusing what is no ledger, a ledger in
// use by another process, and crash safety of imports. They run the real kasse binary and reach
// into the RocksDB directory through the RocksDB C++ API to damage it the way a disk, a tool or a
// person could.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child.h"
#include "tests/support/raw_ledger.h"
#include "tests/support/run.h"

namespace kasse::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------
// Running kasse.

RunResult Kasse(const std::string& db, std::vector<std::string> args,
                const std::string& input = "") {
  args.insert(args.begin(), {"--db", db, "--user", "tester"});
  return RunKasse(args, input);
}

// The "head seq N" line of a successful verify.
uint64_t HeadSeqOfVerify(const RunResult& verify) {
  std::smatch match;
  if (!std::regex_search(verify.out, match, std::regex(R"(head seq (\d+))"))) {
    throw std::runtime_error("verify printed no head seq:\n" + Describe(verify));
  }
  return std::stoull(match[1]);
}

// Runs verify, expects it to pass, returns it.
RunResult VerifyOk(const std::string& db) {
  RunResult verify = Kasse(db, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  return verify;
}

// The last line of `kasse log --json`, parsed; null when the log is empty.
nlohmann::json LastLogEvent(const std::string& db) {
  const RunResult log = Kasse(db, {"log", "--json"});
  if (log.exit_code != 0) throw std::runtime_error("log failed:\n" + Describe(log));
  std::string text = log.out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.empty()) return nullptr;
  const size_t start = text.rfind('\n');
  return nlohmann::json::parse(start == std::string::npos ? text : text.substr(start + 1));
}

// True when `text` names exactly event seq `seq` (not seq 200 when asked for 20).
bool NamesSeq(const std::string& text, uint64_t seq) {
  return std::regex_search(text, std::regex(fmt::format("event seq {}([^0-9]|$)", seq)));
}

// ---------------------------------------------------------------------------------------------
// A large, valid journal: members joining, their dues, and expenses over the default chart.

std::string BigJournal(size_t events, bool invalid_last_line = false) {
  static const char* const kCategories[] = {"Kommunikation", "Hardware",       "Reisekosten",
                                            "Fachliteratur", "Lizenzen",       "Versicherung",
                                            "Beratung",      "Veranstaltungen"};
  std::string text;
  text.reserve(events * 170);
  size_t written = 0;
  for (size_t member = 0; written < events; ++member) {
    const std::string number = fmt::format("G-{:05}", member);
    text += fmt::format(
        R"({{"type":"member.joined","id":"big-join-{}","date":"2022-01-01","member":"{}","name":"Mitglied Nr. {}","kind":"personal"}})"
        "\n",
        member, number, member);
    ++written;
    for (size_t k = 0; k < 5 && written < events; ++k, ++written) {
      const std::string date =
          fmt::format("2022-{:02}-{:02}", 1 + (member + k) % 12, 1 + (member * 7 + k) % 28);
      const bool last = written + 1 == events;
      if (k % 2 == 0) {
        const std::string amount =
            last && invalid_last_line ? "1,5" : fmt::format("{}.{:02}", 12 + member % 50, k * 7);
        text += fmt::format(
            R"({{"type":"dues.paid","id":"big-dues-{}-{}","date":"{}","member":"{}","amount":"{}","covers":"2022"}})"
            "\n",
            member, k, date, number, amount);
      } else {
        const std::string amount =
            last && invalid_last_line ? "1,5"
                                      : fmt::format("{}.{:02}", 1 + member % 300, member * k % 100);
        text += fmt::format(
            R"({{"type":"expense.paid","id":"big-exp-{}-{}","date":"{}","category":"{}","amount":"{}","payee":"Händler {}","document":"B-{}-{}"}})"
            "\n",
            member, k, date, kCategories[(member + k) % 8], amount, member % 50, member, k);
      }
    }
  }
  return text;
}

constexpr size_t kBigEvents = 60000;
constexpr uint64_t kChartEvents = 15;  // what init records
const std::string kExample = "examples/next-ev-2022.jsonl";

double Seconds(Clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// Sets an environment variable for the kasse processes that a test runs, and unsets it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

// A bound on the projection state an append holds in memory so small that an import of a
// BigJournal of 20,000 events writes its state ahead several times (cli/record.cc).
ScopedEnv SmallStateCache() {
  return ScopedEnv("KASSE_STATE_CACHE_BYTES_MAX", "65536");
}

// A bound so small that a replay of a BigJournal of 20,000 events (about 100 KB of state) writes
// its state ahead again and again (cli/cmd_verify.cc).
constexpr size_t kTinyStateBytes = 16384;
ScopedEnv TinyStateCache() {
  static const std::string bytes = std::to_string(kTinyStateBytes);
  return ScopedEnv("KASSE_STATE_CACHE_BYTES_MAX", bytes.c_str());
}

// Chunks so small that imports of a few ten thousand events write several of them ahead, as
// ingested table files (ledger/ingest.h), instead of one chunk of 65,536.
constexpr size_t kSmallChunkEvents = 8192;
ScopedEnv SmallChunks() {
  static const std::string events = std::to_string(kSmallChunkEvents);
  return ScopedEnv("KASSE_CHUNK_EVENTS", events.c_str());
}

// ---------------------------------------------------------------------------------------------
// 1. Tamper evidence, on a ledger of the default chart and the example journal.
//
// Test suites are named storage_* so that `ctest -R storage` selects them.

class TamperFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("db");
    const RunResult init = Kasse(db_, {"init", "--name", "Tamper e.V."});
    ASSERT_EQ(init.exit_code, 0) << Describe(init);
    const RunResult imported = Kasse(db_, {"import", SourcePath(kExample)});
    ASSERT_EQ(imported.exit_code, 0) << Describe(imported);
    const RunResult verify = VerifyOk(db_);
    head_ = HeadSeqOfVerify(verify);
    ASSERT_GT(head_, 30u);
  }

  // Verify must fail (exit 1); returns its stderr.
  std::string VerifyFails() {
    const RunResult verify = Kasse(db_, {"verify"});
    EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
    EXPECT_EQ(verify.err.find("verify OK"), std::string::npos);
    EXPECT_EQ(verify.out.find("verify OK"), std::string::npos) << Describe(verify);
    return verify.err;
  }

  TempDir dir_;
  std::string db_;
  uint64_t head_ = 0;
};
using storage_tamper = TamperFixture;

TEST_F(storage_tamper, UntouchedLedgerVerifiesAndPrintsTheHeadHashOfTheLog) {
  const RunResult verify = VerifyOk(db_);
  std::smatch match;
  ASSERT_TRUE(std::regex_search(verify.out, match, std::regex(R"(head hash ([0-9a-f]{64})\n)")))
      << verify.out;
  const nlohmann::json last = LastLogEvent(db_);
  ASSERT_TRUE(last.is_object());
  EXPECT_EQ(last["hash"].get<std::string>(), match[1].str());
  EXPECT_EQ(last["seq"].get<uint64_t>(), head_);
  EXPECT_EQ(head_, kChartEvents + 221);
  EXPECT_NE(verify.out.find(fmt::format("verify OK: {} events", head_)), std::string::npos);
  EXPECT_EQ(verify.out.find("unfinished import"), std::string::npos);
}

TEST_F(storage_tamper, FlippedPayloadByteNamesTheEvent) {
  {
    RawLedger raw(db_);
    std::string bytes = raw.Get(kEvents, SeqKey(20));
    ASSERT_GT(bytes.size(), 60u);
    ASSERT_EQ(bytes.substr(0, 4), "kev1");
    const uint32_t payload_size = static_cast<uint8_t>(bytes[49]) |
                                  static_cast<uint8_t>(bytes[50]) << 8 |
                                  static_cast<uint8_t>(bytes[51]) << 16 |
                                  static_cast<uint32_t>(static_cast<uint8_t>(bytes[52])) << 24;
    ASSERT_EQ(53 + payload_size, bytes.size());
    bytes[53 + payload_size / 2] ^= 0x01;
    raw.Put(kEvents, SeqKey(20), bytes);
  }
  const std::string err = VerifyFails();
  EXPECT_TRUE(NamesSeq(err, 20)) << err;
}

TEST_F(storage_tamper, FlippedLastPayloadByteNamesTheEvent) {
  {
    RawLedger raw(db_);
    std::string bytes = raw.Get(kEvents, SeqKey(20));
    bytes.back() = static_cast<char>(bytes.back() ^ 0x80);
    raw.Put(kEvents, SeqKey(20), bytes);
  }
  const std::string err = VerifyFails();
  EXPECT_TRUE(NamesSeq(err, 20)) << err;
}

TEST_F(storage_tamper, DeletedEventIsNamedMissing) {
  {
    RawLedger raw(db_);
    raw.Delete(kEvents, SeqKey(20));
  }
  const std::string err = VerifyFails();
  EXPECT_TRUE(NamesSeq(err, 20)) << err;
  EXPECT_NE(err.find("missing"), std::string::npos) << err;
}

TEST_F(storage_tamper, SwappedEventsAreNamed) {
  {
    RawLedger raw(db_);
    const std::string twenty = raw.Get(kEvents, SeqKey(20));
    const std::string twenty_one = raw.Get(kEvents, SeqKey(21));
    raw.Put(kEvents, SeqKey(20), twenty_one);
    raw.Put(kEvents, SeqKey(21), twenty);
  }
  const std::string err = VerifyFails();
  EXPECT_TRUE(NamesSeq(err, 20)) << err;
}

TEST_F(storage_tamper, DeletedHeadEventFails) {
  {
    RawLedger raw(db_);
    raw.Delete(kEvents, SeqKey(head_));
  }
  const std::string err = VerifyFails();
  EXPECT_TRUE(NamesSeq(err, head_)) << err;
  EXPECT_NE(err.find("missing"), std::string::npos) << err;
}

TEST_F(storage_tamper, LoweredHeadSeqFails) {
  {
    RawLedger raw(db_);
    raw.Put(kMeta, "kasse.head_seq", SeqKey(head_ - 1));
  }
  const std::string err = VerifyFails();
  EXPECT_NE(err.find("head"), std::string::npos) << err;
}

TEST_F(storage_tamper, DeletedIdIndexEntryIsNamed) {
  {
    RawLedger raw(db_);
    std::string id;
    for (const auto& [key, value] : raw.All(kIds)) {
      if (value == SeqKey(20)) id = key;
    }
    ASSERT_FALSE(id.empty());
    raw.Delete(kIds, id);
  }
  const std::string err = VerifyFails();
  EXPECT_TRUE(NamesSeq(err, 20)) << err;
  EXPECT_NE(err.find("id index"), std::string::npos) << err;
}

// The same ids and the same seqs, paired wrongly: verify's digests bind each id to its seq.
TEST_F(storage_tamper, SwappedIdIndexEntriesAreNamed) {
  {
    RawLedger raw(db_);
    std::string id_of_20;
    std::string id_of_21;
    for (const auto& [key, value] : raw.All(kIds)) {
      if (value == SeqKey(20)) id_of_20 = key;
      if (value == SeqKey(21)) id_of_21 = key;
    }
    ASSERT_FALSE(id_of_20.empty());
    ASSERT_FALSE(id_of_21.empty());
    raw.Put(kIds, id_of_20, SeqKey(21));
    raw.Put(kIds, id_of_21, SeqKey(20));
  }
  const std::string err = VerifyFails();
  EXPECT_TRUE(NamesSeq(err, 20)) << err;
  EXPECT_NE(err.find("id index"), std::string::npos) << err;
}

// Verify compares the index with the log as a whole; an entry that belongs to no event must not
// hide behind a correct entry for every event.
TEST_F(storage_tamper, ExtraIdIndexEntryFails) {
  {
    RawLedger raw(db_);
    raw.Put(kIds, "ghost-id", SeqKey(20));
  }
  const std::string err = VerifyFails();
  EXPECT_NE(err.find("id index"), std::string::npos) << err;
}

TEST_F(storage_tamper, ExtraPersonalRecordFails) {
  {
    RawLedger raw(db_);
    const std::string key = raw.PersonalKeyOf(20);
    ASSERT_FALSE(key.empty());
    // The same subject and record under another event's seq.
    std::string extra = key.substr(0, key.size() - 8) + SeqKey(21);
    raw.Put(kPersonal, extra, raw.Get(kPersonal, key));
  }
  const std::string err = VerifyFails();
  EXPECT_NE(err.find("personal data holds"), std::string::npos) << err;
}

TEST_F(storage_tamper, AlteredPersonalRecordIsNamed) {
  {
    RawLedger raw(db_);
    const std::string key = raw.PersonalKeyOf(20);
    ASSERT_FALSE(key.empty()) << "event seq 20 (a member joining) should have personal data";
    std::string record = raw.Get(kPersonal, key);
    record.back() ^= 0x01;  // the last character of the name
    raw.Put(kPersonal, key, record);
  }
  const std::string err = VerifyFails();
  EXPECT_TRUE(NamesSeq(err, 20)) << err;
  EXPECT_NE(err.find("personal"), std::string::npos) << err;
}

TEST_F(storage_tamper, DeletedPersonalRecordIsNamed) {
  {
    RawLedger raw(db_);
    const std::string key = raw.PersonalKeyOf(20);
    ASSERT_FALSE(key.empty());
    raw.Delete(kPersonal, key);
  }
  const std::string err = VerifyFails();
  EXPECT_TRUE(NamesSeq(err, 20)) << err;
  EXPECT_NE(err.find("personal"), std::string::npos) << err;
}

TEST_F(storage_tamper, AlteredProjectionFailsAndReplayRepairsIt) {
  std::string altered_key;
  {
    RawLedger raw(db_);
    for (const auto& [key, value] : raw.All(kState)) {
      if (!key.starts_with("statement/")) continue;
      std::string altered = value;
      ASSERT_FALSE(altered.empty());
      altered[0] ^= 0x01;  // the sum changes by a cent
      raw.Put(kState, key, altered);
      altered_key = key;
      break;
    }
    ASSERT_FALSE(altered_key.empty()) << "no statement/ key in the state column family";
  }
  const std::string err = VerifyFails();
  EXPECT_NE(err.find(fmt::format("stored projection key \"{}\" differs", altered_key)),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("kasse replay"), std::string::npos) << err;

  const RunResult replay = Kasse(db_, {"replay"});
  ASSERT_EQ(replay.exit_code, 0) << Describe(replay);
  EXPECT_NE(replay.out.find(fmt::format("replayed {} events", head_)), std::string::npos)
      << replay.out;
  EXPECT_EQ(HeadSeqOfVerify(VerifyOk(db_)), head_);
}

// Verify digests the stored state entry by entry (ledger/set_digest.h); the same bytes split
// differently between key and value are another entry.
TEST_F(storage_tamper, ProjectionByteMovedFromKeyToValueFails) {
  {
    RawLedger raw(db_);
    std::string key;
    std::string value;
    for (const auto& [stored_key, stored_value] : raw.All(kState)) {
      if (stored_key.starts_with("statement/")) {
        key = stored_key;
        value = stored_value;
        break;
      }
    }
    ASSERT_FALSE(key.empty()) << "no statement/ key in the state column family";
    raw.Delete(kState, key);
    raw.Put(kState, key.substr(0, key.size() - 1), key.back() + value);
  }
  const std::string err = VerifyFails();
  EXPECT_NE(err.find("projection"), std::string::npos) << err;
}

TEST_F(storage_tamper, ExtraProjectionKeyFailsAndReplayRemovesIt) {
  {
    RawLedger raw(db_);
    raw.Put(kState, "statement/2022/Hardware\x1fplanted", std::string(16, '\x01'));
  }
  const std::string err = VerifyFails();
  EXPECT_NE(err.find("projection"), std::string::npos) << err;
  ASSERT_EQ(Kasse(db_, {"replay"}).exit_code, 0);
  VerifyOk(db_);
}

// ---------------------------------------------------------------------------------------------
// 2. What is no ledger, or a ledger of a newer kasse.

TEST(storage_not_a_ledger, NonexistentPathTellsHowToCreateOne) {
  TempDir dir;
  const std::string db = dir.File("nothing-here");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"verify"},
           {"log"},
           {"report", "statement", "--year", "2022"},
           {"expense", "--amount", "1", "--category", "Hardware", "--date", "2022-05-01"}}) {
    const RunResult result = Kasse(db, args);
    EXPECT_EQ(result.exit_code, 1) << args[0] << "\n" << Describe(result);
    EXPECT_NE(result.err.find("no ledger"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("init"), std::string::npos) << result.err;
  }
  EXPECT_FALSE(std::filesystem::exists(db)) << "a reading or writing command created the ledger";
}

TEST(storage_not_a_ledger, EmptyDirectoryIsNotALedger) {
  TempDir dir;
  const std::string db = dir.File("empty");
  std::filesystem::create_directory(db);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"verify"}, {"log"}, {"expense", "--amount", "1", "--category", "Hardware"}}) {
    const RunResult result = Kasse(db, args);
    EXPECT_EQ(result.exit_code, 1) << Describe(result);
    EXPECT_NE(result.err.find("not a kasse ledger"), std::string::npos) << result.err;
  }
  EXPECT_TRUE(std::filesystem::is_empty(db)) << "kasse wrote into a directory that is no ledger";
}

TEST(storage_not_a_ledger, DirectoryWithRandomFilesIsNotALedger) {
  TempDir dir;
  const std::string db = dir.File("random");
  std::filesystem::create_directory(db);
  WriteFile(db + "/notes.txt", "Kassenbuch 2021, bitte nicht löschen\n");
  std::mt19937 random(7);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  WriteFile(db + "/blob.bin", noise);
  WriteFile(db + "/LOCK", "");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"verify"},
           {"log"},
           {"replay"},
           {"expense", "--amount", "1", "--category", "Hardware"}}) {
    const RunResult result = Kasse(db, args);
    EXPECT_EQ(result.exit_code, 1) << Describe(result);
    EXPECT_NE(result.err.find("not a kasse ledger"), std::string::npos) << result.err;
  }
  EXPECT_EQ(ReadFile(db + "/notes.txt"), "Kassenbuch 2021, bitte nicht löschen\n");
}

TEST(storage_not_a_ledger, PlainRocksDbIsNotALedger) {
  TempDir dir;
  const std::string db = dir.File("plain");
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    Check(rocksdb::DB::Open(options, db, &raw), "creating a plain RocksDB");
    std::unique_ptr<rocksdb::DB> owned(raw);
    Check(owned->Put(rocksdb::WriteOptions(), "some", "data"), "put");
    Check(owned->Close(), "close");
  }
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"verify"},
                                             {"log"},
                                             {"expense", "--amount", "1", "--category", "Hardware"},
                                             {"replay"}}) {
    const RunResult result = Kasse(db, args);
    EXPECT_EQ(result.exit_code, 1) << args[0] << "\n" << Describe(result);
    EXPECT_NE(result.err.find("not a kasse ledger"), std::string::npos) << result.err;
  }
  // Still the plain database it was, without kasse's column families.
  std::vector<std::string> families;
  Check(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), db, &families), "list");
  EXPECT_EQ(families, std::vector<std::string>{"default"});
}

TEST(storage_not_a_ledger, RocksDbWithTheFamiliesButNoMetadataIsNotALedger) {
  TempDir dir;
  const std::string db = dir.File("families");
  {
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "events", "ids", "personal", "state"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    Check(rocksdb::DB::Open(options, db, families, &handles, &raw), "creating");
    for (rocksdb::ColumnFamilyHandle* handle : handles) raw->DestroyColumnFamilyHandle(handle);
    Check(raw->Close(), "close");
    delete raw;
  }
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"verify"}, {"log"}, {"expense", "--amount", "1", "--category", "Hardware"}}) {
    const RunResult result = Kasse(db, args);
    EXPECT_EQ(result.exit_code, 1) << Describe(result);
    EXPECT_NE(result.err.find("not a kasse ledger"), std::string::npos) << result.err;
  }
}

// ---------------------------------------------------------------------------------------------
// Personal records: format 2 stores a subject's salt once per append, format 1 in every record.

// Three expenses to one payee (one subject) in one import, then a fourth in a recording of its own.
constexpr char kOnePayeeThreeTimes[] =
    R"({"type": "expense.paid", "id": "e-1", "date": "2022-03-01", "category": "Hardware", "amount": "10.00", "payee": "Technikhaus Kranich GmbH", "document": "B-1"}
{"type": "expense.paid", "id": "e-2", "date": "2022-03-02", "category": "Hardware", "amount": "20.00", "payee": "Technikhaus Kranich GmbH", "document": "B-2"}
{"type": "expense.paid", "id": "e-3", "date": "2022-03-03", "category": "Hardware", "amount": "30.00", "payee": "Technikhaus Kranich GmbH", "document": "B-3"}
)";
constexpr char kPayee[] = "Technikhaus Kranich GmbH";

class PersonalFormatFixture : public ::testing::Test {
 protected:
  // A new ledger; with `format_version` "1" it is made to look like one created before format 2.
  void Create(const std::string& format_version) {
    db_ = dir_.File("db");
    ASSERT_EQ(Kasse(db_, {"init", "--name", "Salz e.V."}).exit_code, 0);
    if (format_version != "2") {
      RawLedger raw(db_);
      raw.Put(kMeta, "kasse.format_version", format_version);
    }
    const std::string file = dir_.File("payee.jsonl");
    WriteFile(file, kOnePayeeThreeTimes);
    const RunResult imported = Kasse(db_, {"import", file});
    ASSERT_EQ(imported.exit_code, 0) << Describe(imported);
    const RunResult recorded =
        Kasse(db_, {"expense", "--amount", "40,00", "--category", "Hardware", "--payee", kPayee,
                    "--document", "B-4", "--date", "2022-03-04"});
    ASSERT_EQ(recorded.exit_code, 0) << Describe(recorded);
  }

  // The payee's personal records in seq order: (seq, record).
  std::vector<std::pair<uint64_t, std::string>> PayeeRecords() {
    RawLedger raw(db_);
    std::vector<std::pair<uint64_t, std::string>> records;
    for (const auto& [key, value] : raw.All(kPersonal)) {
      if (value.find(kPayee) != std::string::npos) records.emplace_back(SeqOfKey(key), value);
    }
    return records;
  }

  // Verify must fail, naming event `seq` and saying `why`.
  void ExpectVerifyNames(uint64_t seq, const std::string& why) {
    const RunResult verify = Kasse(db_, {"verify"});
    EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
    EXPECT_TRUE(NamesSeq(verify.err, seq)) << Describe(verify);
    EXPECT_NE(verify.err.find(why), std::string::npos) << Describe(verify);
  }

  TempDir dir_;
  std::string db_;
};

using storage_personal_format = PersonalFormatFixture;

TEST_F(storage_personal_format, NewLedgerStoresTheSaltOncePerSubjectAndAppend) {
  Create("2");
  const auto records = PayeeRecords();
  ASSERT_EQ(records.size(), 4u);
  const std::string payee(kPayee);
  // The import: a salt in the first record, none in the next two; the recording draws its own.
  EXPECT_EQ(records[0].second.size(), 1 + 16 + payee.size());
  EXPECT_EQ(records[0].second[0], '\x01');
  EXPECT_EQ(records[1].second, "\x02" + payee);
  EXPECT_EQ(records[2].second, "\x02" + payee);
  EXPECT_EQ(records[3].second.size(), 1 + 16 + payee.size());
  EXPECT_EQ(records[3].second[0], '\x01');
  EXPECT_NE(records[3].second.substr(1, 16), records[0].second.substr(1, 16));
  const RunResult verify = VerifyOk(db_);
  EXPECT_NE(verify.out.find("4 personal records match"), std::string::npos) << Describe(verify);
  const RunResult log = Kasse(db_, {"log", "--json"});
  EXPECT_EQ(log.exit_code, 0);
  size_t payees = 0;
  for (size_t at = log.out.find(kPayee); at != std::string::npos;
       at = log.out.find(kPayee, at + 1)) {
    ++payees;
  }
  EXPECT_EQ(payees, 4u) << log.out;
}

TEST_F(storage_personal_format, FormatOneLedgerKeepsASaltInEveryRecord) {
  Create("1");
  const auto records = PayeeRecords();
  ASSERT_EQ(records.size(), 4u);
  for (const auto& [seq, record] : records) {
    EXPECT_EQ(record.size(), 16 + std::string(kPayee).size()) << "seq " << seq;
    EXPECT_TRUE(record.ends_with(kPayee)) << "seq " << seq;
  }
  VerifyOk(db_);
  {
    RawLedger raw(db_);
    EXPECT_EQ(raw.Get(kMeta, "kasse.format_version"), "1");  // appending does not change it
    std::string record = records[1].second;
    record.back() ^= 0x01;
    raw.Put(kPersonal, raw.PersonalKeyOf(records[1].first), record);
  }
  ExpectVerifyNames(records[1].first, "altered");
}

// Deleting the record that holds a salt leaves the records after it without one: verify names the
// first event whose personal data is wrong, the one whose record is gone.
TEST_F(storage_personal_format, DeletedRecordWithTheSaltIsNamed) {
  Create("2");
  const auto records = PayeeRecords();
  ASSERT_EQ(records.size(), 4u);
  {
    RawLedger raw(db_);
    raw.Delete(kPersonal, raw.PersonalKeyOf(records[0].first));
  }
  ExpectVerifyNames(records[0].first, "missing");
}

// A changed salt changes the digest of every record that uses it; the first of them is named.
TEST_F(storage_personal_format, AlteredSaltIsNamed) {
  Create("2");
  const auto records = PayeeRecords();
  ASSERT_EQ(records.size(), 4u);
  {
    RawLedger raw(db_);
    std::string record = records[0].second;
    record[5] ^= 0x01;  // a byte of the salt
    raw.Put(kPersonal, raw.PersonalKeyOf(records[0].first), record);
  }
  ExpectVerifyNames(records[0].first, "altered");
}

// A record without a salt whose subject has no earlier record with one (here: made so by turning
// the first record into one without) cannot be checked, and verify says why.
TEST_F(storage_personal_format, RecordWithoutAnySaltIsNamed) {
  Create("2");
  const auto records = PayeeRecords();
  ASSERT_EQ(records.size(), 4u);
  {
    RawLedger raw(db_);
    raw.Put(kPersonal, raw.PersonalKeyOf(records[0].first), "\x02" + std::string(kPayee));
  }
  ExpectVerifyNames(records[0].first, "lost its salt");
}

// An extra id index entry makes verify read every event's entries one by one to name the bad one
// (CheckIndexAndPersonal). Records that share their subject's salt take it from the record before
// them (remembered in log order, Ledger::SubjectSalts): the payee's records here use three salts,
// the import's, the recording's and a second import's, and each must digest with its own, or
// verify would blame personal data that is intact.
TEST_F(storage_personal_format, ExtraIdIndexEntryIsBlamedOnTheIndexNotOnSharedSalts) {
  Create("2");
  const std::string file = dir_.File("payee-again.jsonl");
  WriteFile(
      file,
      R"({"type": "expense.paid", "id": "e-5", "date": "2022-03-05", "category": "Hardware", "amount": "50.00", "payee": "Technikhaus Kranich GmbH", "document": "B-5"}
{"type": "expense.paid", "id": "e-6", "date": "2022-03-06", "category": "Hardware", "amount": "60.00", "payee": "Technikhaus Kranich GmbH", "document": "B-6"}
)");
  ASSERT_EQ(Kasse(db_, {"import", file}).exit_code, 0);
  const auto records = PayeeRecords();
  ASSERT_EQ(records.size(), 6u);
  ASSERT_EQ(records[4].second[0], '\x01');                     // the second import's salt
  ASSERT_EQ(records[5].second, "\x02" + std::string(kPayee));  // shares it
  VerifyOk(db_);
  {
    RawLedger raw(db_);
    raw.Put(kIds, "ghost-id", SeqKey(records[5].first));
  }
  const RunResult verify = Kasse(db_, {"verify"});
  EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
  EXPECT_NE(verify.err.find("the id index holds"), std::string::npos) << Describe(verify);
  EXPECT_EQ(verify.err.find("personal data"), std::string::npos) << Describe(verify);
}

TEST(storage_not_a_ledger, NewerFormatVersionIsRefused) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Zukunft e.V."}).exit_code, 0);
  {
    RawLedger raw(db);
    EXPECT_EQ(raw.Get(kMeta, "kasse.format_version"), "2");
    raw.Put(kMeta, "kasse.format_version", "99");
  }
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"verify"},
           {"log"},
           {"report", "statement", "--year", "2022"},
           {"replay"},
           {"expense", "--amount", "1", "--category", "Hardware", "--date", "2022-05-01"},
           {"import", SourcePath(kExample)}}) {
    const RunResult result = Kasse(db, args);
    EXPECT_EQ(result.exit_code, 1) << args[0] << "\n" << Describe(result);
    EXPECT_NE(result.err.find("newer kasse"), std::string::npos) << args[0] << "\n" << result.err;
  }
  {
    RawLedger raw(db);
    EXPECT_EQ(raw.Get(kMeta, "kasse.format_version"), "99") << "an older kasse rewrote it";
    EXPECT_EQ(SeqOfKey(raw.Get(kMeta, "kasse.head_seq")), kChartEvents);
  }
}

TEST(storage_not_a_ledger, InitRefusesAnExistingLedger) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Erster e.V."}).exit_code, 0);
  const std::string hash_before = LastLogEvent(db)["hash"];
  const RunResult again = Kasse(db, {"init", "--name", "Zweiter e.V."});
  EXPECT_EQ(again.exit_code, 1) << Describe(again);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  const RunResult verify = VerifyOk(db);
  EXPECT_EQ(HeadSeqOfVerify(verify), kChartEvents);
  EXPECT_EQ(LastLogEvent(db)["hash"], hash_before);
}

// ---------------------------------------------------------------------------------------------
// 3. A ledger in use by another process.

TEST(storage_in_use, SecondWriterIsRefusedAndReadersWork) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Belegt e.V."}).exit_code, 0);
  ASSERT_EQ(Kasse(db, {"import", SourcePath(kExample)}).exit_code, 0);
  const uint64_t head = HeadSeqOfVerify(VerifyOk(db));

  Child writer(db, {"import", "-"}, dir.File("writer"), /*stdin_pipe=*/true);
  const auto give_up = Clock::now() + std::chrono::seconds(20);
  while (LockHolder(db) != writer.pid()) {
    ASSERT_FALSE(writer.WaitUntil(Clock::now()).has_value())
        << "the import ended early: " << writer.err();
    ASSERT_LT(Clock::now(), give_up) << "the import never took the lock";
    std::this_thread::sleep_for(milliseconds(5));
  }

  const auto started = Clock::now();
  const RunResult second =
      Kasse(db, {"expense", "--amount", "12,50", "--category", "Hardware", "--date", "2022-05-01"});
  const double took = Seconds(Clock::now() - started);
  EXPECT_EQ(second.exit_code, 1) << Describe(second);
  EXPECT_NE(second.err.find(fmt::format("in use by process {}", writer.pid())), std::string::npos)
      << second.err;
  EXPECT_LT(took, 5.0);
  const RunResult replay = Kasse(db, {"replay"});
  EXPECT_EQ(replay.exit_code, 1) << Describe(replay);
  EXPECT_NE(replay.err.find("in use by process"), std::string::npos) << replay.err;

  const RunResult statement = Kasse(db, {"report", "statement", "--year", "2022", "--json"});
  EXPECT_EQ(statement.exit_code, 0) << Describe(statement);
  EXPECT_TRUE(nlohmann::json::accept(statement.out)) << statement.out;
  const RunResult log = Kasse(db, {"log"});
  EXPECT_EQ(log.exit_code, 0) << Describe(log);
  EXPECT_NE(log.out.find("exp-2022-001"), std::string::npos);
  const RunResult verify = Kasse(db, {"verify"});
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  EXPECT_EQ(LockHolder(db), writer.pid()) << "the writer lost its lock";

  // One more event through the pipe, then end of input: the import commits it.
  writer.Write(
      R"({"type":"expense.paid","id":"in-use-1","date":"2022-06-01","category":"Hardware","amount":"99.00"})"
      "\n");
  writer.CloseStdin();
  EXPECT_EQ(writer.WaitUntil(Clock::now() + std::chrono::seconds(30)), std::optional<int>(0))
      << writer.err();
  EXPECT_NE(writer.out().find("imported 1 new events"), std::string::npos) << writer.out();
  EXPECT_EQ(HeadSeqOfVerify(VerifyOk(db)), head + 1);

  // The lock is free again: a writer gets through.
  const RunResult after =
      Kasse(db, {"expense", "--amount", "12,50", "--category", "Hardware", "--date", "2022-05-01"});
  EXPECT_EQ(after.exit_code, 0) << Describe(after);
}

// ---------------------------------------------------------------------------------------------
// 4. Crash safety: SIGKILL at random moments.

// Runs kasse in the background and kills it with SIGKILL after `delay` unless it has exited by
// then; its exit code when it exited by itself.
std::optional<int> RunAndKillAfter(const std::string& db, const std::vector<std::string>& args,
                                   const std::string& output_prefix, Clock::duration delay) {
  Child child(db, args, output_prefix, /*stdin_pipe=*/false);
  std::optional<int> exited = child.WaitUntil(Clock::now() + delay);
  if (exited) {
    EXPECT_EQ(*exited, 0) << child.err();
    return exited;
  }
  child.Kill();
  const int code = child.Wait();
  if (code == 0) return code;  // it finished between the last look and the kill
  EXPECT_EQ(code, 128 + SIGKILL) << child.err();
  return std::nullopt;
}

Clock::duration SecondsToDuration(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// How many processes each crash test kills: $KASSE_CRASH_RUNS, default 20 (about 15 s for both
// tests on 2 cores). scripts/crash-test runs more.
int CrashRuns() {
  constexpr int kDefault = 20;
  const char* text = std::getenv("KASSE_CRASH_RUNS");
  if (text == nullptr || *text == '\0') return kDefault;
  char* end = nullptr;
  errno = 0;
  const long runs = std::strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || runs < 1 || runs > 1000000) {
    ADD_FAILURE() << "KASSE_CRASH_RUNS=\"" << text << "\" is not a number of runs from 1";
    return kDefault;
  }
  return static_cast<int>(runs);
}

// The killed imports' journal: two small chunks (SmallChunks) that an import writes ahead and a
// rest, small enough that one import takes a fraction of a second.
constexpr size_t kCrashEvents = 20000;

TEST(storage_crash, KilledImportIsAllOrNothing) {
  // Kills then also land while projection state is written ahead and while it is moved into place.
  const ScopedEnv small_state_cache = SmallStateCache();
  const ScopedEnv small_chunks = SmallChunks();
  TempDir dir;
  const std::string journal = dir.File("big.jsonl");
  WriteFile(journal, BigJournal(kCrashEvents));
  std::mt19937_64 random(std::random_device{}());
  const uint64_t seed = random();
  random.seed(seed);
  SCOPED_TRACE(fmt::format("random seed {}", seed));
  auto uniform = [&random](double low, double high) {
    return std::uniform_real_distribution<double>(low, high)(random);
  };

  // Calibrate: the mean of two full imports, process start to exit, as the kills see them.
  double import_seconds = 0;
  for (int run = 0; run < 2; ++run) {
    const std::string calibration = dir.File(fmt::format("calibration{}", run));
    ASSERT_EQ(Kasse(calibration, {"init", "--name", "Kalibrierung e.V."}).exit_code, 0);
    const auto started = Clock::now();
    const RunResult full = Kasse(calibration, {"import", journal});
    import_seconds += Seconds(Clock::now() - started) / 2;
    ASSERT_EQ(full.exit_code, 0) << Describe(full);
    ASSERT_NE(full.out.find(fmt::format("imported {} new events", kCrashEvents)),
              std::string::npos);
    std::filesystem::remove_all(calibration);
  }

  // Verify passes and the import is wholly in or wholly out; returns whether it is in.
  const uint64_t before = kChartEvents;
  int with_write_ahead = 0;
  auto check_all_or_nothing = [&](const std::string& db) {
    const RunResult verify = VerifyOk(db);
    const uint64_t head = HeadSeqOfVerify(verify);
    EXPECT_TRUE(head == before || head == before + kCrashEvents) << "head seq " << head;
    const nlohmann::json last = LastLogEvent(db);
    EXPECT_EQ(last["seq"].get<uint64_t>(), head) << "log and verify disagree";
    if (head == before && verify.out.find("unfinished import") != std::string::npos) {
      ++with_write_ahead;
    }
    return head == before + kCrashEvents;
  };

  const int iterations = CrashRuns();
  int killed_before_commit = 0, killed_twice = 0, finished = 0;
  for (int i = 0; i < iterations; ++i) {
    const std::string db = dir.File(fmt::format("db{}", i));
    ASSERT_EQ(Kasse(db, {"init", "--name", "Absturz e.V."}).exit_code, 0);
    // Spread over the import's duration, a little beyond it for the last one.
    const double delay = (i + uniform(0.05, 0.95)) / (iterations - 0.5) * import_seconds;
    SCOPED_TRACE(
        fmt::format("iteration {}: kill after {:.3f} s of {:.3f} s", i, delay, import_seconds));
    const std::optional<int> exited = RunAndKillAfter(
        db, {"import", journal}, dir.File(fmt::format("import{}", i)), SecondsToDuration(delay));
    const bool in = check_all_or_nothing(db);
    if (exited) {
      ++finished;
      EXPECT_TRUE(in) << "an import that finished is not all there";
      continue;
    }
    if (in) continue;  // killed after its commit
    ++killed_before_commit;
    if (i % 2 == 1) {
      // Kill the next writer too, while it removes the remains or writes ahead anew.
      const double second_delay = uniform(0.0, 0.6) * import_seconds;
      SCOPED_TRACE(fmt::format("second kill after {:.3f} s", second_delay));
      const std::optional<int> second_exited =
          RunAndKillAfter(db, {"import", journal}, dir.File(fmt::format("again{}", i)),
                          SecondsToDuration(second_delay));
      const bool second_in = check_all_or_nothing(db);
      if (second_exited) {
        EXPECT_TRUE(second_in);
      }
      if (second_in) continue;
      ++killed_twice;
    }
    // The next writer removes the remains; the same file imports in full.
    const RunResult again = Kasse(db, {"import", journal});
    ASSERT_EQ(again.exit_code, 0) << Describe(again);
    EXPECT_NE(again.out.find(fmt::format("imported {} new events", kCrashEvents)),
              std::string::npos)
        << again.out;
    const RunResult verify_again = VerifyOk(db);
    EXPECT_EQ(HeadSeqOfVerify(verify_again), before + kCrashEvents);
    EXPECT_EQ(verify_again.out.find("unfinished import"), std::string::npos) << verify_again.out;
    std::filesystem::remove_all(db);
  }
  std::printf(
      "[ timing   ] %d runs; full import of %zu events %.2f s; %d killed before commit (%d "
      "twice), %d checks saw write-ahead remains, %d finished before the kill\n",
      iterations, kCrashEvents, import_seconds, killed_before_commit, killed_twice,
      with_write_ahead, finished);
}

TEST(storage_crash, KilledRecordingCommandIsAllOrNothing) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Absturz e.V."}).exit_code, 0);
  ASSERT_EQ(Kasse(db, {"import", SourcePath(kExample)}).exit_code, 0);
  std::mt19937_64 random(std::random_device{}());
  const uint64_t seed = random();
  random.seed(seed);
  SCOPED_TRACE(fmt::format("random seed {}", seed));

  auto expense = [](int i) -> std::vector<std::string> {
    return {"expense",
            "--id",
            fmt::format("kill-exp-{}", i),
            "--amount",
            "129,90",
            "--category",
            "Hardware",
            "--date",
            "2022-07-01",
            "--payee",
            fmt::format("Laden {}", i)};
  };
  auto started = Clock::now();
  ASSERT_EQ(Kasse(db, expense(0)).exit_code, 0);
  const double command_seconds = Seconds(Clock::now() - started);
  uint64_t head = HeadSeqOfVerify(VerifyOk(db));

  const int iterations = CrashRuns();
  int recorded = 0;
  for (int i = 1; i <= iterations; ++i) {
    const double fraction = std::uniform_real_distribution<double>(0.2, 1.1)(random);
    const Clock::duration delay = SecondsToDuration(fraction * command_seconds);
    SCOPED_TRACE(fmt::format("iteration {}: kill after {:.4f} s", i, Seconds(delay)));
    RunAndKillAfter(db, expense(i), dir.File(fmt::format("expense{}", i)), delay);
    const uint64_t now = HeadSeqOfVerify(VerifyOk(db));
    ASSERT_TRUE(now == head || now == head + 1) << now << " after " << head;
    const RunResult log = Kasse(db, {"log", "--json", "--type", "expense.paid"});
    ASSERT_EQ(log.exit_code, 0);
    size_t count = 0;
    for (size_t at = log.out.find(fmt::format("\"kill-exp-{}\"", i)); at != std::string::npos;
         at = log.out.find(fmt::format("\"kill-exp-{}\"", i), at + 1)) {
      ++count;
    }
    EXPECT_EQ(count, now - head) << "the event is there " << count << " times";
    recorded += static_cast<int>(count);
    // Running it again records it exactly once in all.
    const RunResult again = Kasse(db, expense(i));
    ASSERT_EQ(again.exit_code, 0) << Describe(again);
    EXPECT_NE(again.out.find(count == 1 ? "already recorded" : "recorded expense.paid"),
              std::string::npos)
        << again.out;
    head = HeadSeqOfVerify(VerifyOk(db));
    EXPECT_EQ(head, now + (count == 1 ? 0 : 1));
  }
  std::printf("[ timing   ] one recording command %.3f s; %d of %d killed ones were recorded\n",
              command_seconds, recorded, iterations);
}

// ---------------------------------------------------------------------------------------------
// 5. An import that fails at its last line removes what it wrote ahead.

TEST(storage_rollback, InvalidLastLineLeavesNothingBehind) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Rollback e.V."}).exit_code, 0);
  ASSERT_EQ(Kasse(db, {"import", SourcePath(kExample)}).exit_code, 0);
  const RunResult before = VerifyOk(db);
  const uint64_t head = HeadSeqOfVerify(before);
  const std::string hash = LastLogEvent(db)["hash"];

  const std::string bad = dir.File("bad.jsonl");
  WriteFile(bad, BigJournal(kBigEvents, /*invalid_last_line=*/true));
  const ScopedEnv small_chunks = SmallChunks();  // several chunks ingested ahead, then the error
  const RunResult failed = Kasse(db, {"import", bad});
  EXPECT_EQ(failed.exit_code, 1) << Describe(failed);
  EXPECT_NE(failed.err.find(fmt::format("bad.jsonl:{}", kBigEvents)), std::string::npos)
      << failed.err;
  EXPECT_NE(failed.err.find("amount"), std::string::npos) << failed.err;

  EXPECT_FALSE(std::filesystem::exists(db + "/ingest")) << "staged table files left behind";
  const RunResult after = VerifyOk(db);
  EXPECT_EQ(HeadSeqOfVerify(after), head);
  EXPECT_EQ(after.out.find("unfinished import"), std::string::npos) << after.out;
  EXPECT_EQ(LastLogEvent(db)["hash"], hash);
  {
    // Nothing of the aborted import is left in any column family.
    RawLedger raw(db);
    for (const auto& [key, value] : raw.All(kEvents)) {
      ASSERT_LE(SeqOfKey(key), head) << "an event above the head";
    }
    for (const auto& [key, value] : raw.All(kIds)) {
      ASSERT_EQ(value.size(), 8u);
      ASSERT_LE(SeqOfKey(value), head) << "id " << key << " points above the head";
    }
    for (const auto& [key, value] : raw.All(kPersonal)) {
      ASSERT_LE(SeqOfKey(key), head) << "personal data above the head";
    }
  }

  // The valid file, with the same ids, imports in full.
  const std::string good = dir.File("good.jsonl");
  WriteFile(good, BigJournal(kBigEvents));
  const RunResult imported = Kasse(db, {"import", good});
  ASSERT_EQ(imported.exit_code, 0) << Describe(imported);
  EXPECT_NE(imported.out.find(fmt::format("imported {} new events", kBigEvents)), std::string::npos)
      << imported.out;
  EXPECT_EQ(HeadSeqOfVerify(VerifyOk(db)), head + kBigEvents);
}

// An import that the disk refuses (full, or over a quota) fails with the system's reason and
// leaves the ledger as it was. `ulimit -f` makes the kernel itself refuse every write past 256
// KiB with EFBIG, "File too large" (ignoring SIGXFSZ, which would kill the process instead): a
// chunk's table file of 8,192 events is larger, so the first chunk written ahead fails.
TEST(storage_rollback, ImportThatTheDiskRefusesLeavesTheLedgerAsItWas) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Diskfull e.V."}).exit_code, 0);
  ASSERT_EQ(Kasse(db, {"import", SourcePath(kExample)}).exit_code, 0);
  const uint64_t head = HeadSeqOfVerify(VerifyOk(db));
  const std::string hash = LastLogEvent(db)["hash"];

  const std::string big = dir.File("big.jsonl");
  constexpr size_t kEventsInFile = 3 * kSmallChunkEvents;
  WriteFile(big, BigJournal(kEventsInFile));
  const ScopedEnv small_chunks = SmallChunks();
  const RunResult failed =
      RunProgram("/bin/bash", {"-c", R"(ulimit -f 256 && trap '' XFSZ && exec "$0" "$@")",
                               KASSE_BINARY, "--db", db, "--user", "tester", "import", big});
  EXPECT_EQ(failed.exit_code, 1) << Describe(failed);
  // The line the import had reached when the write ahead of a chunk failed, and the reason.
  EXPECT_TRUE(
      std::regex_search(failed.err, std::regex(R"(big\.jsonl:\d+: writing an import ahead: )"
                                               R"(IO error: .*File too large)")))
      << Describe(failed);
  EXPECT_EQ(failed.out.find("imported"), std::string::npos) << Describe(failed);

  // The ledger is as it was: what the failed import wrote ahead is invisible, and the next
  // writer removes whatever its abort could not.
  const RunResult after = VerifyOk(db);
  EXPECT_EQ(HeadSeqOfVerify(after), head);
  EXPECT_EQ(LastLogEvent(db)["hash"], hash);
  const RunResult imported = Kasse(db, {"import", big});
  ASSERT_EQ(imported.exit_code, 0) << Describe(imported);
  EXPECT_NE(imported.out.find(fmt::format("imported {} new events", kEventsInFile)),
            std::string::npos)
      << imported.out;
  const RunResult full = VerifyOk(db);
  EXPECT_EQ(HeadSeqOfVerify(full), head + kEventsInFile);
  EXPECT_EQ(full.out.find("unfinished import"), std::string::npos) << full.out;
  EXPECT_FALSE(std::filesystem::exists(db + "/ingest")) << "staged table files left behind";
}

// Each recording keeps its write-ahead log instead of flushing it into a table file (that is what
// makes a recording fast); the next writer must bound how many pile up, since every open replays
// them all.
TEST(storage_logs, ManyRecordingsLeaveABoundedNumberOfWriteAheadLogs) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Logs e.V."}).exit_code, 0);
  size_t most_logs = 0;
  for (int i = 0; i < 40; ++i) {
    const RunResult recorded =
        Kasse(db, {"expense", "--category", "Hardware", "--amount", "1,00", "--payee", "Laden",
                   "--date", "2024-05-01", "--id", fmt::format("wal-{}", i)});
    ASSERT_EQ(recorded.exit_code, 0) << Describe(recorded);
    size_t logs = 0;
    for (const auto& entry : std::filesystem::directory_iterator(db)) {
      if (entry.path().extension() == ".log") ++logs;
    }
    most_logs = std::max(most_logs, logs);
  }
  EXPECT_GE(most_logs, 2u) << "recordings no longer keep their logs: is this test still needed?";
  EXPECT_LE(most_logs, 33u);
  EXPECT_EQ(HeadSeqOfVerify(VerifyOk(db)), 15u + 40u);
  const RunResult log = Kasse(db, {"log", "--json"});
  EXPECT_NE(log.out.find("\"wal-39\""), std::string::npos);
}

// Recordings start no compaction (Appends::kFew) until a family's level 0 holds RocksDB's
// slowdown trigger of files; then they compact, so level 0 stays bounded however many
// recordings follow. The trigger is lowered to 4 (RocksDB's own compaction trigger) so that it is
// reached in some 130 recordings: every 32 flush each family into a level-0 file. Without the
// compaction, 260 recordings leave 8 files in level 0 and none below.
TEST(storage_logs, ManyRecordingsKeepLevel0Bounded) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Level0 e.V."}).exit_code, 0);
  ScopedEnv trigger("KASSE_LEVEL0_SLOWDOWN_FILES", "4");
  constexpr int kRecordings = 260;
  int most_level0_files = 0;
  for (int i = 0; i < kRecordings; ++i) {
    const RunResult recorded =
        Kasse(db, {"expense", "--category", "Hardware", "--amount", "1,00", "--payee", "Laden",
                   "--date", "2024-05-01", "--id", fmt::format("l0-{}", i)});
    ASSERT_EQ(recorded.exit_code, 0) << Describe(recorded);
    most_level0_files = std::max(most_level0_files, TableFilesAt(db, kEvents, 0));
  }
  EXPECT_LE(most_level0_files, 4);
  EXPECT_GT(TableFilesAt(db, kEvents, 1) + TableFilesAt(db, kEvents, 6), 0)
      << "no recording compacted level 0 of the log";
  EXPECT_EQ(HeadSeqOfVerify(VerifyOk(db)), kChartEvents + kRecordings);
}

// A ledger whose projections an older kasse built (no version key: version 1) is not folded
// onto or reported from: every command says to run kasse replay, and after it all works.
TEST(storage_projections, OlderProjectionsAskForAReplayAndNothingIsWritten) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Alt e.V."}).exit_code, 0);
  ASSERT_EQ(Kasse(db, {"import", SourcePath(kExample)}).exit_code, 0);
  const std::string log_before = Kasse(db, {"log", "--json"}).out;
  {
    RawLedger raw(db);
    raw.Delete(kState, "meta/projections_version");
  }
  for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
           {"report", "statement", "--year", "2022"},
           {"verify"},
           {"expense", "--category", "Hardware", "--amount", "1,00", "--payee", "Laden", "--date",
            "2022-12-01"}}) {
    const RunResult refused = Kasse(db, command);
    EXPECT_EQ(refused.exit_code, 1) << command[0] << "\n" << Describe(refused);
    EXPECT_NE(refused.err.find("older kasse"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("kasse replay"), std::string::npos) << refused.err;
  }
  EXPECT_EQ(Kasse(db, {"log", "--json"}).out, log_before);
  ASSERT_EQ(Kasse(db, {"replay"}).exit_code, 0);
  VerifyOk(db);
  const RunResult report = Kasse(db, {"report", "statement", "--year", "2022", "--json"});
  EXPECT_EQ(report.exit_code, 0) << Describe(report);
}

}  // namespace
}  // namespace kasse::test

namespace kasse::test {
namespace {

// ---------------------------------------------------------------------------------------------
// 6. Projection state written ahead of the commit, so that an import's memory stays bounded.

bool IsPendingKey(const std::string& key) {
  return !key.empty() && key[0] == '\xff';
}

// ---------------------------------------------------------------------------------------------
// Chunks written ahead as ingested table files (ledger/ingest.h).

// Imports a BigJournal into one ledger as one batch and into another in chunks written ahead,
// bounded by `chunk_bound` (an environment variable) at `value`, and compares what they store.
// `chunks` is how many chunks that bound makes, the last one included, when it is known.
void ExpectChunkedImportStoresWhatOneBatchStores(const char* chunk_bound, const char* value,
                                                 std::optional<int> chunks) {
  TempDir dir;
  const std::string journal = dir.File("big.jsonl");
  WriteFile(journal, BigJournal(kCrashEvents));
  const std::string whole = dir.File("whole");
  const std::string chunked = dir.File("chunked");
  for (const std::string& db : {whole, chunked}) {
    ASSERT_EQ(Kasse(db, {"init", "--name", "Stapel e.V."}).exit_code, 0);
  }
  ASSERT_EQ(Kasse(whole, {"import", journal}).exit_code, 0);
  {
    const ScopedEnv small_chunks(chunk_bound, value);
    const RunResult imported = Kasse(chunked, {"import", journal});
    ASSERT_EQ(imported.exit_code, 0) << Describe(imported);
  }
  // Ingested files of the log go to its last level: they follow every key before them.
  EXPECT_GE(TableFilesAt(chunked, kEvents, 6), static_cast<int>(kCrashEvents / kSmallChunkEvents))
      << "the chunks were not ingested";
  if (chunks) {
    // The last chunk too (Appender::Commit), not written through the write-ahead log and
    // flushed, which would put its events into a level-0 file beside the chart's.
    EXPECT_EQ(TableFilesAt(chunked, kEvents, 6), *chunks) << "a chunk was not ingested";
  }
  EXPECT_FALSE(std::filesystem::exists(chunked + "/ingest"));
  EXPECT_EQ(HeadSeqOfVerify(VerifyOk(chunked)), kChartEvents + kCrashEvents);
  // Equal but for what differs by design: the recording time in each event, the pepper of the
  // pseudonymous subjects and the salts of the personal records, and the hashes that chain them.
  auto keys = [](const std::vector<std::pair<std::string, std::string>>& entries) {
    std::vector<std::string> only_keys;
    only_keys.reserve(entries.size());
    for (const auto& [key, value] : entries) only_keys.push_back(key);
    return only_keys;
  };
  auto personal_seqs = [](const std::vector<std::pair<std::string, std::string>>& entries) {
    std::vector<std::string> seqs;  // the last 8 bytes of subject, 0x00, seq
    seqs.reserve(entries.size());
    for (const auto& [key, value] : entries) seqs.push_back(key.substr(key.size() - 8));
    std::sort(seqs.begin(), seqs.end());
    return seqs;
  };
  RawLedger raw_whole(whole);
  RawLedger raw_chunked(chunked);
  EXPECT_TRUE(raw_whole.All(kIds) == raw_chunked.All(kIds)) << "the id index differs";
  EXPECT_TRUE(keys(raw_whole.All(kEvents)) == keys(raw_chunked.All(kEvents)));
  EXPECT_TRUE(personal_seqs(raw_whole.All(kPersonal)) == personal_seqs(raw_chunked.All(kPersonal)));
  EXPECT_TRUE(raw_whole.All(kState) == raw_chunked.All(kState)) << "the projections differ";
}

TEST(storage_ingest, ImportInIngestedChunksStoresWhatOneBatchStores) {
  static_assert(kCrashEvents % kSmallChunkEvents != 0, "the last chunk is to be a short one");
  constexpr int kChunks = static_cast<int>(kCrashEvents / kSmallChunkEvents + 1);
  ExpectChunkedImportStoresWhatOneBatchStores("KASSE_CHUNK_EVENTS",
                                              std::to_string(kSmallChunkEvents).c_str(), kChunks);
}

// A chunk is written ahead also when its keys and values reach a byte bound (kChunkBytesMax),
// which bounds its memory when events are large. About 1.4 MB: fewer than 8,192 events.
TEST(storage_ingest, ChunksBoundedByBytesStoreWhatOneBatchStores) {
  ExpectChunkedImportStoresWhatOneBatchStores("KASSE_CHUNK_BYTES_MAX", "1400000", std::nullopt);
}

// Every id is looked up among the chunk being filled, the chunk being ingested and the ledger
// (with the chunks ingested before): a file that holds its events twice records each once. The
// reading thread looks each id up ahead (Appender::PrefetchId), some before the first event with
// it was written ahead: FindId must not trust such a lookup once that event left memory (this
// test fails when it does).
TEST(storage_ingest, EventsRepeatedInOneFileAreFoundInEveryChunk) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Doppelt e.V."}).exit_code, 0);
  const std::string journal = BigJournal(kCrashEvents);
  const std::string twice = dir.File("twice.jsonl");
  WriteFile(twice, journal + journal);
  const ScopedEnv small_chunks = SmallChunks();
  const RunResult imported = Kasse(db, {"import", twice});
  ASSERT_EQ(imported.exit_code, 0) << Describe(imported);
  EXPECT_NE(imported.out.find(fmt::format("imported {} new events (seq {}-{}), {} already recorded",
                                          kCrashEvents, kChartEvents + 1,
                                          kChartEvents + kCrashEvents, kCrashEvents)),
            std::string::npos)
      << imported.out;
  EXPECT_EQ(HeadSeqOfVerify(VerifyOk(db)), kChartEvents + kCrashEvents);
}

// An import that has read enough events puts the ledger's ids into a filter of the ids it read
// (Appender::PrefetchId), and takes an id the filter does not hold for new without a search. The
// file first brings new events, enough for the filter to take in the ledger's ids, then repeats
// every event recorded before it and every one of its own: each repeat must be found. (Debug
// builds also search for each id the filter calls new, and abort when the search finds it.)
TEST(storage_ingest, IdFilterKnowsTheLedgersIdsAndTheFilesOwn) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Filter e.V."}).exit_code, 0);
  constexpr size_t kBefore = 6000;
  constexpr size_t kAll = 12000;
  const std::string all = BigJournal(kAll);
  const std::string before = BigJournal(kBefore);
  ASSERT_EQ(all.substr(0, before.size()), before);
  WriteFile(dir.File("before.jsonl"), before);
  ASSERT_EQ(Kasse(db, {"import", dir.File("before.jsonl")}).exit_code, 0);
  const std::string journal = dir.File("new-then-all.jsonl");
  WriteFile(journal, all.substr(before.size()) + all);
  const ScopedEnv filter_early("KASSE_ID_FILTER_AFTER", "1000");
  const ScopedEnv small_chunks = SmallChunks();
  const RunResult imported = Kasse(db, {"import", journal});
  ASSERT_EQ(imported.exit_code, 0) << Describe(imported);
  EXPECT_NE(imported.out.find(fmt::format("imported {} new events (seq {}-{}), {} already recorded",
                                          kAll - kBefore, kChartEvents + kBefore + 1,
                                          kChartEvents + kAll, kAll)),
            std::string::npos)
      << imported.out;
  EXPECT_EQ(HeadSeqOfVerify(VerifyOk(db)), kChartEvents + kAll);
}

// A table file staged and not ingested (the import was killed in between) holds personal data
// and belongs to no database: the next writer removes it.
TEST(storage_ingest, StagedFileOfAKilledImportIsRemoved) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Reste e.V."}).exit_code, 0);
  std::filesystem::create_directory(db + "/ingest");
  WriteFile(db + "/ingest/0000000000000010-personal.sst", "Erika Mustermann");
  const RunResult recorded =
      Kasse(db, {"expense", "--category", "Hardware", "--amount", "1,00", "--payee", "Laden",
                 "--date", "2024-05-01", "--id", "nach-absturz"});
  ASSERT_EQ(recorded.exit_code, 0) << Describe(recorded);
  EXPECT_FALSE(std::filesystem::exists(db + "/ingest"));
  EXPECT_EQ(HeadSeqOfVerify(VerifyOk(db)), kChartEvents + 1);
}

TEST(storage_state_ahead, ImportWritingStateAheadStoresWhatOneHoldingItStores) {
  TempDir dir;
  const std::string journal = dir.File("big.jsonl");
  WriteFile(journal, BigJournal(kCrashEvents));
  const std::string held = dir.File("held");
  const std::string ahead = dir.File("ahead");
  for (const std::string& db : {held, ahead}) {
    ASSERT_EQ(Kasse(db, {"init", "--name", "Vorab e.V."}).exit_code, 0);
  }
  ASSERT_EQ(Kasse(held, {"import", journal}).exit_code, 0);
  {
    const ScopedEnv small_state_cache = SmallStateCache();
    const RunResult imported = Kasse(ahead, {"import", journal});
    ASSERT_EQ(imported.exit_code, 0) << Describe(imported);
  }
  EXPECT_EQ(HeadSeqOfVerify(VerifyOk(ahead)), kChartEvents + kCrashEvents);
  std::vector<std::pair<std::string, std::string>> held_state, ahead_state;
  {
    RawLedger raw(held);
    held_state = raw.All(kState);
  }
  {
    RawLedger raw(ahead);
    ahead_state = raw.All(kState);
    EXPECT_EQ(raw.All(kMeta).size(), RawLedger(held).All(kMeta).size()) << "a marker is left";
  }
  ASSERT_GT(held_state.size(), kCrashEvents / 6) << "a timeline per member at least";
  EXPECT_TRUE(held_state == ahead_state) << "the projection state differs";
  for (const auto& [key, value] : ahead_state) EXPECT_FALSE(IsPendingKey(key)) << key;
}

TEST(storage_state_ahead, AbortedImportLeavesNoPendingState) {
  const ScopedEnv small_state_cache = SmallStateCache();
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Vorab e.V."}).exit_code, 0);
  ASSERT_EQ(Kasse(db, {"import", SourcePath(kExample)}).exit_code, 0);
  std::vector<std::pair<std::string, std::string>> before;
  {
    RawLedger raw(db);
    before = raw.All(kState);
  }
  const std::string bad = dir.File("bad.jsonl");
  WriteFile(bad, BigJournal(kCrashEvents, /*invalid_last_line=*/true));
  const RunResult failed = Kasse(db, {"import", bad});
  EXPECT_EQ(failed.exit_code, 1) << Describe(failed);
  {
    RawLedger raw(db);
    EXPECT_TRUE(raw.All(kState) == before) << "the aborted import left projection state";
  }
  VerifyOk(db);
}

using StateEntries = std::vector<std::pair<std::string, std::string>>;

// What a writer killed between its commit and the end of the move leaves, made by hand on a
// ledger of the example: `leave_pending` moves stored state into the pending area (the stored
// values left stale) and sets the marker. Readers must see the state as it was, and the next
// writer must move it into place and remove the marker. Returns the state after that writer.
StateEntries ExpectCommittedPendingStateIsReadAndMoved(
    const std::function<void(RawLedger& raw, const StateEntries& state)>& leave_pending) {
  TempDir dir;
  const std::string db = dir.File("db");
  EXPECT_EQ(Kasse(db, {"init", "--name", "Vorab e.V."}).exit_code, 0);
  EXPECT_EQ(Kasse(db, {"import", SourcePath(kExample)}).exit_code, 0);
  const std::string statement = Kasse(db, {"report", "statement", "--year", "2022", "--json"}).out;
  const std::string members =
      Kasse(db, {"report", "members", "--as-of", "2022-12-31", "--json"}).out;
  {
    RawLedger raw(db);
    const StateEntries before = raw.All(kState);
    EXPECT_GT(before.size(), 20u);
    leave_pending(raw, before);
  }
  VerifyOk(db);
  EXPECT_EQ(Kasse(db, {"report", "statement", "--year", "2022", "--json"}).out, statement);
  EXPECT_EQ(Kasse(db, {"report", "members", "--as-of", "2022-12-31", "--json"}).out, members);

  // The next writer moves the values into place before it appends.
  const RunResult recorded = Kasse(db, {"expense", "--amount", "1", "--category", "Hardware",
                                        "--date", "2022-12-31", "--id", "after-move"});
  EXPECT_EQ(recorded.exit_code, 0) << Describe(recorded);
  VerifyOk(db);
  RawLedger raw(db);
  StateEntries after = raw.All(kState);
  for (const auto& [key, value] : after) EXPECT_FALSE(IsPendingKey(key)) << key;
  EXPECT_THROW(raw.Get(kMeta, "kasse.state_pending"), std::runtime_error);
  return after;
}

// An import's marker: the pending values shadow the stored ones.
TEST(storage_state_ahead, CommittedPendingStateIsReadAndThenMovedIntoPlace) {
  ExpectCommittedPendingStateIsReadAndMoved([](RawLedger& raw, const StateEntries& state) {
    // Every other value moves to the pending area; the stored one is left stale.
    for (size_t i = 0; i < state.size(); i += 2) {
      const auto& [key, value] = state[i];
      raw.Put(kState, "\xff" + key, value);
      raw.Put(kState, key, std::string(8, '\x7f'));
    }
    raw.Put(kMeta, "kasse.state_pending", SeqKey(raw.HeadSeq()));
  });
}

// An import killed after writing state ahead but before its commit leaves pending values without
// the marker: readers ignore them and the next writer deletes them.
TEST(storage_state_ahead, UncommittedPendingStateIsIgnoredAndRemoved) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Vorab e.V."}).exit_code, 0);
  ASSERT_EQ(Kasse(db, {"import", SourcePath(kExample)}).exit_code, 0);
  {
    RawLedger raw(db);
    for (const auto& [key, value] : raw.All(kState)) raw.Put(kState, "\xff" + key, "stale");
  }
  VerifyOk(db);
  ASSERT_EQ(Kasse(db, {"expense", "--amount", "1", "--category", "Hardware", "--date", "2022-12-31",
                       "--id", "after-removal"})
                .exit_code,
            0);
  VerifyOk(db);
  RawLedger raw(db);
  for (const auto& [key, value] : raw.All(kState)) EXPECT_FALSE(IsPendingKey(key)) << key;
}

// Creates a ledger at dir/db with the JSON lines `journal_text` imported; returns its path.
std::string LedgerWithJournal(const TempDir& dir, const std::string& journal_text) {
  std::string db = dir.File("db");
  EXPECT_EQ(Kasse(db, {"init", "--name", "Vorab e.V."}).exit_code, 0);
  const std::string journal = dir.File("big.jsonl");
  WriteFile(journal, journal_text);
  const RunResult imported = Kasse(db, {"import", journal});
  EXPECT_EQ(imported.exit_code, 0) << Describe(imported);
  return db;
}

std::string LedgerWithBigJournal(const TempDir& dir, size_t events) {
  return LedgerWithJournal(dir, BigJournal(events));
}

// A replay that holds more state than its bound writes it ahead into the pending area and
// commits it as a replacement: the state it leaves equals a fresh import's, whatever was stored.
TEST(storage_state_ahead, ReplayWritingStateAheadRebuildsTheStateOfAFreshImport) {
  TempDir dir;
  const std::string db = LedgerWithBigJournal(dir, kCrashEvents);
  ASSERT_FALSE(HasFailure());
  StateEntries imported;
  {
    RawLedger raw(db);
    imported = raw.All(kState);
    size_t state_bytes = 0;
    for (const auto& [key, value] : imported) state_bytes += key.size() + value.size();
    ASSERT_GT(state_bytes, 4 * kTinyStateBytes) << "the replay below would not write ahead";
    // Damage that the replay must repair: a changed value, a removed key, a key of no projection.
    raw.Put(kState, imported[0].first, "damaged");
    raw.Delete(kState, imported[imported.size() / 2].first);
    raw.Put(kState, "members/zz-no-such-key", "extra");
  }
  {
    const ScopedEnv tiny_state_cache = TinyStateCache();
    const RunResult replayed = Kasse(db, {"replay"});
    ASSERT_EQ(replayed.exit_code, 0) << Describe(replayed);
    EXPECT_NE(replayed.out.find(fmt::format("replayed {} events; {} projection keys rebuilt",
                                            kChartEvents + kCrashEvents, imported.size())),
              std::string::npos)
        << replayed.out;
  }
  {
    RawLedger raw(db);
    EXPECT_TRUE(raw.All(kState) == imported) << "the rebuilt state differs from the import's";
    EXPECT_THROW(raw.Get(kMeta, "kasse.state_pending"), std::runtime_error) << "marker left";
  }
  VerifyOk(db);
}

// BigJournal(events), then `reversals` entry.reversed, the first of the expenses of the first
// members: a run long enough that a replay reads it ahead (Ledger::ForEachEvent), with reversals.
std::string BigJournalWithReversals(size_t events, size_t reversals) {
  std::string text = BigJournal(events);
  for (size_t member = 0; member < reversals; ++member) {
    text += fmt::format(
        R"({{"type":"entry.reversed","id":"big-rev-{}","date":"2022-12-31","reverses":"big-exp-{}-1","reason":"Fehlbuchung"}})"
        "\n",
        member, member);
  }
  return text;
}

constexpr size_t kReversedEvents = 6000;  // more than a replay reads without reading ahead
constexpr size_t kReversals = 200;

// A ledger long enough that a replay reads it ahead, with reversals, and its state as imported.
class storage_replay : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = LedgerWithJournal(dir_, BigJournalWithReversals(kReversedEvents, kReversals));
    ASSERT_FALSE(HasFailure());
    RawLedger raw(db_);
    imported_state_ = raw.All(kState);
  }

  // Replays and expects it to fail on the reversal big-rev-7, whose entry big-exp-7-1 the
  // lookup does not find, and to leave the stored state as it was.
  void ExpectReplayFailsAtTheEighthReversal() {
    const RunResult replayed = Kasse(db_, {"replay"});
    EXPECT_EQ(replayed.exit_code, 1) << Describe(replayed);
    EXPECT_NE(
        replayed.err.find("replay stopped; the stored projections are unchanged: event seq " +
                          std::to_string(kChartEvents + kReversedEvents + 8) +
                          " (id \"big-rev-7\") breaks a rule: field \"reverses\": no event with id "
                          "\"big-exp-7-1\" was recorded"),
        std::string::npos)
        << Describe(replayed);
    RawLedger raw(db_);
    EXPECT_TRUE(raw.All(kState) == imported_state_) << "a failed replay changed the stored state";
  }

  TempDir dir_;
  std::string db_;
  StateEntries imported_state_;
};

// A long replay looks up the entry each reversal names on its reading thread, not where it folds
// (Ledger::NamedEvents::kReadAhead); the import looked each one up as it folded. Both must come
// to the same state.
TEST_F(storage_replay, LongReplayWithReversalsRebuildsTheStateOfTheImport) {
  const RunResult replayed = Kasse(db_, {"replay"});
  ASSERT_EQ(replayed.exit_code, 0) << Describe(replayed);
  EXPECT_NE(replayed.out.find(
                fmt::format("replayed {} events", kChartEvents + kReversedEvents + kReversals)),
            std::string::npos)
      << replayed.out;
  {
    RawLedger raw(db_);
    EXPECT_TRUE(raw.All(kState) == imported_state_)
        << "the replayed state differs from the import's";
  }
  VerifyOk(db_);
}

// What the reading thread fails to find fails the replay as the fold's own lookup would: a
// reversal whose entry lost its id index entry breaks a rule, and the state stays as it was.
TEST_F(storage_replay, LongReplayNamesAReversalWhoseEntryIsNotIndexed) {
  {
    RawLedger raw(db_);
    raw.Delete(kIds, "big-exp-7-1");
  }
  ExpectReplayFailsAtTheEighthReversal();
}

// An index entry that points to another event (only tampering makes one): the lookup checks the
// id of the event it reads (Ledger::ReadEventOfId), so the replay fails as for a missing entry
// instead of reversing the wrong expense.
TEST_F(storage_replay, LongReplayNamesAReversalWhoseIndexEntryPointsElsewhere) {
  {
    RawLedger raw(db_);
    raw.Put(kIds, "big-exp-7-1", raw.Get(kIds, "big-exp-6-1"));
  }
  ExpectReplayFailsAtTheEighthReversal();
}

// A replay's marker: the pending area replaces the stored state, so that readers see only the
// pending keys and the next writer deletes the stored state before it moves them into place.
TEST(storage_state_ahead, CommittedReplacementIsReadAloneAndThenMovedIntoPlace) {
  const StateEntries after =
      ExpectCommittedPendingStateIsReadAndMoved([](RawLedger& raw, const StateEntries& state) {
        // Every value moves to the pending area; what is stored is stale, and one key is extra.
        for (const auto& [key, value] : state) {
          raw.Put(kState, "\xff" + key, value);
          raw.Put(kState, key, std::string(8, '\x7f'));
        }
        raw.Put(kState, "members/zz-no-such-key", "stale");
        raw.Put(kMeta, "kasse.state_pending", SeqKey(raw.HeadSeq()) + "replaces");
      });
  for (const auto& [key, value] : after) {
    EXPECT_NE(key, "members/zz-no-such-key");
    EXPECT_NE(value, std::string(8, '\x7f')) << key;
  }
}

// A marker that names another seq than the head, or has an unknown form, is damage: no command
// guesses which state counts.
TEST(storage_state_ahead, MalformedMarkerIsRefusedAsDamage) {
  TempDir dir;
  const std::string db = dir.File("db");
  ASSERT_EQ(Kasse(db, {"init", "--name", "Vorab e.V."}).exit_code, 0);
  ASSERT_EQ(Kasse(db, {"import", SourcePath(kExample)}).exit_code, 0);
  uint64_t head = 0;
  {
    RawLedger raw(db);
    head = raw.HeadSeq();
  }
  for (const std::string& marker :
       {SeqKey(head - 1), SeqKey(head) + "replace", SeqKey(head) + "shadows!", std::string()}) {
    {
      RawLedger raw(db);
      raw.Put(kMeta, "kasse.state_pending", marker);
    }
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"verify"},
          std::vector<std::string>{"report", "statement", "--year", "2022"},
          std::vector<std::string>{"replay"}}) {
      const RunResult refused = Kasse(db, command);
      EXPECT_EQ(refused.exit_code, 1) << command[0] << " " << Hex(marker) << Describe(refused);
      EXPECT_NE(refused.err.find(fmt::format(
                    "the marker of pending projection state does not name the head seq {}", head)),
                std::string::npos)
          << command[0] << " " << Hex(marker) << Describe(refused);
    }
  }
  {
    RawLedger raw(db);
    raw.Delete(kMeta, "kasse.state_pending");
  }
  EXPECT_EQ(HeadSeqOfVerify(VerifyOk(db)), head);
}

// The projection state that readers see in a ledger's raw column families, as Ledger reads it
// (schemas/STORAGE.md): the stored keys, or only the pending area once a replay committed it
// ("replaces"). Stored state shadowed by an import's pending values is not expected here.
StateEntries VisibleState(RawLedger& raw) {
  std::string marker;
  try {
    marker = raw.Get(kMeta, "kasse.state_pending");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(marker.empty() || marker.ends_with("replaces")) << Hex(marker);
  StateEntries visible;
  for (auto& [key, value] : raw.All(kState)) {
    if (IsPendingKey(key) != !marker.empty()) continue;
    visible.emplace_back(marker.empty() ? key : key.substr(1), value);
  }
  return visible;
}

// A replay killed at any instant leaves the old projection state or the new one, never a mix.
// The state is damaged before each replay so that the two differ. With `write_ahead`, the replay
// writes ahead after every 16 KB so that the kills land while it writes ahead, commits and moves;
// without, it writes the new state as one table file that it ingests (Ledger::ReplaceState).
void ExpectKilledReplaysLeaveTheOldStateOrTheNew(bool write_ahead) {
  std::optional<ScopedEnv> tiny_state_cache;
  if (write_ahead) {
    tiny_state_cache.emplace("KASSE_STATE_CACHE_BYTES_MAX",
                             std::to_string(kTinyStateBytes).c_str());
  }
  TempDir dir;
  const std::string db = LedgerWithBigJournal(dir, kCrashEvents);
  ASSERT_FALSE(::testing::Test::HasFailure());
  StateEntries fresh;
  {
    RawLedger raw(db);
    fresh = raw.All(kState);
  }
  std::mt19937_64 random(std::random_device{}());
  const uint64_t seed = random();
  random.seed(seed);
  SCOPED_TRACE(fmt::format("random seed {}", seed));
  const auto damage = [&]() {
    RawLedger raw(db);
    raw.Put(kState, fresh[random() % fresh.size()].first, "damaged");
    raw.Put(kState, "members/zz-no-such-key", "stale");
    return raw.All(kState);
  };

  // Calibrate: the mean of two full replays, process start to exit, as the kills see them.
  double replay_seconds = 0;
  for (int run = 0; run < 2; ++run) {
    damage();
    const auto started = Clock::now();
    const RunResult full = Kasse(db, {"replay"});
    replay_seconds += Seconds(Clock::now() - started) / 2;
    ASSERT_EQ(full.exit_code, 0) << Describe(full);
  }

  const int iterations = CrashRuns();
  int old_state = 0, new_state = 0, moving = 0;
  for (int i = 0; i < iterations; ++i) {
    const auto damaged = damage();
    const double delay = (i + std::uniform_real_distribution<double>(0.05, 0.95)(random)) /
                         (iterations - 0.5) * replay_seconds;
    SCOPED_TRACE(
        fmt::format("iteration {}: kill after {:.3f} s of {:.3f} s", i, delay, replay_seconds));
    RunAndKillAfter(db, {"replay"}, dir.File(fmt::format("replay{}", i)), SecondsToDuration(delay));
    bool is_new = false;
    {
      RawLedger raw(db);
      const auto all = raw.All(kMeta);
      moving += std::any_of(all.begin(), all.end(),
                            [](const auto& entry) { return entry.first == "kasse.state_pending"; });
      const auto visible = VisibleState(raw);
      is_new = visible == fresh;
      EXPECT_TRUE(is_new || visible == damaged) << "a mix of the old state and the new";
    }
    (is_new ? new_state : old_state)++;
    // Readers agree: verify passes exactly when the new state is visible.
    const RunResult verify = Kasse(db, {"verify"});
    EXPECT_EQ(verify.exit_code, is_new ? 0 : 1) << Describe(verify);
    // The next writer finishes the move or removes the remains; a replay then repairs.
    const RunResult again = Kasse(db, {"replay"});
    ASSERT_EQ(again.exit_code, 0) << Describe(again);
    RawLedger raw(db);
    EXPECT_TRUE(raw.All(kState) == fresh) << "the state after a full replay";
    EXPECT_THROW(raw.Get(kMeta, "kasse.state_pending"), std::runtime_error) << "marker left";
    EXPECT_FALSE(std::filesystem::exists(db + "/ingest")) << "a staged table file left";
  }
  std::printf(
      "[ timing   ] %d runs; full replay %.2f s; %d left the old state, %d the new (%d of them "
      "while moving it into place)\n",
      iterations, replay_seconds, old_state, new_state, moving);
}

TEST(storage_crash, KilledReplayWritingAheadLeavesTheOldStateOrTheNew) {
  ExpectKilledReplaysLeaveTheOldStateOrTheNew(/*write_ahead=*/true);
}

TEST(storage_crash, KilledReplayIngestingItsStateLeavesTheOldStateOrTheNew) {
  ExpectKilledReplaysLeaveTheOldStateOrTheNew(/*write_ahead=*/false);
}

// Every report opens each table file of the state, and every replay writes the whole state
// anew: a replay compacts level 0 of the state when it holds more files than an import may
// leave (4), so that reports stay fast however often the projections are rebuilt.
TEST(storage_state_ahead, RepeatedReplaysKeepLevel0OfTheStateBounded) {
  TempDir dir;
  // More state keys than a replay flushes after.
  const std::string db = LedgerWithBigJournal(dir, kBigEvents);
  ASSERT_FALSE(HasFailure());
  for (int replay = 0; replay < 6; ++replay) {
    const RunResult replayed = Kasse(db, {"replay"});
    ASSERT_EQ(replayed.exit_code, 0) << Describe(replayed);
    EXPECT_LE(TableFilesAt(db, kState, 0), 4) << "after replay " << replay + 1;
  }
  VerifyOk(db);
}

// Adds a state key that no projection writes, which a replay removes; returns the state so damaged.
StateEntries WithStaleStateKey(const std::string& db) {
  RawLedger raw(db);
  raw.Put(kState, "members/zz-no-such-key", "stale");
  return raw.All(kState);
}

// A replay that the disk refuses while it writes its state ahead fails with the system's reason
// and leaves the stored state as it was (`ulimit -f`, as for the import above: the write-ahead log
// of the state written ahead grows past 64 KiB).
TEST(storage_rollback, ReplayThatTheDiskRefusesLeavesTheStateAsItWas) {
  TempDir dir;
  const std::string db = LedgerWithBigJournal(dir, kCrashEvents);
  ASSERT_FALSE(HasFailure());
  const StateEntries damaged = WithStaleStateKey(db);
  {
    const ScopedEnv tiny_state_cache = TinyStateCache();
    const RunResult failed =
        RunProgram("/bin/bash", {"-c", R"(ulimit -f 64 && trap '' XFSZ && exec "$0" "$@")",
                                 KASSE_BINARY, "--db", db, "--user", "tester", "replay"});
    EXPECT_EQ(failed.exit_code, 1) << Describe(failed);
    EXPECT_TRUE(std::regex_search(
        failed.err,
        std::regex(
            R"(replay stopped; the stored projections are unchanged: .*IO error: .*File too large)")))
        << Describe(failed);
    EXPECT_EQ(failed.out.find("replayed"), std::string::npos) << Describe(failed);
  }
  {
    RawLedger raw(db);
    EXPECT_TRUE(VisibleState(raw) == damaged) << "the failed replay changed the visible state";
  }
  const RunResult verify = Kasse(db, {"verify"});
  EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
  EXPECT_NE(verify.err.find("members/zz-no-such-key"), std::string::npos) << Describe(verify);
  // The next replay removes what the failed one wrote ahead and repairs the state.
  const RunResult replayed = Kasse(db, {"replay"});
  ASSERT_EQ(replayed.exit_code, 0) << Describe(replayed);
  VerifyOk(db);
}

// The same when the disk refuses the table file of a replay that holds its whole state: the
// file (85 KB for these 60,000 events, measured with strace) passes a file size limit of 32 KiB,
// which the rest of what a replay writes (RocksDB's options file, 24 KB) stays below.
TEST(storage_rollback, ReplayWhoseTableFileTheDiskRefusesLeavesTheStateAsItWas) {
  TempDir dir;
  const std::string db = LedgerWithBigJournal(dir, kBigEvents);
  ASSERT_FALSE(HasFailure());
  const StateEntries damaged = WithStaleStateKey(db);
  const RunResult failed =
      RunProgram("/bin/bash", {"-c", R"(ulimit -f 32 && trap '' XFSZ && exec "$0" "$@")",
                               KASSE_BINARY, "--db", db, "--user", "tester", "replay"});
  EXPECT_EQ(failed.exit_code, 1) << Describe(failed);
  EXPECT_TRUE(std::regex_search(
      failed.err, std::regex(R"(writing the rebuilt projections failed; the stored projections )"
                             R"(are unchanged: IO error: .*state\.sst.*File too large)")))
      << Describe(failed);
  EXPECT_EQ(failed.out.find("replayed"), std::string::npos) << Describe(failed);
  EXPECT_FALSE(std::filesystem::exists(db + "/ingest")) << "the refused file was left behind";
  {
    RawLedger raw(db);
    EXPECT_TRUE(raw.All(kState) == damaged) << "the failed replay changed the state";
  }
  const RunResult replayed = Kasse(db, {"replay"});
  ASSERT_EQ(replayed.exit_code, 0) << Describe(replayed);
  VerifyOk(db);
}

}  // namespace
}  // namespace kasse::test
