// Calibration of the hinge loss (LinearOptions::loss "hinge"): SVM scores are margins, not log
// probabilities, so P(label | x) is the softmax of the scores times a temperature T, fitted by
// log loss on texts the model did not train on (Platt's idea, one parameter for all labels).
#include <algorithm>
#include <cmath>
#include <random>

#include "models/linear/snapshot.h"

namespace classiflow {
namespace {

// Each held-out text's E_q[z] under smoothed targets q, for scores z (rows of n_labels) and
// their true labels. The targets are Platt's: (n + 1) / (n + 2) for the true label of n
// held-out texts, the rest shared by the others, so that held-out texts the model separates
// perfectly (small or clean data) give a finite temperature, not the largest.
std::vector<double> TargetScores(const std::vector<double>& z, const std::vector<uint32_t>& truth,
                                 size_t n_labels) {
  const auto n = static_cast<double>(truth.size());
  const double q_true = (n + 1) / (n + 2);
  const double q_other = n_labels > 1 ? (1 - q_true) / static_cast<double>(n_labels - 1) : 0;
  std::vector<double> targets(truth.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    const double* row = z.data() + i * n_labels;
    double all = 0;
    for (size_t l = 0; l < n_labels; ++l) all += row[l];
    targets[i] = q_true * row[truth[i]] + q_other * (all - row[truth[i]]);
  }
  return targets;
}

// d/dT of the mean cross-entropy of softmax(T z) against the targets at T: the mean over texts
// of E_p[z] - E_q[z]. Increasing in T (the loss is convex).
double LossSlope(const std::vector<double>& z, const std::vector<double>& targets, size_t n_labels,
                 double t) {
  double slope = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    const double* row = z.data() + i * n_labels;
    const double top = *std::max_element(row, row + n_labels);
    double sum = 0, weighted = 0;
    for (size_t l = 0; l < n_labels; ++l) {
      const double e = std::exp(t * (row[l] - top));
      sum += e;
      weighted += e * row[l];
    }
    slope += weighted / sum - targets[i];
  }
  return slope / static_cast<double>(targets.size());
}

// The T in [1e-3, 1e3] of least loss: the root of its slope, by bisection on log T.
float FitTemperature(const std::vector<double>& z, const std::vector<uint32_t>& truth,
                     size_t n_labels) {
  const std::vector<double> targets = TargetScores(z, truth, n_labels);
  const auto slope = [&](double log_t) { return LossSlope(z, targets, n_labels, std::exp(log_t)); };
  double lo = std::log(1e-3), hi = std::log(1e3);
  if (slope(hi) <= 0) return static_cast<float>(std::exp(hi));
  if (slope(lo) >= 0) return static_cast<float>(std::exp(lo));
  for (int i = 0; i < 50; ++i) {
    const double mid = (lo + hi) / 2;
    (slope(mid) < 0 ? lo : hi) = mid;
  }
  return static_cast<float>(std::exp((lo + hi) / 2));
}

}  // namespace

float LinearSnapshot::CalibratedTemperature(
    const std::vector<TrainingDoc>& docs,
    const std::shared_ptr<const std::vector<std::string>>& labels, const FitPlan& plan) const {
  // Which texts are held out: a shuffle with the model's seed (its raw output, the same on
  // every standard library), then the first tenth.
  std::vector<uint32_t> order(docs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::mt19937_64 random(options_.seed ^ 0x5ca1ab1eu);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random() % i]);
  const size_t held_count = docs.size() / kHeldOutShare;
  std::vector<TrainingDoc> rest;
  rest.reserve(docs.size() - held_count);
  for (size_t i = held_count; i < order.size(); ++i) rest.push_back(docs[order[i]]);
  auto trial = TrainOnly(rest, labels, version(), plan, /*shuffle=*/true);
  trial->temperature_ = 1.0f;  // raw margins
  const size_t n_labels = labels->size();
  std::vector<double> z(held_count * n_labels);
  std::vector<uint32_t> truth(held_count);
  for (size_t i = 0; i < held_count; ++i) {
    const TrainingDoc& doc = docs[order[i]];
    trial->RawScores(doc.features, doc.feature_count, z.data() + i * n_labels);
    truth[i] = doc.label_index;
  }
  return FitTemperature(z, truth, n_labels);
}

}  // namespace classiflow
