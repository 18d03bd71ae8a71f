// Snapshot: one immutable version of a model's learned state.
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

// One labelled, analysed training document.
struct TrainingDoc {
  uint32_t label_index;
  const uint32_t* features;
  size_t feature_count;
};

class CLASSIFLOW_EXPORT Snapshot {
 public:
  virtual ~Snapshot() = default;

  uint64_t version() const { return version_; }
  const std::vector<std::string>& labels() const { return *labels_; }
  size_t label_count() const { return labels_->size(); }

  // Writes label_count() log posterior probabilities (normalised: their exp() sums to 1).
  // Features outside the model's feature space are ignored. `features` may be empty: the result
  // is then the prior.
  void Scores(const uint32_t* features, size_t feature_count, double* out) const;

  // Writes label_count() unnormalised scores, log P(label) + log P(features | label) up to a
  // constant: their argmax is the most probable label. Cheaper than Scores() when only the
  // label is wanted.
  virtual void JointLogLikelihoods(const uint32_t* features, size_t feature_count,
                                   double* out) const = 0;

  // Derives version `version`: `docs` added (or removed when `subtract`), with `labels` as the
  // new label list (a superset of labels(), old labels keep their index). Fails with
  // InvalidArgument, changing nothing, when `subtract` would take a count below zero.
  virtual Status Update(const std::vector<TrainingDoc>& docs, bool subtract,
                        std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
                        std::shared_ptr<const Snapshot>* next) const = 0;

  // Appends the records in which this version differs from `base` (a version it was derived
  // from, directly or through several updates), or all records when `base` is null.
  virtual void RecordsSince(const Snapshot* base, ModelRecords* out) const = 0;

 protected:
  Snapshot(uint64_t version, std::shared_ptr<const std::vector<std::string>> labels)
      : version_(version), labels_(std::move(labels)) {}

 private:
  uint64_t version_;
  std::shared_ptr<const std::vector<std::string>> labels_;
};

}  // namespace classiflow
