#include "classiflow/analyzer.h"

#include <cstring>
#include <string>

#include "analysis/stemmer_pool.h"
#include "analysis/stop_words.h"
#include "analysis/token_hash.h"
#include "analysis/utf8.h"

namespace classiflow {
namespace {

constexpr std::string_view kUrlToken = "__url__";
constexpr std::string_view kEmailToken = "__email__";
constexpr std::string_view kNumberToken = "__num__";

// Byte classes, looked up once per byte. Whitespace and NUL separate chunks; ASCII letters and
// digits build words; other ASCII bytes are punctuation; bytes >= 0x80 start UTF-8 sequences.
enum ByteClass : uint8_t { kSpace, kAlnum, kPunct, kHigh };

// Bits of ByteTables::chunk: what the chunk scan needs to know about a byte in one lookup.
enum ChunkBits : uint8_t { kEndsChunk = 1, kColon = 2, kAt = 4, kDot = 8 };

struct ByteTables {
  ByteClass cls[256];
  char lower[256];
  uint8_t chunk[256];
  constexpr ByteTables() : cls(), lower(), chunk() {
    for (int b = 0; b < 256; ++b) {
      const bool alnum = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
      const bool space = b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v' || b == 0;
      cls[b] = b >= 0x80 ? kHigh : space ? kSpace : alnum ? kAlnum : kPunct;
      lower[b] = static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
      chunk[b] = static_cast<uint8_t>((space ? kEndsChunk : 0) | (b == ':' ? kColon : 0) |
                                      (b == '@' ? kAt : 0) | (b == '.' ? kDot : 0));
    }
  }
};
constexpr ByteTables kBytes;

inline char AsciiLower(unsigned char c) { return kBytes.lower[c]; }

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (AsciiLower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// `has_colon`: the chunk contains ':' (known from the chunk scan, so most chunks skip the search).
bool LooksLikeUrl(std::string_view chunk, bool has_colon) {
  size_t start = 0;  // skip leading "(<\"'" etc.
  while (start < chunk.size() && kBytes.cls[static_cast<unsigned char>(chunk[start])] != kAlnum) ++start;
  std::string_view rest = chunk.substr(start);
  return (has_colon && rest.find("://") != std::string_view::npos) || StartsWithNoCase(rest, "www.");
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

// Walks `text` and calls sink(token, HashToken(token)) for every token after normalisation,
// stop words and stemming. The token view is only valid during the call.
template <class Sink>
void Walk(const AnalyzerOptions& options, std::string_view text, Sink&& sink) {
  sb_stemmer* stemmer = options.stemmer.empty() ? nullptr : ThreadStemmer(options.stemmer);
  std::string& word = ThreadScratch().word;
  auto flush = [&] {
    if (word.empty()) return;
    std::string_view token = word;
    if (options.normalize_numbers && token[0] <= '9' && AllDigits(token)) token = kNumberToken;
    uint64_t hash = HashToken(token);
    if (!(options.stop_words && IsEnglishStopWord(hash))) {
      if (stemmer != nullptr && token.data() == word.data()) {
        token = Stem(stemmer, token);
        hash = HashToken(token);
      }
      sink(token, hash);
    }
    word.clear();
  };
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  const bool lowercase = options.lowercase;
  size_t i = 0;
  while (i < n) {
    while (i < n && kBytes.cls[bytes[i]] == kSpace) ++i;
    size_t end = i;
    uint8_t seen = 0;
    for (uint8_t bits; end < n && !((bits = kBytes.chunk[bytes[end]]) & kEndsChunk); ++end) seen |= bits;
    if (end == i) break;
    std::string_view chunk = text.substr(i, end - i);
    if (options.normalize_urls && (seen & (kColon | kDot)) && LooksLikeUrl(chunk, seen & kColon)) {
      sink(kUrlToken, HashToken(kUrlToken));
    } else if (options.normalize_emails && (seen & kAt) && LooksLikeEmail(chunk)) {
      sink(kEmailToken, HashToken(kEmailToken));
    } else {
      for (size_t j = i; j < end;) {
        const ByteClass cls = kBytes.cls[bytes[j]];
        if (cls == kAlnum) {  // copy the whole ASCII run at once
          size_t k = j + 1;
          while (k < end && kBytes.cls[bytes[k]] == kAlnum) ++k;
          const size_t old = word.size();
          word.resize(old + (k - j));
          char* out = word.data() + old;  // a local pointer: stores through it cannot alias `word`
          for (size_t m = j; m < k; ++m) {
            *out++ = lowercase ? kBytes.lower[bytes[m]] : static_cast<char>(bytes[m]);
          }
          j = k;
          continue;
        }
        if (cls != kHigh) {  // ASCII punctuation
          flush();
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
          utf8::Append(lowercase ? utf8::ToLower(cp) : cp, &word);
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
  Walk(options_, text, [&](std::string_view, uint64_t h) {
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
  Walk(options_, text, [&](std::string_view token, uint64_t) { tokens->emplace_back(token); });
}

}  // namespace classiflow
