// IdFilter: a Bloom filter of client ids, which answers "certainly not added" without a search.
//
// An import looks up every new event's id, to find it recorded already. Nearly all are new, and
// each lookup searched the id index (a RocksDB Get) and the chunks in memory: about 0.8 s of
// CPU at 1M events (docs/PERFORMANCE.md, "Import"). The filter answers those in one or a few
// cache lines; only ids it may hold take the search. Written by hand: Debian 12 packages no C++
// Bloom filter that can grow (RocksDB's builds immutable filters of table files; Boost.Bloom
// came with Boost 1.89).
//
// Blocked: each id sets kBitsPerIdSet bits within one 64-byte block, about 1 % false positives
// at kBitsPerId. The filter grows by adding a filter four times larger when the last is full, so
// that a small import touches little memory; a lookup asks every one of them. It holds at most
// kIdsMax ids, and answers "maybe" for every id once it is full (explicit bound on its memory:
// about 26 MB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace kasse {

class IdFilter {
 public:
  static constexpr size_t kIdsMax = size_t{1} << 24;
  static constexpr size_t kBitsPerId = 10;

  // Tests lower the bound.
  explicit IdFilter(size_t ids_max = kIdsMax) : ids_max_(ids_max) {}

  // Adds `id`; once `ids_max` ids are held, makes the filter full instead.
  void Add(std::string_view id);
  // False only when `id` was certainly not added, and the filter is not full.
  bool MayHold(std::string_view id) const;
  // Ids added; at most `ids_max`.
  size_t ids() const { return ids_; }
  bool full() const { return full_; }
  size_t size_bytes() const;

 private:
  static constexpr size_t kBitsPerIdSet = 6;
  static constexpr size_t kFirstCapacityIds = size_t{1} << 16;
  struct Block {
    uint64_t words[8];
  };
  struct Part {
    std::vector<Block> blocks;
    size_t capacity_ids = 0;
    size_t ids = 0;
  };
  static bool PartMayHold(const Part& part, uint64_t hash);

  size_t ids_max_;
  std::vector<Part> parts_;
  size_t ids_ = 0;
  bool full_ = false;
};

}  // namespace kasse
