// StateCache: the projections' view of their persisted state while they fold new events.
// Keys are read from the ledger on first use and kept; every Put is remembered and handed to the
// ledger as StateChanges, to be written in the same atomic batch as the events.
// Without a backing ledger (verify, reports of the past) the cache starts empty and holds the
// complete state. With one, the caller keeps memory bounded: when held_bytes() passes its limit it
// takes the changes (TakeChanges), which writes them ahead into the ledger
// (Appender::WriteStateAhead, Ledger::WriteReplacementAhead), where later Gets find them, and
// empties the cache.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/set_digest.h"
#include "ledger/slot_index.h"
#include "ledger/store.h"

namespace kasse {

// Projection state in key order, as views into its owner; what the ledger writes (StateChanges),
// and what key-ordered scans and the comparison with the stored state need.
using SortedState = std::vector<StateEntry>;

// Copies of keys that keep their address until Clear: where a StateCache keeps the keys too long
// for their node (Node::kInlineKeyBytes). Keys are copied into blocks of kBlockBytes (a longer key
// gets a block of its own), so a cache of a million keys makes a few hundred allocations, not a
// million.
class KeyArena {
 public:
  std::string_view Copy(std::string_view key);
  // Forgets every copy; keeps the first block for the next ones.
  void Clear();
  size_t held_bytes() const { return held_bytes_; }

 private:
  static constexpr size_t kBlockBytes = 64 << 10;
  struct Block {
    std::unique_ptr<char[]> bytes;
    size_t size_bytes = 0;
  };
  std::vector<Block> blocks_;
  size_t used_bytes_ = 0;  // of the last block
  size_t held_bytes_ = 0;  // of all blocks
};

class StateCache {
 private:
  struct Node;

 public:
  // What the backing ledger holds at first: the state to fold new events into (an append), or
  // nothing (a replay's new state, Ledger::BeginReplacingState), which spares a lookup of each
  // key until the first TakeChanges.
  enum class Backing { kHoldsState, kStartsEmpty };
  explicit StateCache(const Ledger* backing, Backing kind = Backing::kHoldsState)
      : backing_(backing), backing_empty_(kind == Backing::kStartsEmpty) {}

  // Sets *found and, when found, *value.
  Status Get(std::string_view key, std::string* value, bool* found);
  // As Get, without copying: *value views the cache's own bytes, valid until the next Put of
  // `key` or TakeChanges. What the hot folds of a replay use.
  Status Find(std::string_view key, std::string_view* value, bool* found);
  // Copies into the value already held under `key` when there is one: folds rewrite small
  // values of the same size, and reusing the string saves an allocation and a free.
  void Put(std::string_view key, std::string_view value);

  // Where the cache holds a key: what a fold that reads a value and writes it back (a sum, a
  // count) keeps between the two, so that the key is looked up once, not twice (perf,
  // docs/PERFORMANCE.md). Valid until TakeChanges.
  class Place {
   private:
    friend class StateCache;
    Node* node_ = nullptr;
  };
  // As Find, and sets *place to where `key` is held, for Put(*place, ...).
  Status FindPlace(std::string_view key, Place* place, std::string_view* value, bool* found);
  // Put(key, value) for the key that FindPlace set `place` for.
  void Put(const Place& place, std::string_view value);

  // The changed keys with their new values, in key order (StateChanges); every key held when
  // there is no backing ledger. Views into the cache, valid until the next Put or TakeChanges.
  SortedState Changes() const;
  // Hands Changes() to `write`, which must write them into the backing ledger, and then forgets
  // every key held; the ledger returns the written values from then on. On error the cache is
  // as before. Only with a backing ledger.
  Status TakeChanges(const std::function<Status(StateChanges)>& write);
  // About how much memory the held keys take: their bytes and the containers' nodes.
  size_t held_bytes() const { return held_bytes_; }
  // Every key the cache holds, in key order; the complete state when it has no backing ledger.
  // Views into the cache, valid until the next Put or TakeChanges.
  SortedState Sorted() const;
  // The digest of every key and value the cache holds under `key` (StateEntryHash): what
  // Sorted() holds, without sorting.
  SetDigest Digest(const SipKey& key) const;

 private:
  // A key and what the cache knows of it, in one cache line: a lookup of a cold key (a member's
  // timeline for each dues payment) reads its slot and this node. The key's bytes, when kept
  // apart from the node, were one more cache miss (perf annotate, docs/PERFORMANCE.md).
  // With a backing ledger, a key looked up there and not found is held as `absent`, and one Put
  // since the last TakeChanges as `dirty`: flags, not sets of their own, which cost an import's
  // checking thread a node, a copy of the key and a search in each.
  struct alignas(64) Node {
    // The keys of the state's bulk (members' timelines, member counts by day) fit.
    static constexpr size_t kInlineKeyBytes = 24;

    std::string_view key() const;
    // `key` must outlive the node when it is longer than kInlineKeyBytes.
    void SetKey(std::string_view key);

    std::string value;
    std::array<char, kInlineKeyBytes> key_bytes;  // the key, or the address of a longer one
    uint32_t key_size_bytes = 0;
    bool dirty = false;
    bool absent = false;
  };
  static_assert(sizeof(Node) == 64);

  // The node of `key` (hashed to `hash`), or null.
  Node* FindNode(std::string_view key, size_t hash);
  // Adds `key`, which the cache must not hold, with no value.
  Node& AddNode(std::string_view key, size_t hash);
  // The entry of `key`, read from the backing ledger when the cache does not hold it yet; a key
  // found nowhere is added as absent.
  Status LoadNode(std::string_view key, Node** node);
  Node& NodeAt(size_t position) { return chunks_[position / kChunkNodes][position % kChunkNodes]; }
  const Node& NodeAt(size_t position) const {
    return chunks_[position / kChunkNodes][position % kChunkNodes];
  }

  const Ledger* backing_;
  bool backing_empty_;  // the backing ledger holds no state yet (Backing::kStartsEmpty)
  // A hash index over nodes in chunks, not a std::map or std::unordered_map: a replay looks up
  // keys with long common prefixes ("statement/2022/...") millions of times, and comparing them
  // was a quarter of its fold; then the node-based hash map's cache misses on cold keys (a
  // member's timeline for each dues payment) were a third of verify's folding thread. Key order
  // is needed only when the state is written or scanned (Sorted()). The nodes keep their address
  // (the views that Find hands out stay valid when more are added), and the chunks' addresses
  // are few enough to stay in the first-level cache, where a std::deque's map was one more miss.
  static constexpr size_t kChunkNodes = 1024;
  std::vector<std::unique_ptr<Node[]>> chunks_;
  size_t node_count_ = 0;
  KeyArena long_keys_;  // the keys that do not fit into their node
  SlotIndex index_;
  size_t held_bytes_ = 0;
};

// Spill the changes of a StateCache with a backing ledger once it holds this much: an import of
// 10M events changes hundreds of MB of state (docs/PERFORMANCE.md, "At 10M events").
inline constexpr size_t kStateCacheBytesMax = 8 << 20;
// The same for a replay, which writes every key: it holds the whole state of a ledger of 1M
// events, and spills only beyond (docs/PERFORMANCE.md).
inline constexpr size_t kReplayStateBytesMax = 64 << 20;

// Read access to projection state, wherever it lives: stored in the ledger (what reports read
// normally) or in memory after a replay up to a point in history (--at-seq, --known-at, --as-of).
struct StateView {
  // NotFound when the key is absent.
  std::function<Status(std::string_view key, std::string* value)> get;
  // Visits the keys that start with `prefix`, in key order.
  std::function<Status(std::string_view prefix, const Ledger::StateVisitor& visit)> for_each;
};
StateView StoredState(const Ledger& ledger);
// `entries` (sorted by key) must outlive the view, and so must what it points into.
StateView InMemoryState(const SortedState& entries);
StateView InMemoryState(const std::map<std::string, std::string>& entries);

// Fixed-width little-endian int64 lists: the value format of counters and sums.
std::string EncodeInt64s(const std::vector<int64_t>& values);
// False when `bytes` is not exactly `count` values.
bool DecodeInt64s(std::string_view bytes, size_t count, std::vector<int64_t>* values);
// The same without the heap, for the hot folds: false when `bytes` is not exactly
// values.size() values.
bool DecodeInt64s(std::string_view bytes, std::span<int64_t> values);

// EncodeInt64s of N values on the stack, for StateCache::Put.
template <size_t N>
class Int64sBytes {
 public:
  explicit Int64sBytes(const std::array<int64_t, N>& values) {
    for (size_t v = 0; v < N; ++v) {
      const uint64_t bits = static_cast<uint64_t>(values[v]);
      for (size_t i = 0; i < 8; ++i) bytes_[v * 8 + i] = static_cast<char>(bits >> (8 * i) & 0xff);
    }
  }
  std::string_view view() const { return {bytes_.data(), bytes_.size()}; }

 private:
  std::array<char, N * 8> bytes_;
};

}  // namespace kasse
