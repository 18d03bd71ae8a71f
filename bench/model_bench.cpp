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

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

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
  if (args.json) {
    std::printf(
        "{\"corpus\": \"%s\", \"kind\": \"%s\", \"accuracy\": %.4f, \"macro_f1\": %.4f, "
        "\"train_s\": %.3f, \"predict_docs_per_s\": %.0f, \"rss_mb\": %.1f}\n",
        args.name.c_str(), model->kind().c_str(), evaluation.accuracy, evaluation.macro_f1, train_s,
        docs_per_s, PeakRssMb());
  } else {
    std::printf(
        "%-10s %-8s accuracy %.4f  macro-F1 %.4f  train %.2f s  predict %.0f docs/s  "
        "peak RSS %.0f MB\n",
        args.name.c_str(), model->kind().c_str(), evaluation.accuracy, evaluation.macro_f1, train_s,
        docs_per_s, PeakRssMb());
  }
  return 0;
}
