#include "ledger/key_sort.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace kasse {

namespace {

// At most this many words of a key are held in the array that is sorted: 40 bytes cover every
// personal key of a name (35 bytes) and the ids of the benchmark, in 48-byte items. Wider items
// cost more to move than the comparisons they spare (measured with 16 to 40 bytes).
constexpr size_t kWordsMax = 5;

// The 8 bytes of `key` from `at`, zero-padded past its end, as a big-endian number: comparing
// two such numbers compares the bytes.
uint64_t WordAt(std::string_view key, size_t at) {
  unsigned char bytes[8] = {};
  if (at < key.size()) std::memcpy(bytes, key.data() + at, std::min<size_t>(8, key.size() - at));
  uint64_t word = 0;
  for (const unsigned char byte : bytes) word = word << 8 | byte;
  return word;
}

template <size_t kWords>
struct Item {
  std::array<uint64_t, kWords> words;  // the key's first kWords * 8 bytes, zero-padded
  uint32_t size;                       // of the key
  uint32_t put;                        // its position before sorting
};

// Bytewise order, given the items' keys. Equal words mean equal bytes up to the shorter key's end
// within them (zero padding included), so the shorter key sorts first; keys longer than the
// words compare the rest of their bytes.
template <size_t kWords>
int Compare(const Item<kWords>& a, const Item<kWords>& b, const std::vector<ChunkPut>& puts) {
  for (size_t w = 0; w < kWords; ++w) {
    if (a.words[w] != b.words[w]) return a.words[w] < b.words[w] ? -1 : 1;
  }
  constexpr size_t kHeld = kWords * 8;
  if (a.size <= kHeld || b.size <= kHeld) return a.size == b.size ? 0 : (a.size < b.size ? -1 : 1);
  return puts[a.put].key.substr(kHeld).compare(puts[b.put].key.substr(kHeld));
}

template <size_t kWords>
size_t SortWithWords(std::vector<ChunkPut>* puts) {
  assert(puts->size() <= UINT32_MAX);
  std::vector<Item<kWords>> items(puts->size());
  for (size_t i = 0; i < puts->size(); ++i) {
    const std::string_view key = (*puts)[i].key;
    assert(key.size() <= UINT32_MAX);
    Item<kWords>& item = items[i];
    for (size_t w = 0; w < kWords; ++w) item.words[w] = WordAt(key, w * 8);
    item.size = static_cast<uint32_t>(key.size());
    item.put = static_cast<uint32_t>(i);
  }
  std::sort(items.begin(), items.end(), [puts](const Item<kWords>& a, const Item<kWords>& b) {
    return Compare(a, b, *puts) < 0;
  });
  size_t duplicate = SIZE_MAX;
  std::vector<ChunkPut> sorted(puts->size());
  for (size_t i = 0; i < items.size(); ++i) {
    sorted[i] = (*puts)[items[i].put];
    if (i > 0 && duplicate == SIZE_MAX && Compare(items[i - 1], items[i], *puts) == 0) {
      duplicate = i;
    }
  }
  puts->swap(sorted);
  return duplicate;
}

}  // namespace

size_t SortPutsByKey(std::vector<ChunkPut>* puts) {
  size_t key_bytes_max = 0;
  for (const ChunkPut& put : *puts) key_bytes_max = std::max(key_bytes_max, put.key.size());
  // As few words as the longest key needs: narrower items move faster.
  switch (std::min<size_t>((key_bytes_max + 7) / 8, kWordsMax)) {
    case 0:
    case 1:
      return SortWithWords<1>(puts);
    case 2:
      return SortWithWords<2>(puts);
    case 3:
      return SortWithWords<3>(puts);
    case 4:
      return SortWithWords<4>(puts);
    default:
      return SortWithWords<kWordsMax>(puts);
  }
}

}  // namespace kasse
