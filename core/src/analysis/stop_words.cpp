#include "analysis/stop_words.h"

#include "analysis/token_hash.h"

namespace classiflow {
namespace {

// A conventional list of English function words (pronouns, articles, auxiliaries, prepositions,
// conjunctions); the fragments "s", "t", "don" etc. come from splitting contractions.
constexpr std::string_view kWords[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "can", "could", "d", "did", "do", "does", "doing", "don", "down", "during", "each",
    "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "itself", "just", "ll", "m", "me", "more", "most", "my", "myself", "no", "nor", "not", "now",
    "o", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out",
    "over", "own", "re", "s", "same", "she", "should", "so", "some", "such", "t", "than", "that",
    "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "ve", "very", "was", "we", "were",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
    "you", "your", "yours", "yourself", "yourselves"};

}  // namespace

void StopWordTable::Insert(uint64_t hash) {
  size_t slot = hash & kMask;
  while (slots_[slot] != 0 && slots_[slot] != hash) slot = (slot + 1) & kMask;
  slots_[slot] = hash;
}

const StopWordTable& EnglishStopWords() {
  static const StopWordTable kTable = [] {
    StopWordTable table;
    for (std::string_view word : kWords) table.Insert(HashToken(word));
    return table;
  }();
  return kTable;
}

}  // namespace classiflow
