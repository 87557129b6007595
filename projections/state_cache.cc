#include "projections/state_cache.h"

#include <cassert>

namespace kasse {

namespace {

// A std::map or std::set node with std::string members and the heap blocks of longer strings,
// roughly; it only needs to be in proportion.
constexpr size_t kNodeBytes = 96;

size_t HeldBytes(const std::string& key, const std::string& value) {
  return kNodeBytes + key.size() + value.size();
}

}  // namespace

Status StateCache::Get(const std::string& key, std::string* value, bool* found) {
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    *value = it->second;
    *found = true;
    return Status::Ok();
  }
  *found = false;
  if (backing_ == nullptr || absent_.contains(key)) return Status::Ok();
  std::string stored;
  Status status = backing_->GetState(key, &stored);
  if (status.code() == Status::Code::kNotFound) {
    if (absent_.insert(key).second) held_bytes_ += HeldBytes(key, "");
    return Status::Ok();
  }
  KASSE_RETURN_IF_ERROR(status);
  *value = stored;
  *found = true;
  held_bytes_ += HeldBytes(key, stored);
  entries_.emplace(key, std::move(stored));
  return Status::Ok();
}

void StateCache::Put(const std::string& key, std::string value) {
  if (backing_ == nullptr) {
    // Replay and verify: the cache is the whole state and every key in it a change (Changes()),
    // so there is nothing to track; this is the hot path of a replay.
    entries_.insert_or_assign(key, std::move(value));
    return;
  }
  auto [it, inserted] = entries_.try_emplace(key);
  held_bytes_ += inserted ? HeldBytes(key, value) : value.size();
  held_bytes_ -= it->second.size();
  it->second = std::move(value);
  if (absent_.erase(key) > 0) held_bytes_ -= HeldBytes(key, "");
  if (dirty_.insert(key).second) held_bytes_ += HeldBytes(key, "");
}

StateChanges StateCache::TakeChanges() {
  assert(backing_ != nullptr);
  StateChanges changes;
  changes.puts.reserve(dirty_.size());
  for (const std::string& key : dirty_) {
    auto it = entries_.find(key);
    assert(it != entries_.end());
    changes.puts.emplace_back(key, std::move(it->second));
  }
  entries_.clear();
  absent_.clear();
  dirty_.clear();
  held_bytes_ = 0;
  return changes;
}

StateChanges StateCache::Changes() const {
  StateChanges changes;
  if (backing_ == nullptr) {  // see Put()
    changes.puts.assign(entries_.begin(), entries_.end());
    return changes;
  }
  changes.puts.reserve(dirty_.size());
  for (const std::string& key : dirty_) changes.puts.emplace_back(key, entries_.at(key));
  return changes;
}

StateView StoredState(const Ledger& ledger) {
  return {
      [&ledger](std::string_view key, std::string* value) { return ledger.GetState(key, value); },
      [&ledger](std::string_view prefix, const Ledger::StateVisitor& visit) {
        return ledger.ForEachState(prefix, visit);
      }};
}

StateView InMemoryState(const std::map<std::string, std::string>& entries) {
  return {[&entries](std::string_view key, std::string* value) {
            auto it = entries.find(std::string(key));
            if (it == entries.end()) return Status::NotFound(std::string(key));
            *value = it->second;
            return Status::Ok();
          },
          [&entries](std::string_view prefix, const Ledger::StateVisitor& visit) {
            for (auto it = entries.lower_bound(std::string(prefix));
                 it != entries.end() && it->first.starts_with(prefix); ++it) {
              KASSE_RETURN_IF_ERROR(visit(it->first, it->second));
            }
            return Status::Ok();
          }};
}

std::string EncodeInt64s(const std::vector<int64_t>& values) {
  std::string bytes;
  bytes.reserve(values.size() * 8);
  for (int64_t value : values) {
    const uint64_t bits = static_cast<uint64_t>(value);
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(bits >> (8 * i) & 0xff));
  }
  return bytes;
}

bool DecodeInt64s(std::string_view bytes, size_t count, std::vector<int64_t>* values) {
  if (bytes.size() != count * 8) return false;
  values->assign(count, 0);
  for (size_t v = 0; v < count; ++v) {
    uint64_t bits = 0;
    for (size_t i = 0; i < 8; ++i) {
      bits |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[v * 8 + i])) << (8 * i);
    }
    (*values)[v] = static_cast<int64_t>(bits);
  }
  return true;
}

}  // namespace kasse
