// Model's multilabel verbs (LinearOptions::multilabel): training with label sets and the
// per-label thresholds that decide which labels a text has.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include "classiflow/model.h"
#include "models/option_table.h"
#include "models/trainable_snapshot.h"
#include "util/guarded.h"

namespace classiflow {
namespace {

// The threshold at which `label`'s F1 over these texts is highest: probabilities[i] is text i's
// probability of the label, truth[i] whether it has it. nullopt when no text has it, or no
// threshold finds any of them.
std::optional<double> BestThreshold(std::vector<std::pair<double, bool>> scored) {
  size_t positives = 0;
  for (const auto& [p, has] : scored) positives += has;
  if (positives == 0) return std::nullopt;
  std::sort(scored.begin(), scored.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  double best_f1 = 0;
  std::optional<double> best;
  size_t hits = 0;
  for (size_t j = 1; j <= scored.size(); ++j) {
    hits += scored[j - 1].second;
    // A threshold passes all the texts of one probability or none: cut only between two.
    if (j < scored.size() && scored[j].first == scored[j - 1].first) continue;
    const double f1 = 2.0 * static_cast<double>(hits) / static_cast<double>(j + positives);
    if (f1 > best_f1) {
      best_f1 = f1;
      // Midway to the next text's probability: the cut is as far from both as it can be.
      best = j < scored.size() ? (scored[j - 1].first + scored[j].first) / 2 : scored[j - 1].first;
    }
  }
  return best;
}

}  // namespace

Status Model::CheckMultilabel() const {
  CF_RETURN_IF_ERROR(status());
  if (!snapshot()->multilabel()) {
    return Status::NotSupported("model '" + name_ +
                                "' is not multilabel (create it with the linear kind's "
                                "\"multilabel\": true)");
  }
  return Status::OK();
}

Status Model::ResolveLabelSets(std::span<const LabelSet> label_sets,
                               std::shared_ptr<const std::vector<std::string>>* label_list,
                               std::vector<uint32_t>* flat, std::vector<size_t>* begin) const {
  std::vector<std::string_view> names;
  begin->assign(1, 0);
  for (const LabelSet& set : label_sets) {
    names.insert(names.end(), set.begin(), set.end());
    begin->push_back(names.size());
  }
  CF_RETURN_IF_ERROR(ResolveLabels(names, label_list, flat));
  // Sorted and distinct within each set, compacted in place.
  size_t kept = 0;
  for (size_t d = 0; d + 1 < begin->size(); ++d) {
    const auto first = flat->begin() + static_cast<std::ptrdiff_t>((*begin)[d]);
    const auto last = flat->begin() + static_cast<std::ptrdiff_t>((*begin)[d + 1]);
    std::sort(first, last);
    const auto end = std::unique(first, last);
    (*begin)[d] = kept;
    kept = static_cast<size_t>(
        std::copy(first, end, flat->begin() + static_cast<std::ptrdiff_t>(kept)) - flat->begin());
  }
  begin->back() = kept;
  flat->resize(kept);
  return Status::OK();
}

Status Model::TrainLabelSets(std::span<const LabelSet> label_sets,
                             std::span<const std::string_view> texts) {
  CF_RETURN_IF_ERROR(CheckMultilabel());
  Status s;
  RunBatch([&] {
    s = Guarded([&] { return Commit({}, texts, Step::kAdd, nullptr, {}, nullptr, label_sets); });
  });
  return s;
}

Status Model::FitLabelSets(std::span<const LabelSet> label_sets,
                           std::span<const std::string_view> texts, const FitOptions& options) {
  CF_RETURN_IF_ERROR(CheckMultilabel());
  return FitCommit({}, label_sets, texts, options);
}

Status Model::SetThresholds(std::span<const std::string_view> labels,
                            std::span<const double> thresholds) {
  CF_RETURN_IF_ERROR(CheckMultilabel());
  if (labels.size() != thresholds.size()) {
    return Status::InvalidArgument("got " + std::to_string(labels.size()) + " labels but " +
                                   std::to_string(thresholds.size()) + " thresholds");
  }
  for (double t : thresholds) {
    if (!(t >= 0.0 && t <= 1.0)) {
      return Status::InvalidArgument("a threshold must be in [0, 1], not " + ShownNumber(t));
    }
  }
  if (labels.empty()) return Status::OK();
  return Guarded([&] {
    std::lock_guard<std::mutex> lock(train_mu_);
    CF_RETURN_IF_ERROR(status());
    const std::shared_ptr<const TrainableSnapshot> base = current_.load();
    CF_RETURN_IF_ERROR(CheckVersionRoom(*base));
    const std::vector<std::string>& known = base->labels();
    std::unordered_map<std::string_view, size_t> index;
    for (size_t l = 0; l < known.size(); ++l) index.emplace(known[l], l);
    std::vector<float> next_thresholds(known.size());
    for (size_t l = 0; l < known.size(); ++l) {
      next_thresholds[l] = static_cast<float>(base->threshold(l));
    }
    for (size_t i = 0; i < labels.size(); ++i) {
      auto it = index.find(labels[i]);
      if (it == index.end()) {
        return Status::NotFound("model '" + name_ + "' has no label " + QuotePrefix(labels[i]));
      }
      next_thresholds[it->second] = static_cast<float>(thresholds[i]);
    }
    std::shared_ptr<const TrainableSnapshot> next;
    CF_RETURN_IF_ERROR(
        base->WithThresholds(std::move(next_thresholds), base->version() + 1, &next));
    return Publish(base, std::move(next));
  });
}

Status Model::TuneThresholds(std::span<const LabelSet> label_sets,
                             std::span<const std::string_view> texts, std::vector<double>* chosen) {
  CF_RETURN_IF_ERROR(CheckMultilabel());
  if (label_sets.size() != texts.size()) {
    return Status::InvalidArgument("got " + std::to_string(texts.size()) + " texts but " +
                                   std::to_string(label_sets.size()) + " label sets");
  }
  if (texts.empty()) return Status::InvalidArgument("nothing to tune on: no texts");
  ClassifyOptions options;
  options.probabilities = true;
  BatchPredictions predictions;
  CF_RETURN_IF_ERROR(ClassifyBatch(texts, options, &predictions));
  const Snapshot& snap = *predictions.snapshot;
  const std::vector<std::string>& labels = snap.labels();
  const size_t n_labels = labels.size();
  std::unordered_map<std::string_view, size_t> index;
  for (size_t l = 0; l < n_labels; ++l) index.emplace(labels[l], l);
  // truth[i * n_labels + l]: text i has label l (labels the model lacks cannot be tuned).
  std::vector<bool> truth(texts.size() * n_labels, false);
  for (size_t i = 0; i < texts.size(); ++i) {
    for (std::string_view label : label_sets[i]) {
      if (auto it = index.find(label); it != index.end()) truth[i * n_labels + it->second] = true;
    }
  }
  std::vector<std::string_view> tuned_labels;
  std::vector<double> tuned;
  std::vector<double> all(n_labels);
  for (size_t l = 0; l < n_labels; ++l) {
    std::vector<std::pair<double, bool>> scored(texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      scored[i] = {predictions.probabilities[i * n_labels + l], truth[i * n_labels + l]};
    }
    all[l] = snap.threshold(l);
    if (std::optional<double> best = BestThreshold(std::move(scored))) {
      all[l] = *best;
      tuned_labels.push_back(labels[l]);
      tuned.push_back(*best);
    }
  }
  CF_RETURN_IF_ERROR(SetThresholds(tuned_labels, tuned));
  if (chosen != nullptr) *chosen = std::move(all);
  return Status::OK();
}

}  // namespace classiflow
