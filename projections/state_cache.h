// StateCache: the projections' view of their persisted state while they fold new events.
// Keys are read from the ledger on first use and kept; every Put is remembered and handed to the
// ledger as StateChanges, to be written in the same atomic batch as the events.
// Without a backing ledger (replay, verify) the cache starts empty and holds the complete state.
// With one, the caller keeps memory bounded: when held_bytes() passes its limit it takes the
// changes (TakeChanges), which empties the cache, and writes them ahead into the ledger
// (Appender::WriteStateAhead), where later Gets find them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ledger/store.h"

namespace kasse {

class StateCache {
 public:
  explicit StateCache(const Ledger* backing) : backing_(backing) {}

  // Sets *found and, when found, *value.
  Status Get(const std::string& key, std::string* value, bool* found);
  void Put(const std::string& key, std::string value);

  // The changed keys with their new values, for Appender::Commit.
  StateChanges Changes() const;
  // The changed keys with their new values; forgets every key held. Only with a backing ledger,
  // which must return the taken values from then on.
  StateChanges TakeChanges();
  // About how much memory the held keys take: their bytes and the containers' nodes.
  size_t held_bytes() const { return held_bytes_; }
  // Every key the cache holds; the complete state when it has no backing ledger.
  const std::map<std::string, std::string>& entries() const { return entries_; }

 private:
  const Ledger* backing_;
  std::map<std::string, std::string> entries_;
  std::set<std::string> absent_;  // looked up in the ledger and not there
  std::set<std::string> dirty_;
  size_t held_bytes_ = 0;
};

// Spill the changes of a StateCache with a backing ledger once it holds this much: an import of
// 10M events changes hundreds of MB of state (docs/PERFORMANCE.md, "At 10M events").
inline constexpr size_t kStateCacheBytesMax = 8 << 20;

// Read access to projection state, wherever it lives: stored in the ledger (what reports read
// normally) or in memory after a replay up to a point in history (--at-seq, --known-at, --as-of).
struct StateView {
  // NotFound when the key is absent.
  std::function<Status(std::string_view key, std::string* value)> get;
  // Visits the keys that start with `prefix`, in key order.
  std::function<Status(std::string_view prefix, const Ledger::StateVisitor& visit)> for_each;
};
StateView StoredState(const Ledger& ledger);
// `entries` must outlive the view.
StateView InMemoryState(const std::map<std::string, std::string>& entries);

// Fixed-width little-endian int64 lists: the value format of counters and sums.
std::string EncodeInt64s(const std::vector<int64_t>& values);
// False when `bytes` is not exactly `count` values.
bool DecodeInt64s(std::string_view bytes, size_t count, std::vector<int64_t>* values);

}  // namespace kasse
