// Analyzer: turns text into hashed feature ids, the input of every classifier.
//
// Pipeline per text: split on whitespace into chunks; optionally replace a chunk that looks like
// a URL / e-mail address by the token "__url__" / "__email__"; split the rest into words
// (ASCII letters and digits, and every non-ASCII code point that is not punctuation or space, are
// word characters); lowercase (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic); optionally
// map all-digit words to "__num__", drop English stop words and Snowball-stem; emit word
// n-grams 1..ngrams; hash each n-gram with XXH3 into [0, 2^hash_bits).
//
// Text is bytes, not a C string: NUL bytes are separators like spaces. Invalid UTF-8 bytes are
// separators too (documented, never an error), so any byte string can be analysed.
// Texts longer than max_text_bytes are refused with InvalidArgument (see Check()).
//
// Thread-safety: an Analyzer is immutable and may be used from many threads at once. Analyze()
// keeps its working buffers (and Snowball stemmers, which are not thread-safe) per thread, so
// the hot path allocates nothing once a thread has warmed up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/export.h"
#include "classiflow/status.h"

namespace classiflow {

struct CLASSIFLOW_EXPORT AnalyzerOptions {
  // Lowercase words. Default: true.
  bool lowercase = true;
  // Drop the bundled English stop words ("the", "and", ...). Default: false.
  bool stop_words = false;
  // Snowball stemmer language ("english", "german", ...), or "" for none. Default: "".
  std::string stemmer;
  // Replace URLs / e-mail addresses / all-digit words by one token each. Default: true.
  bool normalize_urls = true;
  bool normalize_emails = true;
  bool normalize_numbers = true;
  // Emit word n-grams of length 1..ngrams. REQUIRES: 1 <= ngrams <= 3. Default: 2.
  int ngrams = 2;
  // Size of the hashed feature space is 2^hash_bits. REQUIRES: 10 <= hash_bits <= 28. Default: 20.
  int hash_bits = 20;
  // Longest text accepted, in bytes. REQUIRES: > 0. Default: 1 MiB.
  uint64_t max_text_bytes = 1u << 20;

  // Returns InvalidArgument naming the first option that is out of range or unknown (stemmer).
  Status Validate() const;
  bool operator==(const AnalyzerOptions&) const = default;
};

class CLASSIFLOW_EXPORT Analyzer {
 public:
  // REQUIRES: options.Validate().ok() — use Create() when options come from a user.
  explicit Analyzer(AnalyzerOptions options);
  static Status Create(const AnalyzerOptions& options, Analyzer* out);

  const AnalyzerOptions& options() const { return options_; }
  uint32_t feature_count() const { return 1u << options_.hash_bits; }

  // Returns InvalidArgument when `text` is longer than max_text_bytes; OK otherwise.
  Status Check(std::string_view text) const;

  // Appends the feature ids of `text` to `*features` (cleared first). Each occurrence of an
  // n-gram yields one id, so repeated words count repeatedly. Never fails; call Check() first
  // to enforce the size limit.
  void Analyze(std::string_view text, std::vector<uint32_t>* features) const;

  // The features of Analyze(), in the same order, and for each the n-gram text that produced it
  // (its words joined by one space), for explanations; not for hot paths.
  void Ngrams(std::string_view text, std::vector<uint32_t>* features,
              std::vector<std::string>* ngrams) const;
  // Appends the analysed tokens (after normalisation, stop words and stemming) as strings, for
  // inspection and tests; not for hot paths.
  void Tokens(std::string_view text, std::vector<std::string>* tokens) const;

 private:
  AnalyzerOptions options_;
  uint32_t mask_;
};

}  // namespace classiflow
