#include "classiflow/model.h"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "models/kinds.h"
#include "models/log_math.h"
#include "models/model_records.h"
#include "models/trainable_snapshot.h"
#include "util/guarded.h"
#include "util/json_options.h"
#include "util/per_thread.h"

namespace classiflow {
namespace {

// Documents analysed per Update() call during TrainBatch: bounds the memory of one step.
constexpr size_t kTrainChunk = 16384;

struct Features {
  std::vector<uint32_t> ids;
};
std::vector<uint32_t>& ThreadFeatures() { return PerThread<Features>().ids; }

struct Scores {
  std::vector<double> values;
};
std::vector<double>& ThreadScores(size_t n) {
  std::vector<double>& scores = PerThread<Scores>().values;
  scores.resize(n);
  return scores;
}

// The most probable label of normalised scores: its index, or kNoLabel when its probability
// (written to *confidence) is below `threshold`.
uint32_t PickLabel(const std::vector<double>& scores, double threshold, double* confidence) {
  const size_t best = std::max_element(scores.begin(), scores.end()) - scores.begin();
  *confidence = std::exp(scores[best]);
  return *confidence >= threshold ? static_cast<uint32_t>(best) : Prediction::kNoLabel;
}

// The log of the threshold each label must reach: a caller's min_confidence, else the model's
// own, which a multilabel model keeps per label (taken once per call, not per text).
class LogThresholds {
 public:
  LogThresholds(const Snapshot& snap, const ClassifyOptions& options, double model_threshold)
      : all_(std::log(options.min_confidence.value_or(model_threshold))) {
    if (snap.multilabel() && !options.min_confidence) {
      per_label_.resize(snap.label_count());
      for (size_t l = 0; l < per_label_.size(); ++l) per_label_[l] = std::log(snap.threshold(l));
    }
  }
  double operator()(uint32_t label) const { return per_label_.empty() ? all_ : per_label_[label]; }

 private:
  double all_;
  std::vector<double> per_label_;
};

// The indices of the (at most) k most probable labels of log probabilities `scores` that
// reach their threshold, most probable first; ties keep label order.
void TopLabels(const double* scores, size_t n_labels, size_t k, const LogThresholds& log_threshold,
               std::vector<uint32_t>* top) {
  top->clear();
  for (uint32_t l = 0; l < n_labels; ++l) {
    if (scores[l] >= log_threshold(l)) top->push_back(l);
  }
  const auto more_probable = [&](uint32_t a, uint32_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  };
  const size_t n = std::min(k, top->size());
  std::partial_sort(top->begin(), top->begin() + static_cast<std::ptrdiff_t>(n), top->end(),
                    more_probable);
  top->resize(n);
}

// The labels of log probabilities `scores` that reach their threshold, most probable first, at
// most k; *label is the first of them (kNoLabel when none) and *confidence its probability, or
// the most probable label's when there is none.
void PickLabels(const double* scores, size_t n_labels, size_t k, const LogThresholds& thresholds,
                std::vector<uint32_t>* top, uint32_t* label, double* confidence) {
  TopLabels(scores, n_labels, k, thresholds, top);
  *label = top->empty() ? Prediction::kNoLabel : (*top)[0];
  const size_t shown =
      top->empty() ? static_cast<size_t>(std::max_element(scores, scores + n_labels) - scores)
                   : *label;
  *confidence = std::exp(scores[shown]);
}

// A caller's threshold: nullopt = the model's own; a value outside [0, 1] is an error (NaN or
// above 1 would silently refuse every label, a negative one would look like "no threshold").
Status CheckClassifyOptions(const ClassifyOptions& options) {
  if (options.min_confidence &&
      !(*options.min_confidence >= 0.0 && *options.min_confidence <= 1.0)) {
    char value[32];
    (void)std::snprintf(value, sizeof value, "%g", *options.min_confidence);
    return Status::InvalidArgument(std::string("min_confidence must be in [0, 1], got ") + value);
  }
  if (options.top_k && *options.top_k == 0) {
    return Status::InvalidArgument("top_k (k) must be at least 1");
  }
  return Status::OK();
}

}  // namespace

Model::Model(std::string name, ModelOptions options,
             std::shared_ptr<const TrainableSnapshot> initial)
    : name_(std::move(name)),
      options_(std::move(options)),
      kind_(FindKind(options_.kind)),
      analyzer_(options_.analyzer),
      current_(std::move(initial)) {}

Model::~Model() {
  stop_rebuild_.store(true);
  if (rebuild_thread_.joinable()) rebuild_thread_.join();
}

Status Model::Create(std::string_view name, const ModelOptions& options,
                     std::shared_ptr<Model>* out) {
  CF_RETURN_IF_ERROR(ValidateModelName(name));
  CF_RETURN_IF_ERROR(options.Validate());
  auto labels = std::make_shared<const std::vector<std::string>>(options.labels);
  auto initial = FindKind(options.kind)->empty(options, labels);  // Validate() found the kind
  out->reset(new Model(std::string(name), options, std::move(initial)));
  return Status::OK();
}

Status Model::FromRecords(std::string_view name, const std::map<std::string, std::string>& records,
                          std::shared_ptr<Model>* out) {
  // Validated before it is quoted: a stored name is as untrusted as the rest of the file.
  Status s = ValidateModelName(name);
  if (!s.ok()) return Status::Corruption("stored model name is invalid: " + s.message());
  const std::string context = "model '" + std::string(name) + "'";
  auto found = records.find(std::string(kOptionsRecord));
  if (found == records.end()) return Status::Corruption(context + ": options record missing");
  std::string_view json;
  CF_RETURN_IF_ERROR(OpenRecord(found->second, "model options", &json).WithContext(context));
  ModelOptions options;
  s = ModelOptions::FromJson(json, &options);
  if (s.ok()) s = options.Validate();
  if (!s.ok()) return Status::Corruption(context + ": bad options: " + s.message());
  std::shared_ptr<const TrainableSnapshot> snapshot;
  CF_RETURN_IF_ERROR(
      FindKind(options.kind)->from_records(options, records, &snapshot).WithContext(context));
  // Fixed labels are the model's contract: a header that names others is not this model.
  if (!options.labels.empty() && snapshot->labels() != options.labels) {
    return Status::Corruption(context + ": the header's labels disagree with the options' labels");
  }
  out->reset(new Model(std::string(name), std::move(options), std::move(snapshot)));
  return Status::OK();
}

void Model::AllRecords(ModelRecords* out) const {
  out->puts.emplace_back(std::string(kOptionsRecord), SealRecord(options_.ToJson()));
  current_.load()->RecordsSince(nullptr, out);
}

void Model::SetCommitHook(CommitHook hook) {
  std::lock_guard<std::mutex> lock(train_mu_);
  hook_ = std::move(hook);
}

void Model::Invalidate(const Status& reason) {
  stop_rebuild_.store(true);  // a background rebuild gives up at its next step
  std::thread rebuild;
  {
    std::lock_guard<std::mutex> lock(train_mu_);
    if (invalid_.load()) return;
    invalid_reason_ = std::make_shared<const Status>(reason);
    invalid_.store(true, std::memory_order_release);
    rebuild = std::move(rebuild_thread_);  // no other will start: every step checks status()
  }
  // Joined outside the lock, which the rebuild takes to publish (and then finds the model
  // invalid): after this no thread of the model runs, so its engine may go.
  if (rebuild.joinable()) rebuild.join();
}

void Model::Follow(const Model& loaded) {
  std::lock_guard<std::mutex> lock(train_mu_);
  current_.store(loaded.current_.load());
}

std::shared_ptr<const Snapshot> Model::snapshot() const { return current_.load(); }
uint64_t Model::version() const { return current_.load()->version(); }
std::vector<std::string> Model::labels() const { return current_.load()->labels(); }

Status Model::status() const {
  if (invalid_.load(std::memory_order_acquire)) return *invalid_reason_;
  return Status::OK();
}

Status Model::CheckText(std::string_view text) const { return analyzer_.Check(text); }

double Model::Threshold(const ClassifyOptions& options) const {
  return options.min_confidence.value_or(options_.min_confidence);
}

Status Model::CheckNewLabel(std::string_view label, size_t label_count) const {
  if (!options_.labels.empty()) {
    return Status::InvalidArgument("unknown label " + QuotePrefix(label) + " for model '" + name_ +
                                   "' (its labels are fixed)");
  }
  CF_RETURN_IF_ERROR(ValidateLabel(label));
  if (label_count >= kind_->max_labels) {
    return Status::InvalidArgument("a model holds at most " + std::to_string(kind_->max_labels) +
                                   " labels");
  }
  return Status::OK();
}

Status Model::ResolveLabels(std::span<const std::string_view> labels,
                            std::shared_ptr<const std::vector<std::string>>* label_list,
                            std::vector<uint32_t>* indices) const {
  auto current = snapshot();
  const std::vector<std::string>& known = current->labels();
  std::shared_ptr<std::vector<std::string>> grown;  // copied only when a label is new
  // Label -> index. Keys view `known` or the caller's `labels`, which outlive this call (not
  // `grown`, whose strings move when it reallocates). A hash map keeps a batch that brings
  // many new labels linear; a linear scan per label made it quadratic. A single label (the
  // one-document train() path) is one scan and builds no map.
  std::unordered_map<std::string_view, uint32_t> index;
  if (labels.size() > 1) {
    index.reserve(known.size() + labels.size());
    for (size_t c = 0; c < known.size(); ++c) index.emplace(known[c], static_cast<uint32_t>(c));
  }
  indices->resize(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels.size() == 1) {
      auto it = std::find(known.begin(), known.end(), labels[i]);
      if (it != known.end()) {
        (*indices)[i] = static_cast<uint32_t>(it - known.begin());
        continue;
      }
    } else if (auto it = index.find(labels[i]); it != index.end()) {
      (*indices)[i] = it->second;
      continue;
    }
    CF_RETURN_IF_ERROR(CheckNewLabel(labels[i], grown ? grown->size() : known.size()));
    if (!grown) grown = std::make_shared<std::vector<std::string>>(known);
    grown->emplace_back(labels[i]);
    (*indices)[i] = static_cast<uint32_t>(grown->size() - 1);
    index.emplace(labels[i], (*indices)[i]);
  }
  if (grown) {
    *label_list = std::move(grown);
  } else {
    *label_list = std::make_shared<const std::vector<std::string>>(known);
  }
  return Status::OK();
}

Status Model::CheckVersionRoom(const TrainableSnapshot& base) const {
  // Versions never wrap: version 0 after 2^64-1 would look older than every reader's version.
  if (base.version() == std::numeric_limits<uint64_t>::max()) {
    return Status::InvalidArgument("model '" + name_ +
                                   "' is at the last version number (2^64-1) "
                                   "and cannot be trained further");
  }
  return Status::OK();
}

Status Model::Commit(std::span<const std::string_view> labels,
                     std::span<const std::string_view> texts, Step step, const FitPlan* plan,
                     std::span<const std::string_view> ids, std::vector<std::string>* assigned,
                     std::span<const LabelSet> label_sets) {
  const bool subtract = step == Step::kRemove;
  CF_RETURN_IF_ERROR(status());
  const bool multilabel = current_.load()->multilabel();
  std::vector<LabelSet> singletons;  // a multilabel model's single labels, as sets of one
  if (multilabel && label_sets.empty()) {
    for (const std::string_view& label : labels) singletons.emplace_back(&label, 1);
    label_sets = singletons;
  }
  const size_t label_count = multilabel ? label_sets.size() : labels.size();
  if (label_count != texts.size()) {
    return Status::InvalidArgument("got " + std::to_string(texts.size()) + " texts but " +
                                   std::to_string(label_count) + " labels");
  }
  if (texts.empty()) return Status::OK();
  for (size_t i = 0; i < texts.size(); ++i) {
    Status s = texts[i].empty() ? Status::InvalidArgument("cannot train on an empty text")
                                : CheckText(texts[i]);
    if (s.ok() && !ids.empty() && !ids[i].empty()) {
      s = ValidateLabel(ids[i]);
      if (!s.ok()) s = Status::InvalidArgument("bad item id: " + s.message());
    }
    if (!s.ok()) return texts.size() == 1 ? s : s.WithContext("texts[" + std::to_string(i) + "]");
  }
  std::lock_guard<std::mutex> lock(train_mu_);
  CF_RETURN_IF_ERROR(status());  // the engine may have closed while we waited
  std::shared_ptr<const std::vector<std::string>> label_list;
  std::vector<uint32_t> indices;
  std::vector<uint32_t> set_flat;  // multilabel
  std::vector<size_t> set_begin;
  if (multilabel) {
    CF_RETURN_IF_ERROR(ResolveLabelSets(label_sets, &label_list, &set_flat, &set_begin));
    indices.assign(texts.size(), Prediction::kNoLabel);
  } else if (step == Step::kAddItems) {
    // Items may come without a label: resolve the labelled ones only.
    std::vector<std::string_view> named;
    std::vector<size_t> at;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i].empty()) continue;
      named.push_back(labels[i]);
      at.push_back(i);
    }
    std::vector<uint32_t> named_indices;
    CF_RETURN_IF_ERROR(ResolveLabels(named, &label_list, &named_indices));
    indices.assign(labels.size(), Prediction::kNoLabel);
    for (size_t k = 0; k < at.size(); ++k) indices[at[k]] = named_indices[k];
  } else {
    CF_RETURN_IF_ERROR(ResolveLabels(labels, &label_list, &indices));
  }
  if (subtract && label_list->size() != snapshot()->label_count()) {
    return Status::InvalidArgument("cannot untrain a label the model has never seen");
  }
  const std::shared_ptr<const TrainableSnapshot> base = current_.load();
  CF_RETURN_IF_ERROR(CheckVersionRoom(*base));
  std::shared_ptr<const TrainableSnapshot> next = base;
  std::vector<std::vector<uint32_t>> features;
  // A fit sees all its documents at once (each pass goes over all of them).
  const size_t chunk = step == Step::kFit ? texts.size() : kTrainChunk;
  for (size_t start = 0; start < texts.size(); start += chunk) {
    const size_t n = std::min(chunk, texts.size() - start);
    features.resize(n);
    tbb::parallel_for(size_t{0}, n,
                      [&](size_t i) { analyzer_.Analyze(texts[start + i], &features[i]); });
    std::vector<TrainingDoc> docs(n);
    for (size_t i = 0; i < n; ++i) {
      docs[i] = {indices[start + i], features[i].data(), features[i].size(),
                 ids.empty() ? std::string_view() : ids[start + i]};
      if (multilabel) {
        docs[i].label_set = std::span<const uint32_t>(set_flat).subspan(
            set_begin[start + i], set_begin[start + i + 1] - set_begin[start + i]);
      }
    }
    const uint64_t version = base->version() + 1;
    switch (step) {
      case Step::kAdd:
        CF_RETURN_IF_ERROR(next->Add(docs, label_list, version, &next));
        break;
      case Step::kAddItems:
        CF_RETURN_IF_ERROR(next->AddItems(docs, label_list, version, &next, assigned));
        break;
      case Step::kRemove:
        CF_RETURN_IF_ERROR(next->Remove(docs, label_list, version, &next));
        break;
      case Step::kFit:
        CF_RETURN_IF_ERROR(next->Fit(docs, label_list, version, *plan, &next));
        break;
    }
  }
  return Publish(base, std::move(next));
}

Status Model::Publish(const std::shared_ptr<const TrainableSnapshot>& base,
                      std::shared_ptr<const TrainableSnapshot> next) {
  if (next->rebuild_need() == RebuildNeed::kNow) {
    CF_RETURN_IF_ERROR(next->Rebuild(stop_rebuild_, &next));
  }
  if (hook_) {
    ModelRecords changed;
    next->RecordsSince(base.get(), &changed);
    CF_RETURN_IF_ERROR(hook_(changed));
  }
  const bool stale = next->rebuild_need() == RebuildNeed::kBackground;
  current_.store(std::move(next));
  if (stale) StartRebuild();
  return Status::OK();
}

Status Model::Train(std::string_view label, std::string_view text) {
  return Guarded([&] { return Commit({&label, 1}, {&text, 1}, Step::kAdd); });
}

Status Model::TrainBatch(std::span<const std::string_view> labels,
                         std::span<const std::string_view> texts) {
  Status s;
  RunBatch([&] { s = Guarded([&] { return Commit(labels, texts, Step::kAdd); }); });
  return s;
}

Status Model::Fit(std::span<const std::string_view> labels, std::span<const std::string_view> texts,
                  const FitOptions& options) {
  return FitCommit(labels, {}, texts, options);
}

Status Model::FitCommit(std::span<const std::string_view> labels,
                        std::span<const LabelSet> label_sets,
                        std::span<const std::string_view> texts, const FitOptions& options) {
  CF_RETURN_IF_ERROR(status());
  // The model's own epochs were checked with its options; a caller's are checked here.
  if (options.epochs && (*options.epochs < 1 || *options.epochs > 1000)) {
    return Status::InvalidArgument("epochs must be in [1, 1000], not " +
                                   std::to_string(*options.epochs));
  }
  if (options.threads < 0) {
    return Status::InvalidArgument("threads must be >= 0, not " + std::to_string(options.threads));
  }
  Status s;
  RunBatch([&] {
    FitPlan plan;
    plan.epochs = options.epochs;
    plan.threads = options.threads != 0 ? options.threads : tbb::this_task_arena::max_concurrency();
    if (options.progress) {
      plan.progress = [&options](uint64_t done, uint64_t total, int epoch, double loss) {
        options.progress(FitProgress{done, total, epoch, loss});
      };
    }
    s = Guarded([&] { return Commit(labels, texts, Step::kFit, &plan, {}, nullptr, label_sets); });
  });
  return s;
}

void Model::RunBatch(const std::function<void()>& work) const {
  if (batch_runner_) {
    batch_runner_(work);
  } else {
    work();
  }
}

Status Model::Untrain(std::string_view label, std::string_view text) {
  if (!kind_->can.untrain) {
    return Status::NotSupported("model '" + name_ + "' is of kind '" + options_.kind +
                                "', which cannot untrain a document");
  }
  return Guarded([&] { return Commit({&label, 1}, {&text, 1}, Step::kRemove); });
}

Status Model::Classify(std::string_view text, Prediction* out) const {
  return Classify(text, ClassifyOptions(), out);
}

Status Model::Classify(std::string_view text, const ClassifyOptions& options,
                       Prediction* out) const {
  CF_RETURN_IF_ERROR(status());
  CF_RETURN_IF_ERROR(CheckClassifyOptions(options));
  CF_RETURN_IF_ERROR(CheckText(text));
  auto snap = snapshot();
  const size_t n_labels = snap->label_count();
  if (n_labels == 0) {
    return Status::InvalidArgument("model '" + name_ + "' has no labels yet; train it first");
  }
  return Guarded([&] {
    std::vector<uint32_t>& features = ThreadFeatures();
    analyzer_.Analyze(text, &features);
    out->scores.resize(n_labels);
    snap->Scores(features.data(), features.size(), out->scores.data());
    const size_t k = options.top_k.value_or(snap->multilabel() ? n_labels : 1);
    PickLabels(out->scores.data(), n_labels, k, LogThresholds(*snap, options, Threshold(options)),
               &out->top, &out->label_index, &out->confidence);
    out->label = out->has_label() ? snap->labels()[out->label_index] : std::string();
    out->model = name_;
    out->version = snap->version();
    out->snapshot = snap;
    return Status::OK();
  });
}

Status Model::ClassifyBatch(std::span<const std::string_view> texts, const ClassifyOptions& options,
                            BatchPredictions* out) const {
  CF_RETURN_IF_ERROR(status());
  CF_RETURN_IF_ERROR(CheckClassifyOptions(options));
  for (size_t i = 0; i < texts.size(); ++i) {
    // The context is built only for a failure: a string per valid text showed in profiles.
    if (Status s = CheckText(texts[i]); !s.ok()) {
      return s.WithContext("texts[" + std::to_string(i) + "]");
    }
  }
  auto snap = snapshot();
  const size_t n_labels = snap->label_count();
  if (n_labels == 0) {
    return Status::InvalidArgument("model '" + name_ + "' has no labels yet; train it first");
  }
  const double threshold = Threshold(options);
  // Labels alone need only the argmax of the joint scores: no normalisation.
  const bool normalise = options.confidence || options.probabilities || threshold > 0;
  return Guarded([&] {
    out->snapshot = snap;
    out->label_index.resize(texts.size());
    if (snap->multilabel()) {
      out->confidence.assign(texts.size(), 0.0);
      out->probabilities.resize(options.probabilities ? texts.size() * n_labels : 0);
      out->label_sets.resize(texts.size());
      RunBatch([&] { ClassifySetsRange(*snap, texts, options, out); });
      return Status::OK();
    }
    out->label_sets.clear();
    out->confidence.assign(normalise ? texts.size() : 0, 0.0);
    out->probabilities.resize(options.probabilities ? texts.size() * n_labels : 0);
    RunBatch([&] { ClassifyRange(*snap, texts, threshold, normalise, options, out); });
    return Status::OK();
  });
}

void Model::ClassifyRange(const Snapshot& snap, std::span<const std::string_view> texts,
                          double threshold, bool normalise, const ClassifyOptions& options,
                          BatchPredictions* out) const {
  const size_t n_labels = snap.label_count();
  tbb::parallel_for(tbb::blocked_range<size_t>(0, texts.size(), 64), [&](const auto& range) {
    std::vector<uint32_t>& features = ThreadFeatures();
    std::vector<double>& scores = ThreadScores(n_labels);
    for (size_t i = range.begin(); i != range.end(); ++i) {
      analyzer_.Analyze(texts[i], &features);
      if (!normalise) {
        out->label_index[i] =
            static_cast<uint32_t>(snap.RawArgmax(features.data(), features.size(), scores.data()));
        continue;
      }
      if (!options.probabilities) {
        // The top probability alone is e^(s_best - logsumexp(s)) = 1 / sum_j e^(s_j - s_best):
        // no log and no pass that normalises every label.
        snap.RawScores(features.data(), features.size(), scores.data());
        const auto best =
            static_cast<size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
        out->confidence[i] = 1.0 / SumExp(scores.data(), n_labels, scores[best]);
        out->label_index[i] =
            out->confidence[i] >= threshold ? static_cast<uint32_t>(best) : Prediction::kNoLabel;
        continue;
      }
      snap.Scores(features.data(), features.size(), scores.data());
      out->label_index[i] = PickLabel(scores, threshold, &out->confidence[i]);
      if (options.probabilities) {
        double* row = out->probabilities.data() + i * n_labels;
        for (size_t c = 0; c < n_labels; ++c) row[c] = std::exp(scores[c]);
      }
    }
  });
}

void Model::ClassifySetsRange(const Snapshot& snap, std::span<const std::string_view> texts,
                              const ClassifyOptions& options, BatchPredictions* out) const {
  const size_t n_labels = snap.label_count();
  const LogThresholds thresholds(snap, options, Threshold(options));
  tbb::parallel_for(tbb::blocked_range<size_t>(0, texts.size(), 64), [&](const auto& range) {
    std::vector<uint32_t>& features = ThreadFeatures();
    std::vector<double>& scores = ThreadScores(n_labels);
    for (size_t i = range.begin(); i != range.end(); ++i) {
      analyzer_.Analyze(texts[i], &features);
      snap.Scores(features.data(), features.size(), scores.data());
      PickLabels(scores.data(), n_labels, n_labels, thresholds, &out->label_sets[i],
                 &out->label_index[i], &out->confidence[i]);
      if (options.probabilities) {
        double* row = out->probabilities.data() + i * n_labels;
        for (size_t c = 0; c < n_labels; ++c) row[c] = std::exp(scores[c]);
      }
    }
  });
}

}  // namespace classiflow
