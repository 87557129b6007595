// SetDigest: compares two multisets of entries, each read once in its own order (verify's id
// index, personal data and projection state against what the log says they must hold).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "ledger/hash.h"

namespace kasse {

// The order-independent digest of a multiset of entries: their number and the lane-wise sum,
// modulo 2^64, of a keyed 128-bit hash of each (MSet-Add-Hash: Clarke, Devadas, van Dijk,
// Gassend and Suh, "Incremental Multiset Hash Functions and Their Application to Memory
// Integrity Checking", 2003). Verify draws the key afresh for each run and stores it nowhere, so
// whoever altered the files did not know it, and two different multisets have equal digests
// with a chance of about 2^-128. (With an unkeyed hash, even SHA-256, one who alters entries
// could search for further alterations that cancel the change in the sum: a generalized
// birthday search.) Equal digests replace a comparison entry by entry, which would need both
// sides in one order: one random read per event, or a sort.
struct SetDigest {
  uint64_t count = 0;
  std::array<uint64_t, 2> lanes{};

  void Add(const Sip128& hash) {
    ++count;
    for (size_t i = 0; i < lanes.size(); ++i) {
      uint64_t lane = 0;
      std::memcpy(&lane, hash.data() + 8 * i, sizeof(lane));
      lanes[i] += lane;  // wraps: a sum modulo 2^64 per lane
    }
  }
  bool operator==(const SetDigest& other) const = default;
};

// A projection state entry, for SetDigest::Add: the key's length first, so that no key or value
// can shift the boundary between them.
inline Sip128 StateEntryHash(KeyedHash* hash, std::string_view key, std::string_view value) {
  std::array<char, 8> key_size_bytes;
  const uint64_t key_size = key.size();
  std::memcpy(key_size_bytes.data(), &key_size, sizeof(key_size));
  return hash->Of({key_size_bytes.data(), key_size_bytes.size()}, key, value);
}

}  // namespace kasse
