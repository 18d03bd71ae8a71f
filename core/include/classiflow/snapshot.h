// Snapshot: one immutable version of a model's learned state, as readers see it (the side a
// kind implements to be trained and stored is private to the library).
//
// A training step never modifies a Snapshot; it derives the next one, copying only what changed.
// Readers hold a std::shared_ptr<const Snapshot> for as long as they like, so classification
// never waits for training and always sees exactly one version.
//
// Thread-safety: all methods are const and safe to call from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/export.h"
#include "classiflow/status.h"

namespace classiflow {

// Serialized pieces of a model: small key -> value records, so a store can rewrite only the
// records a training step changed. Values carry their own checksum.
struct ModelRecords {
  std::vector<std::pair<std::string, std::string>> puts;
  std::vector<std::string> deletes;
};

class CLASSIFLOW_EXPORT Snapshot {
 public:
  virtual ~Snapshot() = default;

  uint64_t version() const { return version_; }
  const std::vector<std::string>& labels() const { return *labels_; }
  size_t label_count() const { return labels_->size(); }

  // A multilabel model (LinearOptions::multilabel) answers each label on its own: Scores() are
  // then independent log probabilities, one per label, and a text has every label whose
  // probability reaches threshold(label).
  virtual bool multilabel() const { return false; }
  // Multilabel models: the probability at which `label` counts as present.
  virtual double threshold(size_t /*label*/) const { return 0.5; }
  // Writes label_count() log posterior probabilities (normalised: their exp() sums to 1; for a
  // multilabel model, log P(label applies) for each label).
  // Features outside the model's feature space are ignored. `features` may be empty: the result
  // is then the prior.
  void Scores(const uint32_t* features, size_t feature_count, double* out) const;

  // Writes label_count() unnormalised log scores whose softmax is Scores(): their argmax is
  // the most probable label. Cheaper than Scores() when only the label is wanted.
  virtual void RawScores(const uint32_t* features, size_t feature_count, double* out) const = 0;
  // The argmax of RawScores() (the first of equal scores): the most probable label. `scratch`
  // holds label_count() doubles the call may overwrite. A kind may find it without writing
  // every label's score (Naive Bayes does).
  virtual size_t RawArgmax(const uint32_t* features, size_t feature_count, double* scratch) const;

 protected:
  Snapshot(uint64_t version, std::shared_ptr<const std::vector<std::string>> labels)
      : version_(version), labels_(std::move(labels)) {}
  // The shared label list, for a kind deriving a version with the same labels.
  const std::shared_ptr<const std::vector<std::string>>& label_list() const { return labels_; }

 private:
  uint64_t version_;
  std::shared_ptr<const std::vector<std::string>> labels_;
};

}  // namespace classiflow
