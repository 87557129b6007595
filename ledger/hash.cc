#include "ledger/hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace kasse {

namespace {

// Fetching the algorithm and allocating a context cost more than hashing a 200-byte event, so
// each thread keeps one of each.
struct DigestContext {
  DigestContext() : md(EVP_MD_fetch(nullptr, "SHA256", nullptr)), context(EVP_MD_CTX_new()) {
    if (md == nullptr || context == nullptr) std::abort();
  }
  ~DigestContext() {
    EVP_MD_CTX_free(context);
    EVP_MD_free(md);
  }
  DigestContext(const DigestContext&) = delete;
  DigestContext& operator=(const DigestContext&) = delete;
  EVP_MD* md;
  EVP_MD_CTX* context;
};

}  // namespace

Sha256 ComputeSha256(std::string_view a, std::string_view b) {
  thread_local DigestContext digest;
  EVP_MD_CTX* context = digest.context;
  Sha256 hash{};
  unsigned int size = 0;
  // libcrypto fails here only when out of memory; a ledger cannot go on without its hashes.
  if (EVP_DigestInit_ex2(context, digest.md, nullptr) != 1 ||
      EVP_DigestUpdate(context, a.data(), a.size()) != 1 ||
      EVP_DigestUpdate(context, b.data(), b.size()) != 1 ||
      EVP_DigestFinal_ex(context, hash.data(), &size) != 1 || size != hash.size()) {
    std::abort();
  }
  return hash;
}

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
  // A call of RAND_bytes costs about half a microsecond whatever its size, and an import salts
  // most events: draw in blocks. Each byte handed out is used once and then wiped from the pool.
  constexpr size_t kPoolSizeBytes = 4096;
  thread_local std::array<uint8_t, kPoolSizeBytes> pool;
  thread_local size_t used_bytes = kPoolSizeBytes;
  if (size > kPoolSizeBytes / 4) {
    if (RAND_bytes(bytes, static_cast<int>(size)) != 1) std::abort();
    return;
  }
  if (used_bytes + size > kPoolSizeBytes) {
    if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1) std::abort();
    used_bytes = 0;
  }
  std::memcpy(bytes, pool.data() + used_bytes, size);
  OPENSSL_cleanse(pool.data() + used_bytes, size);
  used_bytes += size;
}

KeyedHash::KeyedHash(const SipKey& key)
    : mac_(EVP_MAC_fetch(nullptr, "SIPHASH", nullptr)),
      context_(mac_ == nullptr ? nullptr : EVP_MAC_CTX_new(mac_)) {
  size_t output_size_bytes = sizeof(Sip128);  // SipHash's default output is 8 bytes
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &output_size_bytes),
                               OSSL_PARAM_END};
  // As for SHA-256: libcrypto fails here only when out of memory or without its default provider.
  if (context_ == nullptr || EVP_MAC_init(context_, key.data(), key.size(), params) != 1) {
    std::abort();
  }
}

KeyedHash::~KeyedHash() {
  EVP_MAC_CTX_free(context_);
  EVP_MAC_free(mac_);
}

Sip128 KeyedHash::Of(std::string_view a, std::string_view b, std::string_view c) {
  Sip128 hash{};
  size_t size = 0;
  auto update = [this](std::string_view part) {
    return EVP_MAC_update(context_, reinterpret_cast<const unsigned char*>(part.data()),
                          part.size()) == 1;
  };
  // Initializing without a key starts again under the key given at construction.
  if (EVP_MAC_init(context_, nullptr, 0, nullptr) != 1 || !update(a) || !update(b) || !update(c) ||
      EVP_MAC_final(context_, hash.data(), &size, hash.size()) != 1 || size != hash.size()) {
    std::abort();
  }
  return hash;
}

}  // namespace kasse
