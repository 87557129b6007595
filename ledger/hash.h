// SHA-256 (OpenSSL libcrypto) for the hash chain and the personal-data digests.
#pragma once

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

}  // namespace kasse
