// The hash of a token: the basis of feature ids and of the stop-word lookup.
#pragma once

#include <cstdint>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace classiflow {

inline uint64_t HashToken(std::string_view token) {
  return XXH3_64bits(token.data(), token.size());
}

}  // namespace classiflow
