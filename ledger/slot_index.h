// SlotIndex: an open-addressing hash index from keys to their positions 0, 1, 2, ... in a
// container that its owner keeps (the ids of a Chunk, the keys of a StateCache).
//
// The index holds no key: each slot is 64 bits, the upper half of the key's hash and its position
// plus one (0: empty), and the owner says whether the key at a position is the one looked for.
// A lookup reads one slot array that a linear probe walks, instead of the bucket array, the node
// before and the node of a node-based map, each a cache miss on a cold key (perf,
// docs/PERFORMANCE.md, "Import" and "verify and replay").
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace kasse {

// The hash a SlotIndex is filled with.
inline size_t SlotHashOf(std::string_view key) {
  return std::hash<std::string_view>()(key);
}

class SlotIndex {
 public:
  static constexpr size_t kNotFound = SIZE_MAX;
  // Positions fit the lower half of a slot.
  static constexpr size_t kPositionsMax = 0xffffffffu - 1;

  // The position stored for `hash` at which `is_key(position)` holds, or kNotFound.
  template <typename IsKey>
  size_t Find(size_t hash, const IsKey& is_key) const {
    if (slots_.empty()) return kNotFound;
    const size_t mask = slots_.size() - 1;
    for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      const uint64_t held = slots_[slot];
      if (held == 0) return kNotFound;
      const size_t candidate = (held & 0xffffffffu) - 1;
      if ((held & kTagMask) == TagOf(hash) && is_key(candidate)) return candidate;
    }
  }

  // Indexes position size() under `hash`, whose key must not be indexed yet. Keeps the slots at
  // most half full: when they would be fuller it doubles them and places every position again,
  // with its hash from `hash_of(position)`.
  template <typename HashOf>
  void Add(size_t hash, const HashOf& hash_of) {
    assert(count_ < kPositionsMax);
    if ((count_ + 1) * 2 > slots_.size()) {
      slots_.assign(std::max<size_t>(kSlotsMin, slots_.size() * 2), 0);
      for (size_t position = 0; position < count_; ++position) Place(hash_of(position), position);
    }
    Place(hash, count_);
    ++count_;
  }

  // Positions indexed: the next Add indexes this one.
  size_t size() const { return count_; }
  // Slots allocated, for an owner's account of its memory.
  size_t slots() const { return slots_.size(); }
  // Forgets every position and keeps the slots for the next ones.
  void Clear() {
    std::fill(slots_.begin(), slots_.end(), 0);
    count_ = 0;
  }

 private:
  static constexpr size_t kSlotsMin = 1024;
  static constexpr uint64_t kTagMask = 0xffffffff00000000u;
  static uint64_t TagOf(size_t hash) { return static_cast<uint64_t>(hash) & kTagMask; }

  void Place(size_t hash, size_t position) {
    const size_t mask = slots_.size() - 1;
    for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      if (slots_[slot] == 0) {
        slots_[slot] = TagOf(hash) | (position + 1);
        return;
      }
    }
  }

  std::vector<uint64_t> slots_;
  size_t count_ = 0;
};

}  // namespace kasse
