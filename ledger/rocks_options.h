// How kasse opens RocksDB: the options, the column families and, for readers, the environment and
// info log. Kept apart from the store so that bench/short_floor.cc measures RocksDB's own part of
// a short command with exactly these settings.
#pragma once

#include <rocksdb/db.h>  // rocksdb::ColumnFamilyDescriptor
#include <rocksdb/options.h>

#include <array>
#include <string_view>
#include <vector>

#include "ledger/store.h"

namespace kasse {

// The column families, in the order of every descriptor list below (ledger/store.h says what
// each holds). "default" is rocksdb::kDefaultColumnFamilyName, spelt out: that is a global of the
// statically linked library, which may not be constructed yet when this one is.
inline constexpr std::array<std::string_view, 5> kFamilyNames = {"default", "events", "ids",
                                                                 "personal", "state"};

// Where a secondary instance would put files of its own. With an info log given it puts none;
// should a later RocksDB want to, no directory can be made below /dev/null, so opening fails
// loudly instead of leaving files behind.
inline constexpr char kReaderFilesPath[] = "/dev/null/kasse-reader";

// The options every open shares; `create` makes a new database (and fails if one exists).
rocksdb::Options MakeOptions(bool create);

// A writer's options (MakeOptions plus what depends on how many events it appends).
rocksdb::Options WriterOptions(Appends appends, bool create);

// A reader's options, for rocksdb::DB::OpenAsSecondary at kReaderFilesPath: an environment that
// starts no thread until something is scheduled, and an info log that discards what it is told.
rocksdb::Options ReaderOptions();

// The descriptors of all families in kFamilyNames order, for a writer (`for_write`, appending
// as `appends` says) or a reader.
std::vector<rocksdb::ColumnFamilyDescriptor> FamilyDescriptors(bool for_write, Appends appends);

}  // namespace kasse
