// Prediction: what one classification of one text produced.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace classiflow {

class Snapshot;

struct Prediction {
  // The winning label, or "" when its confidence is below the threshold in force.
  std::string label;
  // Index of `label` in the model's label list, or kNoLabel.
  uint32_t label_index = kNoLabel;
  // Posterior probability of `label`, or of the most probable label when there is none (it is
  // then below the threshold).
  double confidence = 0.0;
  // Per-label log posterior probabilities in label order; exp() of them sums to 1 (multilabel
  // models: each label's own log probability, Snapshot::multilabel()).
  std::vector<double> scores;
  // Label indices whose probability reaches the threshold (multilabel: their own), most
  // probable first (ties: the lower index first), at most ClassifyOptions::top_k;
  // top[0] == label_index when not empty. A multilabel model's labels for the text.
  std::vector<uint32_t> top;
  // Which model and which immutable version answered; snapshot->labels() names the scores.
  std::string model;
  uint64_t version = 0;
  std::shared_ptr<const Snapshot> snapshot;

  static constexpr uint32_t kNoLabel = 0xffffffffu;
  bool has_label() const { return label_index != kNoLabel; }
};

}  // namespace classiflow
