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

// Sorts `entries` by key and writes them into a table file at `path`. Fails on a key given twice,
// which SstFileWriter refuses too, but with a message that names no key.
rocksdb::Status WriteTableFile(const IngestFamily& family, const std::string& path,
                               std::vector<ChunkPut>* entries) {
  // Every family of a ledger orders its keys bytewise. The log's keys come in order already.
  assert(family.options.comparator == rocksdb::BytewiseComparator());
  const auto not_before = [](const ChunkPut& a, const ChunkPut& b) { return !(a.key < b.key); };
  if (std::adjacent_find(entries->begin(), entries->end(), not_before) != entries->end()) {
    const size_t duplicate = SortPutsByKey(entries);
    if (duplicate != SIZE_MAX) {
      return rocksdb::Status::InvalidArgument(
          "a key is put twice: " +
          rocksdb::Slice((*entries)[duplicate].key).ToString(/*hex=*/true));
    }
  }
  // invalidate_page_cache = false: the default drops every written megabyte from the page cache,
  // which the lookups of the rest of the import would then read from the disk.
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), family.options, family.handle,
                                /*invalidate_page_cache=*/false);
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
  rocksdb::Status status;
  std::error_code error;
  std::filesystem::create_directories(staging_dir, error);
  if (error) return rocksdb::Status::IOError(staging_dir, error.message());

  std::vector<rocksdb::IngestExternalFileArg> files;
  for (size_t i = 0; i < families.size(); ++i) {
    std::vector<ChunkPut>& entries = (*puts_by_family)[i];
    if (entries.empty()) continue;  // RocksDB refuses an empty table file
    rocksdb::IngestExternalFileArg& file = files.emplace_back();
    file.column_family = families[i].handle;
    const std::string path =
        fmt::format("{}/{}-{}.sst", staging_dir, file_prefix, families[i].handle->GetName());
    file.external_files.push_back(path);
    // Hard-links the file instead of copying it; the staged name goes away.
    file.options.move_files = true;
    // RocksDB 7.8 defaults to true, which writes the sequence number into every file whose keys
    // overlap older data (each chunk's ids and personal records) and syncs it once more. The
    // MANIFEST records it either way.
    file.options.write_global_seqno = false;
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

rocksdb::Status RemoveStagedFiles(const std::string& staging_dir) {
  std::error_code error;
  std::filesystem::remove_all(staging_dir, error);
  if (error) return rocksdb::Status::IOError(staging_dir, error.message());
  return rocksdb::Status::OK();
}

}  // namespace kasse
