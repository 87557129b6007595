#include "ledger/store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/backup_engine.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/archive/basic_archive.hpp>
#include <cassert>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "ledger/codec.h"
#include "ledger/hash.h"
#include "ledger/ingest.h"
#include "ledger/read_ahead.h"
#include "ledger/rocks_options.h"

namespace kasse {

namespace {

// Indexes into kFamilyNames (ledger/rocks_options.h), and so into the ledger's handles.
enum Family : size_t { kMeta = 0, kEvents = 1, kIds = 2, kPersonal = 3, kState = 4 };
static_assert(kFamilyNames[kMeta] == "default" && kFamilyNames[kEvents] == "events" &&
              kFamilyNames[kIds] == "ids" && kFamilyNames[kPersonal] == "personal" &&
              kFamilyNames[kState] == "state");

constexpr char kKeyFormatVersion[] = "kasse.format_version";
constexpr char kKeyArchiveVersion[] = "kasse.boost_archive_version";
constexpr char kKeyName[] = "kasse.name";
constexpr char kKeyPepper[] = "kasse.pepper";
constexpr char kKeyHeadSeq[] = "kasse.head_seq";
constexpr char kKeyHeadHash[] = "kasse.head_hash";
// Set in the final batch of an append that wrote projection state ahead, to the head seq it
// committed: while it is there, the pending area of the state family shadows the stored state.
// A replay that wrote its new state ahead sets it to the head seq and kStateReplacesTag: then the
// pending area replaces the stored state, and a key it lacks is absent. (A kasse older than the
// tag refuses such a marker as damaged instead of misreading it.)
constexpr char kKeyStatePending[] = "kasse.state_pending";
constexpr std::string_view kStateReplacesTag = "replaces";

// The pending area of the state family: this byte, then the state key. Projection keys are
// printable text, so all of them sort before it, and a bound at it keeps readers of the stored
// state out; the area ends before kPendingStateEnd.
constexpr char kPendingStateMark = '\xff';
constexpr std::string_view kPendingStateStart = "\xff";
constexpr std::string_view kPendingStateEnd = "\xff\xff";

// Pending state entries moved into place per batch: bounds the memory of the move.
constexpr size_t kMoveStateEntriesMax = 16384;

// Events written ahead of a commit in chunks of this many, so an import of any size keeps its
// memory bounded. Each chunk becomes one table file per family (IngestAhead); the ids and personal
// records of every chunk overlap those before, so their files land in level 0 and are compacted
// with all of level 1: at 1M events, chunks of 16,384 spent 2.7 s of CPU compacting, chunks of
// 65,536 0.7 s (perf). Two chunks are held in memory (ledger/chunk.h), about 14 MB each at 1M
// events of the benchmark.
constexpr size_t kChunkEventsMax = 65536;

// The positive number in environment variable `name`, at most `bound`; `bound` when it is unset
// or not such a number. How the tests lower the bounds below.
size_t BoundFromEnvironment(const char* name, size_t bound) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return bound;
  char* end = nullptr;
  const unsigned long long parsed = std::strtoull(text, &end, 10);
  return *end == '\0' && parsed > 0 ? std::min<size_t>(parsed, bound) : bound;
}

// kChunkEventsMax, or less in $KASSE_CHUNK_EVENTS, with which the tests make imports of a few
// thousand events write ahead.
size_t ChunkEventsMax() {
  static const size_t events = BoundFromEnvironment("KASSE_CHUNK_EVENTS", kChunkEventsMax);
  return events;
}

// kChunkBytesMax, or less in $KASSE_CHUNK_BYTES_MAX, with which the tests reach that bound with
// small events.
size_t ChunkBytesMax() {
  static const size_t bytes = BoundFromEnvironment("KASSE_CHUNK_BYTES_MAX", kChunkBytesMax);
  return bytes;
}

// An append puts the ledger's ids into its filter of prefetched ids (Appender::FilterIdsOfLedger)
// once it has prefetched this many ids and at least a quarter as many as the ledger holds: a
// scan of the id index, which small appends to a large ledger should not pay for.
constexpr uint64_t kPrefetchesBeforeIdFilter = 16384;
constexpr uint64_t kLedgerIdsPerPrefetchMax = 4;

// kPrefetchesBeforeIdFilter, or less in $KASSE_ID_FILTER_AFTER, with which the tests make small
// imports use the filter.
uint64_t PrefetchesBeforeIdFilter() {
  static const uint64_t prefetches =
      BoundFromEnvironment("KASSE_ID_FILTER_AFTER", kPrefetchesBeforeIdFilter);
  return prefetches;
}

// Remains of an unfinished import are deleted in batches of this many events.
constexpr size_t kRemoveEventsPerBatch = 16384;

// An append remembers the salts it drew (format 2) for at most this many subjects, with each
// subject's last text and digest: about 5 MB. When it is full it forgets them all, and a
// subject's next record draws a new salt (at 1M events the benchmark has 41,000 subjects).
// Verify's pass that names a bad entry remembers as many salts (SubjectSalts), and a subject it
// forgot walks back to its salt once.
constexpr size_t kSubjectSaltsHeldMax = 32768;

// An append remembers the subjects of at most this many names (of payees, payers and donors),
// about 3 MB.
constexpr size_t kSubjectsHeldMax = 32768;

// Runs of at least this many events are decoded on a second thread (ForEachEvent).
constexpr uint64_t kReadAheadEventsMin = 4096;

// Each writer process leaves its write-ahead log (see avoid_flush_during_recovery), which every
// later open replays; past this many logs a writer flushes them into table files.
constexpr size_t kWriteAheadLogsMax = 32;

// An import that wrote chunks ahead leaves each chunk's ids and personal records as a level-0
// table file of their families until compaction merges them, and exits with those it has not
// merged yet: 11 of the id index after one 10M import. A recording opens every one of them (its
// lookups) and took 18.8 instead of 16.7 ms (medians of 9, alternating two 10M ledgers), so an
// import that leaves more than this many compacts those families before it ends.
constexpr int kLevel0FilesAfterImportMax = 4;
constexpr uint32_t kSubcompactionsAfterImport = 2;

// After an append of at least this many events the memtables are flushed, so that readers, which
// open a secondary instance and replay the write-ahead log, stay fast.
constexpr uint64_t kFlushAfterEvents = 4096;

// RocksDB locks the LOCK file with fcntl(); ask the kernel which process holds it.
int LockHolderPid(const std::string& path) {
  const int fd = ::open((path + "/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  const int result = ::fcntl(fd, F_GETLK, &lock);
  ::close(fd);
  return result == 0 && lock.l_type != F_UNLCK ? lock.l_pid : 0;
}

Status FromRocks(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return Status::Ok();
  if (status.IsNotFound()) return Status::NotFound(fmt::format("{}: {}", what, status.ToString()));
  if (status.IsCorruption()) {
    return Status::Corruption(fmt::format("{}: {}", what, status.ToString()));
  }
  return Status::IoError(fmt::format("{}: {}", what, status.ToString()));
}

std::string PendingStateKey(std::string_view key) {
  assert(!key.empty() && key[0] != kPendingStateMark);
  std::string pending(1, kPendingStateMark);
  pending += key;
  return pending;
}

std::string PersonalKey(std::string_view subject, uint64_t seq) {
  std::string key(subject);
  key.push_back('\0');
  key += SeqKey(seq);
  return key;
}

// The version of the Boost archive format that this build writes.
unsigned ArchiveVersion() {
  const boost::serialization::library_version_type version =
      boost::archive::BOOST_ARCHIVE_VERSION();
  const uint_least16_t number = version;
  return number;
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string SeqKey(uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[static_cast<size_t>(i)] = static_cast<char>(seq & 0xff);
    seq >>= 8;
  }
  return key;
}

uint64_t SeqFromKey(std::string_view key) {
  assert(key.size() == 8);
  uint64_t seq = 0;
  for (char c : key) seq = seq << 8 | static_cast<uint8_t>(c);
  return seq;
}

Ledger::~Ledger() {
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    if (db_ && handle != nullptr) db_->DestroyColumnFamilyHandle(handle);
  }
  handles_.clear();
  db_.reset();
}

Status Ledger::Create(const std::string& path, const std::string& name,
                      std::unique_ptr<Ledger>* ledger) {
  std::error_code error;
  if (std::filesystem::exists(path, error) && !std::filesystem::is_empty(path, error)) {
    return Status::Rejected(
        fmt::format("{} already exists; kasse init creates a new ledger only", path));
  }
  std::unique_ptr<Ledger> created;
  KASSE_RETURN_IF_ERROR(Open(path, OpenMode::kWrite, Appends::kFew, /*create=*/true, &created));
  uint8_t pepper[32];
  FillRandomBytes(pepper, sizeof(pepper));
  rocksdb::WriteBatch batch;
  rocksdb::ColumnFamilyHandle* meta = created->family(kMeta);
  batch.Put(meta, kKeyFormatVersion, std::to_string(kFormatVersion));
  batch.Put(meta, kKeyArchiveVersion, std::to_string(ArchiveVersion()));
  batch.Put(meta, kKeyName, name);
  batch.Put(meta, kKeyPepper, std::string(reinterpret_cast<char*>(pepper), sizeof(pepper)));
  batch.Put(meta, kKeyHeadSeq, SeqKey(0));
  batch.Put(meta, kKeyHeadHash, std::string(32, '\0'));
  batch.Put(meta, "kasse.created_at_unix_ms", std::to_string(NowUnixMs()));
  KASSE_RETURN_IF_ERROR(created->WriteSynced(&batch, true));
  KASSE_RETURN_IF_ERROR(created->LoadMetadata());
  *ledger = std::move(created);
  return Status::Ok();
}

Status Ledger::OpenForWrite(const std::string& path, Appends appends,
                            std::unique_ptr<Ledger>* ledger) {
  std::unique_ptr<Ledger> opened;
  KASSE_RETURN_IF_ERROR(Open(path, OpenMode::kWrite, appends, /*create=*/false, &opened));
  KASSE_RETURN_IF_ERROR(opened->LoadMetadata());
  // Committed pending state is rolled forward, uncommitted pending state rolled back, before
  // anything else writes: an Appender starts with an empty pending area.
  uint64_t moved_count = 0;
  KASSE_RETURN_IF_ERROR(opened->state_pending() ? opened->MovePendingState(&moved_count)
                                                : opened->RemovePendingState());
  KASSE_RETURN_IF_ERROR(opened->RemoveUncommittedEvents());
  KASSE_RETURN_IF_ERROR(
      FromRocks(RemoveStagedFiles(opened->StagingDir()), "removing an unfinished import"));
  KASSE_RETURN_IF_ERROR(opened->BoundWriteAheadLogs());
  if (appends != Appends::kMany) KASSE_RETURN_IF_ERROR(opened->CompactWhereLevel0IsFull());
  *ledger = std::move(opened);
  return Status::Ok();
}

Status Ledger::OpenForRead(const std::string& path, std::unique_ptr<Ledger>* ledger) {
  std::unique_ptr<Ledger> opened;
  KASSE_RETURN_IF_ERROR(Open(path, OpenMode::kRead, Appends::kFew, /*create=*/false, &opened));
  KASSE_RETURN_IF_ERROR(opened->LoadMetadata());
  *ledger = std::move(opened);
  return Status::Ok();
}

Status Ledger::OpenForReports(const std::string& path, std::unique_ptr<Ledger>* ledger) {
  std::unique_ptr<Ledger> opened;
  KASSE_RETURN_IF_ERROR(
      Open(path, OpenMode::kReadProjections, Appends::kFew, /*create=*/false, &opened));
  KASSE_RETURN_IF_ERROR(opened->LoadMetadata());
  *ledger = std::move(opened);
  return Status::Ok();
}

Status Ledger::Open(const std::string& path, OpenMode mode, Appends appends, bool create,
                    std::unique_ptr<Ledger>* ledger) {
  const bool for_write = mode == OpenMode::kWrite;
  std::error_code error;
  if (!create) {
    if (!std::filesystem::exists(path, error)) {
      return Status::NotFound(fmt::format(
          "no ledger at {}; create one with: kasse --db {} init --name \"...\"", path, path));
    }
    if (!std::filesystem::exists(std::filesystem::path(path) / "CURRENT", error)) {
      return Status::InvalidInput(
          fmt::format("{} is not a kasse ledger (no database there)", path));
    }
  }
  auto opened = std::unique_ptr<Ledger>(new Ledger());
  opened->path_ = path;
  opened->writable_ = for_write;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status;
  if (for_write) {
    status = rocksdb::DB::Open(WriterOptions(appends, create), path,
                               FamilyDescriptors(true, appends), &opened->handles_, &db);
  } else {
    const rocksdb::Options options = ReaderOptions();
    std::vector<rocksdb::ColumnFamilyDescriptor> families = FamilyDescriptors(false, Appends::kFew);
    if (mode == OpenMode::kReadProjections) {
      // Reports need no table file of the log, the id index or the personal data.
      families = {families[kMeta], families[kState]};
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    status = rocksdb::DB::OpenAsSecondary(options, path, kReaderFilesPath, families, &handles, &db);
    if (status.ok() && mode == OpenMode::kReadProjections) {
      handles = {handles[0], nullptr, nullptr, nullptr, handles[1]};
    }
    opened->handles_ = std::move(handles);
  }
  if (!status.ok()) {
    const std::string text = status.ToString();
    if (status.IsIOError() && text.find("lock") != std::string::npos) {
      const int pid = LockHolderPid(path);
      return Status::Busy(
          fmt::format("the ledger {} is in use by process {}; try again when it "
                      "has finished",
                      path, pid > 0 ? std::to_string(pid) : "?"));
    }
    if (status.IsInvalidArgument() && text.find("olumn famil") != std::string::npos) {
      return Status::InvalidInput(
          fmt::format("{} is a RocksDB database but not a kasse ledger ({})", path, text));
    }
    return FromRocks(status, fmt::format("cannot open the ledger {}", path));
  }
  opened->db_.reset(db);
  *ledger = std::move(opened);
  return Status::Ok();
}

Status Ledger::KeepTableFilesOpen() {
  assert(writable_);
  return FromRocks(db_->SetDBOptions({{"max_open_files", "-1"}}), "keeping table files open");
}

Status Ledger::BoundWriteAheadLogs() {
  rocksdb::VectorLogPtr logs;
  KASSE_RETURN_IF_ERROR(FromRocks(db_->GetSortedWalFiles(logs), "listing write-ahead logs"));
  if (logs.size() <= kWriteAheadLogsMax) return Status::Ok();
  rocksdb::FlushOptions flush;
  flush.wait = true;
  return FromRocks(db_->Flush(flush, handles_), "flushing memtables");
}

Status Ledger::CompactWhereLevel0IsFull() {
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    std::string files;
    if (!db_->GetProperty(handle, "rocksdb.num-files-at-level0", &files)) {
      return Status::IoError("cannot read the number of level-0 files");
    }
    // At RocksDB's slowdown trigger, compactions start again, so level 0 stays bounded (from
    // the stop trigger on, a write waits for them) however long only single events are written.
    const int full = db_->GetOptions(handle).level0_slowdown_writes_trigger;
    if (std::stoi(files) < full) continue;
    KASSE_RETURN_IF_ERROR(FromRocks(
        db_->SetOptions(handle, {{"disable_auto_compactions", "false"}}), "enabling compactions"));
  }
  return Status::Ok();
}

Status Ledger::CompactLevel0Of(std::initializer_list<size_t> families) {
  for (const size_t index : families) {
    std::string files;
    if (!db_->GetProperty(family(index), "rocksdb.num-files-at-level0", &files)) {
      return Status::IoError("cannot read the number of level-0 files");
    }
    if (std::stoi(files) <= kLevel0FilesAfterImportMax) continue;
    // The import waits for this with nothing else to do: split into key ranges, compacted on
    // threads of their own (RocksDB's subcompactions), it takes both cores.
    rocksdb::CompactRangeOptions options;
    options.max_subcompactions = kSubcompactionsAfterImport;
    KASSE_RETURN_IF_ERROR(FromRocks(db_->CompactRange(options, family(index), nullptr, nullptr),
                                    "compacting level 0"));
  }
  return Status::Ok();
}

Status Ledger::LoadMetadata() {
  rocksdb::ColumnFamilyHandle* meta = family(kMeta);
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), meta, kKeyFormatVersion, &value);
  if (status.IsNotFound()) {
    return Status::InvalidInput(
        fmt::format("{} is a RocksDB database but not a kasse ledger", path_));
  }
  KASSE_RETURN_IF_ERROR(FromRocks(status, "reading the format version"));
  const uint32_t format_version = static_cast<uint32_t>(std::stoul(value));
  if (format_version > kFormatVersion) {
    return Status::Rejected(fmt::format(
        "the ledger {} was written by a newer kasse (format version {}; this kasse reads up to "
        "{}); upgrade kasse",
        path_, format_version, kFormatVersion));
  }
  format_version_ = format_version;
  KASSE_RETURN_IF_ERROR(
      FromRocks(db_->Get(rocksdb::ReadOptions(), meta, kKeyArchiveVersion, &value), "metadata"));
  if (std::stoul(value) > ArchiveVersion()) {
    return Status::Rejected(fmt::format(
        "the ledger {} was written with Boost archive version {}, newer than this kasse's {}; "
        "upgrade kasse",
        path_, value, ArchiveVersion()));
  }
  KASSE_RETURN_IF_ERROR(
      FromRocks(db_->Get(rocksdb::ReadOptions(), meta, kKeyName, &name_), "metadata"));
  KASSE_RETURN_IF_ERROR(
      FromRocks(db_->Get(rocksdb::ReadOptions(), meta, kKeyPepper, &pepper_), "metadata"));
  KASSE_RETURN_IF_ERROR(
      FromRocks(db_->Get(rocksdb::ReadOptions(), meta, kKeyHeadSeq, &value), "metadata"));
  if (value.size() != 8) return Status::Corruption("the stored head sequence is not 8 bytes");
  head_seq_ = SeqFromKey(value);
  KASSE_RETURN_IF_ERROR(
      FromRocks(db_->Get(rocksdb::ReadOptions(), meta, kKeyHeadHash, &value), "metadata"));
  if (value.size() != head_hash_.size())
    return Status::Corruption("the stored head hash is not 32 bytes");
  std::copy(value.begin(), value.end(), head_hash_.begin());
  pending_state_ = PendingState::kNone;
  rocksdb::Status pending = db_->Get(rocksdb::ReadOptions(), meta, kKeyStatePending, &value);
  if (pending.IsNotFound()) return Status::Ok();
  KASSE_RETURN_IF_ERROR(FromRocks(pending, "metadata"));
  const std::string_view marker = value;
  const bool replaces =
      marker.size() == 8 + kStateReplacesTag.size() && marker.substr(8) == kStateReplacesTag;
  // Only the commit that sets the marker moves the head, and the next writer removes it first.
  if ((marker.size() != 8 && !replaces) || SeqFromKey(marker.substr(0, 8)) != head_seq_) {
    return Status::Corruption(fmt::format(
        "the marker of pending projection state does not name the head seq {}", head_seq_));
  }
  pending_state_ = replaces ? PendingState::kReplaces : PendingState::kShadows;
  return Status::Ok();
}

Status Ledger::MovePendingState(uint64_t* moved_count) {
  assert(writable_ && pending_state_ != PendingState::kNone);
  *moved_count = 0;
  rocksdb::ReadOptions options;
  const rocksdb::Slice upper(kPendingStateEnd.data(), kPendingStateEnd.size());
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family(kState)));
  rocksdb::WriteBatch batch;
  // A replacement moves into an empty stored state. Readers see only the pending area meanwhile,
  // and a writer after a crash deletes and moves again.
  if (pending_state_ == PendingState::kReplaces) {
    batch.DeleteRange(family(kState), "", kPendingStateStart);
  }
  size_t batched_entries = 0;
  for (it->Seek(kPendingStateStart); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    assert(key.size() > 1 && key[0] == kPendingStateMark);
    batch.Put(family(kState), key.substr(1), it->value());
    ++*moved_count;
    // Unsynced: until the last batch the marker stays, and a writer after a crash moves again.
    if (++batched_entries == kMoveStateEntriesMax) {
      KASSE_RETURN_IF_ERROR(WriteSynced(&batch, false));
      batch.Clear();
      batched_entries = 0;
    }
  }
  KASSE_RETURN_IF_ERROR(FromRocks(it->status(), "reading pending projection state"));
  // A moved value equals its pending one, so a reader sees the same state at every step of the
  // move; the pending area and the marker go together.
  batch.DeleteRange(family(kState), kPendingStateStart, kPendingStateEnd);
  batch.Delete(family(kMeta), kKeyStatePending);
  KASSE_RETURN_IF_ERROR(WriteSynced(&batch, true));
  pending_state_ = PendingState::kNone;
  return Status::Ok();
}

Status Ledger::RemovePendingState() {
  assert(writable_);
  pending_state_ = PendingState::kNone;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family(kState)));
  it->Seek(kPendingStateStart);
  KASSE_RETURN_IF_ERROR(FromRocks(it->status(), "reading pending projection state"));
  if (!it->Valid()) return Status::Ok();
  rocksdb::WriteBatch batch;
  batch.DeleteRange(family(kState), kPendingStateStart, kPendingStateEnd);
  // Unsynced is enough: the commit that could make a later pending area visible is synced and
  // so makes this deletion durable before it.
  return WriteSynced(&batch, false);
}

Status Ledger::RemoveUncommittedEvents() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family(kEvents)));
  rocksdb::WriteBatch batch;
  uint64_t last_seq = 0;
  size_t batched_events = 0;
  for (it->Seek(SeqKey(head_seq_ + 1)); it->Valid(); it->Next()) {
    last_seq = SeqFromKey(it->key().ToStringView());
    Event event;
    Sha256 prev_hash;
    // Undecodable remains are deleted all the same; an index entry they leave behind is harmless
    // because the lookups check that the event it points to carries the id.
    if (DecodeEvent(it->value().ToStringView(), &event, &prev_hash).ok()) {
      batch.Delete(family(kIds), event.id);
      if (!event.subject.empty()) {
        batch.Delete(family(kPersonal), PersonalKey(event.subject, last_seq));
      }
    }
    // In chunks, so that removing a huge import keeps memory bounded. Unsynced is enough: the
    // events stay until the last, synced write, so a crash here only leaves work for next time.
    if (++batched_events == kRemoveEventsPerBatch) {
      KASSE_RETURN_IF_ERROR(WriteSynced(&batch, false));
      batch.Clear();
      batched_events = 0;
    }
  }
  KASSE_RETURN_IF_ERROR(FromRocks(it->status(), "scanning for an unfinished import"));
  if (last_seq == 0) return Status::Ok();
  batch.DeleteRange(family(kEvents), SeqKey(head_seq_ + 1), SeqKey(last_seq + 1));
  return WriteSynced(&batch, true);
}

Status Ledger::WriteSynced(rocksdb::WriteBatch* batch, bool sync) {
  assert(writable_);
  rocksdb::WriteOptions options;
  options.sync = sync;  // explicit on every write: acknowledged means on disk
  options.disableWAL = false;
  return FromRocks(db_->Write(options, batch), "writing to the ledger");
}

namespace {

// The families of a ledger that a chunk puts into, in the order of ChunkFamily.
constexpr std::array<Family, kChunkFamilies> kChunkFamilyIndexes = {kEvents, kIds, kPersonal};

}  // namespace

IngestFamily Ledger::IngestFamilyOf(size_t index) const {
  const std::vector<rocksdb::ColumnFamilyDescriptor> descriptors =
      FamilyDescriptors(/*for_write=*/true, Appends::kMany);
  rocksdb::Options options(rocksdb::DBOptions(MakeOptions(false)), descriptors[index].options);
  // SstFileWriter compresses with the bottommost compression, which for the log is zstd with a
  // trained dictionary: half of the bulk path's CPU (bench/ANALYSIS.md). LZ4, as in the files
  // that flushes write, until a compaction (kasse compact) rewrites them.
  options.bottommost_compression = rocksdb::kLZ4Compression;
  options.bottommost_compression_opts = rocksdb::CompressionOptions();
  return {handles_[index], options};
}

Status Ledger::IngestAhead(const Chunk& chunk) {
  assert(writable_);
  if (ingest_families_.empty()) {
    for (const size_t index : kChunkFamilyIndexes)
      ingest_families_.push_back(IngestFamilyOf(index));
  }
  std::vector<std::vector<ChunkPut>> puts_by_family;
  for (size_t family = 0; family < kChunkFamilies; ++family) {
    puts_by_family.push_back(chunk.Puts(static_cast<ChunkFamily>(family)));
  }
  return FromRocks(IngestPuts(db_.get(), ingest_families_, StagingDir(),
                              fmt::format("{:016x}", chunk.first_seq()), &puts_by_family),
                   "writing an import ahead");
}

void Ledger::StageChunk(const Chunk& chunk, rocksdb::WriteBatch* batch) const {
  for (size_t family = 0; family < kChunkFamilies; ++family) {
    rocksdb::ColumnFamilyHandle* handle = handles_[kChunkFamilyIndexes[family]];
    for (const ChunkPut& put : chunk.Puts(static_cast<ChunkFamily>(family))) {
      batch->Put(handle, put.key, put.value);
    }
  }
}

Status Ledger::CheckRecorded(uint64_t seq) const {
  if (seq == 0 || seq > head_seq_) {
    return Status::NotFound(
        fmt::format("no event with seq {} (the ledger has {})", seq, head_seq_));
  }
  return Status::Ok();
}

Status Ledger::ReadEvent(uint64_t seq, Event* event) const {
  KASSE_RETURN_IF_ERROR(CheckRecorded(seq));
  return ReadEventUnbounded(seq, /*with_personal=*/true, event);
}

Status Ledger::ReadEventWithoutPersonal(uint64_t seq, Event* event) const {
  KASSE_RETURN_IF_ERROR(CheckRecorded(seq));
  return ReadEventUnbounded(seq, /*with_personal=*/false, event);
}

Status Ledger::HashOfEvent(uint64_t seq, Sha256* hash) const {
  KASSE_RETURN_IF_ERROR(CheckRecorded(seq));
  std::string bytes;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), family(kEvents), SeqKey(seq), &bytes);
  if (status.IsNotFound()) return Status::Corruption(fmt::format("event seq {} is missing", seq));
  KASSE_RETURN_IF_ERROR(FromRocks(status, "reading an event"));
  *hash = ComputeSha256(bytes);
  return Status::Ok();
}

Status Ledger::ReadEventUnbounded(uint64_t seq, bool with_personal, Event* event) const {
  std::string bytes;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), family(kEvents), SeqKey(seq), &bytes);
  if (status.IsNotFound()) return Status::Corruption(fmt::format("event seq {} is missing", seq));
  KASSE_RETURN_IF_ERROR(FromRocks(status, "reading an event"));
  Sha256 prev_hash;
  Status decoded = DecodeEvent(bytes, event, &prev_hash);
  if (!decoded.ok()) return decoded.WithContext(fmt::format("event seq {}", seq));
  return with_personal ? JoinPersonal(event) : Status::Ok();
}

Status Ledger::ReadPersonalRecord(const Event& event, std::string* record) const {
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), family(kPersonal),
                                    PersonalKey(event.subject, event.seq), record);
  if (status.IsNotFound()) {
    return Status::NotFound(fmt::format("personal data of event seq {} is missing", event.seq));
  }
  return FromRocks(status, "reading personal data");
}

Status Ledger::PersonalDigestOf(const Event& event, SubjectSalts* salts, Sha256* digest) const {
  std::string record;
  KASSE_RETURN_IF_ERROR(ReadPersonalRecord(event, &record));
  PersonalRecord parsed;
  KASSE_RETURN_IF_ERROR(ParsePersonal(personal_format(), record, &parsed));
  if (!parsed.salt) {
    // Every record of the subject before this one was read in this pass, so the remembered salt
    // is that of the nearest one holding a salt, the one FindEarlierSalt walks back to.
    const auto remembered = salts->latest.find(event.subject);
    if (remembered != salts->latest.end()) {
      parsed.salt = remembered->second;
    } else {
      KASSE_RETURN_IF_ERROR(FindEarlierSalt(event, &parsed.salt));
    }
  }
  if (salts->latest.size() >= kSubjectSaltsHeldMax) salts->latest.clear();
  salts->latest.insert_or_assign(event.subject, *parsed.salt);
  *digest = PersonalDigest(*parsed.salt, parsed.text);
  return Status::Ok();
}

// Walks back over the subject's earlier records to the nearest one that holds a salt. Only verify
// needs this, when it names a bad event; reading an event needs the text alone.
Status Ledger::FindEarlierSalt(const Event& event, std::optional<PersonalSalt>* salt) const {
  const std::string lower = PersonalKey(event.subject, 0);
  const rocksdb::Slice lower_slice(lower);
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family(kPersonal)));
  for (it->SeekForPrev(PersonalKey(event.subject, event.seq - 1)); it->Valid(); it->Prev()) {
    PersonalRecord earlier;
    KASSE_RETURN_IF_ERROR(
        ParsePersonal(personal_format(), it->value().ToStringView(), &earlier)
            .WithContext(fmt::format("an earlier personal record of {}", event.subject)));
    if (earlier.salt) {
      *salt = earlier.salt;
      return Status::Ok();
    }
  }
  KASSE_RETURN_IF_ERROR(FromRocks(it->status(), "reading personal data"));
  return Status::Corruption(
      "its personal data has lost its salt: no earlier record of its subject holds one");
}

Status Ledger::JoinPersonal(Event* event) const {
  event->personal.reset();
  if (event->subject.empty()) return Status::Ok();
  std::string record;
  Status status = ReadPersonalRecord(*event, &record);
  if (status.code() == Status::Code::kNotFound) return Status::Ok();  // erased; verify judges it
  KASSE_RETURN_IF_ERROR(status);
  PersonalRecord parsed;
  KASSE_RETURN_IF_ERROR(ParsePersonal(personal_format(), record, &parsed)
                            .WithContext(fmt::format("personal data of event seq {}", event->seq)));
  event->personal = std::string(parsed.text);
  return Status::Ok();
}

Status Ledger::IndexedSeq(std::string_view id, uint64_t* seq) const {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), family(kIds), id, &value);
  if (status.IsNotFound()) return Status::NotFound(fmt::format("no event with id \"{}\"", id));
  KASSE_RETURN_IF_ERROR(FromRocks(status, "reading the id index"));
  if (value.size() != 8) {
    return Status::Corruption(fmt::format("id index entry of \"{}\" is damaged", id));
  }
  const uint64_t found = SeqFromKey(value);
  if (found == 0 || found > head_seq_) {
    return Status::NotFound(fmt::format("no event with id \"{}\"", id));
  }
  *seq = found;
  return Status::Ok();
}

Status Ledger::FindId(std::string_view id, uint64_t* seq) const {
  Event event;
  return ReadEventOfId(id, head_seq_ + 1, seq, &event);
}

Status Ledger::FindEventBefore(std::string_view id, uint64_t before_seq, bool with_personal,
                               Event* event) const {
  uint64_t seq = 0;
  KASSE_RETURN_IF_ERROR(ReadEventOfId(id, before_seq, &seq, event));
  return with_personal ? JoinPersonal(event) : Status::Ok();
}

Status Ledger::ReadEventOfId(std::string_view id, uint64_t before_seq, uint64_t* seq,
                             Event* event) const {
  uint64_t found = 0;
  KASSE_RETURN_IF_ERROR(IndexedSeq(id, &found));
  if (found >= before_seq) return Status::NotFound(fmt::format("no event with id \"{}\"", id));
  KASSE_RETURN_IF_ERROR(ReadEventUnbounded(found, /*with_personal=*/false, event));
  // An entry can outlive the remains of a crashed import that could not be decoded; the event
  // it points to then carries another id.
  if (event->id != id) return Status::NotFound(fmt::format("no event with id \"{}\"", id));
  *seq = found;
  return Status::Ok();
}

Status Ledger::ForEachEvent(uint64_t first_seq, uint64_t last_seq, bool with_personal,
                            const EventVisitor& visit, NamedEvents named,
                            StoredBytes stored) const {
  if (first_seq == 0) first_seq = 1;
  last_seq = std::min(last_seq, head_seq_);
  if (first_seq > last_seq) return Status::Ok();
  if (last_seq - first_seq < kReadAheadEventsMin) {
    Event event;
    return DecodeEachEvent(
        first_seq, last_seq, with_personal, [&event]() { return &event; },
        [&visit, stored](const EventRecord& record) {
          if (stored == StoredBytes::kVisited) return visit(record);
          return visit({record.event, record.prev_hash, std::string_view(), record.named});
        });
  }
  // Long runs (replay, verify, a report as of a date) decode on a second thread while this one
  // visits: decoding and visiting cost about the same. Each event is decoded into its slot of
  // the read-ahead (a spent one, whose strings it reuses), not copied there.
  struct Decoded {
    Event event;
    Sha256 prev_hash;
    std::string stored_bytes;
    // The event that `event` names, when it was read ahead (has_named). Out of line: a second
    // Event in every slot doubled the read-ahead's memory and made a replay a tenth to a fifth
    // slower (1M events, alternating).
    struct Named {
      std::string id;
      Status status;
      Event event;
    };
    std::unique_ptr<Named> named;
    bool has_named = false;
  };
  ReadAhead<Decoded> decoded([&](ReadAhead<Decoded>::Emitter& emit) {
    bool consumer_gone = false;
    Status status = DecodeEachEvent(
        first_seq, last_seq, with_personal, [&emit]() { return &emit.slot().event; },
        [&](const EventRecord& record) {
          Decoded& slot = emit.slot();
          assert(&record.event == &slot.event);
          slot.prev_hash = record.prev_hash;
          if (stored == StoredBytes::kVisited) slot.stored_bytes.assign(record.stored_bytes);
          const auto* reversal = std::get_if<EntryReversed>(&record.event.body);
          slot.has_named = named == NamedEvents::kReadAhead && reversal != nullptr;
          if (slot.has_named) {
            if (!slot.named) slot.named = std::make_unique<Decoded::Named>();
            slot.named->id = reversal->reverses;
            slot.named->status =
                FindEventBefore(slot.named->id, record.event.seq, record.event.personal.has_value(),
                                &slot.named->event);
          }
          consumer_gone = !emit.Publish();
          // Any error stops the iteration; it is not reported, as nobody listens any more.
          return consumer_gone ? Status::NotFound("stopped") : Status::Ok();
        });
    return consumer_gone ? Status::Ok() : status;
  });
  while (true) {
    Decoded* next = nullptr;
    bool done = false;
    KASSE_RETURN_IF_ERROR(decoded.NextInPlace(&next, &done));
    if (done) return Status::Ok();
    if (!next->has_named) {
      KASSE_RETURN_IF_ERROR(visit({next->event, next->prev_hash, next->stored_bytes}));
      continue;
    }
    const NamedEvent named_event{next->named->id, next->named->status, next->named->event};
    KASSE_RETURN_IF_ERROR(visit({next->event, next->prev_hash, next->stored_bytes, &named_event}));
  }
}

Status Ledger::DecodeEachEvent(uint64_t first_seq, uint64_t last_seq, bool with_personal,
                               const std::function<Event*()>& target,
                               const EventVisitor& visit) const {
  rocksdb::ReadOptions options;
  const std::string upper = SeqKey(last_seq + 1);
  rocksdb::Slice upper_slice(upper);
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family(kEvents)));
  uint64_t expected_seq = first_seq;
  Sha256 prev_hash;
  for (it->Seek(SeqKey(first_seq)); it->Valid(); it->Next(), ++expected_seq) {
    const uint64_t seq = SeqFromKey(it->key().ToStringView());
    if (seq != expected_seq) {
      return Status::Corruption(fmt::format("event seq {} is missing", expected_seq));
    }
    Event* event = target();
    Status decoded = DecodeEvent(it->value().ToStringView(), event, &prev_hash);
    if (!decoded.ok()) return decoded.WithContext(fmt::format("event seq {}", seq));
    if (with_personal) KASSE_RETURN_IF_ERROR(JoinPersonal(event));
    KASSE_RETURN_IF_ERROR(visit({*event, prev_hash, it->value().ToStringView()}));
  }
  KASSE_RETURN_IF_ERROR(FromRocks(it->status(), "reading events"));
  if (expected_seq != last_seq + 1) {
    return Status::Corruption(fmt::format("event seq {} is missing", expected_seq));
  }
  return Status::Ok();
}

Status Ledger::LastSeqRecordedBy(int64_t unix_ms, uint64_t* seq) const {
  uint64_t low = 0;  // invariant: events 1..low were recorded by unix_ms
  uint64_t high = head_seq_;
  while (low < high) {
    const uint64_t middle = low + (high - low + 1) / 2;
    Event event;
    KASSE_RETURN_IF_ERROR(ReadEventUnbounded(middle, /*with_personal=*/false, &event));
    if (event.recorded_at_unix_ms <= unix_ms) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  *seq = low;
  return Status::Ok();
}

Status Ledger::ForEachStoredBytes(const BytesVisitor& visit) const {
  rocksdb::ReadOptions options;
  const std::string upper = SeqKey(head_seq_ + 1);
  rocksdb::Slice upper_slice(upper);
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family(kEvents)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return Status::Corruption("an event key is not 8 bytes");
    KASSE_RETURN_IF_ERROR(
        visit({SeqFromKey(it->key().ToStringView()), it->value().ToStringView()}));
  }
  return FromRocks(it->status(), "reading events");
}

Status Ledger::ForEachIndexEntry(const IndexVisitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family(kIds)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice value = it->value();
    const uint64_t seq = value.size() == 8 ? SeqFromKey(value.ToStringView()) : 0;
    if (seq > head_seq_) continue;
    KASSE_RETURN_IF_ERROR(visit(it->key().ToStringView(), seq));
  }
  return FromRocks(it->status(), "reading the id index");
}

Status Ledger::ForEachPersonalDigest(const PersonalVisitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), family(kPersonal)));
  // A subject's records come in seq order, so the salt a record without one uses is the last
  // salt seen for its subject.
  std::string salt_subject;
  std::optional<PersonalSalt> salt;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    // The key is subject, 0x00, 8-byte seq (PersonalKey).
    const std::string_view key = it->key().ToStringView();
    const bool well_formed = key.size() >= 9 && key[key.size() - 9] == '\0';
    const uint64_t seq = well_formed ? SeqFromKey(key.substr(key.size() - 8)) : 0;
    if (seq > head_seq_) continue;
    const std::string_view subject = well_formed ? key.substr(0, key.size() - 9) : key;
    if (subject != salt_subject) {
      salt_subject = subject;
      salt.reset();
    }
    PersonalRecord parsed;
    Sha256 digest{};
    if (ParsePersonal(personal_format(), it->value().ToStringView(), &parsed).ok()) {
      if (parsed.salt) salt = parsed.salt;
      if (salt) digest = PersonalDigest(*salt, parsed.text);
    }
    KASSE_RETURN_IF_ERROR(visit(subject, seq, digest));
  }
  return FromRocks(it->status(), "reading personal data");
}

Status Ledger::CountUncommittedEvents(uint64_t* count) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family(kEvents)));
  *count = 0;
  for (it->Seek(SeqKey(head_seq_ + 1)); it->Valid(); it->Next()) ++*count;
  return FromRocks(it->status(), "reading events");
}

Status Ledger::GetState(std::string_view key, std::string* value) const {
  if (pending_state_ != PendingState::kNone) {
    const rocksdb::Status pending =
        db_->Get(rocksdb::ReadOptions(), family(kState), PendingStateKey(key), value);
    if (!pending.IsNotFound() || pending_state_ == PendingState::kReplaces) {
      return FromRocks(pending, "reading pending state");
    }
  }
  return FromRocks(db_->Get(rocksdb::ReadOptions(), family(kState), key, value), "reading state");
}

Status Ledger::ForEachState(std::string_view prefix, const StateVisitor& visit) const {
  if (pending_state_ == PendingState::kShadows) return ForEachStateMerged(prefix, visit);
  if (pending_state_ == PendingState::kReplaces) return ForEachPendingState(prefix, visit);
  rocksdb::ReadOptions options;
  const rocksdb::Slice upper(kPendingStateStart.data(), kPendingStateStart.size());
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family(kState)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    KASSE_RETURN_IF_ERROR(visit(it->key().ToStringView(), it->value().ToStringView()));
  }
  return FromRocks(it->status(), "reading state");
}

Status Ledger::ForEachPendingState(std::string_view prefix, const StateVisitor& visit) const {
  rocksdb::ReadOptions options;
  const rocksdb::Slice upper(kPendingStateEnd.data(), kPendingStateEnd.size());
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family(kState)));
  const std::string pending_prefix = std::string(kPendingStateStart) + std::string(prefix);
  for (it->Seek(pending_prefix); it->Valid() && it->key().starts_with(pending_prefix); it->Next()) {
    KASSE_RETURN_IF_ERROR(visit(it->key().ToStringView().substr(1), it->value().ToStringView()));
  }
  return FromRocks(it->status(), "reading pending state");
}

// The stored state with the pending values in place of the stored ones, in key order.
Status Ledger::ForEachStateMerged(std::string_view prefix, const StateVisitor& visit) const {
  rocksdb::ReadOptions stored_options;
  const rocksdb::Slice stored_upper(kPendingStateStart.data(), kPendingStateStart.size());
  stored_options.iterate_upper_bound = &stored_upper;
  std::unique_ptr<rocksdb::Iterator> stored(db_->NewIterator(stored_options, family(kState)));
  std::unique_ptr<rocksdb::Iterator> pending(
      db_->NewIterator(rocksdb::ReadOptions(), family(kState)));
  const std::string pending_prefix = std::string(kPendingStateStart) + std::string(prefix);
  stored->Seek(prefix);
  pending->Seek(pending_prefix);
  while (true) {
    const bool has_stored = stored->Valid() && stored->key().starts_with(prefix);
    const bool has_pending = pending->Valid() && pending->key().starts_with(pending_prefix);
    if (!has_stored && !has_pending) break;
    const std::string_view stored_key = has_stored ? stored->key().ToStringView() : "";
    const std::string_view pending_key = has_pending ? pending->key().ToStringView().substr(1) : "";
    if (has_pending && (!has_stored || pending_key <= stored_key)) {
      KASSE_RETURN_IF_ERROR(visit(pending_key, pending->value().ToStringView()));
      if (has_stored && pending_key == stored_key) stored->Next();
      pending->Next();
    } else {
      KASSE_RETURN_IF_ERROR(visit(stored_key, stored->value().ToStringView()));
      stored->Next();
    }
  }
  KASSE_RETURN_IF_ERROR(FromRocks(pending->status(), "reading pending state"));
  return FromRocks(stored->status(), "reading state");
}

void Ledger::StageState(StateChanges changes, bool pending, rocksdb::WriteBatch* batch) const {
  for (const auto& [key, value] : changes) {
    batch->Put(family(kState), pending ? PendingStateKey(key) : key, value);
  }
}

void Ledger::BeginReplacingState() {
  assert(writable_ && pending_state_ == PendingState::kNone);  // OpenForWrite() cleared it
  pending_state_ = PendingState::kReplaces;
}

Status Ledger::WriteReplacementAhead(StateChanges changes) {
  assert(pending_state_ == PendingState::kReplaces);
  rocksdb::WriteBatch batch;
  StageState(changes, /*pending=*/true, &batch);
  // Unsynced, as an Appender's state written ahead: the synced commit makes it durable.
  replacement_ahead_ = true;
  return WriteSynced(&batch, false);
}

Status Ledger::ReplaceState(StateChanges changes, uint64_t* state_keys) {
  // OpenForWrite() has moved or removed pending state; only the replacement begun since is there.
  assert(pending_state_ == PendingState::kReplaces);
  if (replacement_ahead_) return CommitReplacement(changes, state_keys);
  KASSE_RETURN_IF_ERROR(IngestReplacement(changes));
  pending_state_ = PendingState::kNone;
  *state_keys = changes.size();
  CompactStateAfterReplay();
  return Status::Ok();
}

Status Ledger::IngestReplacement(StateChanges changes) {
  // One table file that deletes the stored state and holds the new: ingested, it replaces the
  // state for every reader at once, and durably. Through a write batch the same state went
  // through the write-ahead log, its sync, the memtable and a flush, a third of the time that
  // a replay of 1M events spends after its fold (perf, docs/PERFORMANCE.md "Stop 20").
  // State keys are short text, so the deleted range leaves only the pending area, which is empty.
  Status ingested =
      FromRocks(IngestReplacingRange(db_.get(), IngestFamilyOf(kState), StagingDir(), "",
                                     kPendingStateStart, changes),
                "writing the rebuilt projections failed; the stored projections are unchanged");
  (void)RemoveStagedFiles(StagingDir());  // the empty folder
  return ingested;
}

void Ledger::CompactStateAfterReplay() {
  // Each replay leaves a level-0 file of the whole state, and one that wrote ahead leaves about
  // ten (the pending area's and the moved state's), all of which every report opens, reading
  // their index blocks. After such a replay of 10M events: 11 files of 54.6 MB, a statement
  // about 34 ms; compacted (0.95 s) into one file of 17.7 MB, about 21 ms. A failed compaction
  // only costs readers time.
  (void)CompactLevel0Of({kState});
}

Status Ledger::CommitReplacement(StateChanges changes, uint64_t* state_keys) {
  rocksdb::WriteBatch batch;
  StageState(changes, /*pending=*/true, &batch);
  std::string marker = SeqKey(head_seq_);
  marker += kStateReplacesTag;
  batch.Put(family(kMeta), kKeyStatePending, marker);
  KASSE_RETURN_IF_ERROR(WriteSynced(&batch, true));
  // Committed: from here on every reader sees the new state.
  const Status moved = MovePendingState(state_keys);
  if (!moved.ok()) {
    return moved.WithContext(
        "the rebuilt projections are in place for every reader, but moving them within the "
        "ledger failed, which the next kasse command that writes finishes");
  }
  if (*state_keys >= kFlushAfterEvents) {
    // As after a large append: readers should not have to replay a large write-ahead log.
    rocksdb::FlushOptions flush;
    flush.wait = true;
    (void)db_->Flush(flush, handles_);
  }
  CompactStateAfterReplay();
  return Status::Ok();
}

namespace {

Status OpenBackupEngine(const std::string& backup_dir, bool for_write,
                        std::unique_ptr<rocksdb::BackupEngine>* engine) {
  rocksdb::BackupEngineOptions options(backup_dir);
  options.sync = true;
  options.share_table_files = true;
  rocksdb::BackupEngine* opened = nullptr;
  rocksdb::IOStatus status;
  if (for_write) {
    status = rocksdb::BackupEngine::Open(options, rocksdb::Env::Default(), &opened);
  } else {
    std::error_code error;
    if (!std::filesystem::exists(std::filesystem::path(backup_dir) / "meta", error)) {
      return Status::NotFound(fmt::format("{} holds no kasse backup", backup_dir));
    }
    status = rocksdb::BackupEngine::Open(options, rocksdb::Env::Default(), &opened);
  }
  KASSE_RETURN_IF_ERROR(FromRocks(status, fmt::format("opening the backups in {}", backup_dir)));
  engine->reset(opened);
  return Status::Ok();
}

}  // namespace

Status Ledger::Compact() {
  KASSE_RETURN_IF_ERROR(KeepTableFilesOpen());
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    KASSE_RETURN_IF_ERROR(
        FromRocks(db_->CompactRange(options, handle, nullptr, nullptr), "compacting"));
  }
  return Status::Ok();
}

Status Ledger::Backup(const std::string& backup_dir, uint32_t* backup_id) {
  std::error_code error;
  const auto ledger_dir = std::filesystem::weakly_canonical(path_, error);
  const auto target = std::filesystem::weakly_canonical(backup_dir, error);
  const auto [ledger_end, target_end] =
      std::mismatch(ledger_dir.begin(), ledger_dir.end(), target.begin(), target.end());
  if (ledger_end == ledger_dir.end()) {
    return Status::InvalidInput(
        fmt::format("the backup directory {} lies inside the ledger {}; choose another place "
                    "(ideally another disk)",
                    backup_dir, path_));
  }
  std::unique_ptr<rocksdb::BackupEngine> engine;
  KASSE_RETURN_IF_ERROR(OpenBackupEngine(backup_dir, /*for_write=*/true, &engine));
  rocksdb::CreateBackupOptions options;
  options.flush_before_backup = true;  // the backup needs no write-ahead log
  rocksdb::BackupID id = 0;
  KASSE_RETURN_IF_ERROR(
      FromRocks(engine->CreateNewBackupWithMetadata(
                    options, db_.get(),
                    fmt::format("kasse head seq {} hash {}", head_seq_, HexOf(head_hash_)), &id),
                "writing the backup"));
  KASSE_RETURN_IF_ERROR(
      FromRocks(engine->VerifyBackup(id, /*verify_with_checksum=*/true), "verifying the backup"));
  *backup_id = id;
  return Status::Ok();
}

Status Ledger::Restore(const std::string& backup_dir, const std::string& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    return Status::Rejected(fmt::format(
        "{} exists; restore writes a new ledger only (move the old one away first)", path));
  }
  std::unique_ptr<rocksdb::BackupEngine> engine;
  KASSE_RETURN_IF_ERROR(OpenBackupEngine(backup_dir, /*for_write=*/false, &engine));
  std::vector<rocksdb::BackupInfo> backups;
  engine->GetBackupInfo(&backups);
  if (backups.empty()) return Status::NotFound(fmt::format("{} holds no kasse backup", backup_dir));
  const rocksdb::BackupID newest = backups.back().backup_id;
  KASSE_RETURN_IF_ERROR(FromRocks(engine->VerifyBackup(newest, /*verify_with_checksum=*/true),
                                  fmt::format("backup {} is damaged", newest)));
  return FromRocks(engine->RestoreDBFromBackup(newest, path, path),
                   fmt::format("restoring backup {} into {}", newest, path));
}

namespace {

// What the subject of `event`'s personal data is derived from: a member's number (`member`) or a
// name; false when the event has no personal data.
bool SubjectSourceOf(const Event& event, bool* member, std::string_view* text) {
  if (!event.personal) return false;
  *member = true;
  if (auto* joined = std::get_if<MemberJoined>(&event.body)) {
    *text = joined->member;
    return true;
  }
  if (auto* changed = std::get_if<MemberChanged>(&event.body)) {
    *text = changed->member;
    return true;
  }
  if (auto* donation = std::get_if<DonationReceived>(&event.body)) {
    if (!donation->member.empty()) {
      *text = donation->member;
      return true;
    }
  }
  // Donors, payers and payees that are no members: the same name gives the same subject. A
  // receipt keeps the donor's address too; its subject is the donor's name alone, so that it
  // joins the donor's donations (of a donor who is no member).
  *member = false;
  *text = *event.personal;
  if (std::holds_alternative<ReceiptIssued>(event.body)) *text = text->substr(0, text->find('\n'));
  return true;
}

}  // namespace

std::string Ledger::SubjectFor(const Event& event) const {
  bool member = false;
  std::string_view text;
  if (!SubjectSourceOf(event, &member, &text)) return "";
  return member ? "m:" + std::string(text) : SubjectOfName(text);
}

std::string Ledger::SubjectOfName(std::string_view name) const {
  // The secret pepper keeps the name from being guessed back from the subject.
  return "p:" + HexOf(ComputeSha256(pepper_, name)).substr(0, 24);
}

Appender::Appender(Ledger* ledger, std::string recorded_by, int64_t recorded_at_unix_ms)
    : ledger_(ledger),
      recorded_by_(std::move(recorded_by)),
      recorded_at_unix_ms_(recorded_at_unix_ms),
      first_seq_(ledger->head_seq_ + 1),
      next_seq_(ledger->head_seq_ + 1),
      prev_hash_(ledger->head_hash_),
      ingested_below_(ledger->head_seq_ + 1) {
  assert(ledger->writable_);
  staging_.set_first_seq(next_seq_);
}

Appender::~Appender() {
  if (!committed_) Abort();
}

void Appender::FilterIdsOfLedger() {
  // Entries above the head (of an import that crashed) are skipped: their ids are not recorded.
  Status scanned = ledger_->ForEachIndexEntry([this](std::string_view id, uint64_t /*seq*/) {
    prefetched_ids_.Add(id);
    return Status::Ok();
  });
  // Without the ledger's ids the filter cannot tell a new id; FindId's own search reports the
  // error again if it lasts.
  prefetch_filter_ =
      scanned.ok() && !prefetched_ids_.full() ? PrefetchFilter::kComplete : PrefetchFilter::kUnused;
}

Appender::IdPrefetch Appender::PrefetchId(std::string_view id) {
  IdPrefetch prefetch;
  ++prefetched_count_;
  if (prefetch_filter_ == PrefetchFilter::kCollecting &&
      prefetched_count_ >= PrefetchesBeforeIdFilter() &&
      ledger_->head_seq_ <= prefetched_count_ * kLedgerIdsPerPrefetchMax) {
    FilterIdsOfLedger();
  }
  if (prefetch_filter_ != PrefetchFilter::kUnused) {
    const bool may_hold = prefetched_ids_.MayHold(id);
    prefetched_ids_.Add(id);
    if (prefetched_ids_.full()) prefetch_filter_ = PrefetchFilter::kUnused;
    if (prefetch_filter_ == PrefetchFilter::kComplete && !may_hold) {
      prefetch.new_id = true;
      return prefetch;
    }
  }
  // Read before the lookup: the events below it were in the index when the lookup ran.
  prefetch.ingested_below = ingested_below_.load(std::memory_order_acquire);
  std::string value;
  prefetch.absent =
      ledger_->db_->Get(rocksdb::ReadOptions(), ledger_->family(kIds), id, &value).IsNotFound();
  return prefetch;
}

Status Appender::FindId(std::string_view id, const IdPrefetch* prefetch, uint64_t* seq,
                        Event* event) const {
  if (prefetch != nullptr && prefetch->new_id) {
    // The filter's word, checked against the search in debug builds (the tests).
    assert(FindId(id, nullptr, seq, event).code() == Status::Code::kNotFound);
    return Status::NotFound("");
  }
  for (const Chunk* chunk : {&staging_, &writing_}) {
    size_t position = 0;
    if (chunk->Find(id, &position)) {
      KASSE_RETURN_IF_ERROR(DecodeStaged(*chunk, position, event));
      *seq = event->seq;
      return Status::Ok();
    }
  }
  // The events below this are in the index; those from it on are in the chunks searched above.
  const uint64_t in_memory_from =
      writing_.events() == 0 ? staging_.first_seq() : writing_.first_seq();
  if (prefetch != nullptr && prefetch->absent && prefetch->ingested_below >= in_memory_from) {
    return Status::NotFound("");
  }
  std::string value;
  rocksdb::Status status =
      ledger_->db_->Get(rocksdb::ReadOptions(), ledger_->family(kIds), id, &value);
  if (status.IsNotFound()) return Status::NotFound("");
  KASSE_RETURN_IF_ERROR(FromRocks(status, "reading the id index"));
  if (value.size() != 8) {
    return Status::Corruption(fmt::format("id index entry of \"{}\" is damaged", id));
  }
  // Entries of the chunks in memory were searched above; the write ahead may have put them in
  // the index already.
  const uint64_t found = SeqFromKey(value);
  if (found == 0 || found >= in_memory_from) return Status::NotFound("");
  KASSE_RETURN_IF_ERROR(ledger_->ReadEventUnbounded(found, /*with_personal=*/true, event));
  if (event->id != id) return Status::NotFound("");  // left behind by a crashed import
  *seq = found;
  return Status::Ok();
}

Status Appender::DecodeStaged(const Chunk& chunk, size_t position, Event* event) const {
  Sha256 prev_hash;
  KASSE_RETURN_IF_ERROR(DecodeEvent(chunk.EventBytes(position), event, &prev_hash));
  event->personal.reset();
  std::string_view record;
  if (chunk.PersonalRecord(position, &record)) {
    PersonalRecord parsed;
    KASSE_RETURN_IF_ERROR(ParsePersonal(ledger_->personal_format(), record, &parsed));
    event->personal = std::string(parsed.text);
  }
  return Status::Ok();
}

Status Appender::Append(Event* event) {
  event->seq = next_seq_;
  event->recorded_at_unix_ms = recorded_at_unix_ms_;
  event->recorded_by = recorded_by_;
  SetSubject(event);
  const bool personal = !event->subject.empty();
  std::string record;
  std::string personal_key;
  if (personal) {
    record = PersonalRecordOf(event);
    personal_key = PersonalKey(event->subject, event->seq);
  } else {
    event->personal_digest = Sha256{};
  }
  EncodeEventInto(*event, prev_hash_, &bytes_);
  if (bytes_.size() > kEventSizeMax) {
    return Status::InvalidInput(fmt::format("event is {} bytes when stored, above the limit of {}",
                                            bytes_.size(), kEventSizeMax));
  }
  const std::string event_key = SeqKey(event->seq);
  const size_t added_bytes = event_key.size() * 2 + bytes_.size() + event->id.size() +
                             (personal ? personal_key.size() + record.size() : 0);
  if (staging_.events() > 0 && staging_.bytes() + added_bytes > ChunkBytesMax()) {
    KASSE_RETURN_IF_ERROR(FlushChunk());
  }
  staging_.Add(event_key, bytes_, event->id, personal ? &personal_key : nullptr,
               personal ? &record : nullptr);
  prev_hash_ = ComputeSha256(bytes_);
  ++next_seq_;
  if (staging_.events() >= ChunkEventsMax()) return FlushChunk();
  return Status::Ok();
}

void Appender::SetSubject(Event* event) {
  bool member = false;
  std::string_view text;
  if (!SubjectSourceOf(*event, &member, &text)) {
    event->subject.clear();
  } else if (member) {
    event->subject.assign("m:").append(text);
  } else {
    // Payees, payers and donors repeat: each name's pseudonym (a SHA-256) is computed once.
    auto held = subject_of_name_.find(text);
    if (held == subject_of_name_.end()) {
      if (subject_of_name_.size() >= kSubjectsHeldMax) subject_of_name_.clear();
      held = subject_of_name_.emplace(std::string(text), ledger_->SubjectOfName(text)).first;
    }
    event->subject = held->second;
  }
  assert(event->subject == ledger_->SubjectFor(*event));
}

// Sets event->personal_digest and returns the record to store.
std::string Appender::PersonalRecordOf(Event* event) {
  assert(!event->subject.empty() && event->personal.has_value());
  const PersonalFormat format = ledger_->personal_format();
  const std::string_view text = *event->personal;
  if (format == PersonalFormat::kSaltOncePerAppend) {
    auto held = salt_of_subject_.find(event->subject);
    if (held != salt_of_subject_.end()) {
      // A subject's records mostly repeat its text (a payee's subject is its name): the digest
      // of the last one is the digest of this one.
      SubjectSalt& subject = held->second;
      if (subject.last_text != text) {
        subject.last_text.assign(text);
        subject.last_digest = PersonalDigest(subject.salt, text);
      }
      event->personal_digest = subject.last_digest;
      return EncodePersonal(format, /*salt=*/nullptr, text);
    }
  }
  PersonalSalt salt;
  FillRandomBytes(salt.data(), salt.size());
  event->personal_digest = PersonalDigest(salt, text);
  if (format == PersonalFormat::kSaltOncePerAppend) {
    if (salt_of_subject_.size() >= kSubjectSaltsHeldMax) salt_of_subject_.clear();
    salt_of_subject_.emplace(event->subject, SubjectSalt{.salt = salt,
                                                         .last_text = std::string(text),
                                                         .last_digest = event->personal_digest});
  }
  return EncodePersonal(format, &salt, text);
}

Status Appender::WriteStateAhead(StateChanges state) {
  assert(!committed_);
  rocksdb::WriteBatch batch;
  ledger_->StageState(state, /*pending=*/true, &batch);
  // Unsynced, like the events written ahead: the pending area counts only once Commit()'s synced
  // batch sets the marker, which also makes this write durable.
  KASSE_RETURN_IF_ERROR(ledger_->WriteSynced(&batch, false));
  wrote_state_ahead_ = true;
  ledger_->pending_state_ = Ledger::PendingState::kShadows;
  return Status::Ok();
}

Status Appender::WaitForWriteAhead() {
  if (!write_ahead_.valid()) return Status::Ok();
  Status written = write_ahead_.get();
  writing_.Clear();  // the next chunk to fill
  return written;
}

Status Appender::FlushChunk() {
  // Ingested as table files: these events are above the head and invisible until Commit() moves
  // the head. The write runs on another thread while the caller parses and checks the next
  // chunk; at most one chunk is in flight.
  KASSE_RETURN_IF_ERROR(WaitForWriteAhead());
  wrote_ahead_ = true;
  std::swap(writing_, staging_);
  assert(staging_.events() == 0);
  staging_.set_first_seq(next_seq_);
  const uint64_t ingested_below = next_seq_;
  write_ahead_ = std::async(std::launch::async, [this, ingested_below]() {
    KASSE_RETURN_IF_ERROR(ledger_->IngestAhead(writing_));
    ingested_below_.store(ingested_below, std::memory_order_release);
    return Status::Ok();
  });
  return Status::Ok();
}

Status Appender::Commit(StateChanges state) {
  assert(!committed_);
  if (wrote_ahead_ && staging_.events() > 0) {
    // An import that wrote chunks ahead ingests its last one too, instead of putting it into the
    // synced batch below: through the write-ahead log and the memtables it cost a log write and
    // sync of megabytes, the memtable inserts and the flush after them (perf, docs/PERFORMANCE.md,
    // "Import"). Like every chunk, it stays invisible until that batch moves the head.
    KASSE_RETURN_IF_ERROR(FlushChunk());
  }
  KASSE_RETURN_IF_ERROR(WaitForWriteAhead());
  rocksdb::WriteBatch write_batch;
  rocksdb::WriteBatch* batch = &write_batch;
  ledger_->StageChunk(staging_, batch);
  // Once state was written ahead, the rest goes there too: a stored value written now could be
  // shadowed by an older pending one of the same key.
  ledger_->StageState(state, /*pending=*/wrote_state_ahead_, batch);
  const uint64_t head_seq = next_seq_ - 1;
  if (wrote_state_ahead_) batch->Put(ledger_->family(kMeta), kKeyStatePending, SeqKey(head_seq));
  batch->Put(ledger_->family(kMeta), kKeyHeadSeq, SeqKey(head_seq));
  batch->Put(ledger_->family(kMeta), kKeyHeadHash,
             std::string(reinterpret_cast<const char*>(prev_hash_.data()), prev_hash_.size()));
  KASSE_RETURN_IF_ERROR(ledger_->WriteSynced(batch, true));
  committed_ = true;
  if (wrote_ahead_) (void)RemoveStagedFiles(ledger_->StagingDir());  // the empty folder
  ledger_->head_seq_ = head_seq;
  ledger_->head_hash_ = prev_hash_;
  staging_ = Chunk();
  if (wrote_state_ahead_) {
    // Committed already: readers see the pending state through the marker. If the move fails,
    // the next writer finishes it (OpenForWrite).
    uint64_t moved_count = 0;
    (void)ledger_->MovePendingState(&moved_count);
  }
  if (appended_count() >= kFlushAfterEvents) {
    // The events are durable already (synced WAL); a failed flush only costs readers time.
    rocksdb::FlushOptions flush;
    flush.wait = true;
    (void)ledger_->db_->Flush(flush, ledger_->handles_);
  }
  if (wrote_ahead_) {
    // Committed already; a failed compaction only costs later commands time.
    (void)ledger_->CompactLevel0Of({kIds, kPersonal});
  }
  return Status::Ok();
}

void Appender::Abort() {
  (void)WaitForWriteAhead();
  staging_ = Chunk();
  // What was written ahead is invisible already; removing it now saves the next writer the work.
  // If this fails, the next OpenForWrite() removes it.
  if (wrote_ahead_) {
    (void)ledger_->RemoveUncommittedEvents();
    (void)RemoveStagedFiles(ledger_->StagingDir());
  }
  if (wrote_state_ahead_) (void)ledger_->RemovePendingState();
}

}  // namespace kasse
