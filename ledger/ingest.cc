#include "ledger/ingest.h"

#include <fmt/format.h>
#include <rocksdb/comparator.h>
#include <rocksdb/db.h>
#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <cassert>
#include <filesystem>
#include <system_error>

#include "ledger/key_sort.h"

namespace kasse {

namespace {

rocksdb::SstFileWriter TableFileWriter(const IngestFamily& family) {
  // Every family of a ledger orders its keys bytewise.
  assert(family.options.comparator == rocksdb::BytewiseComparator());
  // invalidate_page_cache = false: the default drops every written megabyte from the page cache,
  // which the lookups of the rest of the import would then read from the disk.
  return rocksdb::SstFileWriter(rocksdb::EnvOptions(), family.options, family.handle,
                                /*invalidate_page_cache=*/false);
}

rocksdb::Status CreateStagingDir(const std::string& staging_dir) {
  std::error_code error;
  std::filesystem::create_directories(staging_dir, error);
  return error ? rocksdb::Status::IOError(staging_dir, error.message()) : rocksdb::Status::OK();
}

// How every file here is ingested.
rocksdb::IngestExternalFileOptions IngestionOptions() {
  rocksdb::IngestExternalFileOptions options;
  // Hard-links the file instead of copying it; the staged name goes away.
  options.move_files = true;
  // RocksDB 7.8 defaults to true, which writes the sequence number into every file whose keys
  // overlap older data (each chunk's ids and personal records, a replay's state) and syncs it
  // once more. The MANIFEST records it either way.
  options.write_global_seqno = false;
  return options;
}

// Sorts `entries` by key and writes them into a table file at `path`. Fails on a key given twice,
// which SstFileWriter refuses too, but with a message that names no key.
rocksdb::Status WriteTableFile(const IngestFamily& family, const std::string& path,
                               std::vector<ChunkPut>* entries) {
  // The log's keys come in order already.
  const auto not_before = [](const ChunkPut& a, const ChunkPut& b) { return !(a.key < b.key); };
  if (std::adjacent_find(entries->begin(), entries->end(), not_before) != entries->end()) {
    const size_t duplicate = SortPutsByKey(entries);
    if (duplicate != SIZE_MAX) {
      return rocksdb::Status::InvalidArgument(
          "a key is put twice: " +
          rocksdb::Slice((*entries)[duplicate].key).ToString(/*hex=*/true));
    }
  }
  rocksdb::SstFileWriter writer = TableFileWriter(family);
  rocksdb::Status status = writer.Open(path);
  for (size_t i = 0; status.ok() && i < entries->size(); ++i) {
    const ChunkPut& entry = (*entries)[i];
    status = writer.Put(entry.key, entry.value);
  }
  if (status.ok()) status = writer.Finish();  // syncs the file
  return status;
}

void RemoveQuietly(const std::vector<rocksdb::IngestExternalFileArg>& files) {
  for (const rocksdb::IngestExternalFileArg& family : files) {
    for (const std::string& path : family.external_files) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  }
}

}  // namespace

rocksdb::Status IngestPuts(rocksdb::DB* db, const std::vector<IngestFamily>& families,
                           const std::string& staging_dir, const std::string& file_prefix,
                           std::vector<std::vector<ChunkPut>>* puts_by_family) {
  assert(puts_by_family->size() == families.size());
  rocksdb::Status status = CreateStagingDir(staging_dir);
  if (!status.ok()) return status;

  std::vector<rocksdb::IngestExternalFileArg> files;
  for (size_t i = 0; i < families.size(); ++i) {
    std::vector<ChunkPut>& entries = (*puts_by_family)[i];
    if (entries.empty()) continue;  // RocksDB refuses an empty table file
    rocksdb::IngestExternalFileArg& file = files.emplace_back();
    file.column_family = families[i].handle;
    const std::string path =
        fmt::format("{}/{}-{}.sst", staging_dir, file_prefix, families[i].handle->GetName());
    file.external_files.push_back(path);
    file.options = IngestionOptions();
    status = WriteTableFile(families[i], path, &entries);
    if (!status.ok()) {
      RemoveQuietly(files);
      return status;
    }
  }
  if (files.empty()) return rocksdb::Status::OK();
  status = db->IngestExternalFiles(files);
  // After a successful move nothing is left at the staged paths; after a failure this cleans up.
  RemoveQuietly(files);
  return status;
}

rocksdb::Status IngestReplacingRange(
    rocksdb::DB* db, const IngestFamily& family, const std::string& staging_dir,
    std::string_view clear_begin, std::string_view clear_end,
    std::span<const std::pair<std::string_view, std::string_view>> sorted) {
  rocksdb::Status status = CreateStagingDir(staging_dir);
  if (!status.ok()) return status;
  const std::string path = fmt::format("{}/{}.sst", staging_dir, family.handle->GetName());
  rocksdb::SstFileWriter writer = TableFileWriter(family);
  status = writer.Open(path);
  if (status.ok()) status = writer.DeleteRange(clear_begin, clear_end);
  for (size_t i = 0; status.ok() && i < sorted.size(); ++i) {
    assert(i == 0 || sorted[i - 1].first < sorted[i].first);
    status = writer.Put(sorted[i].first, sorted[i].second);
  }
  if (status.ok()) status = writer.Finish();  // syncs the file
  if (status.ok()) status = db->IngestExternalFile(family.handle, {path}, IngestionOptions());
  std::error_code ignored;
  std::filesystem::remove(path, ignored);  // after a successful move, nothing is left there
  return status;
}

rocksdb::Status RemoveStagedFiles(const std::string& staging_dir) {
  std::error_code error;
  std::filesystem::remove_all(staging_dir, error);
  if (error) return rocksdb::Status::IOError(staging_dir, error.message());
  return rocksdb::Status::OK();
}

}  // namespace kasse
