// Model: a named, trainable text classifier of one kind, with its Analyzer and label set.
//
// Every committed Train / TrainBatch / Untrain publishes a new immutable Snapshot with the next
// version number. Classification takes the current snapshot without locking, so it never waits
// for training and a batch is answered by exactly one version. Training calls are serialised per
// model; batch calls run on oneTBB: a model of an Engine on the engine's threads
// (EngineOptions::threads), any other on all cores (see SetMaxThreads()).
//
// A model made by an Engine persists each step through its commit hook before publishing it:
// a step is either durable and visible, or it failed and changed nothing.
//
// Thread-safety: all methods may be called concurrently from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "classiflow/analyzer.h"
#include "classiflow/explanation.h"
#include "classiflow/export.h"
#include "classiflow/lsi.h"
#include "classiflow/model_options.h"
#include "classiflow/prediction.h"
#include "classiflow/snapshot.h"
#include "classiflow/status.h"

namespace classiflow {

struct ModelKind;
class TrainableSnapshot;

struct ClassifyOptions {
  // Below this probability no label is returned. nullopt = the model's min_confidence.
  // REQUIRES: 0..1 (a negative, NaN or larger value is InvalidArgument). Default: nullopt.
  std::optional<double> min_confidence = std::nullopt;
  // Classify() only: Prediction::top holds up to this many labels whose probability reaches
  // the threshold, most probable first. nullopt = 1, or every label for a multilabel model.
  // REQUIRES: >= 1 (0 is InvalidArgument); more than the model has labels is all of them.
  // Default: nullopt.
  std::optional<size_t> top_k = std::nullopt;
  // Batch calls only: also fill BatchPredictions::probabilities. Default: false.
  bool probabilities = false;
  // Batch calls only: fill BatchPredictions::confidence. false (with no threshold in force and
  // no probabilities) returns labels only and skips normalising the scores. Default: true.
  bool confidence = true;
};

struct FitProgress {
  uint64_t done = 0;   // documents processed, over all epochs
  uint64_t total = 0;  // texts × epochs
  int epoch = 0;       // the pass under way, from 1
  double loss = 0;     // mean log loss of this epoch so far (0 for kinds that count)
};

struct FitOptions {
  // Passes over the texts. nullopt = the model's own (LinearOptions::epochs); kinds that
  // count (bayes) make one whatever is asked. REQUIRES: 1..1000. Default: nullopt.
  std::optional<int> epochs = std::nullopt;
  // Threads of the passes. 0 = every thread the model's batch calls may use; 1 = one thread,
  // which makes the result repeat bit for bit for the model's seed. REQUIRES: >= 0.
  // Default: 0.
  int threads = 0;
  // Called from one thread, between slices of a few thousand documents. Default: none.
  std::function<void(const FitProgress&)> progress;
};

// One item for Model::AddItems (kind "lsi").
struct ItemInput {
  std::string_view text;
  std::optional<std::string_view> label;  // nullopt: searchable, but no vote when classifying
  std::string_view id;                    // empty: the model assigns one (its sequence number)
};

// The labels of one text, for multilabel models (LinearOptions::multilabel): any number,
// none included; a label given twice counts once.
using LabelSet = std::span<const std::string_view>;

struct BatchPredictions {
  std::shared_ptr<const Snapshot> snapshot;  // the version that answered; labels() names indices
  std::vector<uint32_t> label_index;         // per text; Prediction::kNoLabel below threshold
  std::vector<double> confidence;            // per text; top posterior probability (if asked)
  std::vector<double> probabilities;         // n × label_count row-major, when requested
  // Multilabel models: per text, every label whose probability reaches its threshold, most
  // probable first (label_index is the first of them). Empty for other models.
  std::vector<std::vector<uint32_t>> label_sets;
};

class CLASSIFLOW_EXPORT Model {
 public:
  // Receives the records a training step changes before the step is published; an error aborts
  // the step and leaves the model unchanged.
  using CommitHook = std::function<Status(const ModelRecords& changed)>;

  // Creates an untrained model (version 0). InvalidArgument for a bad name or bad options.
  static Status Create(std::string_view name, const ModelOptions& options,
                       std::shared_ptr<Model>* out);
  // Rebuilds a model from the records AllRecords() produced (keys without any store prefix).
  // Corruption when a record is missing, truncated or fails its checksum, and for anything
  // Create() would refuse (name, options, labels) or the records cannot hold. A model at version
  // 2^64-1 loads and classifies, but training it is InvalidArgument (versions never wrap).
  static Status FromRecords(std::string_view name,
                            const std::map<std::string, std::string>& records,
                            std::shared_ptr<Model>* out);
  // Reads a model file written by Save(). The name stored in the file is kept.
  // InvalidArgument for an empty path or one with a NUL byte; NotFound / IOError for file
  // problems; Corruption for a bad header, kind, checksum, name, label set, options, or any
  // count, length or offset the file cannot hold. Memory is proportional to the file's content.
  static Status Load(const std::string& path, std::shared_ptr<Model>* out);

  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Writes the current version to `path` atomically: a unique temporary file in the same
  // directory, fsync, rename, fsync of the directory. Concurrent saves to one path each succeed
  // or fail on their own; the file is always one whole save that returned OK. InvalidArgument
  // for an empty path or one with a NUL byte; IOError (temporary removed) on any failure.
  Status Save(const std::string& path) const;
  // The bytes Save() would write (a model file in memory), for pickling and transport.
  Status ToBytes(std::string* out) const;
  // The model in `bytes` written by ToBytes() or Save(); errors as Load() (Corruption for
  // anything but a whole, valid model file).
  static Status FromBytes(std::string_view bytes, std::shared_ptr<Model>* out);
  // Every record of the current version, options included.
  void AllRecords(ModelRecords* out) const;

  const std::string& name() const { return name_; }
  const std::string& kind() const { return options_.kind; }
  const ModelOptions& options() const { return options_; }
  const Analyzer& analyzer() const { return analyzer_; }
  std::shared_ptr<const Snapshot> snapshot() const;
  uint64_t version() const;
  std::vector<std::string> labels() const;

  // Adds one document. InvalidArgument for empty or oversized text, a bad label, or a label
  // outside a fixed label set. Text that yields no features still counts for the prior.
  Status Train(std::string_view label, std::string_view text);
  // Adds labels[i] / texts[i] for all i as ONE version; all or nothing. An empty batch is a
  // no-op (no new version).
  // REQUIRES: labels.size() == texts.size() (else InvalidArgument).
  Status TrainBatch(std::span<const std::string_view> labels,
                    std::span<const std::string_view> texts);
  // Batch training: learns labels[i] / texts[i] as well as the kind can (the linear model:
  // `epochs` shuffled passes on many threads) and commits ONE version; all or nothing. The same
  // validation as TrainBatch, plus FitOptions' ranges. For bayes it is TrainBatch.
  Status Fit(std::span<const std::string_view> labels, std::span<const std::string_view> texts,
             const FitOptions& options = FitOptions());
  // Multilabel models (LinearOptions::multilabel; NotSupported for the others): as TrainBatch
  // and Fit, with a set of labels per text. The same validation, for each label of a set.
  Status TrainLabelSets(std::span<const LabelSet> label_sets,
                        std::span<const std::string_view> texts);
  Status FitLabelSets(std::span<const LabelSet> label_sets, std::span<const std::string_view> texts,
                      const FitOptions& options = FitOptions());
  // Multilabel models: the probability at which each of `labels` counts as present, as ONE new
  // version. NotFound for a label the model does not have; InvalidArgument for a threshold
  // outside [0, 1] or lengths that differ; all or nothing.
  Status SetThresholds(std::span<const std::string_view> labels,
                       std::span<const double> thresholds);
  // Multilabel models: sets each label's threshold to the one that maximises its F1 on these
  // texts (held-out data, not the training texts, on which every probability is too high), as
  // ONE new version; labels none of the texts has keep theirs. `chosen` (may be null) receives
  // every label's threshold in label order. InvalidArgument for an empty input or bad texts.
  Status TuneThresholds(std::span<const LabelSet> label_sets,
                        std::span<const std::string_view> texts,
                        std::vector<double>* chosen = nullptr);
  // Removes a document added before. InvalidArgument, changing nothing, when that would make
  // any count negative (the document was never trained with this label).
  Status Untrain(std::string_view label, std::string_view text);

  // Classifies one text. Empty text is allowed and yields the prior. InvalidArgument for an
  // oversized text or a model that has no labels yet.
  Status Classify(std::string_view text, Prediction* out) const;
  Status Classify(std::string_view text, const ClassifyOptions& options, Prediction* out) const;
  // Classifies many texts in parallel against one snapshot.
  Status ClassifyBatch(std::span<const std::string_view> texts, const ClassifyOptions& options,
                       BatchPredictions* out) const;

  // Which n-grams of `text` moved its prediction: the most probable label against the
  // runner-up, with each distinct n-gram's share of their log-odds, largest |weight| first, at
  // most `top_n` of them (0 = all). The same text checks as Classify().
  Status Explain(std::string_view text, size_t top_n, Explanation* out) const;
  // The n most telling n-grams for `label` among those of `texts` (hashed models keep no
  // vocabulary, so the texts name the candidates: the training texts, say): each one's weight
  // for the label less its mean weight for the other labels, largest first. NotFound for a
  // label the model does not have; InvalidArgument for n == 0 or a bad text.
  Status TopFeatures(std::string_view label, size_t n, std::span<const std::string_view> texts,
                     std::vector<FeatureWeight>* out) const;

  // Items: kind "lsi" (classiflow/lsi.h); NotSupported for the other kinds. Train(label, text)
  // of an LSI model adds an item with an assigned id.
  //
  // Adds one item as a new version, folded into the current index so it is searchable at once.
  // InvalidArgument for a bad text, label or id (ids follow the label rules: 1..256 bytes of
  // UTF-8 without control characters); AlreadyExists for an id the model has. `assigned_id`
  // (may be null) receives the id.
  Status AddItem(std::string_view text, std::optional<std::string_view> label = std::nullopt,
                 std::string_view id = {}, std::string* assigned_id = nullptr);
  // Adds every item as ONE version; all or nothing. `ids` (may be null) receives their ids.
  Status AddItems(std::span<const ItemInput> items, std::vector<std::string>* ids = nullptr);
  // Removes items as one version; NotFound, changing nothing, when any id is unknown.
  Status RemoveItems(std::span<const std::string_view> ids);
  Status RemoveItem(std::string_view id) { return RemoveItems({&id, 1}); }
  // Builds a new index over every item now (TF-IDF + truncated SVD) and publishes it as a new
  // version; readers keep the last index until then. A no-op when nothing changed since the
  // last build.
  Status BuildIndex();
  // The `n` items most similar to `query`, best first, each with its id, cosine and label.
  // InvalidArgument for a bad text or n == 0.
  Status Search(std::string_view query, size_t n, std::vector<SearchHit>* out) const;
  // The same for the item `id` (left out of its own results); NotFound for an unknown id.
  Status FindRelated(std::string_view id, size_t n, std::vector<SearchHit>* out) const;
  Status GetIndexStatus(IndexStatus* out) const;
  // Returns once no background rebuild is under way (one may start with the next change).
  void WaitForRebuild();

  // OK while the model is usable; Unavailable after its engine closed, NotFound after it was
  // dropped. Every fallible call checks this first.
  Status status() const;

  // Engine plumbing: install the persistence hook; make every later call fail with `reason`
  // (used when the model is dropped or its engine is closed).
  void SetCommitHook(CommitHook hook);
  // Engine plumbing: batch calls (TrainBatch, ClassifyBatch) hand their parallel work to `run`,
  // which runs it to completion (an engine's own oneTBB arena). Without one they run in the
  // calling thread's arena, capped by SetMaxThreads(). REQUIRES: called before the model is
  // shared with other threads.
  using BatchRunner = std::function<void(const std::function<void()>& work)>;
  void SetBatchRunner(BatchRunner run) { batch_runner_ = std::move(run); }
  void Invalidate(const Status& reason);
  // A reader engine's model: publishes the current version of `loaded`, a version another
  // engine committed. REQUIRES: `loaded` was loaded with this model's options.
  void Follow(const Model& loaded);
  // The same from inside the commit hook, which runs under the training lock: the store showed
  // that the current version is stale (a step that returned an error had reached the log).
  void FollowFromHook(const Model& stored) { current_.store(stored.current_.load()); }

 private:
  Model(std::string name, ModelOptions options, std::shared_ptr<const TrainableSnapshot> initial);
  Status CheckText(std::string_view text) const;
  double Threshold(const ClassifyOptions& options) const;
  // Runs `work` through the batch runner, or in place without one.
  void RunBatch(const std::function<void()>& work) const;
  // ClassifyBatch's parallel part: fills `out` (sized by the caller) for every text.
  void ClassifyRange(const Snapshot& snap, std::span<const std::string_view> texts,
                     double threshold, bool normalise, const ClassifyOptions& options,
                     BatchPredictions* out) const;
  enum class Step { kAdd, kRemove, kFit, kAddItems };
  Status CheckMultilabel() const;  // NotSupported unless the model is multilabel
  // `plan` is Fit's (null for the other steps).
  // kAddItems: labels[i] empty = no label; `ids` (empty span: all assigned) and `assigned`
  // (may be null) are that step's. A multilabel model takes `label_sets` (one per text) and
  // ignores `labels`; given `labels`, each is a set of one.
  Status Commit(std::span<const std::string_view> labels, std::span<const std::string_view> texts,
                Step step, const struct FitPlan* plan = nullptr,
                std::span<const std::string_view> ids = {},
                std::vector<std::string>* assigned = nullptr,
                std::span<const LabelSet> label_sets = {});
  // Commit's part for a multilabel model: each text's label indices, flattened (text i's are
  // flat[begin[i] .. begin[i + 1]), sorted, distinct), and the label list they index.
  Status ResolveLabelSets(std::span<const LabelSet> label_sets,
                          std::shared_ptr<const std::vector<std::string>>* label_list,
                          std::vector<uint32_t>* flat, std::vector<size_t>* begin) const;
  // ClassifyRange for a multilabel model: probabilities, label sets and the first of each.
  void ClassifySetsRange(const Snapshot& snap, std::span<const std::string_view> texts,
                         const ClassifyOptions& options, BatchPredictions* out) const;
  // Fit and FitLabelSets: checks `options`, then commits a Step::kFit.
  Status FitCommit(std::span<const std::string_view> labels, std::span<const LabelSet> label_sets,
                   std::span<const std::string_view> texts, const FitOptions& options);
  // Under train_mu_: the step's last part. Builds the first index when the kind wants it now,
  // hands the records changed since `base` to the hook, publishes `next` and starts a
  // background rebuild when the kind wants one.
  Status Publish(const std::shared_ptr<const TrainableSnapshot>& base,
                 std::shared_ptr<const TrainableSnapshot> next);
  // InvalidArgument when `base` is at the last version number.
  Status CheckVersionRoom(const TrainableSnapshot& base) const;
  Status CheckItems() const;  // NotSupported unless the kind keeps items
  // A rebuild of the current version's index, then (under train_mu_) the versions committed
  // meanwhile rebased on it and published.
  Status RebuildIndex();
  void StartRebuild();  // under train_mu_
  // OK when `label` may join a model that has `label_count` labels; InvalidArgument otherwise.
  Status CheckNewLabel(std::string_view label, size_t label_count) const;
  Status ResolveLabels(std::span<const std::string_view> labels,
                       std::shared_ptr<const std::vector<std::string>>* label_list,
                       std::vector<uint32_t>* indices) const;

  const std::string name_;
  const ModelOptions options_;
  const ModelKind* const kind_;  // options_.kind's row of the kind table (models/kinds.h)
  const Analyzer analyzer_;
  std::atomic<std::shared_ptr<const TrainableSnapshot>> current_;
  std::mutex train_mu_;       // serialises training steps and the hook
  CommitHook hook_;           // guarded by train_mu_
  BatchRunner batch_runner_;  // set before the model is shared; then read only
  std::atomic<bool> invalid_{false};
  std::shared_ptr<const Status> invalid_reason_;  // written under train_mu_ before invalid_
  // The background rebuild (kinds with an index): one at a time, cancelled and joined by
  // Invalidate() and the destructor.
  std::thread rebuild_thread_;  // started and joined under train_mu_ (or after invalid_)
  std::atomic<bool> rebuilding_{false};
  std::atomic<bool> stop_rebuild_{false};
};

// Caps the threads batch calls use (0 = all cores). Process-wide; affects later batch calls,
// including those of an engine's models (whose own cap is EngineOptions::threads).
CLASSIFLOW_EXPORT void SetMaxThreads(int threads);

}  // namespace classiflow
