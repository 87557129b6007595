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
//     With --ingest it writes the same data without write batches: per chunk of --batch events one
//     table file per family (rocksdb::SstFileWriter, with the family's options; the events come
//     sorted, the ids and personal records of the chunk are sorted in memory), all of a chunk's
//     files ingested in one IngestExternalFiles call (atomic across the families, move_files).
//     --ingest-once ingests every chunk's files at the end in a single call instead, an import
//     that lands whole or not at all. Each file is synced when finished and when ingested, so
//     --sync does not apply; nothing is flushed, since nothing passes the memtables. It also
//     prints table_files_by_level_FAMILY= (levels 0 to 6) as the ingestion left them: an ingested
//     file goes to the deepest level it overlaps nothing in, so chunks of the unordered ids and
//     personal records climb a level each and then pile up in level 0.
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
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>

#include "ledger/codec.h"
#include "ledger/hash.h"

#include <algorithm>
#include <array>
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
  bool ingest = false;
  bool ingest_once = false;
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
    } else if (flag == "--ingest") {
      args.ingest = true;
    } else if (flag == "--ingest-once") {
      args.ingest = true;
      args.ingest_once = true;
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
          " [--entries 1|3] [--ingest | --ingest-once] | --mean-size LEDGER | --decode LEDGER "
          "[--archive view|binary]");
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

// Makes, event by event, what kasse's import writes: the value under its sequence key in
// "events" (family 1) and, with --entries 3, the id index entry in "ids" (2) and for three
// events in four the personal record in "personal" (3). Both append paths draw from it, so they
// store the same data.
class EntryMaker {
 public:
  EntryMaker(size_t size, int entries) : values_(size), entries_(entries) {}

  // Calls put(family, key, value) for each entry of event `seq`.
  template <typename Put>
  void Make(uint64_t seq, Put&& put) {
    const std::string key = SeqKey(seq);
    values_.Make(seq, &value_);
    put(1, key, value_);
    if (entries_ != 3) return;
    put(2, RandomText(&id_state_, 16), key);
    if (seq % 4 == 0) return;
    std::string personal_key = RandomText(&id_state_, 26);
    personal_key.push_back('\0');
    personal_key += key;
    put(3, personal_key, RandomText(&id_state_, 20));
  }

 private:
  ValueMaker values_;
  int entries_;
  uint64_t id_state_ = 0x2545f4914f6cdd1dULL;
  std::string value_;
};

std::unique_ptr<rocksdb::DB> CreateFloor(const Args& args,
                                         std::vector<rocksdb::ColumnFamilyHandle*>* handles) {
  rocksdb::Options options = KasseOptions();
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.error_if_exists = true;
  rocksdb::DB* raw = nullptr;
  Check(rocksdb::DB::Open(options, args.dir, FloorFamilies(), handles, &raw), "creating");
  return std::unique_ptr<rocksdb::DB>(raw);
}

void CloseFloor(std::unique_ptr<rocksdb::DB> db,
                const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  for (auto* handle : handles) Check(db->DestroyColumnFamilyHandle(handle), "closing");
  Check(db->Close(), "closing");
}

double Append(const Args& args) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::unique_ptr<rocksdb::DB> db = CreateFloor(args, &handles);
  EntryMaker maker(args.size, args.entries);
  rocksdb::WriteBatch batch;
  size_t in_batch = 0;
  for (uint64_t seq = 1; seq <= args.count; ++seq) {
    maker.Make(seq, [&](int family, const rocksdb::Slice& key, const rocksdb::Slice& value) {
      Check(batch.Put(handles[static_cast<size_t>(family)], key, value), "batching");
    });
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
  CloseFloor(std::move(db), handles);
  return Seconds(start);
}

// An id index entry or a personal record held until its chunk is sorted: fixed-size, so a
// chunk is one allocation per family and sorting moves no heap strings.
template <size_t KeyBytes, size_t ValueBytes>
struct HeldEntry {
  std::array<char, KeyBytes> key;
  std::array<char, ValueBytes> value;

  // memcmp, not std::array's <, which compares signed chars: RocksDB orders bytes unsigned.
  bool operator<(const HeldEntry& other) const {
    return std::memcmp(key.data(), other.key.data(), KeyBytes) < 0;
  }
};

template <size_t KeyBytes, size_t ValueBytes>
void Hold(const rocksdb::Slice& key, const rocksdb::Slice& value,
          std::vector<HeldEntry<KeyBytes, ValueBytes>>* held) {
  if (key.size() != KeyBytes || value.size() != ValueBytes) Die("entry of unexpected size");
  held->emplace_back();
  std::memcpy(held->back().key.data(), key.data(), KeyBytes);
  std::memcpy(held->back().value.data(), value.data(), ValueBytes);
}

// The table files of one chunk, one per family, each for the SstFileWriter of that family.
class ChunkFiles {
 public:
  ChunkFiles(const std::string& staging_dir, uint64_t chunk,
             const std::vector<rocksdb::ColumnFamilyHandle*>& handles, int entries)
      : options_(KasseOptions()) {
    const size_t families = entries == 3 ? 3 : 1;
    for (size_t family = 1; family <= families; ++family) {
      // invalidate_page_cache = false: the default drops each written megabyte from the page
      // cache, which a flush does not, and would make the scan read from the disk.
      writers_.push_back(std::make_unique<rocksdb::SstFileWriter>(
          rocksdb::EnvOptions(), options_, handles[family], /*invalidate_page_cache=*/false));
      paths_.push_back(staging_dir + "/" + std::to_string(chunk) + "-" +
                       handles[family]->GetName() + ".sst");
      Check(writers_.back()->Open(paths_.back()), "opening a table file");
    }
    puts_.assign(writers_.size(), 0);
  }

  // Events come in key order and go straight to their file; the others are held to be sorted.
  void Add(int family, const rocksdb::Slice& key, const rocksdb::Slice& value) {
    if (family == 1) {
      Check(writers_[0]->Put(key, value), "writing an event");
      ++puts_[0];
    } else if (family == 2) {
      Hold(key, value, &ids_);
    } else {
      Hold(key, value, &personal_);
    }
  }

  // Sorts and writes the held entries, finishes the files and adds each to the files of its
  // family in *files (indexed like the handles). A family without entries in this chunk (a
  // last chunk of events without personal records) gets no file: RocksDB refuses an empty one.
  void Finish(std::vector<rocksdb::IngestExternalFileArg>* files) {
    WriteSorted(&ids_, 1);
    WriteSorted(&personal_, 2);
    for (size_t i = 0; i < writers_.size(); ++i) {
      if (puts_[i] == 0) {
        writers_[i].reset();
        std::filesystem::remove(paths_[i]);
        continue;
      }
      Check(writers_[i]->Finish(), "finishing a table file");
      (*files)[i + 1].external_files.push_back(paths_[i]);
    }
  }

 private:
  template <typename Entry>
  void WriteSorted(std::vector<Entry>* held, size_t writer) {
    if (held->empty()) return;
    std::sort(held->begin(), held->end());
    for (const Entry& entry : *held) {
      Check(writers_[writer]->Put(rocksdb::Slice(entry.key.data(), entry.key.size()),
                                  rocksdb::Slice(entry.value.data(), entry.value.size())),
            "writing a sorted entry");
      ++puts_[writer];
    }
    std::vector<Entry>().swap(*held);
  }

  rocksdb::Options options_;  // outlives the writers, which keep pointers into it
  std::vector<std::unique_ptr<rocksdb::SstFileWriter>> writers_;
  std::vector<std::string> paths_;
  std::vector<uint64_t> puts_;  // entries written into each file
  std::vector<HeldEntry<16, 8>> ids_;
  std::vector<HeldEntry<35, 20>> personal_;
};

// Ingests the files of all families in one call, so they become visible together or not at all.
void IngestFiles(rocksdb::DB* db, std::vector<rocksdb::IngestExternalFileArg>* files) {
  std::vector<rocksdb::IngestExternalFileArg> nonempty;
  for (auto& family : *files) {
    if (!family.external_files.empty()) nonempty.push_back(family);
    family.external_files.clear();
  }
  Check(db->IngestExternalFiles(nonempty), "ingesting");
}

// The same data as Append, through table files of --batch events each (SstFileWriter) ingested
// after each chunk, or with --ingest-once all at the end in one call. Nothing passes the
// memtables or the write-ahead log, so there is nothing to flush; instead each table file is
// synced as it is finished and again when ingested.
double AppendByIngesting(const Args& args, std::vector<std::string>* files_by_level) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::unique_ptr<rocksdb::DB> db = CreateFloor(args, &handles);
  // Inside the database's directory, on its file system, so that move_files can hard-link.
  const std::string staging_dir = args.dir + "/staging";
  std::filesystem::create_directory(staging_dir);
  std::vector<rocksdb::IngestExternalFileArg> files(handles.size());
  for (size_t i = 0; i < handles.size(); ++i) {
    files[i].column_family = handles[i];
    files[i].options.move_files = true;
    // RocksDB 7.8 defaults to true, which rewrites the sequence number inside every file that
    // overlaps older data (each chunk's ids and personal records) and syncs it again.
    files[i].options.write_global_seqno = false;
  }
  EntryMaker maker(args.size, args.entries);
  for (uint64_t first = 1, chunk = 0; first <= args.count; first += args.batch, ++chunk) {
    const uint64_t last = std::min<uint64_t>(args.count, first + args.batch - 1);
    ChunkFiles chunk_files(staging_dir, chunk, handles, args.entries);
    for (uint64_t seq = first; seq <= last; ++seq) {
      maker.Make(seq, [&](int family, const rocksdb::Slice& key, const rocksdb::Slice& value) {
        chunk_files.Add(family, key, value);
      });
    }
    chunk_files.Finish(&files);
    if (!args.ingest_once) IngestFiles(db.get(), &files);
  }
  if (args.ingest_once) IngestFiles(db.get(), &files);
  std::filesystem::remove(staging_dir);
  for (auto* handle : handles) {
    std::string counts;
    for (int level = 0; level < db->NumberLevels(handle); ++level) {
      std::string count;
      db->GetProperty(handle, "rocksdb.num-files-at-level" + std::to_string(level), &count);
      counts += (level == 0 ? "" : ",") + count;
    }
    files_by_level->push_back(counts);
  }
  CloseFloor(std::move(db), handles);
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
  std::vector<std::string> files_by_level;
  const double append = args.ingest ? AppendByIngesting(args, &files_by_level) : Append(args);
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
  if (args.ingest) std::printf("ingest=%s\n", args.ingest_once ? "once" : "chunks");
  for (size_t i = 0; i < files_by_level.size(); ++i) {
    std::printf("table_files_by_level_%s=%s\n", FloorFamilies()[i].name.c_str(),
                files_by_level[i].c_str());
  }
  std::printf("append_seconds=%.4f\nappend_events_per_s=%.0f\n", append, n / append);
  std::printf("scan_seconds=%.4f\nscan_events_per_s=%.0f\n", scan, n / scan);
  std::printf("disk_bytes_per_event=%.1f\n", static_cast<double>(disk) / n);
  return 0;
}
