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
#include <string>
#include <vector>

#include "classiflow/linear.h"
#include "models/page_table.h"
#include "models/trainable_snapshot.h"

namespace classiflow {

inline constexpr int kLinearPageBits = 4;
inline constexpr uint32_t kLinearPageRows = 1u << kLinearPageBits;
// The most labels a linear model holds: every seen feature keeps one weight per label, so a
// model of more labels would cost gigabytes long before any index overflowed.
inline constexpr size_t kMaxLinearLabels = 4096;

// The weights of kLinearPageRows features and what training keeps per feature.
struct WeightPage {
  uint32_t width = 0;             // labels per row: the model's label count when written
  std::vector<float> weights;     // rows × width, row-major; empty when quantized
  std::vector<int8_t> quantized;  // rows × width; weight = quantized * scale[row]
  std::array<float, kLinearPageRows> scale{};
  std::array<float, kLinearPageRows> squared{};  // AdaGrad: summed squared gradients
  std::array<uint32_t, kLinearPageRows> df{};    // documents each feature appeared in
  std::array<float, kLinearPageRows> log_df{};   // derived: log(1 + df), for IDF

  // Fills log_df from df; with `quantize`, turns weights into quantized and scale.
  void Finish(bool quantize);
  // Row r's weights in full precision (dequantized when quantized), widened to `width` labels
  // with zeros.
  void RowInto(uint32_t row, uint32_t width, float* out) const;
};

// What scoring reads of a page. width == 0: empty page.
struct WeightView {
  const float* weights = nullptr;
  const int8_t* quantized = nullptr;
  const float* scale = nullptr;
  const uint32_t* df = nullptr;
  const float* log_df = nullptr;
  uint32_t width = 0;
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

  // w_label · x + b_label for the text's weighted, unit-length feature vector x.
  void RawScores(const uint32_t* features, size_t feature_count, double* out) const override;
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
    const float* weights;     // the feature's row, or null when quantized
    const int8_t* quantized;  // the quantized row
    float scale;              // of the quantized row
    float value;              // in the unit-length vector
    uint32_t width;           // the row's labels
  };
  const std::vector<Entry>& Vectorize(const uint32_t* features, size_t feature_count) const;
  // Add (online: the documents' order) and Fit (shuffled passes).
  Status Train(const std::vector<TrainingDoc>& docs,
               std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
               const FitPlan& plan, bool shuffle,
               std::shared_ptr<const TrainableSnapshot>* next) const;
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
  float log_docs_ = 0;               // derived: log(1 + docs_)
};

}  // namespace classiflow
