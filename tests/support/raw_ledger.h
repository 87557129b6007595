// Test support: raw access to a ledger's RocksDB directory and SHA-256 over raw bytes, the way a
// tool, a disk or someone with write access to the files could read and rewrite it.
#pragma once

#include <rocksdb/db.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kasse::test {

// The ledger's column families, in the order RawLedger opens them.
enum Family : size_t { kMeta = 0, kEvents = 1, kIds = 2, kPersonal = 3, kState = 4 };

// Envelope offsets of a stored event (ledger/codec.h).
constexpr size_t kSeqOffset = 9;
constexpr size_t kPrevHashOffset = 17;
constexpr size_t kHeaderSize = 53;

// The 8-byte big-endian key of event `seq`, as the events family and the ids values hold it.
std::string SeqKey(uint64_t seq);

// The seq in the last 8 bytes (big-endian) of `key`; throws std::out_of_range when shorter.
uint64_t SeqOfKey(std::string_view key);

// Throws std::runtime_error("what: status") unless `status` is ok.
void Check(const rocksdb::Status& status, const std::string& what);

// The 32-byte SHA-256 digest of `bytes` (OpenSSL EVP); throws std::runtime_error on failure.
std::string Sha256(std::string_view bytes);

// `bytes` as lowercase hexadecimal, two digits a byte.
std::string Hex(std::string_view bytes);

// The number of table files at `level` of `family`, read from a read-only opening (which,
// unlike RawLedger, starts no compaction).
int TableFilesAt(const std::string& path, Family family, int level);

// The ledger opened directly with its five column families and default options. Close (destroy)
// it before kasse runs again.
class RawLedger {
 public:
  // Opens the ledger at `path`; throws std::runtime_error when RocksDB refuses.
  explicit RawLedger(const std::string& path);
  // Closes the database; a failed close is a test failure (EXPECT), not an exception.
  ~RawLedger();
  RawLedger(const RawLedger&) = delete;
  RawLedger& operator=(const RawLedger&) = delete;

  // The value of `key` in `family`; throws when it is missing or the read fails.
  std::string Get(Family family, const std::string& key);
  // Writes `key` = `value` in `family`, synced to disk; throws on failure.
  void Put(Family family, const std::string& key, const std::string& value);
  // Deletes `key` from `family`, synced to disk; throws on failure.
  void Delete(Family family, const std::string& key);
  // Every key and value of a family, in key order.
  std::vector<std::pair<std::string, std::string>> All(Family family);
  // The personal-data key (subject, 0x00, seq) of event `seq`; "" when it has none.
  std::string PersonalKeyOf(uint64_t seq);
  // The stored head seq (meta "kasse.head_seq", big-endian).
  uint64_t HeadSeq();
  // Rewrites the chain from `first` to the head: each event's prev_hash becomes the SHA-256 of
  // its predecessor's stored bytes, and the head hash that of the last; what a forger does after
  // changing event first-1.
  void Rechain(uint64_t first);

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace kasse::test
