#include "ledger/rocks_options.h"

#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <cstdarg>
#include <cstdlib>
#include <memory>
#include <string>

namespace kasse {

namespace {

// A reader's info log. RocksDB writes its options and a summary of the files there on every
// open, and a secondary instance needs a directory of its own for it, which the reader had to
// create and remove again; nobody read what it held. Errors reach kasse as a Status anyway.
class DiscardingLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*arguments*/) override {}
};

// A secondary instance neither flushes nor compacts, yet opening one raises the default
// environment's pools to a thread each: two threads started, named and joined for every report.
// This environment starts them only when something is scheduled, so a reader that schedules
// nothing (all of them, in RocksDB 7.8) starts none, and one that does still runs its work.
class ReaderEnv : public rocksdb::EnvWrapper {
 public:
  ReaderEnv() : rocksdb::EnvWrapper(rocksdb::Env::Default()) {}
  const char* Name() const override { return "KasseReaderEnv"; }
  void IncBackgroundThreadsIfNeeded(int /*number*/, Priority /*pool*/) override {}
  void Schedule(void (*function)(void* arg), void* arg, Priority pool, void* tag,
                void (*unschedule)(void* arg)) override {
    target()->IncBackgroundThreadsIfNeeded(1, pool);
    target()->Schedule(function, arg, pool, tag, unschedule);
  }
};

// A writer keeps at most this many table files open (a table cache of this minus 10, of which
// RocksDB fills at most a quarter at open; VersionBuilder::LoadTableHandlers). Opening a table
// file reads its index and its whole bloom filter: with every file opened at open (-1, which
// readers' secondary instances require), a recording right after a 10M-event import spent a
// third of its 33 ms there, reading 16 MB (perf, docs/PERFORMANCE.md "At 10M events"). With this,
// a recording opens only the few files that its lookups touch. Long runs keep every file open
// (Appends::kMany and kNone, KeepTableFilesOpen), since evicting a table reader means reading its
// filter again.
constexpr int kWriterTableFilesMax = 20;

}  // namespace

rocksdb::Options MakeOptions(bool create) {
  rocksdb::Options options;
  options.create_if_missing = create;
  options.create_missing_column_families = create;
  options.error_if_exists = create;
  options.compression = rocksdb::kLZ4Compression;
  options.bottommost_compression = rocksdb::kZSTD;
  // A torn last WAL record can only belong to a write that was never acknowledged (every
  // acknowledged write is synced), so it is dropped; damage anywhere else fails the open loudly.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  options.max_open_files = -1;  // required by secondary instances
  // Every open reads the metadata of every table file; no thread pool for that, and no
  // statistics: a recording is a whole process, and opening is most of it.
  options.max_file_opening_threads = 1;
  options.skip_stats_update_on_db_open = true;
  // The write-ahead log left by the last recording stays the log: flushing it into a tiny table
  // file on every open would cost a synced file write per command and feed compaction.
  options.avoid_flush_during_recovery = true;
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.keep_log_file_num = 2;
  // Bounds the write-ahead log that every reader replays on open.
  options.max_total_wal_size = 64 << 20;
  return options;
}

std::vector<rocksdb::ColumnFamilyDescriptor> FamilyDescriptors(bool for_write, Appends appends) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string_view name : kFamilyNames) {
    rocksdb::ColumnFamilyOptions options(MakeOptions(false));
    if (!for_write) {
      // A reader's memtables hold only the replayed tail of the write-ahead log: small ones
      // spare a reader the page faults of a writer's 64 MB arena.
      options.write_buffer_size = 4 << 20;
    }
    if (name == "state" && for_write) {
      // A large import writes its projection state twice, ahead and then into place (see
      // Appender::WriteStateAhead), hundreds of MB at 10M events: smaller memtables bound the
      // memory that costs. A recording writes a few hundred bytes of state.
      options.write_buffer_size = 16 << 20;
    }
    if ((name == "ids" || name == "personal") && for_write) {
      // Half RocksDB's default for the short entries beside each event: an import fills the
      // memtables of three families at once, each with a second one being flushed, and with
      // 64 MB ones an import of 10M events took 308 MB (docs/PERFORMANCE.md, "At 10M events").
      // Halving the log's memtables as well saves 40 MB more but costs 8 % more CPU at 1M.
      options.write_buffer_size = 32 << 20;
    }
    if (const char* files = std::getenv("KASSE_LEVEL0_SLOWDOWN_FILES")) {
      // Tests only: reach the level-0 bound of CompactWhereLevel0IsFull in a few dozen
      // recordings instead of some 640.
      options.level0_slowdown_writes_trigger = std::atoi(files);
    }
    if (for_write && appends != Appends::kMany) {
      // The first recording after a 10M-event import started compacting the level-0 files the
      // import left (rewriting the whole 46 MB id index level among them) and abandoned it at
      // exit, a fifth of its CPU samples on a two-core machine (perf); every later recording
      // did the same. Imports and kasse compact pay that debt; a writer for few appends (or a
      // replay, whose first run after a 1M-event import spent 3.1 s of CPU instead of 1.6 s,
      // compacting the log) compacts only where level 0 would slow writes down
      // (CompactWhereLevel0IsFull).
      options.disable_auto_compactions = true;
    }
    rocksdb::BlockBasedTableOptions table;
    // Debian builds RocksDB portable, so CRC32C runs in software (Slow_CRC32); XXH3 checks a
    // block as well and is faster: 1M import 3.82 -> 3.60 s (medians of 3, alternating). Each
    // table file names its checksum, so files written before stay readable.
    table.checksum = rocksdb::kXXH3;
    if (name == "events") {
      // The log is most of the disk: larger blocks and a trained dictionary let zstd find what
      // events have in common (field layout, categories, recorder) across more of them.
      table.block_size = 16 << 10;
      options.bottommost_compression_opts.enabled = true;
      options.bottommost_compression_opts.level = 6;
      options.bottommost_compression_opts.max_dict_bytes = 16 << 10;
      options.bottommost_compression_opts.zstd_max_train_bytes = 100 * (16 << 10);
    }
    if (name == "ids") {
      // Nearly every lookup of a new id misses: bloom filters answer those without a search,
      // in the table files and, while appending many events, in the memtable (whose filter a
      // recording or a reader, which look up few ids, would only pay for by clearing megabytes
      // at open).
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
      // Opening a table file reads its whole filter (also a partitioned one: a lookup opens the
      // file with prefetching, which reads every partition). After a 10M-event import the index
      // was one level-1 file of 46 MB with an 11.5 MB filter, which the first lookup of a new id
      // read. Small files bound what one lookup opens; an import keeps them all open anyway.
      options.target_file_size_base = 4 << 20;
      if (appends == Appends::kMany) {
        options.memtable_whole_key_filtering = true;
        options.memtable_prefix_bloom_size_ratio = 0.05;
      }
    }
    if ((name == "ids" || name == "personal") && appends == Appends::kMany) {
      // An import merges each chunk's ids and personal records into level 1, the bottom level,
      // again and again; LZ4 instead of zstd there: 1M import 3.82 -> 3.69 s. Those files are
      // 5 bytes an event larger (86 instead of 81) until kasse compact, which opens the ledger
      // for few appends, rewrites them with zstd.
      options.bottommost_compression = rocksdb::kLZ4Compression;
    }
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    descriptors.emplace_back(std::string(name), options);
  }
  return descriptors;
}

rocksdb::Options WriterOptions(Appends appends, bool create) {
  rocksdb::Options options = MakeOptions(create);
  options.max_open_files = appends == Appends::kFew ? kWriterTableFilesMax : -1;
  // A recording's lookup of its new id opens the id index's table file, which reads the file's
  // whole Bloom filter (1.2 MB at 1M events) into a fresh buffer: some 300 page faults at
  // about 10 us each on a virtual machine. Mapped, the file is read where the page cache holds
  // it: a recording into a 1M ledger 40.0 -> 35.1 ms (medians of 30, alternating). RocksDB
  // bounds every mapped read by the file's length; only a file that shrinks while mapped, or a
  // failing disk, would stop the process (SIGBUS) instead of failing the read, and the ledger
  // recovers from that like from any crash.
  if (appends == Appends::kFew) options.allow_mmap_reads = true;
  return options;
}

rocksdb::Options ReaderOptions() {
  rocksdb::Options options = MakeOptions(/*create=*/false);
  static ReaderEnv reader_env;
  options.env = &reader_env;
  options.info_log = std::make_shared<DiscardingLogger>();
  return options;
}

}  // namespace kasse
