// LsiIndex: the concept space of one LSI build (terms, their IDF and their rows of the truncated
// SVD's left singular vectors), and BuildIndex(), which makes one from items' term counts.
//
// Immutable once built and shared by every snapshot until the next build.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "classiflow/lsi.h"
#include "classiflow/status.h"

namespace classiflow {

// One distinct feature of an item or a query, with its occurrences.
struct LsiTerm {
  uint32_t feature;
  uint32_t count;
};

struct LsiIndex {
  uint32_t rank = 0;               // dimensions kept (singular values above the noise floor)
  uint32_t stride = 0;             // values per vector: StrideFor(rank), zero-padded (for SIMD)
  std::vector<uint32_t> features;  // the index's terms, sorted
  std::vector<float> idf;          // per term
  std::vector<float> basis;        // terms × stride: term t's row of U_rank
  std::vector<float> singular;     // rank singular values, largest first (for reports)
  // What the build saw, to tell how much changed since (LsiSnapshot::rebuild_need).
  uint64_t built_seq = 0;       // items with a sequence number up to this one were considered
  uint64_t built_items = 0;     // items it was built on
  uint64_t built_removals = 0;  // the model's removal count then

  // rank rounded up to 32: a vector is whole AVX2 registers of 8-bit codes.
  static uint32_t StrideFor(uint32_t rank) { return (rank + 31) & ~31u; }
  // Term index of `feature`, or -1.
  int64_t Find(uint32_t feature) const;
  // Writes `stride` floats: the unit-length projection of a text with these terms (sub-linear
  // TF × IDF). False, with zeros written, when none of its terms is in the index.
  bool Project(std::span<const LsiTerm> terms, float* out) const;
};

// The distinct terms of a text's features, sorted by feature: every projection of a text
// (search, classify, explain) sums them in this order, so each sees the same vector. Lives in
// thread-local storage until the thread's next call.
const std::vector<LsiTerm>& DistinctTerms(const uint32_t* features, size_t feature_count);

// Builds an index over `items` (each one's distinct terms, sorted by feature). Unavailable when
// `cancel` turns true; an index with rank 0 when the items share no term.
Status BuildIndex(const std::vector<std::span<const LsiTerm>>& items, const LsiOptions& options,
                  const std::atomic<bool>& cancel, LsiIndex* out);

// a · b over `n` floats (n a multiple of 8).
float Dot(const float* a, const float* b, size_t n);
// An item's vector as searches scan it: 8-bit codes and a scale (a quarter of the memory a
// scan reads; cosines within ~0.005 of the float ones, and results are re-scored exactly).
void Quantize(const float* vector, size_t stride, int8_t* codes, float* scale);
// scores[i] ≈ query · vector i for a quantized query and `count` quantized vectors of `stride`
// codes (a multiple of 32) laid end to end: a search's inner loop, in AVX2 where the CPU has
// it (chosen at run time), else portable code.
void DotMany(const int8_t* query, float query_scale, const int8_t* codes, const float* scales,
             size_t count, size_t stride, float* scores);

}  // namespace classiflow
