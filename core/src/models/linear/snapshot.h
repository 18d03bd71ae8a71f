// LinearSnapshot: one immutable version of the online linear model (classiflow/linear.h).
//
// Weights w(feature, label) live in pages of 16 consecutive feature ids, feature-major: scoring
// a feature reads one contiguous row of label weights. A page is immutable and shared between
// versions; a training step copies the pages of the features it saw, trains on the copies and
// publishes them, so readers of the last version are never disturbed and a store rewrites only
// those pages.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "classiflow/linear.h"
#include "models/page_table.h"
#include "models/trainable_snapshot.h"

namespace classiflow {

inline constexpr int kLinearPageBits = 4;
// The hinge loss's calibration holds out one document in kHeldOutShare, and needs kMinHeldOut.
inline constexpr size_t kHeldOutShare = 10, kMinHeldOut = 10;
inline constexpr uint32_t kLinearPageRows = 1u << kLinearPageBits;
// The most labels a linear model holds: training keeps one weight per label for every feature it
// sees, so a model of more labels would cost gigabytes; entries store labels in 16 bits.
inline constexpr size_t kMaxLinearLabels = 4096;
static_assert(kMaxLinearLabels <= 65536, "entry labels are uint16_t");

// The weights of kLinearPageRows features and what training keeps per feature.
//
// Rows are sparse. Softmax is unchanged when one constant is taken from every label's weight of
// a feature (all scores move together), so each row is published centred on its median, where
// most of its weights then sit at or near zero; only the others are kept (and with
// LinearOptions::prune, those below that share of the row's largest, after a Fit). Measured on
// the Debian corpus: 13 % of the weights remain at prune 0.05, for 0.001 of accuracy. A label
// added after a page was published had weight 0 in its rows before the centring, so -centre
// after it: the page keeps each row's centre and the label count it was published with (a
// new label read as weight 0 there tied the best label on every feature, and one training text
// of it took over every prediction).
//
// Entries are packed: six bytes (three quantized), so that a row takes as few cache lines as it
// can (x86 loads unaligned floats at full speed).
// W is float, or int8_t for a quantized row (times the row's scale).
template <class W>
struct __attribute__((packed)) SparseEntry {
  uint16_t label;
  W weight;
};
using WeightEntry = SparseEntry<float>;
using QuantizedEntry = SparseEntry<int8_t>;

// A row as scoring reads it: this head, then its weights right after it in the same block, so
// that one feature costs one cache miss, not a miss on a row table and another on the weights
// (measured: scoring is bound by those misses). A row is stored sparse (count entries) or, where
// that takes no more bytes, dense (one weight per label below `width`, zero for a weight not
// kept): a dense row is one vectorised pass instead of a scatter per entry (measured: the
// scatter was a third of the Debian corpus's predict time).
struct RowHead {
  float log_df;    // log(1 + df), for IDF
  float scale;     // quantized weights: weight = stored * scale
  float centre;    // taken from every weight: a label the page did not know weighs -centre
  uint16_t count;  // weights kept (a dense row's non-zero ones)
  uint16_t width;  // 0: sparse; else dense over labels [0, width)
};

// A row's weights, right after its head: `width` of W when dense, else `count` entries. Rows
// start on 8 bytes and the head takes 16, so a dense float row is aligned.
template <class W>
const W* DenseWeights(const RowHead& head) {
  return reinterpret_cast<const W*>(reinterpret_cast<const std::byte*>(&head) + sizeof(RowHead));
}
template <class W>
const SparseEntry<W>* SparseEntries(const RowHead& head) {
  return reinterpret_cast<const SparseEntry<W>*>(reinterpret_cast<const std::byte*>(&head) +
                                                 sizeof(RowHead));
}

// Calls f(label, stored) for each kept weight of the row headed by `head`, by increasing
// label; `stored` is the weight as kept (a quantized row's int8, times head.scale).
template <class W, class F>
void ForEachWeightOf(const RowHead& head, F&& f) {
  if (head.width != 0) {
    const W* weights = DenseWeights<W>(head);
    for (uint32_t l = 0; l < head.width; ++l) {
      if (weights[l] != 0) f(l, static_cast<float>(weights[l]));
    }
    return;
  }
  const SparseEntry<W>* entries = SparseEntries<W>(head);
  for (uint32_t e = 0; e < head.count; ++e) {
    f(uint32_t{entries[e].label}, static_cast<float>(entries[e].weight));
  }
}
template <class F>
void ForEachWeight(const RowHead& head, bool quantized, F&& f) {
  if (quantized) {
    ForEachWeightOf<int8_t>(head, f);
  } else {
    ForEachWeightOf<float>(head, f);
  }
}

// acc[label] += value * stored over the row's kept weights (the scoring loop).
void AddRow(const RowHead& head, bool quantized, float value, float* acc);

struct WeightPage {
  // Row r's head is at packed.data() + kRowAlign * offsets[r]: 16-bit offsets, so that the
  // page's view (which scoring reads before any row) holds them all in 32 bytes.
  static constexpr size_t kRowAlign = 8;
  static_assert(kLinearPageRows * (sizeof(RowHead) + 6 * kMaxLinearLabels + kRowAlign) /
                        kRowAlign <=
                    65535,
                "a page of full rows must fit 16-bit offsets");
  static_assert(kMaxLinearLabels <= UINT16_MAX, "a row's count and width are 16-bit");
  std::array<uint16_t, kLinearPageRows> offsets{};
  std::vector<std::byte> packed;                 // every row's head and entries
  std::array<uint32_t, kLinearPageRows> df{};    // documents each feature appeared in
  std::array<float, kLinearPageRows> squared{};  // AdaGrad: summed squared gradients
  uint16_t present = 0;                          // bit r set when df[r] > 0
  uint16_t labels = 0;                           // labels when published (Pack's `labels`)
  bool quantized = false;                        // entries are QuantizedEntry

  // Builds `packed` (and present) from df and each row's entries: row r holds
  // entries[bounds[r] .. bounds[r + 1]) of `weights` (or, quantized, of `quantized_weights`,
  // with scales[r]), centred on centres[r]. Entries must be sorted by label within a row, every
  // label below `labels` (the model's label count, the width of a dense row).
  void Pack(const std::array<uint32_t, kLinearPageRows + 1>& bounds,
            const std::vector<WeightEntry>& weights,
            const std::vector<QuantizedEntry>& quantized_weights,
            const std::array<float, kLinearPageRows>& scales,
            const std::array<float, kLinearPageRows>& centres, size_t labels);
  const RowHead& Head(uint32_t row) const {
    return *std::launder(
        reinterpret_cast<const RowHead*>(packed.data() + kRowAlign * offsets[row]));
  }
  // Row r's weights in full precision (dequantized when quantized) as `width` dense values.
  // REQUIRES: every label of the row is below width.
  void RowInto(uint32_t row, uint32_t width, float* out) const;
};

// What scoring reads of a page, kept in the page table itself: a feature's row is found without
// touching the page (measured: a load of the page's offsets before each row's prefetch made the
// misses on rows one after another instead of overlapping). `present` lets a feature that no
// trained document had be passed over without any miss (about a third of a test text's bigrams
// are new).
struct WeightView {
  std::array<uint16_t, kLinearPageRows> offsets{};
  const std::byte* packed = nullptr;
  uint16_t present = 0;
  uint16_t labels = 0;
  bool quantized = false;
};

WeightView ViewOf(const WeightPage& page);
using WeightPageTable = PageTable<WeightPage, WeightView>;

class LinearSnapshot final : public TrainableSnapshot {
 public:
  static std::shared_ptr<const LinearSnapshot> Empty(
      const LinearOptions& options, int hash_bits,
      std::shared_ptr<const std::vector<std::string>> labels);
  // Rebuilds a version from its records. Corruption on any inconsistency.
  static Status FromRecords(const LinearOptions& options, int hash_bits,
                            const std::map<std::string, std::string>& records,
                            std::shared_ptr<const TrainableSnapshot>* out);

  bool multilabel() const override { return options_.multilabel; }
  double threshold(size_t label) const override {
    return label < thresholds_.size() ? thresholds_[label] : kDefaultThreshold;
  }
  Status WithThresholds(std::vector<float> thresholds, uint64_t version,
                        std::shared_ptr<const TrainableSnapshot>* next) const override;
  // A multilabel label's threshold until one is set.
  static constexpr float kDefaultThreshold = 0.5f;

  // w_label · x + b_label for the text's weighted, unit-length feature vector x.
  void RawScores(const uint32_t* features, size_t feature_count, double* out) const override;
  void Effects(const uint32_t* features, size_t feature_count, std::vector<uint32_t>* distinct,
               std::vector<uint32_t>* counts, std::vector<double>* effects,
               std::vector<double>* base) const override;
  void FeatureWeights(uint32_t feature, double* out) const override;
  // One pass over `docs` in their order (online learning).
  Status Add(const std::vector<TrainingDoc>& docs,
             std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
             std::shared_ptr<const TrainableSnapshot>* next) const override;
  Status Fit(const std::vector<TrainingDoc>& docs,
             std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
             const FitPlan& plan, std::shared_ptr<const TrainableSnapshot>* next) const override;
  void RecordsSince(const TrainableSnapshot* base, ModelRecords* out) const override;

  // Trainer plumbing (linear/trainer.cpp), on a version no reader can see yet.
  struct Training;
  friend struct Training;

 private:
  LinearSnapshot(const LinearOptions& options, uint64_t version,
                 std::shared_ptr<const std::vector<std::string>> labels);
  // The next version's starting point: shares every page of `base`.
  LinearSnapshot(const LinearSnapshot& base, uint64_t version,
                 std::shared_ptr<const std::vector<std::string>> labels);
  // The weighted unit-length vector of a text: distinct features with a trained page row and
  // their values. Returns the entries in thread-local storage.
  struct Entry {
    const RowHead* head;  // the feature's row
    float value;          // in the unit-length vector (times the scale if quantized)
    uint32_t feature;     // its id
    uint32_t tf;          // its occurrences in the text (for explanations)
    float absent;         // value times the weight of a label the row did not know (-centre)
    uint32_t known;       // labels the row knew: [known, label_count()) weigh `absent` / value
    bool quantized;       // the row's weights are int8
  };
  const std::vector<Entry>& Vectorize(const uint32_t* features, size_t feature_count) const;
  // Add (online: the documents' order) and Fit (shuffled passes).
  Status Train(const std::vector<TrainingDoc>& docs,
               std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
               const FitPlan& plan, bool shuffle,
               std::shared_ptr<const TrainableSnapshot>* next) const;
  // The same training, without calibration.
  std::shared_ptr<LinearSnapshot> TrainOnly(const std::vector<TrainingDoc>& docs,
                                            std::shared_ptr<const std::vector<std::string>> labels,
                                            uint64_t version, const FitPlan& plan,
                                            bool shuffle) const;
  // The hinge loss's Fit: the temperature fitted on the held-out 1/kHeldOutShare of `docs` by
  // a model trained on the rest (linear/calibration.cpp). REQUIRES: at least
  // kMinHeldOut * kHeldOutShare documents (with fewer, Fit keeps the current temperature).
  float CalibratedTemperature(const std::vector<TrainingDoc>& docs,
                              const std::shared_ptr<const std::vector<std::string>>& labels,
                              const FitPlan& plan) const;
  std::string EncodeHeader() const;
  // Decodes every page record into pages_ (sized already).
  Status DecodePages(const std::map<std::string, std::string>& records);

  LinearOptions options_;
  WeightPageTable pages_;
  std::vector<float> bias_;          // per label
  std::vector<float> bias_squared_;  // per label: AdaGrad accumulators of the biases
  uint64_t docs_ = 0;                // documents trained (the N of IDF)
  uint64_t steps_ = 0;               // gradient steps taken (the t of the SGD schedule)
  uint64_t pages_present_ = 0;       // non-empty pages: a missing page record is Corruption
  std::vector<float> thresholds_;    // multilabel: per label (empty otherwise)
  // Scores are (w · x + b) times this: the hinge loss's calibration (1 for the log loss).
  float temperature_ = 1.0f;
  float log_docs_ = 0;  // derived: log(1 + docs_)
};

}  // namespace classiflow
