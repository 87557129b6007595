// Writing a large import ahead through RocksDB's bulk path: the puts of a staged chunk become one
// table file per column family (rocksdb::SstFileWriter), sorted in memory, and the files of all
// families are ingested in one atomic IngestExternalFiles call. Nothing passes the memtables or
// the write-ahead log, which cost an import through write batches a third of its CPU
// (docs/PERFORMANCE.md, "Import"); and there is nothing to flush afterwards. A replay's new
// projection state takes the same path (IngestReplacingRange).
//
// Internal to the ledger (store.cc). What is ingested is durable at once, where a write batch
// written ahead unsynced may vanish in a crash; for an import's chunks above the head both are
// invisible until the commit, and the next writer removes either kind of remains.
#pragma once

#include <rocksdb/options.h>
#include <rocksdb/status.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/chunk.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace kasse {

// A column family that chunks may be ingested into, with the options its table files are built
// with (those it was opened with: the same table format, filters and comparator).
struct IngestFamily {
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  rocksdb::Options options;
};

// Writes `puts_by_family` (the puts into families[i] at index i, sorted here in place) as table
// files in `staging_dir` (created if needed, on the ledger's file system so that ingestion can
// hard-link them), named `file_prefix` and the family, and ingests them into `db` all or nothing.
// A key put twice within a family is InvalidArgument, and nothing is written. On success the
// files have moved into the database; on error, what was staged is removed.
rocksdb::Status IngestPuts(rocksdb::DB* db, const std::vector<IngestFamily>& families,
                           const std::string& staging_dir, const std::string& file_prefix,
                           std::vector<std::vector<ChunkPut>>* puts_by_family);

// Writes one table file, named after `family`, into `staging_dir` (a folder on the ledger's file
// system, created if missing) that deletes every key of `family` in [clear_begin, clear_end) and
// puts `sorted` (in key order, each key once), and ingests it: all at once, the older keys of the
// range vanish and `sorted` takes their place. The file's puts override its own range deletion,
// as they share its sequence number; RocksDB keeps that so for this use (facebook/rocksdb#11308).
// On error the file is removed and nothing changed; the folder is the caller's to remove.
rocksdb::Status IngestReplacingRange(
    rocksdb::DB* db, const IngestFamily& family, const std::string& staging_dir,
    std::string_view clear_begin, std::string_view clear_end,
    std::span<const std::pair<std::string_view, std::string_view>> sorted);

// Removes table files that an import staged and did not ingest (it crashed): they are never part
// of the database, but they hold personal data.
rocksdb::Status RemoveStagedFiles(const std::string& staging_dir);

}  // namespace kasse
