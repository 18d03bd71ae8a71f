#include "analysis/stop_words.h"

#include "analysis/token_hash.h"

namespace classiflow {
namespace {

// A conventional list of English function words (pronouns, articles, auxiliaries, prepositions,
// conjunctions); the fragments "s", "t", "don" etc. come from splitting contractions.
constexpr std::string_view kWords[] = {
    "a",     "about",   "above",     "after",  "again",   "against",    "all",       "am",
    "an",    "and",     "any",       "are",    "as",      "at",         "be",        "because",
    "been",  "before",  "being",     "below",  "between", "both",       "but",       "by",
    "can",   "could",   "d",         "did",    "do",      "does",       "doing",     "don",
    "down",  "during",  "each",      "few",    "for",     "from",       "further",   "had",
    "has",   "have",    "having",    "he",     "her",     "here",       "hers",      "herself",
    "him",   "himself", "his",       "how",    "i",       "if",         "in",        "into",
    "is",    "it",      "its",       "itself", "just",    "ll",         "m",         "me",
    "more",  "most",    "my",        "myself", "no",      "nor",        "not",       "now",
    "o",     "of",      "off",       "on",     "once",    "only",       "or",        "other",
    "our",   "ours",    "ourselves", "out",    "over",    "own",        "re",        "s",
    "same",  "she",     "should",    "so",     "some",    "such",       "t",         "than",
    "that",  "the",     "their",     "theirs", "them",    "themselves", "then",      "there",
    "these", "they",    "this",      "those",  "through", "to",         "too",       "under",
    "until", "up",      "ve",        "very",   "was",     "we",         "were",      "what",
    "when",  "where",   "which",     "while",  "who",     "whom",       "why",       "will",
    "with",  "would",   "you",       "your",   "yours",   "yourself",   "yourselves"};

}  // namespace

StopWordTable::StopWordTable(const std::vector<uint64_t>& hashes) {
  // Odd multipliers from a fixed sequence (splitmix64), so every process builds the same table.
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (;;) {
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    multiplier_ = (z ^ (z >> 31)) | 1;
    slots_.fill(0);
    bool perfect = true;
    for (uint64_t h : hashes) {
      uint64_t& slot = slots_[Slot(h)];
      perfect = perfect && (slot == 0 || slot == h);
      slot = h;
    }
    if (perfect) return;
  }
}

const StopWordTable& EnglishStopWords() {
  static const StopWordTable kTable = [] {
    std::vector<uint64_t> hashes;
    for (std::string_view word : kWords) hashes.push_back(HashToken(word));
    return StopWordTable(hashes);
  }();
  return kTable;
}

}  // namespace classiflow
