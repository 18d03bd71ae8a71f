#include "analysis/stemmer_pool.h"

#include <libstemmer.h>

#include <utility>
#include <vector>

namespace classiflow {
namespace {

class ThreadStemmers {
 public:
  ~ThreadStemmers() {
    for (auto& entry : stemmers_) sb_stemmer_delete(entry.second);
  }
  sb_stemmer* Get(const std::string& language) {
    for (auto& entry : stemmers_) {
      if (entry.first == language) return entry.second;
    }
    sb_stemmer* stemmer = sb_stemmer_new(language.c_str(), "UTF_8");
    if (stemmer != nullptr) stemmers_.emplace_back(language, stemmer);
    return stemmer;
  }

 private:
  std::vector<std::pair<std::string, sb_stemmer*>> stemmers_;  // few languages: a list is fastest
};

}  // namespace

bool StemmerLanguageExists(const std::string& language) {
  return ThreadStemmer(language) != nullptr;
}

sb_stemmer* ThreadStemmer(const std::string& language) {
  thread_local ThreadStemmers stemmers;
  return stemmers.Get(language);
}

std::string_view Stem(sb_stemmer* stemmer, std::string_view word) {
  const sb_symbol* stemmed = sb_stemmer_stem(
      stemmer, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
  if (stemmed == nullptr) return word;  // out of memory inside libstemmer: keep the word
  return {reinterpret_cast<const char*>(stemmed), static_cast<size_t>(sb_stemmer_length(stemmer))};
}

}  // namespace classiflow
