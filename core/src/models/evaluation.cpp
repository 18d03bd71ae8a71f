#include "classiflow/evaluation.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
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

// Precision, recall and F1 per label, accuracy and macro-F1 from the confusion matrix.
void Summarise(Evaluation* e) {
  const size_t n = e->labels.size();
  std::vector<size_t> predicted(n, 0);
  size_t correct = 0;
  e->per_label.assign(n, {});
  for (size_t t = 0; t < n; ++t) {
    for (size_t p = 0; p < n; ++p) {
      predicted[p] += e->confusion[t][p];
      e->per_label[t].support += e->confusion[t][p];
    }
    correct += e->confusion[t][t];
  }
  double f1_sum = 0.0;
  size_t f1_labels = 0;
  for (size_t c = 0; c < n; ++c) {
    Evaluation::LabelStats& s = e->per_label[c];
    const double hits = static_cast<double>(e->confusion[c][c]);
    s.precision = predicted[c] > 0 ? hits / static_cast<double>(predicted[c]) : 0.0;
    s.recall = s.support > 0 ? hits / static_cast<double>(s.support) : 0.0;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
    if (s.support > 0 || predicted[c] > 0) f1_sum += s.f1, ++f1_labels;
  }
  e->accuracy = static_cast<double>(correct) / static_cast<double>(e->count);
  e->macro_f1 = f1_labels > 0 ? f1_sum / static_cast<double>(f1_labels) : 0.0;
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
  Evaluation e;
  e.count = texts.size();
  e.labels = predictions.snapshot->labels();
  // Keys are copies: views into e.labels would dangle when it grows.
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < e.labels.size(); ++i) index.emplace(e.labels[i], i);
  std::vector<size_t> truth(texts.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    auto [it, added] = index.emplace(std::string(labels[i]), e.labels.size());
    if (added) e.labels.emplace_back(labels[i]);
    truth[i] = it->second;
  }
  e.confusion.assign(e.labels.size(), std::vector<size_t>(e.labels.size(), 0));
  for (size_t i = 0; i < texts.size(); ++i) ++e.confusion[truth[i]][predictions.label_index[i]];
  Summarise(&e);
  *out = std::move(e);
  return Status::OK();
}

Status CrossValidate(const ModelOptions& options, std::span<const std::string_view> texts,
                     std::span<const std::string_view> labels, size_t k, uint64_t seed,
                     std::vector<Evaluation>* folds) {
  CF_RETURN_IF_ERROR(CheckPairs(texts, labels));
  if (k < 2 || k > texts.size()) {
    return Status::InvalidArgument("k must be in [2, " + std::to_string(texts.size()) +
                                   "] (the number of texts), got " + std::to_string(k));
  }
  // Stratified: each label's texts, shuffled, dealt to the folds in turn (continuing from
  // where the previous label stopped, so small labels do not all land in fold 0).
  std::map<std::string_view, std::vector<size_t>> by_label;
  for (size_t i = 0; i < labels.size(); ++i) by_label[labels[i]].push_back(i);
  std::mt19937_64 random(seed);
  std::vector<size_t> fold_of(texts.size());
  size_t next = 0;
  for (auto& [label, members] : by_label) {
    std::shuffle(members.begin(), members.end(), random);
    for (size_t i : members) fold_of[i] = next++ % k;
  }
  folds->clear();
  for (size_t f = 0; f < k; ++f) {
    std::vector<std::string_view> train_texts, train_labels, test_texts, test_labels;
    for (size_t i = 0; i < texts.size(); ++i) {
      const bool test = fold_of[i] == f;
      (test ? test_texts : train_texts).push_back(texts[i]);
      (test ? test_labels : train_labels).push_back(labels[i]);
    }
    std::shared_ptr<Model> model;
    CF_RETURN_IF_ERROR(Model::Create("cross_validation", options, &model));
    CF_RETURN_IF_ERROR(model->Fit(train_labels, train_texts));
    Evaluation e;
    CF_RETURN_IF_ERROR(
        Evaluate(*model, test_texts, test_labels, &e).WithContext("fold " + std::to_string(f)));
    folds->push_back(std::move(e));
  }
  return Status::OK();
}

Status CrossValidate(const Model& model, std::span<const std::string_view> texts,
                     std::span<const std::string_view> labels, size_t k, uint64_t seed,
                     std::vector<Evaluation>* folds) {
  CF_RETURN_IF_ERROR(model.status());
  return CrossValidate(model.options(), texts, labels, k, seed, folds);
}

std::string Evaluation::ToJson() const {
  nlohmann::json per = nlohmann::json::object();
  for (size_t i = 0; i < labels.size(); ++i) {
    const LabelStats& s = per_label[i];
    per[labels[i]] = {
        {"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}, {"support", s.support}};
  }
  return nlohmann::json{{"count", count},   {"accuracy", accuracy}, {"macro_f1", macro_f1},
                        {"labels", labels}, {"per_label", per},     {"confusion", confusion}}
      .dump();
}

}  // namespace classiflow
