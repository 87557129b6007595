// SHA-256 (OpenSSL libcrypto) for the hash chain and the personal-data digests, and a keyed
// hash for what verify compares within one run.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/event.h"

namespace kasse {

Sha256 ComputeSha256(std::string_view bytes);
// SHA-256 of `a` followed by `b`, without concatenating them first.
Sha256 ComputeSha256(std::string_view a, std::string_view b);

std::string HexOf(const Sha256& hash);
// Parses 64 lowercase hex digits; false on anything else.
bool Sha256FromHex(std::string_view hex, Sha256* hash);

// Fills `size` bytes with cryptographically random data (salts, the ledger's pepper).
void FillRandomBytes(uint8_t* bytes, size_t size);

using SipKey = std::array<uint8_t, 16>;
using Sip128 = std::array<uint8_t, 16>;

// SipHash-2-4 with a 128-bit output (libsodium's crypto_shorthash_siphashx24): to whoever does
// not know the key, a pseudorandom function of its input. On the short entries verify hashes it
// took about 22 ns where SHA-256 took 70 and OpenSSL's SipHash (EVP_MAC) 43 (28 bytes, on the
// benchmark machine). Nothing stored depends on it. One per thread: it keeps a buffer.
class KeyedHash {
 public:
  explicit KeyedHash(const SipKey& key) : key_(key) {}

  // The hash of `a` followed by `b` and `c`.
  Sip128 Of(std::string_view a, std::string_view b = {}, std::string_view c = {});

 private:
  SipKey key_;
  std::string message_;  // a, b and c together: libsodium hashes one contiguous message
};

}  // namespace kasse
