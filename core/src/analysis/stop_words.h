// The bundled English stop-word list, as a set of token hashes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace classiflow {

// Open addressing over 64-bit token hashes (HashToken). Contains() is inline because the
// analyzer asks once per token and already has the hash.
class StopWordTable {
 public:
  void Insert(uint64_t hash);
  bool Contains(uint64_t hash) const {
    for (size_t slot = hash & kMask; slots_[slot] != 0; slot = (slot + 1) & kMask) {
      if (slots_[slot] == hash) return true;
    }
    return false;
  }

 private:
  static constexpr size_t kMask = 1023;  // 4x the list: probes are short
  std::array<uint64_t, kMask + 1> slots_{};
};

// The English stop words (lowercase), built on first use.
const StopWordTable& EnglishStopWords();

}  // namespace classiflow
