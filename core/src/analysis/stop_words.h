// The bundled English stop-word list, as a set of token hashes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace classiflow {

// A set of token hashes (HashToken) with a collision-free slot function, so Contains() is one
// load and one compare with no branch: the analyzer asks once per token, and whether a word is
// a stop word is as unpredictable as text (measured: the probe loop's mispredictions cost more
// than the lookup).
class StopWordTable {
 public:
  // Picks a multiplier under which all `hashes` land in distinct slots.
  explicit StopWordTable(const std::vector<uint64_t>& hashes);
  bool Contains(uint64_t hash) const { return (slots_[Slot(hash)] == hash) & (hash != 0); }

 private:
  static constexpr int kSlotBits = 11;  // 2048 slots: room to find a perfect multiplier fast
  size_t Slot(uint64_t hash) const { return (hash * multiplier_) >> (64 - kSlotBits); }

  uint64_t multiplier_ = 1;
  std::array<uint64_t, size_t{1} << kSlotBits> slots_{};  // 0 = empty
};

// The English stop words (lowercase), built on first use.
const StopWordTable& EnglishStopWords();

}  // namespace classiflow
