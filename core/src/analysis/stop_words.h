// The bundled English stop-word list.
#pragma once

#include <cstdint>
#include <string_view>

namespace classiflow {

// True when the token whose HashToken() is `token_hash` is an English stop word (the token must
// already be lowercased). A hash lookup, because the analyzer has the hash at hand anyway.
bool IsEnglishStopWord(uint64_t token_hash);

}  // namespace classiflow
