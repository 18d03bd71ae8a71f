#include "classiflow/analyzer.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "analysis/ascii_run.h"
#include "analysis/stemmer_pool.h"
#include "analysis/stop_words.h"
#include "analysis/token_hash.h"
#include "analysis/utf8.h"
#include "util/per_thread.h"
#include "util/scratch_array.h"

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
      const bool space =
          b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v' || b == 0;
      cls[b] = b >= 0x80 ? kHigh : space ? kSpace : alnum ? kAlnum : kPunct;
      lower[b] = static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
      chunk[b] = static_cast<uint8_t>((space ? kEndsChunk : 0) | (b == ':' ? kColon : 0) |
                                      (b == '@' ? kAt : 0) | (b == '.' ? kDot : 0));
    }
  }
};
constexpr ByteTables kBytes;

inline char AsciiLower(unsigned char c) { return kBytes.lower[c]; }
// Function objects (not pointers), so CopyAsciiRun inlines them.
constexpr auto kIsAlnumByte = [](unsigned char c) { return kBytes.cls[c] == kAlnum; };
constexpr auto kLowerByte = [](unsigned char c) { return kBytes.lower[c]; };

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
  while (start < chunk.size() && kBytes.cls[static_cast<unsigned char>(chunk[start])] != kAlnum)
    ++start;
  std::string_view rest = chunk.substr(start);
  return (has_colon && rest.find("://") != std::string_view::npos) ||
         StartsWithNoCase(rest, "www.");
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

// Per-thread buffers of the analyzer. Words: lowercasing never lengthens UTF-8 here, so
// text.size() bytes (plus CopyAsciiRun's 16 bytes of slack) always suffice. Features: at most
// one token per two bytes plus one per URL chunk, three features per token.
struct Buffers {
  ScratchArray<char> words;
  ScratchArray<uint32_t> features;
};
Buffers& ThreadBuffers() { return PerThread<Buffers>(); }

// Walks `text` in one pass and calls sink.Emit(token, hash, keep) for every token after
// normalisation and stemming; keep is false for stop words (see Flush). The token view is valid
// during the call only. Words are emitted as they complete; when a whitespace-delimited chunk
// then turns out to be a URL or an e-mail address (only checked when it contains ':', '.' or
// '@'), its words are taken back with sink.Rollback(mark) and the replacement token is emitted.
template <class Sink>
class Walker {
 public:
  Walker(const AnalyzerOptions& options, std::string_view text, Sink& sink)
      : options_(options),
        text_(text),
        sink_(sink),
        stemmer_(options.stemmer.empty() ? nullptr : ThreadStemmer(options.stemmer)),
        stop_words_(options.stop_words ? &EnglishStopWords() : nullptr),
        word_(ThreadBuffers().words.Reserve(text.size() + 16)),
        special_((options.normalize_urls ? kColon | kDot : 0) |
                 (options.normalize_emails ? kAt : 0)) {}

  void Run() {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text_.data());
    const size_t n = text_.size();
    const bool lowercase = options_.lowercase;
    char* w = word_;  // the current word is [word_, w); a local so it stays in a register
    size_t chunk_start = 0;
    auto mark = sink_.Mark();
    uint8_t seen = 0;  // ChunkBits of the current chunk's punctuation
    for (size_t j = 0; j < n;) {
      const unsigned char b = bytes[j];
      const ByteClass cls = kBytes.cls[b];
      if (cls == kAlnum) {
        j = CopyAsciiRun(bytes, n, j, lowercase, &w, kIsAlnumByte, kLowerByte);
      } else if (cls == kSpace) {
        w = Flush(w);
        if (seen & special_)
          EndSpecialChunk(text_.substr(chunk_start, j - chunk_start), seen, mark);
        seen = 0;
        chunk_start = ++j;
        mark = sink_.Mark();
      } else if (cls == kPunct) {
        seen |= kBytes.chunk[b];
        w = Flush(w);
        ++j;
      } else {
        uint32_t cp = 0;
        const size_t len = utf8::Decode(bytes + j, n - j, &cp);
        if (len != 0 && utf8::IsWordCodePoint(cp)) {
          w = utf8::Write(lowercase ? utf8::ToLower(cp) : cp, w);
        } else {
          w = Flush(w);  // punctuation, or invalid UTF-8: a separator, by design
        }
        j += len != 0 ? len : 1;
      }
    }
    Flush(w);
    if (seen & special_) EndSpecialChunk(text_.substr(chunk_start), seen, mark);
  }

 private:
  // Emits the word [word_, end) and returns the start of the next one. Stop words are passed
  // on with keep = false rather than skipped, so the sink can drop them without a branch.
  // A word whose stem is empty (Snowball "porter" stems "s", as in "it's", to "") is passed on
  // like a stop word: no feature of its own, and n-grams join the words on either side of it.
  char* Flush(char* end) {
    if (end == word_) return word_;
    std::string_view token(word_, end - word_);
    if (options_.normalize_numbers && token[0] <= '9' && AllDigits(token)) token = kNumberToken;
    uint64_t hash = token.data() == word_ ? HashTokenPadded(token) : HashToken(token);
    bool keep = stop_words_ == nullptr || !stop_words_->Contains(hash);
    if (stemmer_ != nullptr && keep && token.data() == word_) {
      token = Stem(stemmer_, token);
      hash = HashToken(token);
      keep = !token.empty();
    }
    sink_.Emit(token, hash, keep);
    return word_;
  }

  // A chunk with ':', '.' or '@' ended: replace its words by one token if it is a URL / e-mail.
  template <class Mark>
  void EndSpecialChunk(std::string_view chunk, uint8_t seen, const Mark& mark) {
    if (options_.normalize_urls && LooksLikeUrl(chunk, seen & kColon)) {
      sink_.Rollback(mark);
      sink_.Emit(kUrlToken, HashToken(kUrlToken), true);
    } else if (options_.normalize_emails && (seen & kAt) && LooksLikeEmail(chunk)) {
      sink_.Rollback(mark);
      sink_.Emit(kEmailToken, HashToken(kEmailToken), true);
    }
  }

  const AnalyzerOptions& options_;
  const std::string_view text_;
  Sink& sink_;
  sb_stemmer* const stemmer_;
  const StopWordTable* const stop_words_;
  char* const word_;
  const uint8_t special_;
};

template <class Sink>
void Walk(const AnalyzerOptions& options, std::string_view text, Sink& sink) {
  Walker<Sink>(options, text, sink).Run();
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
    return Status::InvalidArgument(
        "text is " + std::to_string(text.size()) + " bytes; the limit is " +
        std::to_string(options_.max_text_bytes) + " (option max_text_bytes)");
  }
  return Status::OK();
}

namespace {

// Collects feature ids: each token's hash, plus the hashes of the n-grams it ends. Writes into
// a per-thread buffer sized for the worst case, so unigram features are stored without a
// branch (the slot is written, and counted only when `keep`).
class FeatureSink {
 public:
  struct Mark {
    size_t size;
    uint64_t prev1, prev2;
    int seen;
  };
  FeatureSink(int ngrams, uint32_t mask, size_t text_size)
      : ngrams_(ngrams), mask_(mask), out_(ThreadBuffers().features.Reserve(2 * text_size + 16)) {}

  void Emit(std::string_view, uint64_t h, bool keep) {
    out_[n_] = static_cast<uint32_t>(h) & mask_;
    n_ += keep;
    if (ngrams_ == 1 || !keep) return;
    if (seen_ >= 1) {
      out_[n_++] = static_cast<uint32_t>(Combine(prev1_, h)) & mask_;
      if (ngrams_ >= 3 && seen_ >= 2) {
        out_[n_++] = static_cast<uint32_t>(Combine(Combine(prev2_, prev1_), h)) & mask_;
      }
    }
    prev2_ = prev1_;
    prev1_ = h;
    ++seen_;
  }
  Mark Mark() const { return {n_, prev1_, prev2_, seen_}; }
  void Rollback(const struct Mark& m) {
    n_ = m.size;
    prev1_ = m.prev1, prev2_ = m.prev2, seen_ = m.seen;
  }
  void CopyTo(std::vector<uint32_t>* features) const { features->assign(out_, out_ + n_); }

 private:
  const int ngrams_;
  const uint32_t mask_;
  uint32_t* const out_;
  size_t n_ = 0;
  uint64_t prev1_ = 0, prev2_ = 0;
  int seen_ = 0;
};

class TokenSink {
 public:
  explicit TokenSink(std::vector<std::string>* tokens) : tokens_(tokens) {}
  void Emit(std::string_view token, uint64_t, bool keep) {
    if (keep) tokens_->emplace_back(token);
  }
  size_t Mark() const { return tokens_->size(); }
  void Rollback(size_t mark) { tokens_->resize(mark); }

 private:
  std::vector<std::string>* tokens_;
};

// The features of FeatureSink, in the same order, each with the n-gram text that produced it
// (words joined by a space). For explanations; allocates per feature.
class NgramSink {
 public:
  struct Mark {
    size_t size;
    uint64_t prev1, prev2;
    std::string text1, text2;
    int seen;
  };
  NgramSink(int ngrams, uint32_t mask, std::vector<uint32_t>* features,
            std::vector<std::string>* texts)
      : ngrams_(ngrams), mask_(mask), features_(features), texts_(texts) {}

  void Emit(std::string_view token, uint64_t h, bool keep) {
    if (!keep) return;
    Push(h, std::string(token));
    if (ngrams_ > 1 && seen_ >= 1) {
      Push(Combine(prev1_, h), text1_ + " " + std::string(token));
      if (ngrams_ >= 3 && seen_ >= 2) {
        Push(Combine(Combine(prev2_, prev1_), h), text2_ + " " + text1_ + " " + std::string(token));
      }
    }
    prev2_ = prev1_, text2_ = std::move(text1_);
    prev1_ = h, text1_ = std::string(token);
    ++seen_;
  }
  Mark Mark() const { return {features_->size(), prev1_, prev2_, text1_, text2_, seen_}; }
  void Rollback(const struct Mark& m) {
    features_->resize(m.size);
    texts_->resize(m.size);
    prev1_ = m.prev1, prev2_ = m.prev2, text1_ = m.text1, text2_ = m.text2, seen_ = m.seen;
  }

 private:
  void Push(uint64_t h, std::string text) {
    features_->push_back(static_cast<uint32_t>(h) & mask_);
    texts_->push_back(std::move(text));
  }
  const int ngrams_;
  const uint32_t mask_;
  std::vector<uint32_t>* features_;
  std::vector<std::string>* texts_;
  uint64_t prev1_ = 0, prev2_ = 0;
  std::string text1_, text2_;
  int seen_ = 0;
};

}  // namespace

void Analyzer::Ngrams(std::string_view text, std::vector<uint32_t>* features,
                      std::vector<std::string>* ngrams) const {
  features->clear();
  ngrams->clear();
  NgramSink sink(options_.ngrams, mask_, features, ngrams);
  Walk(options_, text, sink);
  ThreadBuffers().words.Trim();
}

void Analyzer::Analyze(std::string_view text, std::vector<uint32_t>* features) const {
  FeatureSink sink(options_.ngrams, mask_, text.size());
  Walk(options_, text, sink);
  sink.CopyTo(features);
  Buffers& buffers = ThreadBuffers();
  buffers.words.Trim();
  buffers.features.Trim();
}

void Analyzer::Tokens(std::string_view text, std::vector<std::string>* tokens) const {
  TokenSink sink(tokens);
  Walk(options_, text, sink);
  ThreadBuffers().words.Trim();
}

}  // namespace classiflow
