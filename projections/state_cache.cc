#include "projections/state_cache.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <thread>

namespace kasse {

namespace {

// What an entry costs beside its key's and its value's bytes: its node and, at about two thirds
// of the index's slots, its share of them. Roughly; it only needs to be in proportion.
constexpr size_t kEntryOverheadBytes = 96;

size_t HeldBytes(std::string_view key, std::string_view value) {
  return kEntryOverheadBytes + key.size() + value.size();
}

// Keys are unique within a cache, so this orders its entries without comparing values.
bool KeyLess(const StateEntry& a, const StateEntry& b) {
  return a.first < b.first;
}

// Below this many entries one thread sorts: a thread costs more than it saves.
constexpr size_t kTwoThreadSortEntriesMin = 16384;

// Sorts by key, each half on a thread of its own, then merges the halves. A replay's state is
// sorted after its fold, while nothing else runs: at 1M events 112,173 keys with long common
// prefixes, 40 ms on one thread (perf, docs/PERFORMANCE.md, "Stop 20").
void SortByKey(SortedState* entries) {
  if (entries->size() < kTwoThreadSortEntriesMin) {
    std::sort(entries->begin(), entries->end(), KeyLess);
    return;
  }
  const auto middle = entries->begin() + static_cast<std::ptrdiff_t>(entries->size() / 2);
  std::thread first_half([entries, middle]() { std::sort(entries->begin(), middle, KeyLess); });
  std::sort(middle, entries->end(), KeyLess);
  first_half.join();
  std::inplace_merge(entries->begin(), middle, entries->end(), KeyLess);
}

}  // namespace

std::string_view KeyArena::Copy(std::string_view key) {
  if (blocks_.empty() || used_bytes_ + key.size() > blocks_.back().size_bytes) {
    const size_t size_bytes = std::max(kBlockBytes, key.size());
    blocks_.push_back({std::make_unique_for_overwrite<char[]>(size_bytes), size_bytes});
    held_bytes_ += size_bytes;
    used_bytes_ = 0;
  }
  char* copy = blocks_.back().bytes.get() + used_bytes_;
  std::copy(key.begin(), key.end(), copy);
  used_bytes_ += key.size();
  return {copy, key.size()};
}

void KeyArena::Clear() {
  if (blocks_.size() > 1) blocks_.resize(1);
  held_bytes_ = blocks_.empty() ? 0 : blocks_.front().size_bytes;
  used_bytes_ = 0;
}

std::string_view StateCache::Node::key() const {
  if (key_size_bytes <= kInlineKeyBytes) return {key_bytes.data(), key_size_bytes};
  const char* far_bytes = nullptr;
  std::memcpy(&far_bytes, key_bytes.data(), sizeof(far_bytes));
  return {far_bytes, key_size_bytes};
}

void StateCache::Node::SetKey(std::string_view key) {
  assert(key.size() <= UINT32_MAX);
  key_size_bytes = static_cast<uint32_t>(key.size());
  if (key.size() <= kInlineKeyBytes) {
    std::copy(key.begin(), key.end(), key_bytes.begin());
  } else {
    const char* far_bytes = key.data();
    std::memcpy(key_bytes.data(), &far_bytes, sizeof(far_bytes));
  }
}

StateCache::Node* StateCache::FindNode(std::string_view key, size_t hash) {
  const size_t position =
      index_.Find(hash, [this, key](size_t candidate) { return NodeAt(candidate).key() == key; });
  return position == SlotIndex::kNotFound ? nullptr : &NodeAt(position);
}

StateCache::Node& StateCache::AddNode(std::string_view key, size_t hash) {
  assert(node_count_ == index_.size());
  index_.Add(hash, [this](size_t position) { return SlotHashOf(NodeAt(position).key()); });
  if (node_count_ == chunks_.size() * kChunkNodes) {
    chunks_.push_back(std::make_unique<Node[]>(kChunkNodes));
  }
  Node& node = NodeAt(node_count_++);
  assert(node.value.empty() && !node.dirty && !node.absent);  // new, or reset by TakeChanges
  node.SetKey(key.size() <= Node::kInlineKeyBytes ? key : long_keys_.Copy(key));
  return node;
}

Status StateCache::LoadNode(std::string_view key, Node** node) {
  const size_t hash = SlotHashOf(key);
  *node = FindNode(key, hash);
  if (*node != nullptr) return Status::Ok();
  std::string stored;
  Status status = Status::NotFound(std::string());
  if (backing_ != nullptr && !backing_empty_) status = backing_->GetState(key, &stored);
  if (status.code() != Status::Code::kNotFound) KASSE_RETURN_IF_ERROR(status);
  *node = &AddNode(key, hash);
  (*node)->absent = !status.ok();
  (*node)->value = std::move(stored);
  held_bytes_ += HeldBytes(key, (*node)->value);
  return Status::Ok();
}

Status StateCache::Get(std::string_view key, std::string* value, bool* found) {
  std::string_view held;
  KASSE_RETURN_IF_ERROR(Find(key, &held, found));
  if (*found) value->assign(held);
  return Status::Ok();
}

Status StateCache::Find(std::string_view key, std::string_view* value, bool* found) {
  Place place;
  return FindPlace(key, &place, value, found);
}

Status StateCache::FindPlace(std::string_view key, Place* place, std::string_view* value,
                             bool* found) {
  KASSE_RETURN_IF_ERROR(LoadNode(key, &place->node_));
  *found = !place->node_->absent;
  if (*found) *value = place->node_->value;
  return Status::Ok();
}

void StateCache::Put(std::string_view key, std::string_view value) {
  // Not LoadNode: a key that is written need not be read from the ledger first.
  const size_t hash = SlotHashOf(key);
  Place place;
  place.node_ = FindNode(key, hash);
  if (place.node_ == nullptr) {
    place.node_ = &AddNode(key, hash);
    held_bytes_ += HeldBytes(key, "");
  }
  Put(place, value);
}

void StateCache::Put(const Place& place, std::string_view value) {
  Node& node = *place.node_;
  held_bytes_ += value.size();
  held_bytes_ -= node.value.size();
  node.value.assign(value);
  node.absent = false;
  node.dirty = true;
}

SortedState StateCache::Sorted() const {
  SortedState sorted;
  sorted.reserve(node_count_);
  for (size_t position = 0; position < node_count_; ++position) {
    const Node& node = NodeAt(position);
    if (!node.absent) sorted.emplace_back(node.key(), node.value);
  }
  SortByKey(&sorted);
  return sorted;
}

SetDigest StateCache::Digest(const SipKey& key) const {
  KeyedHash hash(key);
  SetDigest digest;
  for (size_t position = 0; position < node_count_; ++position) {
    const Node& node = NodeAt(position);
    if (!node.absent) digest.Add(StateEntryHash(&hash, node.key(), node.value));
  }
  return digest;
}

SortedState StateCache::Changes() const {
  // Without a backing ledger the cache is the whole state, and every key in it a change.
  if (backing_ == nullptr) return Sorted();
  SortedState changes;
  for (size_t position = 0; position < node_count_; ++position) {
    const Node& node = NodeAt(position);
    if (node.dirty) changes.emplace_back(node.key(), node.value);
  }
  SortByKey(&changes);
  return changes;
}

Status StateCache::TakeChanges(const std::function<Status(StateChanges)>& write) {
  assert(backing_ != nullptr);
  KASSE_RETURN_IF_ERROR(write(Changes()));
  // Keeps the first chunk for the next keys.
  if (chunks_.size() > 1) chunks_.resize(1);
  for (size_t position = 0; position < std::min(node_count_, kChunkNodes); ++position) {
    NodeAt(position) = Node();
  }
  node_count_ = 0;
  long_keys_.Clear();
  index_.Clear();
  held_bytes_ = 0;
  backing_empty_ = false;  // `write` has written there
  return Status::Ok();
}

StateView StoredState(const Ledger& ledger) {
  return {
      [&ledger](std::string_view key, std::string* value) { return ledger.GetState(key, value); },
      [&ledger](std::string_view prefix, const Ledger::StateVisitor& visit) {
        return ledger.ForEachState(prefix, visit);
      }};
}

StateView InMemoryState(const SortedState& entries) {
  const auto key_less = [](const auto& entry, std::string_view key) { return entry.first < key; };
  return {[&entries, key_less](std::string_view key, std::string* value) {
            auto it = std::lower_bound(entries.begin(), entries.end(), key, key_less);
            if (it == entries.end() || it->first != key) return Status::NotFound(std::string(key));
            value->assign(it->second);
            return Status::Ok();
          },
          [&entries, key_less](std::string_view prefix, const Ledger::StateVisitor& visit) {
            for (auto it = std::lower_bound(entries.begin(), entries.end(), prefix, key_less);
                 it != entries.end() && it->first.starts_with(prefix); ++it) {
              KASSE_RETURN_IF_ERROR(visit(it->first, it->second));
            }
            return Status::Ok();
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
  return DecodeInt64s(bytes, std::span<int64_t>(*values));
}

bool DecodeInt64s(std::string_view bytes, std::span<int64_t> values) {
  if (bytes.size() != values.size() * 8) return false;
  for (size_t v = 0; v < values.size(); ++v) {
    uint64_t bits = 0;
    for (size_t i = 0; i < 8; ++i) {
      bits |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[v * 8 + i])) << (8 * i);
    }
    values[v] = static_cast<int64_t>(bits);
  }
  return true;
}

}  // namespace kasse
