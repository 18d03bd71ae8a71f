// The bundled English stop-word list.
#pragma once

#include <string_view>

namespace classiflow {

// True when `word` (already lowercased) is an English stop word.
bool IsEnglishStopWord(std::string_view word);

}  // namespace classiflow
