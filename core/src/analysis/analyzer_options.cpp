#include <string>

#include "analysis/stemmer_pool.h"
#include "classiflow/analyzer.h"
#include "util/json_options.h"

namespace classiflow {

Status AnalyzerOptions::Validate() const {
  if (ngrams < 1 || ngrams > 3) {
    return Status::InvalidArgument("ngrams must be 1, 2 or 3, not " + std::to_string(ngrams));
  }
  if (hash_bits < 10 || hash_bits > 28) {
    return Status::InvalidArgument("hash_bits must be in 10..28, not " + std::to_string(hash_bits));
  }
  if (max_text_bytes == 0) return Status::InvalidArgument("max_text_bytes must be positive");
  if (!stemmer.empty() && !StemmerLanguageExists(stemmer)) {
    return Status::InvalidArgument("unknown stemmer language " + QuotePrefix(stemmer) +
                                   " (libstemmer knows e.g. english, german, french, porter)");
  }
  return Status::OK();
}

}  // namespace classiflow
