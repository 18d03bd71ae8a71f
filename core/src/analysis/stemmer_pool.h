// Snowball stemmers, one per thread and language: libstemmer's sb_stemmer keeps per-call state
// and must not be shared between threads.
#pragma once

#include <string>
#include <string_view>

struct sb_stemmer;

namespace classiflow {

// True when libstemmer knows `language` (e.g. "english", "german", "porter").
bool StemmerLanguageExists(const std::string& language);

// This thread's stemmer for `language`, created on first use. Never null for a language for
// which StemmerLanguageExists() is true.
sb_stemmer* ThreadStemmer(const std::string& language);

// Stems `word` (UTF-8) with `stemmer`; the view stays valid until the next call on this thread.
std::string_view Stem(sb_stemmer* stemmer, std::string_view word);

}  // namespace classiflow
