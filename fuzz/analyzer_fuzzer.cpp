// analyzer_fuzzer: the first three bytes choose the analyzer options, the rest is the text.
//   byte 0: stemmer — index into libstemmer's language list; past its end = no stemmer
//   byte 1: bit 0 lowercase, 1 stop_words, 2 normalize_urls, 3 normalize_emails,
//           4 normalize_numbers; (byte >> 5) % 3 + 1 = ngrams
//   byte 2: hash_bits = 10 + byte % 19 (10..28)
// Invariants (documented in analyzer.h and token_hash.h):
//   - every feature id < 2^hash_bits;
//   - every token is non-empty, valid UTF-8;
//   - k tokens give exactly sum over n = 1..ngrams of max(0, k - n + 1) features (one per
//     n-gram occurrence), a token's unigram feature is HashToken(token) & mask, and it comes
//     first among the features that token ends;
//   - Analyze clears its output, and the same text analyses the same way twice.
#include <libstemmer.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/token_hash.h"
#include "classiflow/analyzer.h"
#include "fuzz_util.h"

namespace {

using classiflow::AnalyzerOptions;

const std::vector<std::string>& StemmerLanguages() {
  static const std::vector<std::string> languages = [] {
    std::vector<std::string> out;
    for (const char** name = sb_stemmer_list(); *name != nullptr; ++name) out.emplace_back(*name);
    return out;
  }();
  return languages;
}

AnalyzerOptions OptionsFrom(const uint8_t* bytes) {
  AnalyzerOptions options;
  const auto& languages = StemmerLanguages();
  if (bytes[0] < languages.size()) options.stemmer = languages[bytes[0]];
  options.lowercase = bytes[1] & 1;
  options.stop_words = bytes[1] & 2;
  options.normalize_urls = bytes[1] & 4;
  options.normalize_emails = bytes[1] & 8;
  options.normalize_numbers = bytes[1] & 16;
  options.ngrams = (bytes[1] >> 5) % 3 + 1;
  options.hash_bits = 10 + bytes[2] % 19;
  return options;
}

// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const unsigned char b = p[i];
    const size_t len = b < 0x80         ? 1
                       : (b >> 5) == 6  ? 2
                       : (b >> 4) == 14 ? 3
                       : (b >> 3) == 30 ? 4
                                        : 0;
    if (len == 0 || i + len > n) return false;
    uint32_t cp = len == 1 ? b : b & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

size_t ExpectedFeatures(size_t tokens, int ngrams) {
  size_t total = 0;
  for (int n = 1; n <= ngrams; ++n) total += tokens >= static_cast<size_t>(n) ? tokens - n + 1 : 0;
  return total;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const AnalyzerOptions options = OptionsFrom(data);
  FUZZ_CHECK(options.Validate().ok(), "every option byte pattern must be valid");
  const classiflow::Analyzer analyzer(options);
  const std::string_view text(reinterpret_cast<const char*>(data) + 3, size - 3);

  std::vector<std::string> tokens;
  analyzer.Tokens(text, &tokens);
  for (const std::string& token : tokens) {
    FUZZ_CHECK(!token.empty(), "empty token (stemmer '" + options.stemmer + "')");
    FUZZ_CHECK(IsValidUtf8(token), "token is not valid UTF-8 (stemmer '" + options.stemmer + "')");
  }

  std::vector<uint32_t> features = {0xdeadbeef};
  analyzer.Analyze(text, &features);
  const uint32_t mask = analyzer.feature_count() - 1;
  for (uint32_t f : features) FUZZ_CHECK(f <= mask, "feature id >= 2^hash_bits");
  FUZZ_CHECK(features.size() == ExpectedFeatures(tokens.size(), options.ngrams),
             std::to_string(tokens.size()) + " tokens but " + std::to_string(features.size()) +
                 " features");
  for (size_t i = 0, at = 0; i < tokens.size(); ++i) {
    const uint32_t expected = static_cast<uint32_t>(classiflow::HashToken(tokens[i])) & mask;
    FUZZ_CHECK(features[at] == expected, "unigram feature of token '" + tokens[i] + "'");
    at += 1 + std::min<size_t>(i, options.ngrams - 1);
  }

  std::vector<uint32_t> again;
  analyzer.Analyze(text, &again);
  FUZZ_CHECK(again == features, "Analyze is not deterministic");
  return 0;
}
