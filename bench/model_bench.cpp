// Accuracy and speed of one model kind on a train/test split, for bench/accuracy_compare.py.
//
//   classiflow_bench_model TRAIN.tsv TEST.tsv [--options JSON] [--epochs N] [--threads T]
//                          [--name NAME] [--json] [--save FILE | --load FILE]
//
// Fits a model made with the options (JSON as ModelOptions::FromJson reads it, e.g.
// '{"kind": "linear", "hash_bits": 20}') on the training split, then reports accuracy and
// macro-F1 on the test split, train seconds, classify_batch docs/s (best of 5) and peak RSS.
// --save writes the fitted model; --load classifies with a saved one instead of fitting (for
// profiling classification alone).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench_util.h"
#include "classiflow/evaluation.h"
#include "classiflow/model.h"
#include "tsv_corpus.h"

namespace {

using classiflow::bench::Clock;
using classiflow::bench::Die;
using classiflow::bench::PeakRssMb;

struct Args {
  std::string train, test, options = "{}", name = "corpus", save, load;
  std::optional<int> epochs;
  int threads = 0;
  bool json = false;
};

// How well the top probability matches the accuracy: the expected calibration error over 10
// equal-width bins of the top probability, the Brier score (mean squared error of the whole
// probability vector) and the mean top probability.
struct Calibration {
  double ece = 0, brier = 0, mean_confidence = 0;
};

Calibration MeasureCalibration(const classiflow::Model& model,
                               std::span<const std::string_view> texts,
                               std::span<const std::string_view> labels) {
  classiflow::ClassifyOptions options;
  options.probabilities = true;
  options.min_confidence = 0.0;
  classiflow::BatchPredictions out;
  if (classiflow::Status s = model.ClassifyBatch(texts, options, &out); !s.ok()) {
    Die(s.ToString());
  }
  const std::vector<std::string>& names = out.snapshot->labels();
  const size_t n_labels = names.size();
  constexpr int kBins = 10;
  double bin_confidence[kBins] = {}, bin_correct[kBins] = {}, bin_count[kBins] = {};
  Calibration c;
  for (size_t i = 0; i < texts.size(); ++i) {
    const double* p = out.probabilities.data() + i * n_labels;
    const size_t best = out.label_index[i];
    const bool correct = names[best] == labels[i];
    const int bin = std::min(kBins - 1, static_cast<int>(p[best] * kBins));
    bin_confidence[bin] += p[best];
    bin_correct[bin] += correct;
    bin_count[bin] += 1;
    c.mean_confidence += p[best];
    for (size_t l = 0; l < n_labels; ++l) {
      const double target = names[l] == labels[i] ? 1.0 : 0.0;
      c.brier += (p[l] - target) * (p[l] - target);
    }
  }
  const auto n = static_cast<double>(texts.size());
  for (int b = 0; b < kBins; ++b) c.ece += std::abs(bin_confidence[b] - bin_correct[b]) / n;
  c.brier /= n;
  c.mean_confidence /= n;
  return c;
}

Args Parse(int argc, char** argv) {
  Args args;
  int positional = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--options") {
      args.options = value();
    } else if (a == "--epochs") {
      args.epochs = std::stoi(value());
    } else if (a == "--threads") {
      args.threads = std::stoi(value());
    } else if (a == "--save") {
      args.save = value();
    } else if (a == "--load") {
      args.load = value();
    } else if (a == "--name") {
      args.name = value();
    } else if (a == "--json") {
      args.json = true;
    } else if (positional == 0) {
      args.train = a, ++positional;
    } else if (positional == 1) {
      args.test = a, ++positional;
    } else {
      Die("unexpected argument " + a);
    }
  }
  if (positional != 2) {
    Die("usage: classiflow_bench_model TRAIN.tsv TEST.tsv [--options JSON] [--epochs N] "
        "[--threads T] [--name NAME] [--json]");
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace classiflow;
  const Args args = Parse(argc, argv);
  bench::Corpus train, test;
  if (!bench::ReadTsv(args.train, &train) || !bench::ReadTsv(args.test, &test)) {
    Die("cannot read the corpus files");
  }
  ModelOptions options;
  Status s = ModelOptions::FromJson(args.options, &options);
  std::shared_ptr<Model> model;
  double train_s = 0;
  if (!args.load.empty()) {
    if (s.ok()) s = Model::Load(args.load, &model);
  } else {
    if (s.ok()) s = Model::Create("bench", options, &model);
    FitOptions fit;
    fit.epochs = args.epochs;
    fit.threads = args.threads;
    const auto t0 = Clock::now();
    if (s.ok()) s = model->Fit(train.label_views(), train.text_views(), fit);
    train_s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s.ok() && !args.save.empty()) s = model->Save(args.save);
  }
  if (!s.ok()) Die(s.ToString());

  const auto texts = test.text_views();
  double best = 1e300;
  BatchPredictions predictions;
  ClassifyOptions classify;
  classify.confidence = false;
  for (int r = 0; r < 5; ++r) {
    const auto c0 = Clock::now();
    s = model->ClassifyBatch(texts, classify, &predictions);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - c0).count());
    if (!s.ok()) Die(s.ToString());
  }
  Evaluation evaluation;
  s = Evaluate(*model, texts, test.label_views(), &evaluation);
  if (!s.ok()) Die(s.ToString());
  const double docs_per_s = static_cast<double>(texts.size()) / best;
  const Calibration calibration = MeasureCalibration(*model, texts, test.label_views());
  if (args.json) {
    std::printf(
        "{\"corpus\": \"%s\", \"kind\": \"%s\", \"accuracy\": %.4f, \"macro_f1\": %.4f, "
        "\"train_s\": %.3f, \"predict_docs_per_s\": %.0f, \"rss_mb\": %.1f, \"ece\": %.4f, "
        "\"brier\": %.4f, \"mean_confidence\": %.4f}\n",
        args.name.c_str(), model->kind().c_str(), evaluation.accuracy, evaluation.macro_f1, train_s,
        docs_per_s, PeakRssMb(), calibration.ece, calibration.brier, calibration.mean_confidence);
  } else {
    std::printf(
        "%-10s %-8s accuracy %.4f  macro-F1 %.4f  train %.2f s  predict %.0f docs/s  "
        "peak RSS %.0f MB  ECE %.4f  Brier %.4f  mean confidence %.4f\n",
        args.name.c_str(), model->kind().c_str(), evaluation.accuracy, evaluation.macro_f1, train_s,
        docs_per_s, PeakRssMb(), calibration.ece, calibration.brier, calibration.mean_confidence);
  }
  return 0;
}
