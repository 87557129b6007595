#include "ledger/chunk.h"

#include <algorithm>
#include <cassert>
#include <functional>

namespace kasse {

namespace {

// The slot at which the index starts to look for `hash`, and the tag that a slot of it holds.
size_t FirstSlot(size_t hash, size_t slots) {
  return hash & (slots - 1);
}
uint64_t SlotTag(size_t hash) {
  return static_cast<uint64_t>(hash) & 0xffffffff00000000u;
}

// Stores `position` for the id with `hash` in the first empty slot from its own.
void PutSlot(size_t hash, size_t position, std::vector<uint64_t>* slots) {
  for (size_t slot = FirstSlot(hash, slots->size());; slot = (slot + 1) & (slots->size() - 1)) {
    if ((*slots)[slot] == 0) {
      (*slots)[slot] = SlotTag(hash) | (position + 1);
      return;
    }
  }
}

size_t HashOf(std::string_view id) {
  return std::hash<std::string_view>()(id);
}

}  // namespace

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
  IndexLastId();
}

void Chunk::IndexLastId() {
  const size_t count = id_puts_.size();
  assert(count > 0 && count < 0xffffffffu);
  if (count * 2 > id_slots_.size()) {
    // Twice as many slots (a power of two), and every id but the last placed again.
    id_slots_.assign(std::max<size_t>(1024, id_slots_.size() * 2), 0);
    for (size_t position = 0; position + 1 < count; ++position) {
      PutSlot(HashOf(KeyOf(id_puts_[position])), position, &id_slots_);
    }
  }
  PutSlot(HashOf(KeyOf(id_puts_.back())), count - 1, &id_slots_);
}

bool Chunk::Find(std::string_view id, size_t* position) const {
  if (id_slots_.empty()) return false;
  const size_t hash = HashOf(id);
  const size_t mask = id_slots_.size() - 1;
  for (size_t slot = FirstSlot(hash, id_slots_.size());; slot = (slot + 1) & mask) {
    const uint64_t held = id_slots_[slot];
    if (held == 0) return false;
    const size_t candidate = (held & 0xffffffffu) - 1;
    if ((held & 0xffffffff00000000u) == SlotTag(hash) && KeyOf(id_puts_[candidate]) == id) {
      if (position != nullptr) *position = candidate;
      return true;
    }
  }
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
  std::fill(id_slots_.begin(), id_slots_.end(), 0);
  first_seq_ = 0;
}

}  // namespace kasse
