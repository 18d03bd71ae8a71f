// The main demo: learn Debian's package sections from package descriptions.
//
// Trains a multinomial Naive Bayes model on the training part into a RocksDB data directory,
// closes the engine, reopens it (the model comes back from disk with its version), classifies
// the held-out part and prints accuracy, throughput and a few sample predictions.
//
//   classiflow_demo TRAIN.tsv TEST.tsv DATA_DIR      (files from bench/prepare_data.py)
#include <chrono>
#include <cstdio>
#include <string>

#include "../bench/tsv_corpus.h"
#include "classiflow/open.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kModel = "debian-sections";

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int Fail(const classiflow::Status& s) {
  std::fprintf(stderr, "classiflow_demo: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: classiflow_demo TRAIN.tsv TEST.tsv DATA_DIR\n");
    return 2;
  }
  classiflow::bench::Corpus train, test;
  if (!classiflow::bench::ReadTsv(argv[1], &train) || !classiflow::bench::ReadTsv(argv[2], &test)) {
    std::fprintf(stderr, "classiflow_demo: cannot read the corpus; run bench/prepare_data.py\n");
    return 1;
  }
  const std::string dir = argv[3];
  std::printf("corpus: %zu training and %zu held-out Debian package descriptions\n",
              train.texts.size(), test.texts.size());
  {
    std::unique_ptr<classiflow::Engine> engine;
    if (auto s = classiflow::OpenEngine(dir, {}, &engine); !s.ok()) return Fail(s);
    if (engine->DropModel(kModel).ok()) std::printf("dropped the model left by an earlier run\n");
    classiflow::ModelOptions options;  // tuned on this corpus: see docs/benchmarks.md
    options.bayes.alpha = 0.1;
    options.analyzer.ngrams = 1;
    options.analyzer.stop_words = true;
    options.analyzer.hash_bits = 18;
    std::shared_ptr<classiflow::Model> model;
    if (auto s = engine->CreateModel(kModel, options, &model); !s.ok()) return Fail(s);
    const auto start = Clock::now();
    if (auto s = model->TrainBatch(train.label_views(), train.text_views()); !s.ok())
      return Fail(s);
    const double seconds = Since(start);
    std::printf(
        "trained '%s' into %s: %zu docs in %.2f s (%.0f docs/s), version %llu, %zu labels\n",
        kModel, dir.c_str(), train.texts.size(), seconds, train.texts.size() / seconds,
        static_cast<unsigned long long>(model->version()), model->labels().size());
  }  // the engine closes here; everything is on disk
  std::unique_ptr<classiflow::Engine> engine;
  if (auto s = classiflow::OpenEngine(dir, {}, &engine); !s.ok()) return Fail(s);
  std::shared_ptr<classiflow::Model> model;
  if (auto s = engine->GetModel(kModel, &model); !s.ok()) return Fail(s);
  std::printf("reopened %s: model '%s' version %llu\n", dir.c_str(), kModel,
              static_cast<unsigned long long>(model->version()));
  classiflow::BatchPredictions batch;
  const auto texts = test.text_views();
  const auto start = Clock::now();
  if (auto s = model->ClassifyBatch(texts, {}, &batch); !s.ok()) return Fail(s);
  const double seconds = Since(start);
  size_t right = 0;
  const auto& labels = batch.snapshot->labels();
  for (size_t i = 0; i < texts.size(); ++i) right += labels[batch.label_index[i]] == test.labels[i];
  std::printf("classified %zu held-out docs in %.3f s (%.0f docs/s, all cores): accuracy %.4f\n",
              texts.size(), seconds, texts.size() / seconds, double(right) / texts.size());
  std::printf("\nsample predictions:\n");
  for (size_t i = 0; i < 8 && i < texts.size(); ++i) {
    std::printf("  %-10s (p=%.2f, truth %-10s) %.70s\n", labels[batch.label_index[i]].c_str(),
                batch.confidence[i], test.labels[i].c_str(), test.texts[i].c_str());
  }
  return 0;
}
