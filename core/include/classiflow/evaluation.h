// Evaluation: how well a model's labels match the true ones, and k-fold cross-validation.
//
// Works for every model kind: it uses only training and classification. Predictions are each
// text's most probable label, whatever the model's min_confidence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/export.h"
#include "classiflow/model.h"
#include "classiflow/status.h"

namespace classiflow {

struct CLASSIFLOW_EXPORT Evaluation {
  struct LabelStats {
    double precision = 0.0;  // of the texts given this label, the share that had it (0 if none)
    double recall = 0.0;     // of the texts that had this label, the share given it
    double f1 = 0.0;         // harmonic mean of the two (0 when both are 0)
    size_t support = 0;      // texts that had this label
  };
  size_t count = 0;         // texts evaluated
  double accuracy = 0.0;    // share of texts given their true label (multilabel: exactly theirs)
  double macro_f1 = 0.0;    // mean F1 over the labels that were true or predicted at least once
  double micro_f1 = 0.0;    // F1 of all (text, label) decisions pooled (single-label: accuracy)
  bool multilabel = false;  // a multilabel model's: no confusion matrix
  // The model's labels in its order, then true labels it does not know (always missed).
  std::vector<std::string> labels;
  std::vector<LabelStats> per_label;           // by `labels`
  std::vector<std::vector<size_t>> confusion;  // confusion[true][predicted], by `labels`

  // {"count", "accuracy", "macro_f1", "micro_f1", "multilabel", "labels", "per_label": {label:
  // {"precision", "recall", "f1", "support"}}, "confusion": [[...], ...]}
  std::string ToJson() const;
};

// Classifies `texts` with `model` (one version, in parallel) and compares with `labels`.
// InvalidArgument when the lengths differ, for an empty input, a bad text (naming it) or a
// model with no labels.
CLASSIFLOW_EXPORT Status Evaluate(const Model& model, std::span<const std::string_view> texts,
                                  std::span<const std::string_view> labels, Evaluation* out);

// Multilabel models: each text's labels (those reaching their thresholds) against its set in
// `label_sets`; per-label counts are each label's own yes/no decisions. NotSupported for a
// single-label model. (The single-label Evaluate of a multilabel model takes each label as a
// set of one.)
CLASSIFLOW_EXPORT Status Evaluate(const Model& model, std::span<const std::string_view> texts,
                                  std::span<const LabelSet> label_sets, Evaluation* out);
// Stratified k-fold cross-validation of models made with `options`: the texts of each label are
// shuffled with `seed` and dealt to the folds in turn; for each fold a fresh model (in memory,
// not stored) is trained on the other folds and evaluated on it. Deterministic for a seed.
// InvalidArgument for k < 2, k above the number of texts, the errors of Evaluate(), or options
// Model::Create refuses.
CLASSIFLOW_EXPORT Status CrossValidate(const ModelOptions& options,
                                       std::span<const std::string_view> texts,
                                       std::span<const std::string_view> labels, size_t k,
                                       uint64_t seed, std::vector<Evaluation>* folds);
// The same for multilabel options, with sets of labels; strata are each text's first label
// in sorted order.
CLASSIFLOW_EXPORT Status CrossValidate(const ModelOptions& options,
                                       std::span<const std::string_view> texts,
                                       std::span<const LabelSet> label_sets, size_t k,
                                       uint64_t seed, std::vector<Evaluation>* folds);
// The same with the options of `model`, which is neither used nor changed. Checks the model's
// status first: Unavailable after its engine closed, NotFound after it was dropped.
CLASSIFLOW_EXPORT Status CrossValidate(const Model& model, std::span<const std::string_view> texts,
                                       std::span<const std::string_view> labels, size_t k,
                                       uint64_t seed, std::vector<Evaluation>* folds);
CLASSIFLOW_EXPORT Status CrossValidate(const Model& model, std::span<const std::string_view> texts,
                                       std::span<const LabelSet> label_sets, size_t k,
                                       uint64_t seed, std::vector<Evaluation>* folds);

}  // namespace classiflow
