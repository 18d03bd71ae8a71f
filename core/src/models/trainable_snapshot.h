// TrainableSnapshot: the implementer's side of a Snapshot, private to core.
//
// The public Snapshot (classiflow/snapshot.h) is what readers see: a version, its labels and
// scores. A kind's snapshot derives from this class to also be trained and stored; the verbs
// a kind lacks keep the NotSupported default, and the kind table (models/kinds.h) says which
// it has.
//
// Thread-safety: all methods are const and safe to call from many threads at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/lsi.h"
#include "classiflow/snapshot.h"
#include "classiflow/status.h"

namespace classiflow {

// One analysed training document or item: its label (Prediction::kNoLabel for an item added
// without one) and, for kinds that keep items (lsi), its id (empty: the kind assigns one).
struct TrainingDoc {
  uint32_t label_index;  // Prediction::kNoLabel for a multilabel model's document
  const uint32_t* features;
  size_t feature_count;
  std::string_view id = {};
  std::span<const uint32_t> label_set = {};  // multilabel: the labels, sorted, distinct
};

// When a kind that keeps an index (lsi) wants it rebuilt (TrainableSnapshot::rebuild_need).
enum class RebuildNeed {
  kNone,
  kNow,         // no index yet: build it within the training step that made this version
  kBackground,  // the index is stale: rebuild on a background thread, readers keep this one
};

// How Model::Fit trains, from FitOptions; what the model's own options say (its epochs, its
// seed) the kind reads from them itself.
struct FitPlan {
  std::optional<int> epochs;  // nullopt: the kind's own (LinearOptions::epochs)
  int threads = 1;            // > 1: Hogwild-style parallel passes (not bit-for-bit repeatable)
  // Called from one thread after each slice of documents: documents done over all epochs,
  // their total, the epoch under way (from 1), its mean log loss so far. May be empty.
  std::function<void(uint64_t done, uint64_t total, int epoch, double loss)> progress;
};

class TrainableSnapshot : public Snapshot {
 public:
  // Derives version `version`: `docs` added, with `labels` as the new label list (a superset
  // of labels(); old labels keep their index).
  virtual Status Add(const std::vector<TrainingDoc>& docs,
                     std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
                     std::shared_ptr<const TrainableSnapshot>* next) const = 0;
  // Batch training: `docs` learned as well as the kind can, e.g. several shuffled passes. The
  // default is Add(), for kinds (counting ones) where one pass is all there is.
  virtual Status Fit(const std::vector<TrainingDoc>& docs,
                     std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
                     const FitPlan& plan, std::shared_ptr<const TrainableSnapshot>* next) const {
    CF_RETURN_IF_ERROR(Add(docs, std::move(labels), version, next));
    if (plan.progress) plan.progress(docs.size(), docs.size(), 1, 0.0);
    return Status::OK();
  }
  // Multilabel kinds: the same state with these per-label thresholds (label order) as version
  // `version`.
  virtual Status WithThresholds(std::vector<float> /*thresholds*/, uint64_t /*version*/,
                                std::shared_ptr<const TrainableSnapshot>* /*next*/) const {
    return Status::NotSupported("this model kind keeps no per-label thresholds");
  }
  // The same with `docs` removed (documents added before). InvalidArgument, changing nothing,
  // when that is impossible (a count would go below zero); NotSupported for a kind that cannot
  // forget a document.
  virtual Status Remove(const std::vector<TrainingDoc>& /*docs*/,
                        std::shared_ptr<const std::vector<std::string>> /*labels*/,
                        uint64_t /*version*/,
                        std::shared_ptr<const TrainableSnapshot>* /*next*/) const {
    return Status::NotSupported("this model kind cannot remove a trained document");
  }
  // What each distinct feature of a text adds to each label's raw score: `distinct` and
  // `counts` (occurrences) name the features, effects[i * label_count() + l] is feature i's
  // share of label l's raw score and base[l] the rest, so that base[l] + the sum over i of
  // effects[i][l] is RawScores()[l]. Features that add nothing may be left out.
  virtual void Effects(const uint32_t* features, size_t feature_count,
                       std::vector<uint32_t>* distinct, std::vector<uint32_t>* counts,
                       std::vector<double>* effects, std::vector<double>* base) const = 0;
  // The weight `feature` has for each label whatever the text (linear: its weights; bayes:
  // log P(feature | label)); writes label_count() values.
  virtual void FeatureWeights(uint32_t feature, double* out) const = 0;
  // Appends the records in which this version differs from `base` (a version it was derived
  // from, directly or through several steps), or all records when `base` is null.
  virtual void RecordsSince(const TrainableSnapshot* base, ModelRecords* out) const = 0;

  // Kinds that keep items (the kind table's can.items); the defaults are NotSupported.
  // AddItems is Add() that also appends each document's id (given, or assigned when empty) to
  // *assigned_ids when that is not null; the default, for kinds without items, is Add().
  virtual Status AddItems(const std::vector<TrainingDoc>& docs,
                          std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
                          std::shared_ptr<const TrainableSnapshot>* next,
                          std::vector<std::string>* /*assigned_ids*/) const {
    return Add(docs, std::move(labels), version, next);
  }
  // The same with the items `ids` removed; NotFound (nothing changed) for an id it lacks.
  virtual Status RemoveItems(const std::vector<std::string_view>& /*ids*/, uint64_t /*version*/,
                             std::shared_ptr<const TrainableSnapshot>* /*next*/) const {
    return Status::NotSupported("this model kind keeps no items");
  }
  // The `n` items most similar to the text of `features` (best first).
  virtual Status Search(const uint32_t* /*features*/, size_t /*feature_count*/, size_t /*n*/,
                        std::vector<SearchHit>* /*out*/) const {
    return Status::NotSupported("this model kind cannot search");
  }
  // The `n` items most similar to the item `id`, itself left out; NotFound for an unknown id.
  virtual Status FindRelated(std::string_view /*id*/, size_t /*n*/,
                             std::vector<SearchHit>* /*out*/) const {
    return Status::NotSupported("this model kind cannot search");
  }
  virtual IndexStatus index_status() const { return IndexStatus(); }
  virtual RebuildNeed rebuild_need() const { return RebuildNeed::kNone; }
  // A new index from this version's items (the same version number): Cancelled-like
  // Unavailable when `cancel` turns true. May run on any thread, without the training lock.
  virtual Status Rebuild(const std::atomic<bool>& /*cancel*/,
                         std::shared_ptr<const TrainableSnapshot>* /*built*/) const {
    return Status::NotSupported("this model kind has no index");
  }
  // Version `version`: this version's items on the index of `built` (a Rebuild() of an older
  // version of this model), the items added and removed since folded in. Sets *next to null
  // when this version's index is as new as built's already (nothing to do).
  virtual Status Rebase(const TrainableSnapshot& /*built*/, uint64_t /*version*/,
                        std::shared_ptr<const TrainableSnapshot>* /*next*/) const {
    return Status::NotSupported("this model kind has no index");
  }

 protected:
  using Snapshot::Snapshot;
};

}  // namespace classiflow
