// A chunk of an append: the puts that store its events (each event's stored bytes, its id index
// entry and its personal record), held in memory until they are written, with an index of the
// events' ids so that a lookup finds an event of the chunk without the ledger.
//
// Internal to the ledger (store.cc). The chunk keeps every key and value in one buffer and no
// Event: holding the appended Events and a WriteBatch of their puts had cost an import two
// copies of every event, a move and a free of each Event on the appending thread, and 56 MB of
// its peak memory at 1M events (docs/PERFORMANCE.md, "Import"). The rare lookup that hits an
// event of the chunk decodes it from its stored bytes (Appender::FindId).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/slot_index.h"

namespace kasse {

// The families a chunk puts into, in the order of Chunk::Puts.
enum class ChunkFamily : size_t { kEvents = 0, kIds = 1, kPersonal = 2 };
inline constexpr size_t kChunkFamilies = 3;

// A chunk holds at most this many bytes of keys and values (at 1M events of the benchmark,
// 65,536 events take about 14 MB); an Appender writes it ahead when it would hold more. Bounds
// the memory of a chunk of large events, and keeps every offset within 32 bits.
inline constexpr size_t kChunkBytesMax = 64 << 20;

struct ChunkPut {
  std::string_view key;
  std::string_view value;
};

class Chunk {
 public:
  // Stages event `seq`: its stored bytes under `event_key`, its id index entry (`id` -> `seq_key`)
  // and, when `personal_record` is not null, the record under `personal_key`. The id must not be
  // in the chunk yet, and the chunk's bytes must stay within kChunkBytesMax.
  void Add(std::string_view event_key, std::string_view event_bytes, std::string_view id,
           const std::string* personal_key, const std::string* personal_record);
  // The position of the event whose id is `id`, or false when no event of the chunk has it.
  bool Find(std::string_view id, size_t* position) const;
  // Event `position`'s stored bytes, and its personal record (false when it has none).
  std::string_view EventBytes(size_t position) const;
  bool PersonalRecord(size_t position, std::string_view* record) const;
  // The puts into `family`, in the order they were added; views into the chunk, valid until it
  // is changed.
  std::vector<ChunkPut> Puts(ChunkFamily family) const;

  size_t events() const { return event_puts_.size(); }
  // Bytes of keys and values held: what kChunkBytesMax bounds.
  size_t bytes() const { return bytes_.size(); }
  uint64_t first_seq() const { return first_seq_; }
  void set_first_seq(uint64_t seq) { first_seq_ = seq; }
  // Empties the chunk and keeps the memory of its containers for the next one: allocating its
  // megabytes anew for every chunk would cost page faults, since blocks that large are mapped and
  // unmapped (cli/main.cc).
  void Clear();

 private:
  // Where a key and its value are in bytes_.
  struct Put {
    uint32_t key_at = 0;
    uint32_t key_size = 0;
    uint32_t value_at = 0;
    uint32_t value_size = 0;
  };
  static constexpr uint32_t kNoRecord = UINT32_MAX;

  Put Store(std::string_view key, std::string_view value);
  std::string_view KeyOf(const Put& put) const {
    return {bytes_.data() + put.key_at, put.key_size};
  }
  std::string_view ValueOf(const Put& put) const {
    return {bytes_.data() + put.value_at, put.value_size};
  }
  // Indexes the ids added since the last Find.
  void IndexNewIds() const;

  std::string bytes_;
  // One per event, by position; an event without personal data has no record.
  std::vector<Put> event_puts_;
  std::vector<Put> id_puts_;
  std::vector<uint32_t> record_of_;  // position in personal_puts_, or kNoRecord
  std::vector<Put> personal_puts_;
  // The index of the ids. A node-based map allocated one node and one string per event, and its
  // lookups took a tenth of the thread that checks and appends (perf, docs/PERFORMANCE.md).
  // Filled by Find, with the ids added since the one before: most ids of an import are never
  // looked up in a chunk (Appender::PrefetchId), and placing them one by one as they were added
  // waited on a cache miss for each. Find changes nothing else, so it may run while another
  // thread reads the puts (the write ahead, Appender::FlushChunk).
  mutable SlotIndex id_index_;
  uint64_t first_seq_ = 0;
};

}  // namespace kasse
