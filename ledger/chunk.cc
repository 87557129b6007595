#include "ledger/chunk.h"

#include <cassert>

namespace kasse {

Chunk::Put Chunk::Store(std::string_view key, std::string_view value) {
  assert(bytes_.size() + key.size() + value.size() <= kChunkBytesMax);
  Put put;
  put.key_at = static_cast<uint32_t>(bytes_.size());
  put.key_size = static_cast<uint32_t>(key.size());
  bytes_.append(key);
  put.value_at = static_cast<uint32_t>(bytes_.size());
  put.value_size = static_cast<uint32_t>(value.size());
  bytes_.append(value);
  return put;
}

void Chunk::Add(std::string_view event_key, std::string_view event_bytes, std::string_view id,
                const std::string* personal_key, const std::string* personal_record) {
  assert(!Find(id, nullptr));
  assert((personal_key == nullptr) == (personal_record == nullptr));
  const Put event = Store(event_key, event_bytes);
  event_puts_.push_back(event);
  // The id index entry's value is the event's key: the stored form of its seq. (Not a view of
  // bytes_, which the Store may move.)
  id_puts_.push_back(Store(id, event_key));
  if (personal_record != nullptr) {
    record_of_.push_back(static_cast<uint32_t>(personal_puts_.size()));
    personal_puts_.push_back(Store(*personal_key, *personal_record));
  } else {
    record_of_.push_back(kNoRecord);
  }
}

void Chunk::IndexNewIds() const {
  const auto hash_of = [this](size_t position) { return SlotHashOf(KeyOf(id_puts_[position])); };
  for (size_t position = id_index_.size(); position < id_puts_.size(); ++position) {
    id_index_.Add(hash_of(position), hash_of);
  }
}

bool Chunk::Find(std::string_view id, size_t* position) const {
  IndexNewIds();
  const size_t found = id_index_.Find(
      SlotHashOf(id), [this, id](size_t candidate) { return KeyOf(id_puts_[candidate]) == id; });
  if (found == SlotIndex::kNotFound) return false;
  if (position != nullptr) *position = found;
  return true;
}

std::string_view Chunk::EventBytes(size_t position) const {
  assert(position < event_puts_.size());
  return ValueOf(event_puts_[position]);
}

bool Chunk::PersonalRecord(size_t position, std::string_view* record) const {
  assert(position < record_of_.size());
  if (record_of_[position] == kNoRecord) return false;
  *record = ValueOf(personal_puts_[record_of_[position]]);
  return true;
}

std::vector<ChunkPut> Chunk::Puts(ChunkFamily family) const {
  const std::vector<Put>* puts = &event_puts_;
  if (family == ChunkFamily::kIds) puts = &id_puts_;
  if (family == ChunkFamily::kPersonal) puts = &personal_puts_;
  std::vector<ChunkPut> views;
  views.reserve(puts->size());
  for (const Put& put : *puts) views.push_back({KeyOf(put), ValueOf(put)});
  return views;
}

void Chunk::Clear() {
  bytes_.clear();
  event_puts_.clear();
  id_puts_.clear();
  record_of_.clear();
  personal_puts_.clear();
  id_index_.Clear();
  first_seq_ = 0;
}

}  // namespace kasse
