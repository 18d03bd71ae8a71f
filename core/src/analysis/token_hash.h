// The hash of a token: the basis of feature ids and of the stop-word lookup. Part of every
// saved model's meaning: changing it changes which features texts map to.
//
// Tokens of up to 16 bytes (nearly all words) are hashed with one 64x64->128-bit multiply of
// their bytes (wyhash's "mum" mix), without branching on the exact length; longer ones go
// through XXH3. The analyzer's word buffer keeps 16 spare bytes after every token, so it can
// load whole 8-byte words (HashTokenPadded); other callers use HashToken, which copies first.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace classiflow {
namespace token_hash {

inline uint64_t Mum(uint64_t a, uint64_t b) {
  const __uint128_t product = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// REQUIRES: 1 <= len <= 16 and p[0 .. 16) readable.
inline uint64_t Short(const char* p, size_t len) {
  const uint64_t mask = ~uint64_t{0} >> (8 * (8 - (len < 8 ? len : 8)));
  const uint64_t lo = Load64(p) & mask;
  const uint64_t hi = len > 8 ? Load64(p + len - 8) : 0;  // overlaps lo for len < 16
  return Mum(lo ^ 0xa0761d6478bd642full, hi ^ 0xe7037ed1a0b428dbull ^ (uint64_t{len} << 56));
}

}  // namespace token_hash

// REQUIRES: 16 readable bytes after token.data() + token.size() (or the token is longer).
inline uint64_t HashTokenPadded(std::string_view token) {
  if (token.size() > 16 || token.empty()) return XXH3_64bits(token.data(), token.size());
  return token_hash::Short(token.data(), token.size());
}

// Any token; equal to HashTokenPadded for the same bytes.
inline uint64_t HashToken(std::string_view token) {
  if (token.size() > 16 || token.empty()) return XXH3_64bits(token.data(), token.size());
  char padded[32] = {};
  std::memcpy(padded, token.data(), token.size());
  return token_hash::Short(padded, token.size());
}

}  // namespace classiflow
