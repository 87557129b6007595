#include "projections/state_cache.h"

namespace kasse {

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
    absent_.insert(key);
    return Status::Ok();
  }
  KASSE_RETURN_IF_ERROR(status);
  *value = stored;
  *found = true;
  entries_.emplace(key, std::move(stored));
  return Status::Ok();
}

void StateCache::Put(const std::string& key, std::string value) {
  entries_[key] = std::move(value);
  absent_.erase(key);
  dirty_.insert(key);
}

StateChanges StateCache::Changes() const {
  StateChanges changes;
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
