#include "ledger/hash.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

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

// The SHA-256 examples of FIPS 180-2 (appendix B), and the empty message; a message longer than
// a block (the 56-byte one) and one split across the two parts at every position.
TEST(Sha256, MatchesTheStandardVectors) {
  EXPECT_EQ(HexOf(ComputeSha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexOf(ComputeSha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  const std::string expected = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
  EXPECT_EQ(HexOf(ComputeSha256(two_blocks)), expected);
  for (size_t split = 0; split <= two_blocks.size(); ++split) {
    const std::string_view whole(two_blocks);
    EXPECT_EQ(HexOf(ComputeSha256(whole.substr(0, split), whole.substr(split))), expected)
        << "split at " << split;
  }
}

TEST(Sha256, HexRoundTrips) {
  Sha256 parsed;
  EXPECT_TRUE(Sha256FromHex(HexOf(ComputeSha256("abc")), &parsed));
  EXPECT_EQ(parsed, ComputeSha256("abc"));
  EXPECT_FALSE(Sha256FromHex("xyz", &parsed));
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
