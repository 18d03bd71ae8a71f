// Online linear model: softmax regression over hashed word n-grams.
//
// A text becomes a sparse vector x over the analyser's hashed features, each feature weighted by
// its sub-linear term frequency 1 + log(tf) and (optionally) its inverse document frequency
// among the documents trained so far, then scaled to unit length. P(label | x) is the softmax of
// w_label · x + b_label. Training is stochastic gradient descent on the log loss with L2
// regularisation, one document at a time: Train / TrainBatch make one pass (online learning,
// each call a new version), Model::Fit makes several, shuffled, on many threads.
//
// Weights live in copy-on-write pages of the hashed feature space (as Bayes keeps its counts),
// so an online step copies only the pages of the features it saw.
#pragma once

#include <cstdint>
#include <string>

#include "classiflow/export.h"
#include "classiflow/status.h"

namespace classiflow {

struct CLASSIFLOW_EXPORT LinearOptions {
  // Step size. For "adagrad" the base rate, divided per feature by the root of its summed
  // squared gradients; for "sgd" the rate at the first document, decaying as
  // learning_rate / (1 + learning_rate * l2 * t). REQUIRES: 0 < learning_rate <= 100.
  // Default: 4 (the best of 0.5..16 on a held-out fifth of the benchmark corpora's training
  // splits; docs/models.md).
  double learning_rate = 4.0;
  // L2 regularisation strength. REQUIRES: 0 <= l2 <= 1. Default: 1e-6.
  double l2 = 1e-6;
  // "adagrad", "sgd" or (loss "hinge" only) "dual": dual coordinate descent, liblinear's
  // solver for a linear SVM, which needs no learning rate: it solves each label's
  // l2/2 |w|² + mean hinge loss (an SVM with C = 1 / (l2 · texts)) by exact steps on one
  // text's dual variable at a time. Online steps (Train, TrainBatch) are then passive-aggressive
  // ones, each text learned to its margin. Default: "adagrad".
  std::string optimizer = "adagrad";
  // Passes over the documents that Model::Fit makes when its call does not say. Train and
  // TrainBatch always make one. REQUIRES: 1..1000. Default: 5.
  int epochs = 5;
  // Seeds Fit's shuffling: with one thread, the same seed and data give the same model, bit for
  // bit. Default: 42.
  uint64_t seed = 42;
  // Weight features by inverse document frequency (as TF-IDF). Default: true.
  bool idf = true;
  // Keep weights as 8-bit integers with a scale per feature: about 1/4 of the memory and file
  // size, scores within ~1 % of the full-precision model. Training a quantized model trains
  // in full precision and quantizes the pages it changed. Default: false.
  bool quantize = false;

  // After Model::Fit, weights below this share of their feature's largest (once each feature's
  // weights are centred on their median, which changes no probability) are dropped: a smaller,
  // faster model for a little accuracy (Debian corpus: 13 % of the weights kept at 0.05, 0.001
  // accuracy lost). Online steps never prune. REQUIRES: 0..0.5. Default: 0.05.
  double prune = 0.05;

  // One-vs-all: each label is a yes/no question of its own, P(label | x) the sigmoid of
  // w_label · x + b_label, so a text may have any number of labels, none included. Train it
  // with label sets (Model::TrainLabelSets / FitLabelSets; Train's one label is a set of one);
  // a text has every label whose probability reaches that label's threshold (0.5 until
  // Model::SetThresholds or TuneThresholds sets it). Scores are then one independent log
  // probability per label, not a distribution. Default: false.
  bool multilabel = false;

  // The loss training minimises. "log": softmax regression, its probabilities calibrated as
  // trained. "hinge": one linear SVM per label (one-vs-all hinge losses, as scikit-learn's
  // LinearSVC and SGDClassifier(loss="hinge")), the more accurate on both benchmark corpora
  // with optimizer "dual", l2 1e-5 and epochs 10 (docs/models.md). Its probabilities
  // are the softmax of its scores times a temperature that Model::Fit calibrates: it first
  // trains on nine tenths of the texts and fits the temperature to the held-out tenth by log
  // loss, then trains on all of them (about twice the time). Not with multilabel.
  // Default: "log".
  std::string loss = "log";

  Status Validate() const;
  bool operator==(const LinearOptions&) const = default;
};

}  // namespace classiflow
