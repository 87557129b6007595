#include "ledger/id_filter.h"

#include <algorithm>
#include <cassert>
#include <functional>

namespace kasse {

namespace {

uint64_t HashOf(std::string_view id) {
  return std::hash<std::string_view>()(id);
}

// The block of `hash` among `blocks`: from the hash's upper half.
size_t BlockOf(uint64_t hash, size_t blocks) {
  return static_cast<size_t>(((hash >> 32) * blocks) >> 32);
}

// Nine bits for each bit to set within the block, from a second mix of the hash (splitmix64's
// last steps), so that they do not repeat the bits that chose the block.
uint64_t BitsOf(uint64_t hash) {
  hash = (hash ^ (hash >> 31)) * 0xbf58476d1ce4e5b9u;
  hash = (hash ^ (hash >> 27)) * 0x94d049bb133111ebu;
  return hash ^ (hash >> 31);
}

}  // namespace

bool IdFilter::PartMayHold(const Part& part, uint64_t hash) {
  const Block& block = part.blocks[BlockOf(hash, part.blocks.size())];
  uint64_t bits = BitsOf(hash);
  for (size_t i = 0; i < kBitsPerIdSet; ++i, bits >>= 9) {
    const size_t bit = bits & 511;
    if ((block.words[bit / 64] & (uint64_t{1} << (bit % 64))) == 0) return false;
  }
  return true;
}

void IdFilter::Add(std::string_view id) {
  if (full_) return;
  if (ids_ == ids_max_) {
    // Frees the memory: a full filter answers "maybe" for every id.
    full_ = true;
    parts_.clear();
    return;
  }
  if (parts_.empty() || parts_.back().ids == parts_.back().capacity_ids) {
    const size_t capacity_ids =
        parts_.empty() ? kFirstCapacityIds : std::min(parts_.back().capacity_ids * 4, ids_max_);
    Part part;
    part.blocks.resize(capacity_ids * kBitsPerId / (8 * sizeof(Block)), Block{});
    part.capacity_ids = capacity_ids;
    parts_.push_back(std::move(part));
  }
  Part& part = parts_.back();
  const uint64_t hash = HashOf(id);
  Block& block = part.blocks[BlockOf(hash, part.blocks.size())];
  uint64_t bits = BitsOf(hash);
  for (size_t i = 0; i < kBitsPerIdSet; ++i, bits >>= 9) {
    const size_t bit = bits & 511;
    block.words[bit / 64] |= uint64_t{1} << (bit % 64);
  }
  ++part.ids;
  ++ids_;
  assert(PartMayHold(part, hash));
}

bool IdFilter::MayHold(std::string_view id) const {
  if (full_) return true;
  const uint64_t hash = HashOf(id);
  return std::any_of(parts_.begin(), parts_.end(),
                     [hash](const Part& part) { return PartMayHold(part, hash); });
}

size_t IdFilter::size_bytes() const {
  size_t size_bytes = 0;
  for (const Part& part : parts_) size_bytes += part.blocks.size() * sizeof(Block);
  return size_bytes;
}

}  // namespace kasse
