// Sorting the puts of a chunk by key, bytewise, before they become a table file (ledger/ingest.h).
//
// Internal to the ledger. std::sort over the puts compared two views into the chunk's buffer with
// memcmp, a cache miss on each side for keys scattered between the events' bytes: sorting and its
// memcmp were a tenth of an import's CPU on a two-core Xeon (perf, docs/PERFORMANCE.md, "Import").
// SortPutsByKey sorts a contiguous array of each key's first bytes as big-endian words instead,
// wide enough for the keys of a ledger (ids of up to 17 bytes in the benchmark, personal keys of
// 20 or 35), and reads a key's bytes beyond them only when two keys share all of those.
#pragma once

#include <cstddef>
#include <vector>

#include "ledger/chunk.h"

namespace kasse {

// Sorts `puts` by key in bytewise order (the order of rocksdb::BytewiseComparator). Returns the
// position after sorting of a key that equals the one before it, or SIZE_MAX when every key is
// distinct.
size_t SortPutsByKey(std::vector<ChunkPut>* puts);

}  // namespace kasse
