#include "ledger/hash.h"

#include <gtest/gtest.h>

#include <string>

namespace kasse {
namespace {

std::string HexOf128(const Sip128& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (const uint8_t byte : hash) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0f]);
  }
  return hex;
}

SipKey ReferenceKey() {  // 00 01 .. 0f, the key of the SipHash reference vectors
  SipKey key;
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  return key;
}

std::string ReferenceMessage(size_t size_bytes) {  // 00 01 .. size_bytes-1
  std::string message;
  for (size_t i = 0; i < size_bytes; ++i) message.push_back(static_cast<char>(i));
  return message;
}

// vectors_sip128 of the SipHash reference implementation (github.com/veorq/SipHash).
TEST(KeyedHash, IsSipHash24With128BitOutput) {
  KeyedHash hash(ReferenceKey());
  EXPECT_EQ(HexOf128(hash.Of("")), "a3817f04ba25a8e66df67214c7550293");
  EXPECT_EQ(HexOf128(hash.Of(ReferenceMessage(1))), "da87c1d86b99af44347659119b22fc45");
}

// Each call starts afresh under the same key, and the parts are hashed as one message.
TEST(KeyedHash, HashesThePartsAsOneMessageEveryTime) {
  KeyedHash hash(ReferenceKey());
  const std::string message = ReferenceMessage(40);
  const Sip128 whole = hash.Of(message);
  EXPECT_EQ(hash.Of(message), whole);
  EXPECT_EQ(hash.Of(message.substr(0, 8), message.substr(8, 32), message.substr(40)), whole);
  EXPECT_EQ(hash.Of(message.substr(0, 3), message.substr(3, 1), message.substr(4)), whole);
}

TEST(KeyedHash, AnotherKeyGivesAnotherHash) {
  SipKey other = ReferenceKey();
  other[15] ^= 1;
  KeyedHash reference(ReferenceKey());
  KeyedHash changed(other);
  EXPECT_NE(reference.Of("seq and id"), changed.Of("seq and id"));
}

}  // namespace
}  // namespace kasse
