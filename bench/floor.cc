// kasse_floor: what RocksDB itself costs for kasse's storage pattern, the floor of import,
// verify and replay.
//
//   kasse_floor --dir DIR --count N --size BYTES [--batch 16384] [--sync final|every]
//     appends N values of BYTES bytes under 8-byte big-endian sequence keys to a column family
//     "events" of a new database in DIR, with kasse's options (LZ4, ZSTD at the bottom), in write
//     batches of --batch values; --sync final (kasse's import) writes every batch unsynced and the
//     last one synced, --sync every syncs each batch. Like kasse's import it then flushes the
//     memtables and closes. Then it opens the database read-only and scans the values back,
//     computing the SHA-256 of each. Times include opening and closing the database.
//     With --entries 3 it also writes, per value, what kasse's import writes beside each event: an
//     id index entry (a 16-character id, unordered, -> the 8-byte key) in a family "ids" and,
//     for three values in four (the benchmark's workload has personal data in 75.5 % of its
//     events), a personal record (a 26-character subject, 0x00, the key -> 20 bytes: the mean
//     record of stored format 2, whose salt most records share) in a family "personal"; the scan
//     still reads only the values.
//   kasse_floor --mean-size LEDGER
//     prints the number and mean size in bytes of the stored events of a kasse ledger, and the
//     bytes of the table files of each of its column families (table_file_bytes_FAMILY=).
//   kasse_floor --decode LEDGER [--archive view|binary]
//     scans the stored events of a kasse ledger on one thread, computing the SHA-256 of each and
//     decoding it with kasse's codec (Boost.Serialization): what any replay must do per event
//     before it folds anything. --archive binary decodes with Boost's binary_iarchive instead of
//     kasse's ViewIArchive (ledger/view_archive.h), to measure what that archive saves.
//
// Output: key=value lines, e.g. append_seconds=1.234 append_events_per_s=810372.
#include <openssl/evp.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "ledger/codec.h"
#include "ledger/hash.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "kasse_floor: %s\n", message.c_str());
  std::exit(1);
}

void Check(const rocksdb::Status& status, const char* what) {
  if (!status.ok()) Die(std::string(what) + ": " + status.ToString());
}

// kasse's MakeOptions() (ledger/store.cc), as far as it concerns writing and reading events.
rocksdb::Options KasseOptions() {
  rocksdb::Options options;
  options.compression = rocksdb::kLZ4Compression;
  options.bottommost_compression = rocksdb::kZSTD;
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  options.max_open_files = -1;
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.keep_log_file_num = 2;
  options.max_total_wal_size = 64 << 20;
  return options;
}

std::string SeqKey(uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[static_cast<size_t>(i)] = static_cast<char>(seq & 0xff);
    seq >>= 8;
  }
  return key;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// A value shaped like a stored kasse event: a 53-byte envelope whose 32-byte previous hash is
// incompressible, then a payload of ids, dates, amounts and category names that compresses the
// way such text does.
class ValueMaker {
 public:
  explicit ValueMaker(size_t size) : size_(size) {}

  void Make(uint64_t seq, std::string* value) {
    value->clear();
    value->append("kev1\x01\x07\x00\x01\x00", 9);
    value->append(SeqKey(seq));
    for (int i = 0; i < 4; ++i) {
      state_ ^= state_ << 13;
      state_ ^= state_ >> 7;
      state_ ^= state_ << 17;
      value->append(reinterpret_cast<const char*>(&state_), sizeof(state_));
    }
    static const char* const kWords[] = {
        "expense.paid",     "2022-03-01",    "Hardware",   "129.90",    "B-2022-0001234",
        "exp-2022-0004711", "Kommunikation", "dues.paid",  "M-0012345", "250.00",
        "Reisekosten",      "Musterbank eG", "2019-11-27", "Spenden"};
    char number[24];
    std::snprintf(number, sizeof(number), "%llu", static_cast<unsigned long long>(seq));
    size_t word = seq % 7;
    while (value->size() < size_) {
      value->append(kWords[word % (sizeof(kWords) / sizeof(kWords[0]))]);
      value->append(number);
      word += 3;
    }
    value->resize(size_);
  }

 private:
  size_t size_;
  uint64_t state_ = 0x9e3779b97f4a7c15ULL;
};

struct Args {
  std::string dir;
  uint64_t count = 0;
  size_t size = 200;
  size_t batch = 16384;
  bool sync_every = false;
  int entries = 1;
  std::string mean_size_of;
  std::string decode_of;
  bool binary_archive = false;
};

Args Parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value after " + flag);
      return argv[++i];
    };
    if (flag == "--dir") {
      args.dir = next();
    } else if (flag == "--count") {
      args.count = std::stoull(next());
    } else if (flag == "--size") {
      args.size = std::stoul(next());
    } else if (flag == "--batch") {
      args.batch = std::stoul(next());
    } else if (flag == "--sync") {
      const std::string mode = next();
      if (mode != "final" && mode != "every") Die("--sync is final or every");
      args.sync_every = mode == "every";
    } else if (flag == "--entries") {
      args.entries = std::stoi(next());
      if (args.entries != 1 && args.entries != 3) Die("--entries is 1 or 3");
    } else if (flag == "--mean-size") {
      args.mean_size_of = next();
    } else if (flag == "--decode") {
      args.decode_of = next();
    } else if (flag == "--archive") {
      const std::string archive = next();
      if (archive != "view" && archive != "binary") Die("--archive is view or binary");
      args.binary_archive = archive == "binary";
    } else {
      Die("unknown argument " + flag +
          "; usage: kasse_floor --dir DIR --count N --size BYTES [--batch B] [--sync final|every]"
          " [--entries 1|3] | --mean-size LEDGER | --decode LEDGER [--archive view|binary]");
    }
  }
  return args;
}

// Opens a kasse ledger read-only with all its column families; the index of "events" in
// *handles goes to *events.
std::unique_ptr<rocksdb::DB> OpenLedger(const std::string& path,
                                        std::vector<rocksdb::ColumnFamilyHandle*>* handles,
                                        size_t* events) {
  std::vector<std::string> names;
  Check(rocksdb::DB::ListColumnFamilies(rocksdb::Options(), path, &names), "listing families");
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  *events = names.size();
  for (size_t i = 0; i < names.size(); ++i) {
    descriptors.emplace_back(names[i], rocksdb::ColumnFamilyOptions(KasseOptions()));
    if (names[i] == "events") *events = i;
  }
  if (*events == names.size()) Die(path + " has no events column family");
  rocksdb::DB* raw = nullptr;
  Check(rocksdb::DB::OpenForReadOnly(KasseOptions(), path, descriptors, handles, &raw),
        "opening the ledger read-only");
  return std::unique_ptr<rocksdb::DB>(raw);
}

int MeanSize(const std::string& path) {
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  size_t events = 0;
  std::unique_ptr<rocksdb::DB> db = OpenLedger(path, &handles, &events);
  uint64_t count = 0, bytes = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[events]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++count;
      bytes += it->value().size();
    }
    Check(it->status(), "scanning");
  }
  for (auto* handle : handles) {
    uint64_t table_file_bytes = 0;
    if (!db->GetIntProperty(handle, "rocksdb.total-sst-files-size", &table_file_bytes)) {
      Die("no table file size for the family " + handle->GetName());
    }
    std::printf("table_file_bytes_%s=%llu\n", handle->GetName().c_str(),
                static_cast<unsigned long long>(table_file_bytes));
    db->DestroyColumnFamilyHandle(handle);
  }
  std::printf("events=%llu\nmean_event_bytes=%.1f\n", static_cast<unsigned long long>(count),
              count ? static_cast<double>(bytes) / static_cast<double>(count) : 0.0);
  return 0;
}

// Scans the events of a kasse ledger, hashing and decoding each.
int Decode(const std::string& path, bool binary_archive) {
  const auto decode = binary_archive ? kasse::DecodeEventWithBinaryIArchive : kasse::DecodeEvent;
  const auto start = std::chrono::steady_clock::now();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  size_t events = 0;
  std::unique_ptr<rocksdb::DB> db = OpenLedger(path, &handles, &events);
  uint64_t count = 0;
  uint64_t checksum = 0;  // keeps the work from being optimised away
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[events]));
    kasse::Event event;
    kasse::Sha256 prev_hash;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const kasse::Sha256 hash = kasse::ComputeSha256(it->value().ToStringView());
      const kasse::Status decoded = decode(it->value().ToStringView(), &event, &prev_hash);
      if (!decoded.ok()) Die("event " + std::to_string(count + 1) + ": " + decoded.message());
      checksum += hash[0] + event.id.size();
      ++count;
    }
    Check(it->status(), "scanning");
  }
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  db.reset();
  const double seconds = Seconds(start);
  std::printf("events=%llu\ndecode_seconds=%.4f\ndecode_events_per_s=%.0f\nchecksum=%llu\n",
              static_cast<unsigned long long>(count), seconds, static_cast<double>(count) / seconds,
              static_cast<unsigned long long>(checksum));
  return 0;
}

std::vector<rocksdb::ColumnFamilyDescriptor> FloorFamilies() {
  return {{rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(KasseOptions())},
          {"events", rocksdb::ColumnFamilyOptions(KasseOptions())},
          {"ids", rocksdb::ColumnFamilyOptions(KasseOptions())},
          {"personal", rocksdb::ColumnFamilyOptions(KasseOptions())}};
}

// Pseudo-random lowercase text of `size` characters.
std::string RandomText(uint64_t* state, size_t size) {
  std::string text;
  while (text.size() < size) {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    uint64_t bits = *state;
    for (int i = 0; i < 12 && text.size() < size; ++i, bits >>= 5) {
      text.push_back(static_cast<char>('a' + bits % 26));
    }
  }
  return text;
}

double Append(const Args& args) {
  const auto start = std::chrono::steady_clock::now();
  rocksdb::Options options = KasseOptions();
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.error_if_exists = true;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  Check(rocksdb::DB::Open(options, args.dir, FloorFamilies(), &handles, &raw), "creating");
  std::unique_ptr<rocksdb::DB> db(raw);
  ValueMaker maker(args.size);
  uint64_t id_state = 0x2545f4914f6cdd1dULL;
  std::string value;
  rocksdb::WriteBatch batch;
  size_t in_batch = 0;
  for (uint64_t seq = 1; seq <= args.count; ++seq) {
    maker.Make(seq, &value);
    Check(batch.Put(handles[1], SeqKey(seq), value), "batching");
    if (args.entries == 3) {
      Check(batch.Put(handles[2], RandomText(&id_state, 16), SeqKey(seq)), "batching");
    }
    if (args.entries == 3 && seq % 4 != 0) {
      std::string personal_key = RandomText(&id_state, 26);
      personal_key.push_back('\0');
      personal_key += SeqKey(seq);
      Check(batch.Put(handles[3], personal_key, RandomText(&id_state, 20)), "batching");
    }
    if (++in_batch == args.batch && seq != args.count) {
      rocksdb::WriteOptions write;
      write.sync = args.sync_every;
      Check(db->Write(write, &batch), "writing a batch");
      batch.Clear();
      in_batch = 0;
    }
  }
  rocksdb::WriteOptions last;
  last.sync = true;
  Check(db->Write(last, &batch), "writing the last batch");
  rocksdb::FlushOptions flush;
  flush.wait = true;
  Check(db->Flush(flush, handles), "flushing");
  for (auto* handle : handles) Check(db->DestroyColumnFamilyHandle(handle), "closing");
  Check(db->Close(), "closing");
  db.reset();
  return Seconds(start);
}

double Scan(const Args& args, uint64_t* scanned) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  Check(rocksdb::DB::OpenForReadOnly(KasseOptions(), args.dir, FloorFamilies(), &handles, &raw),
        "opening read-only");
  std::unique_ptr<rocksdb::DB> db(raw);
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  if (md == nullptr || context == nullptr) Die("no SHA-256 in libcrypto");
  unsigned char hash[32];
  uint64_t count = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[1]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const rocksdb::Slice v = it->value();
      unsigned int size = 0;
      if (EVP_DigestInit_ex2(context, md, nullptr) != 1 ||
          EVP_DigestUpdate(context, v.data(), v.size()) != 1 ||
          EVP_DigestFinal_ex(context, hash, &size) != 1) {
        Die("SHA-256 failed");
      }
      ++count;
    }
    Check(it->status(), "scanning");
  }
  EVP_MD_CTX_free(context);
  EVP_MD_free(md);
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  db.reset();
  const double seconds = Seconds(start);
  if (count != args.count)
    Die("scanned " + std::to_string(count) + " values, not " + std::to_string(args.count));
  *scanned = count;
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  if (!args.mean_size_of.empty()) return MeanSize(args.mean_size_of);
  if (!args.decode_of.empty()) return Decode(args.decode_of, args.binary_archive);
  if (args.dir.empty() || args.count == 0 || args.size < 53 || args.batch == 0) {
    Die("need --dir, --count > 0, --size >= 53 and --batch > 0");
  }
  if (std::filesystem::exists(args.dir)) Die(args.dir + " exists; give a new directory");
  const double append = Append(args);
  uint64_t scanned = 0;
  const double scan = Scan(args, &scanned);
  uint64_t disk = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(args.dir)) {
    if (entry.is_regular_file()) disk += entry.file_size();
  }
  const double n = static_cast<double>(args.count);
  std::printf("count=%llu\nsize=%zu\nbatch=%zu\nsync=%s\nentries=%d\n",
              static_cast<unsigned long long>(scanned), args.size, args.batch,
              args.sync_every ? "every" : "final", args.entries);
  std::printf("append_seconds=%.4f\nappend_events_per_s=%.0f\n", append, n / append);
  std::printf("scan_seconds=%.4f\nscan_events_per_s=%.0f\n", scan, n / scan);
  std::printf("disk_bytes_per_event=%.1f\n", static_cast<double>(disk) / n);
  return 0;
}
