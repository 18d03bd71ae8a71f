#include "classiflow/analyzer.h"

#include <cstring>
#include <string>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "analysis/stemmer_pool.h"
#include "analysis/stop_words.h"
#include "analysis/utf8.h"

namespace classiflow {
namespace {

constexpr std::string_view kUrlToken = "__url__";
constexpr std::string_view kEmailToken = "__email__";
constexpr std::string_view kNumberToken = "__num__";

// Whitespace and NUL separate chunks; everything else belongs to some chunk.
inline bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0;
}
inline bool IsAsciiAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
inline char AsciiLower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : static_cast<char>(c);
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (AsciiLower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool LooksLikeUrl(std::string_view chunk) {
  size_t start = 0;  // skip leading "(<\"'" etc.
  while (start < chunk.size() && !IsAsciiAlnum(static_cast<unsigned char>(chunk[start]))) ++start;
  std::string_view rest = chunk.substr(start);
  return rest.find("://") != std::string_view::npos || StartsWithNoCase(rest, "www.");
}

bool LooksLikeEmail(std::string_view chunk) {
  const size_t at = chunk.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  const size_t dot = chunk.find('.', at + 2);
  return dot != std::string_view::npos && dot + 1 < chunk.size();
}

bool AllDigits(std::string_view token) {
  for (char c : token) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Per-thread working memory, so analysing allocates nothing once warmed up.
struct Scratch {
  std::string word;
};
Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Walks `text` and calls sink(token) for every token after normalisation, stop words and
// stemming. The token view is only valid during the call.
template <class Sink>
void Walk(const AnalyzerOptions& options, std::string_view text, Sink&& sink) {
  sb_stemmer* stemmer = options.stemmer.empty() ? nullptr : ThreadStemmer(options.stemmer);
  std::string& word = ThreadScratch().word;
  auto flush = [&] {
    if (word.empty()) return;
    std::string_view token = word;
    if (options.normalize_numbers && AllDigits(token)) token = kNumberToken;
    if (!(options.stop_words && IsEnglishStopWord(token))) {
      if (stemmer != nullptr && token.data() == word.data()) token = Stem(stemmer, token);
      sink(token);
    }
    word.clear();
  };
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    while (i < n && IsSpace(bytes[i])) ++i;
    size_t end = i;
    while (end < n && !IsSpace(bytes[end])) ++end;
    std::string_view chunk = text.substr(i, end - i);
    if (chunk.empty()) break;
    if (options.normalize_urls && LooksLikeUrl(chunk)) {
      sink(kUrlToken);
    } else if (options.normalize_emails && LooksLikeEmail(chunk)) {
      sink(kEmailToken);
    } else {
      for (size_t j = i; j < end;) {
        const unsigned char c = bytes[j];
        if (c < 0x80) {
          if (IsAsciiAlnum(c)) {
            word.push_back(options.lowercase ? AsciiLower(c) : static_cast<char>(c));
          } else {
            flush();
          }
          ++j;
          continue;
        }
        uint32_t cp = 0;
        const size_t len = utf8::Decode(bytes + j, end - j, &cp);
        if (len == 0) {  // invalid UTF-8: a separator, by design
          flush();
          ++j;
          continue;
        }
        if (utf8::IsWordCodePoint(cp)) {
          utf8::Append(options.lowercase ? utf8::ToLower(cp) : cp, &word);
        } else {
          flush();
        }
        j += len;
      }
      flush();
    }
    i = end;
  }
}

inline uint64_t HashToken(std::string_view token) {
  return XXH3_64bits(token.data(), token.size());
}

// Combines the hashes of consecutive tokens into an n-gram hash (order-sensitive).
inline uint64_t Combine(uint64_t left, uint64_t right) {
  uint64_t h = left * 0x9E3779B97F4A7C15ull ^ (right + 0x632BE59BD9B4E019ull);
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return h;
}

}  // namespace

Analyzer::Analyzer(AnalyzerOptions options)
    : options_(std::move(options)), mask_((1u << options_.hash_bits) - 1) {}

Status Analyzer::Create(const AnalyzerOptions& options, Analyzer* out) {
  CF_RETURN_IF_ERROR(options.Validate());
  *out = Analyzer(options);
  return Status::OK();
}

Status Analyzer::Check(std::string_view text) const {
  if (text.size() > options_.max_text_bytes) {
    return Status::InvalidArgument("text is " + std::to_string(text.size()) +
                                   " bytes; the limit is " +
                                   std::to_string(options_.max_text_bytes) +
                                   " (option max_text_bytes)");
  }
  return Status::OK();
}

void Analyzer::Analyze(std::string_view text, std::vector<uint32_t>* features) const {
  features->clear();
  uint64_t prev1 = 0;
  uint64_t prev2 = 0;
  int seen = 0;
  const int ngrams = options_.ngrams;
  const uint32_t mask = mask_;
  Walk(options_, text, [&](std::string_view token) {
    const uint64_t h = HashToken(token);
    features->push_back(static_cast<uint32_t>(h) & mask);
    if (ngrams >= 2 && seen >= 1) {
      const uint64_t bigram = Combine(prev1, h);
      features->push_back(static_cast<uint32_t>(bigram) & mask);
      if (ngrams >= 3 && seen >= 2) {
        features->push_back(static_cast<uint32_t>(Combine(Combine(prev2, prev1), h)) & mask);
      }
    }
    prev2 = prev1;
    prev1 = h;
    ++seen;
  });
}

void Analyzer::Tokens(std::string_view text, std::vector<std::string>* tokens) const {
  Walk(options_, text, [&](std::string_view token) { tokens->emplace_back(token); });
}

}  // namespace classiflow
