#include "ledger/hash.h"

#include <openssl/sha.h>
#include <sodium.h>

#include <array>
#include <cstdlib>
#include <cstring>

namespace kasse {

// OpenSSL 3 marks the one-struct SHA-256 functions deprecated in favour of EVP. EVP costs a
// process its provider set-up on the first digest (EVP_MD_fetch loads the configuration and
// builds the default provider's table of names): a recording took 15.5 ms with it, 14.2 without
// (docs/PERFORMANCE.md). These functions run the same SHA-NI/AVX code without that set-up and
// without a dispatch per digest: 15 % faster per 200-byte event. OpenSSL 3 still ships them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
Sha256 ComputeSha256(std::string_view a, std::string_view b) {
  SHA256_CTX context;
  Sha256 hash{};
  static_assert(sizeof(hash) == SHA256_DIGEST_LENGTH);
  // They cannot fail on these arguments (they return 1 always); a ledger cannot go on without its
  // hashes, so a failure would stop kasse.
  if (SHA256_Init(&context) != 1 || SHA256_Update(&context, a.data(), a.size()) != 1 ||
      SHA256_Update(&context, b.data(), b.size()) != 1 ||
      SHA256_Final(hash.data(), &context) != 1) {
    std::abort();
  }
  return hash;
}
#pragma GCC diagnostic pop

Sha256 ComputeSha256(std::string_view bytes) {
  return ComputeSha256(bytes, {});
}

std::string HexOf(const Sha256& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(hash.size() * 2, '0');
  for (size_t i = 0; i < hash.size(); ++i) {
    hex[2 * i] = kDigits[hash[i] >> 4];
    hex[2 * i + 1] = kDigits[hash[i] & 0x0f];
  }
  return hex;
}

bool Sha256FromHex(std::string_view hex, Sha256* hash) {
  if (hex.size() != 64) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  Sha256 parsed{};
  for (size_t i = 0; i < parsed.size(); ++i) {
    const int high = nibble(hex[2 * i]);
    const int low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    parsed[i] = static_cast<uint8_t>(high * 16 + low);
  }
  *hash = parsed;
  return true;
}

void FillRandomBytes(uint8_t* bytes, size_t size) {
  // libsodium's randombytes_buf reads the kernel's generator (getrandom). OpenSSL's RAND_bytes
  // first sets up a DRBG in its default provider, which fetches a cipher and builds the
  // provider's table of names: about 1.2 ms of a 21 ms recording (perf, docs/PERFORMANCE.md).
  // A call costs a system call: draw in blocks. Each byte handed out is used once and then wiped
  // from the pool.
  static const bool sodium_ready = sodium_init() >= 0;
  if (!sodium_ready) std::abort();
  constexpr size_t kPoolSizeBytes = 4096;
  thread_local std::array<uint8_t, kPoolSizeBytes> pool;
  thread_local size_t used_bytes = kPoolSizeBytes;
  if (size > kPoolSizeBytes / 4) {
    randombytes_buf(bytes, size);
    return;
  }
  if (used_bytes + size > kPoolSizeBytes) {
    randombytes_buf(pool.data(), pool.size());
    used_bytes = 0;
  }
  std::memcpy(bytes, pool.data() + used_bytes, size);
  sodium_memzero(pool.data() + used_bytes, size);
  used_bytes += size;
}

Sip128 KeyedHash::Of(std::string_view a, std::string_view b, std::string_view c) {
  static_assert(sizeof(SipKey) == crypto_shorthash_siphashx24_KEYBYTES);
  static_assert(sizeof(Sip128) == crypto_shorthash_siphashx24_BYTES);
  message_.assign(a);
  message_.append(b);
  message_.append(c);
  Sip128 hash{};
  // Pure computation: it cannot fail, and it needs no sodium_init().
  crypto_shorthash_siphashx24(hash.data(), reinterpret_cast<const unsigned char*>(message_.data()),
                              message_.size(), key_.data());
  return hash;
}

}  // namespace kasse
