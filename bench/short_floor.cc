// kasse_short_floor: what RocksDB itself costs a short command, whole process, opened with
// kasse's own options (ledger/rocks_options.h). bench/run times it beside kasse's reports and a
// recording, alternating, so that the ratio of the two is measured in one run.
//
//   kasse_short_floor read LEDGER
//     what a report cannot do without: opens the ledger as kasse's reports do (a secondary
//     instance of the metadata and state families), reads the head sequence and the first
//     state value, closes. Writes nothing.
//   kasse_short_floor write LEDGER
//     what a recording cannot do without: opens the ledger as a writer for few appends (all
//     families), looks up an id that is not there (as a recording checks that its id is new),
//     writes one synced batch of an event of 256 bytes, its id entry and a head entry, and
//     closes. It changes the ledger, so bench/run points it at a copy.
//
// Neither parses a command line of options, loads the metadata, decodes, folds or prints a
// report: the difference to kasse is what kasse adds around RocksDB.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/rocks_options.h"

namespace {

constexpr size_t kEventBytes = 256;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "kasse_short_floor: %s\n", message.c_str());
  std::exit(1);
}

void Check(const rocksdb::Status& status, const char* what) {
  if (!status.ok()) Die(std::string(what) + ": " + status.ToString());
}

size_t FamilyIndex(std::string_view name) {
  for (size_t index = 0; index < kasse::kFamilyNames.size(); ++index) {
    if (kasse::kFamilyNames[index] == name) return index;
  }
  Die(std::string("no family ") + std::string(name));
}

void CloseDatabase(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    Check(db->DestroyColumnFamilyHandle(handle), "closing a family");
  }
  delete db;  // as kasse's Ledger closes
}

void Read(const std::string& path) {
  const std::vector<rocksdb::ColumnFamilyDescriptor> all =
      kasse::FamilyDescriptors(/*for_write=*/false, kasse::Appends::kFew);
  const std::vector<rocksdb::ColumnFamilyDescriptor> families = {all[FamilyIndex("default")],
                                                                 all[FamilyIndex("state")]};
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  Check(rocksdb::DB::OpenAsSecondary(kasse::ReaderOptions(), path, kasse::kReaderFilesPath,
                                     families, &handles, &db),
        "opening as a reader");
  std::string head;
  Check(db->Get(rocksdb::ReadOptions(), handles[0], "kasse.head_seq", &head), "reading the head");
  std::unique_ptr<rocksdb::Iterator> state(db->NewIterator(rocksdb::ReadOptions(), handles[1]));
  state->SeekToFirst();
  Check(state->status(), "reading state");
  const size_t state_bytes = state->Valid() ? state->value().size() : 0;
  state.reset();
  std::printf("head_bytes=%zu first_state_bytes=%zu\n", head.size(), state_bytes);
  CloseDatabase(db, handles);
}

void Write(const std::string& path) {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  Check(rocksdb::DB::Open(kasse::WriterOptions(kasse::Appends::kFew, /*create=*/false), path,
                          kasse::FamilyDescriptors(/*for_write=*/true, kasse::Appends::kFew),
                          &handles, &db),
        "opening as a writer");
  // Unique per process, and above every 8-byte sequence key of the log.
  const std::string id = "floor-" + std::to_string(::getpid());
  std::string found;
  const rocksdb::Status lookup =
      db->Get(rocksdb::ReadOptions(), handles[FamilyIndex("ids")], id, &found);
  if (!lookup.IsNotFound()) Check(lookup, "looking up the id");
  rocksdb::WriteBatch batch;
  Check(batch.Put(handles[FamilyIndex("events")], "\xff\xff\xff\xff" + id,
                  std::string(kEventBytes, 'e')),
        "batching the event");
  Check(batch.Put(handles[FamilyIndex("ids")], id, "\xff\xff\xff\xff"), "batching the id");
  Check(batch.Put(handles[FamilyIndex("default")], "floor.head", id), "batching the head");
  rocksdb::WriteOptions synced;
  synced.sync = true;
  Check(db->Write(synced, &batch), "writing");
  std::printf("wrote=%s\n", id.c_str());
  CloseDatabase(db, handles);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 3 ? argv[1] : "";
  if (mode == "read") {
    Read(argv[2]);
  } else if (mode == "write") {
    Write(argv[2]);
  } else {
    Die("usage: kasse_short_floor read|write LEDGER");
  }
  return 0;
}
