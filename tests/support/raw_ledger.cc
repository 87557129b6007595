#include "tests/support/raw_ledger.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <stdexcept>

namespace kasse::test {

std::string SeqKey(uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[static_cast<size_t>(i)] = static_cast<char>(seq & 0xff);
    seq >>= 8;
  }
  return key;
}

uint64_t SeqOfKey(std::string_view key) {
  uint64_t seq = 0;
  for (char c : key.substr(key.size() - 8)) seq = seq << 8 | static_cast<uint8_t>(c);
  return seq;
}

void Check(const rocksdb::Status& status, const std::string& what) {
  if (!status.ok()) throw std::runtime_error(what + ": " + status.ToString());
}

std::string Sha256(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1 ||
      size != 32) {
    throw std::runtime_error("SHA-256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string Hex(std::string_view bytes) {
  std::string hex;
  for (unsigned char c : bytes) hex += fmt::format("{:02x}", c);
  return hex;
}

int TableFilesAt(const std::string& path, Family family, int level) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : {"default", "events", "ids", "personal", "state"}) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  Check(rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, families, &handles, &raw),
        "opening " + path + " read-only");
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string files;
  const std::string property = fmt::format("rocksdb.num-files-at-level{}", level);
  const bool known = db->GetProperty(handles[family], property, &files);
  for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  if (!known) throw std::runtime_error("no " + property + " for " + path);
  return std::stoi(files);
}

RawLedger::RawLedger(const std::string& path) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : {"default", "events", "ids", "personal", "state"}) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  rocksdb::DB* db = nullptr;
  rocksdb::DBOptions options;
  options.max_open_files = -1;
  Check(rocksdb::DB::Open(options, path, families, &handles_, &db), "opening " + path);
  db_.reset(db);
}

RawLedger::~RawLedger() {
  for (rocksdb::ColumnFamilyHandle* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  const rocksdb::Status closed = db_->Close();
  EXPECT_TRUE(closed.ok()) << closed.ToString();
}

std::string RawLedger::Get(Family family, const std::string& key) {
  std::string value;
  Check(db_->Get(rocksdb::ReadOptions(), handles_[family], key, &value), "get");
  return value;
}

void RawLedger::Put(Family family, const std::string& key, const std::string& value) {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  Check(db_->Put(sync, handles_[family], key, value), "put");
}

void RawLedger::Delete(Family family, const std::string& key) {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  Check(db_->Delete(sync, handles_[family], key), "delete");
}

std::vector<std::pair<std::string, std::string>> RawLedger::All(Family family) {
  std::vector<std::pair<std::string, std::string>> entries;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[family]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    entries.emplace_back(it->key().ToString(), it->value().ToString());
  }
  Check(it->status(), "iterating");
  return entries;
}

std::string RawLedger::PersonalKeyOf(uint64_t seq) {
  for (const auto& [key, value] : All(kPersonal)) {
    if (key.size() > 9 && key[key.size() - 9] == '\0' && SeqOfKey(key) == seq) return key;
  }
  return "";
}

uint64_t RawLedger::HeadSeq() {
  uint64_t seq = 0;
  for (char c : Get(kMeta, "kasse.head_seq")) seq = seq << 8 | static_cast<uint8_t>(c);
  return seq;
}

void RawLedger::Rechain(uint64_t first) {
  const uint64_t head = HeadSeq();
  std::string previous = Get(kEvents, SeqKey(first - 1));
  for (uint64_t seq = first; seq <= head; ++seq) {
    std::string bytes = Get(kEvents, SeqKey(seq));
    bytes.replace(kPrevHashOffset, 32, Sha256(previous));
    Put(kEvents, SeqKey(seq), bytes);
    previous = bytes;
  }
  Put(kMeta, "kasse.head_hash", Sha256(previous));
}

}  // namespace kasse::test
