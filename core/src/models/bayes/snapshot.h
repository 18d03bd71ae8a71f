// BayesSnapshot: one immutable version of a multinomial Naive Bayes model.
//
// Counts n(feature, label) are kept sparse, in pages of 64 consecutive feature ids. A page is
// immutable and shared between versions; an update rebuilds only the pages it touches, so a
// single-document training step costs O(pages touched), not O(model size), and a store rewrites
// only those pages.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "classiflow/bayes.h"
#include "models/page_table.h"
#include "models/trainable_snapshot.h"

namespace classiflow {

inline constexpr int kPageBits = 6;
inline constexpr uint32_t kPageSize = 1u << kPageBits;

struct CountEntry {
  uint32_t label;
  uint32_t count;
  // log(count + alpha) - log(alpha), computed when the page is built: scoring then only adds
  // (measured: log() and a lookup table in the hot loop cost more than the extra 4 bytes).
  float gain;
};

// How scoring reads one row, in one 16-byte load: a row seen with a single label keeps its
// entry inline; a row seen with many labels points at a dense gain vector indexed by label;
// other rows point at their entries. Derived from the entries (BuildReadIndex); never stored.
struct RowInfo {
  // count == 1: `a` holds the entry's gain (float bits), `b` its label.
  // width() > 0 (dense): `a` is the first value in dense_values, `b` the width.
  // otherwise: `a` is the first entry. Eight bytes: the index of a page stays small.
  uint32_t a = 0;
  uint16_t count = 0;  // entries in the row (labels seen); 0 = empty row
  uint16_t b = 0;

  bool dense() const { return count > 1 && b != 0; }
};

// The most labels a Bayes model holds. A row's entry count, a single entry's label and a dense
// row's width (highest label + 1) are stored in RowInfo's 16-bit fields, so every entry (create,
// training, load) refuses more: a wider label would wrap and index out of bounds.
inline constexpr size_t kMaxBayesLabels = 65535;
static_assert(std::numeric_limits<decltype(RowInfo::count)>::max() >= kMaxBayesLabels &&
                  std::numeric_limits<decltype(RowInfo::b)>::max() >= kMaxBayesLabels,
              "RowInfo fields must hold every label index and row width below kMaxBayesLabels");

// Raw views of one page for scoring, so a row is reached without a chain of pointers.
struct PageView {
  const RowInfo* rows = nullptr;  // null: empty page
  const CountEntry* entries = nullptr;
  const float* dense = nullptr;
};

// The non-zero counts of kPageSize features: row r's entries are
// entries[offsets[r] .. offsets[r + 1]), sorted by label.
struct CountPage {
  std::array<uint32_t, kPageSize + 1> offsets{};
  std::vector<CountEntry> entries;
  // Read index (measured: one cache miss per looked-up feature instead of three).
  std::array<RowInfo, kPageSize> rows{};
  std::vector<float> dense_values;

  // Fills rows and dense_values from offsets and entries; call after building those.
  void BuildReadIndex();
};

// The view of `page` that scoring reads (PageTable keeps it beside the page).
PageView ViewOf(const CountPage& page);
using CountPageTable = PageTable<CountPage, PageView>;

// The score contribution of a feature seen `count` times with a label: log((count + a) / a).
float CountGain(uint32_t count, double alpha);

class BayesSnapshot final : public TrainableSnapshot {
 public:
  // An untrained model over 2^hash_bits features.
  static std::shared_ptr<const BayesSnapshot> Empty(
      const BayesOptions& options, int hash_bits,
      std::shared_ptr<const std::vector<std::string>> labels);
  // Rebuilds a version from its records. Corruption on any inconsistency.
  static Status FromRecords(const BayesOptions& options, int hash_bits,
                            const std::map<std::string, std::string>& records,
                            std::shared_ptr<const TrainableSnapshot>* out);

  // Joint log-likelihoods: log P(label) + log P(features | label), up to a constant.
  void RawScores(const uint32_t* features, size_t feature_count, double* out) const override;
  size_t RawArgmax(const uint32_t* features, size_t feature_count, double* scratch) const override;
  void Effects(const uint32_t* features, size_t feature_count, std::vector<uint32_t>* distinct,
               std::vector<uint32_t>* counts, std::vector<double>* effects,
               std::vector<double>* base) const override;
  void FeatureWeights(uint32_t feature, double* out) const override;
  Status Add(const std::vector<TrainingDoc>& docs,
             std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
             std::shared_ptr<const TrainableSnapshot>* next) const override {
    return Update(docs, /*subtract=*/false, std::move(labels), version, next);
  }
  // Untraining: the counts of `docs` taken back.
  Status Remove(const std::vector<TrainingDoc>& docs,
                std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
                std::shared_ptr<const TrainableSnapshot>* next) const override {
    return Update(docs, /*subtract=*/true, std::move(labels), version, next);
  }
  void RecordsSince(const TrainableSnapshot* base, ModelRecords* out) const override;

  uint64_t distinct_features() const { return distinct_features_; }

 private:
  // Every label's summed gains over `features` (per-thread scratch, valid until the next call
  // on this thread).
  const float* Gains(const uint32_t* features, size_t feature_count) const;
  struct Delta;
  // Add (subtract = false) or Remove.
  Status Update(const std::vector<TrainingDoc>& docs, bool subtract,
                std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
                std::shared_ptr<const TrainableSnapshot>* next) const;

  BayesSnapshot(const BayesOptions& options, uint64_t version,
                std::shared_ptr<const std::vector<std::string>> labels);
  // The next version's starting point: shares every page of `base`.
  BayesSnapshot(const BayesSnapshot& base, uint64_t version,
                std::shared_ptr<const std::vector<std::string>> labels);
  void Precompute();  // per-label tables used for scoring
  Status CheckSubtract(const std::vector<Delta>& deltas, const std::vector<uint64_t>& docs,
                       const std::vector<uint64_t>& tokens) const;
  std::string EncodeHeader() const;
  // Decodes every page record into pages_ (sized already); Corruption on any bad page or when
  // the pages' non-empty rows disagree with distinct_features_.
  Status DecodePages(const std::map<std::string, std::string>& records, double alpha);

  double alpha_;
  bool fit_prior_;
  CountPageTable pages_;                // null page = all its counts zero; views for scoring
  std::vector<uint64_t> doc_counts_;    // per label
  std::vector<uint64_t> token_counts_;  // per label: feature occurrences
  uint64_t distinct_features_ = 0;      // features with any non-zero count (V)

  // Derived (Precompute): log prior and log(tokens + alpha * V) per label.
  double log_alpha_ = 0;
  std::vector<double> log_prior_;
  std::vector<double> log_norm_;
};

}  // namespace classiflow
