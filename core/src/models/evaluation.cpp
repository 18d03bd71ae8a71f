#include "classiflow/evaluation.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <type_traits>
#include <unordered_map>

namespace classiflow {
namespace {

Status CheckPairs(std::span<const std::string_view> texts,
                  std::span<const std::string_view> labels) {
  if (texts.size() != labels.size()) {
    return Status::InvalidArgument("got " + std::to_string(texts.size()) + " texts but " +
                                   std::to_string(labels.size()) + " labels");
  }
  if (texts.empty()) return Status::InvalidArgument("nothing to evaluate: no texts");
  return Status::OK();
}

Status CheckPairs(std::span<const std::string_view> texts, std::span<const LabelSet> label_sets) {
  if (texts.size() != label_sets.size()) {
    return Status::InvalidArgument("got " + std::to_string(texts.size()) + " texts but " +
                                   std::to_string(label_sets.size()) + " label sets");
  }
  if (texts.empty()) return Status::InvalidArgument("nothing to evaluate: no texts");
  return Status::OK();
}

// Per-label precision, recall and F1, macro- and micro-F1, from each label's hits (texts
// rightly given it), predictions (texts given it) and support (texts that have it).
void Summarise(const std::vector<size_t>& hits, const std::vector<size_t>& predicted,
               const std::vector<size_t>& support, Evaluation* e) {
  const size_t n = e->labels.size();
  e->per_label.assign(n, {});
  double f1_sum = 0.0;
  size_t f1_labels = 0, all_hits = 0, all_predicted = 0, all_support = 0;
  for (size_t c = 0; c < n; ++c) {
    Evaluation::LabelStats& s = e->per_label[c];
    s.support = support[c];
    const auto h = static_cast<double>(hits[c]);
    s.precision = predicted[c] > 0 ? h / static_cast<double>(predicted[c]) : 0.0;
    s.recall = s.support > 0 ? h / static_cast<double>(s.support) : 0.0;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
    if (s.support > 0 || predicted[c] > 0) f1_sum += s.f1, ++f1_labels;
    all_hits += hits[c], all_predicted += predicted[c], all_support += support[c];
  }
  e->macro_f1 = f1_labels > 0 ? f1_sum / static_cast<double>(f1_labels) : 0.0;
  e->micro_f1 =
      all_predicted + all_support > 0
          ? 2.0 * static_cast<double>(all_hits) / static_cast<double>(all_predicted + all_support)
          : 0.0;
}

// e->labels (the model's, then `label`s it lacks) extended as needed: `label`'s index.
class LabelIndex {
 public:
  explicit LabelIndex(Evaluation* e) : e_(e) {
    for (size_t i = 0; i < e->labels.size(); ++i) index_.emplace(e->labels[i], i);
  }
  size_t operator()(std::string_view label) {
    auto [it, added] = index_.emplace(std::string(label), e_->labels.size());
    if (added) e_->labels.emplace_back(label);
    return it->second;
  }

 private:
  Evaluation* e_;
  // Keys are copies: views into e->labels would dangle when it grows.
  std::unordered_map<std::string, size_t> index_;
};

// Stratified folds: the texts of each stratum, shuffled with `seed`, dealt to the folds in turn
// (continuing from where the previous stratum stopped, so small ones do not all land in fold
// 0). Returns each text's fold.
std::vector<size_t> DealFolds(std::span<const std::string_view> strata, size_t k, uint64_t seed) {
  std::map<std::string_view, std::vector<size_t>> by_stratum;
  for (size_t i = 0; i < strata.size(); ++i) by_stratum[strata[i]].push_back(i);
  std::mt19937_64 random(seed);
  std::vector<size_t> fold_of(strata.size());
  size_t next = 0;
  for (auto& [stratum, members] : by_stratum) {
    std::shuffle(members.begin(), members.end(), random);
    for (size_t i : members) fold_of[i] = next++ % k;
  }
  return fold_of;
}

Status CheckFolds(size_t k, size_t texts) {
  if (k < 2 || k > texts) {
    return Status::InvalidArgument("k must be in [2, " + std::to_string(texts) +
                                   "] (the number of texts), got " + std::to_string(k));
  }
  return Status::OK();
}

// For each fold: a fresh model made with `options`, trained (Fit or FitLabelSets) on the other
// folds' texts and evaluated on its own. Label is std::string_view or LabelSet.
template <class Label>
Status RunFolds(const ModelOptions& options, std::span<const std::string_view> texts,
                std::span<const Label> labels, const std::vector<size_t>& fold_of, size_t k,
                std::vector<Evaluation>* folds) {
  folds->clear();
  for (size_t f = 0; f < k; ++f) {
    std::vector<std::string_view> train_texts, test_texts;
    std::vector<Label> train_labels, test_labels;
    for (size_t i = 0; i < texts.size(); ++i) {
      const bool test = fold_of[i] == f;
      (test ? test_texts : train_texts).push_back(texts[i]);
      (test ? test_labels : train_labels).push_back(labels[i]);
    }
    std::shared_ptr<Model> model;
    CF_RETURN_IF_ERROR(Model::Create("cross_validation", options, &model));
    if constexpr (std::is_same_v<Label, LabelSet>) {
      CF_RETURN_IF_ERROR(model->FitLabelSets(train_labels, train_texts));
    } else {
      CF_RETURN_IF_ERROR(model->Fit(train_labels, train_texts));
    }
    Evaluation e;
    CF_RETURN_IF_ERROR(Evaluate(*model, test_texts, std::span<const Label>(test_labels), &e)
                           .WithContext("fold " + std::to_string(f)));
    folds->push_back(std::move(e));
  }
  return Status::OK();
}

}  // namespace

Status Evaluate(const Model& model, std::span<const std::string_view> texts,
                std::span<const std::string_view> labels, Evaluation* out) {
  CF_RETURN_IF_ERROR(CheckPairs(texts, labels));
  ClassifyOptions options;
  options.min_confidence = 0.0;  // the most probable label, whatever the model's threshold
  options.confidence = false;
  BatchPredictions predictions;
  CF_RETURN_IF_ERROR(model.ClassifyBatch(texts, options, &predictions));
  if (predictions.snapshot->multilabel()) {
    std::vector<LabelSet> sets;
    for (const std::string_view& label : labels) sets.emplace_back(&label, 1);
    return Evaluate(model, texts, std::span<const LabelSet>(sets), out);
  }
  Evaluation e;
  e.count = texts.size();
  e.labels = predictions.snapshot->labels();
  LabelIndex index(&e);
  std::vector<size_t> truth(texts.size());
  for (size_t i = 0; i < labels.size(); ++i) truth[i] = index(labels[i]);
  const size_t n = e.labels.size();
  e.confusion.assign(n, std::vector<size_t>(n, 0));
  std::vector<size_t> hits(n, 0), predicted(n, 0), support(n, 0);
  size_t correct = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const size_t p = predictions.label_index[i];
    ++e.confusion[truth[i]][p];
    ++predicted[p];
    ++support[truth[i]];
    if (p == truth[i]) ++hits[p], ++correct;
  }
  e.accuracy = static_cast<double>(correct) / static_cast<double>(e.count);
  Summarise(hits, predicted, support, &e);
  *out = std::move(e);
  return Status::OK();
}

Status Evaluate(const Model& model, std::span<const std::string_view> texts,
                std::span<const LabelSet> label_sets, Evaluation* out) {
  CF_RETURN_IF_ERROR(CheckPairs(texts, label_sets));
  ClassifyOptions options;
  options.confidence = false;
  BatchPredictions predictions;
  CF_RETURN_IF_ERROR(model.ClassifyBatch(texts, options, &predictions));
  if (!predictions.snapshot->multilabel()) {
    return Status::NotSupported("model '" + model.name() +
                                "' is not multilabel: evaluate it with one label per text");
  }
  Evaluation e;
  e.count = texts.size();
  e.multilabel = true;
  e.labels = predictions.snapshot->labels();
  LabelIndex index(&e);
  std::vector<std::vector<size_t>> truth(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    for (std::string_view label : label_sets[i]) truth[i].push_back(index(label));
    std::sort(truth[i].begin(), truth[i].end());
    truth[i].erase(std::unique(truth[i].begin(), truth[i].end()), truth[i].end());
  }
  const size_t n = e.labels.size();
  std::vector<size_t> hits(n, 0), predicted(n, 0), support(n, 0);
  size_t exact = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::vector<size_t> given(predictions.label_sets[i].begin(), predictions.label_sets[i].end());
    std::sort(given.begin(), given.end());
    for (size_t l : given) ++predicted[l];
    for (size_t l : truth[i]) {
      ++support[l];
      if (std::binary_search(given.begin(), given.end(), l)) ++hits[l];
    }
    exact += given == truth[i];
  }
  e.accuracy = static_cast<double>(exact) / static_cast<double>(e.count);
  Summarise(hits, predicted, support, &e);
  *out = std::move(e);
  return Status::OK();
}

Status CrossValidate(const ModelOptions& options, std::span<const std::string_view> texts,
                     std::span<const std::string_view> labels, size_t k, uint64_t seed,
                     std::vector<Evaluation>* folds) {
  CF_RETURN_IF_ERROR(CheckPairs(texts, labels));
  CF_RETURN_IF_ERROR(CheckFolds(k, texts.size()));
  return RunFolds(options, texts, labels, DealFolds(labels, k, seed), k, folds);
}

Status CrossValidate(const ModelOptions& options, std::span<const std::string_view> texts,
                     std::span<const LabelSet> label_sets, size_t k, uint64_t seed,
                     std::vector<Evaluation>* folds) {
  CF_RETURN_IF_ERROR(CheckPairs(texts, label_sets));
  CF_RETURN_IF_ERROR(CheckFolds(k, texts.size()));
  // Strata by each text's first label in sorted order ("" for none): every label is spread
  // over the folds as far as the texts' first labels let it be.
  std::vector<std::string_view> strata(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    if (!label_sets[i].empty()) {
      strata[i] = *std::min_element(label_sets[i].begin(), label_sets[i].end());
    }
  }
  return RunFolds(options, texts, label_sets, DealFolds(strata, k, seed), k, folds);
}

Status CrossValidate(const Model& model, std::span<const std::string_view> texts,
                     std::span<const std::string_view> labels, size_t k, uint64_t seed,
                     std::vector<Evaluation>* folds) {
  CF_RETURN_IF_ERROR(model.status());
  return CrossValidate(model.options(), texts, labels, k, seed, folds);
}

Status CrossValidate(const Model& model, std::span<const std::string_view> texts,
                     std::span<const LabelSet> label_sets, size_t k, uint64_t seed,
                     std::vector<Evaluation>* folds) {
  CF_RETURN_IF_ERROR(model.status());
  return CrossValidate(model.options(), texts, label_sets, k, seed, folds);
}

std::string Evaluation::ToJson() const {
  nlohmann::json per = nlohmann::json::object();
  for (size_t i = 0; i < labels.size(); ++i) {
    const LabelStats& s = per_label[i];
    per[labels[i]] = {
        {"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}, {"support", s.support}};
  }
  return nlohmann::json{{"count", count},       {"accuracy", accuracy},     {"macro_f1", macro_f1},
                        {"micro_f1", micro_f1}, {"multilabel", multilabel}, {"labels", labels},
                        {"per_label", per},     {"confusion", confusion}}
      .dump();
}

}  // namespace classiflow
