// Naive Bayes throughput and accuracy on a prepared corpus (see prepare_data.py):
// train_batch and classify_batch with one thread and with all cores, accuracy on the held-out
// part, per-call latency percentiles of single classify(), and peak RSS of the whole run.
// classify_batch reports the best of 10 runs (the peers in compare.py do the same) and asks for
// labels only, like Python's classify_batch and the peers' predict.
// Prints a table, and with --json one JSON line per measurement for bench/compare.py.
//
//   classiflow_bench_bayes TRAIN.tsv TEST.tsv [--name NAME] [--ngrams N] [--hash-bits B] [--json]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "bench_util.h"
#include "classiflow/model.h"
#include "tsv_corpus.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRepeats = 10;
// What Python's classify_batch asks for: labels only, no confidences.
const classiflow::ClassifyOptions kLabelsOnly{.confidence = false};
using classiflow::bench::Corpus;

using classiflow::bench::PeakRssMb;
using classiflow::bench::Seconds;

void Die(const std::string& msg) {
  std::fprintf(stderr, "classiflow_bench_bayes: %s\n", msg.c_str());
  std::exit(1);
}

struct Args {
  std::string train, test, name = "corpus";
  int ngrams = 2, hash_bits = 20;
  double alpha = 1.0;
  bool stop_words = false;
  bool json = false;
};

Args Parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&] {
      return i + 1 < argc ? std::string(argv[++i]) : (Die("missing value for " + a), "");
    };
    if (a == "--name")
      args.name = value();
    else if (a == "--ngrams")
      args.ngrams = std::stoi(value());
    else if (a == "--hash-bits")
      args.hash_bits = std::stoi(value());
    else if (a == "--alpha")
      args.alpha = std::stod(value());
    else if (a == "--stop-words")
      args.stop_words = true;
    else if (a == "--json")
      args.json = true;
    else if (args.train.empty())
      args.train = a;
    else if (args.test.empty())
      args.test = a;
    else
      Die("unexpected argument " + a);
  }
  if (args.test.empty())
    Die("usage: classiflow_bench_bayes TRAIN.tsv TEST.tsv [--name N] [--ngrams N] [--hash-bits B] "
        "[--json]");
  return args;
}

void Report(const Args& args, const char* op, int threads, size_t docs, double seconds,
            double accuracy) {
  const double rate = docs / seconds;
  if (args.json) {
    std::printf(
        "{\"corpus\":\"%s\",\"system\":\"classiflow (C++)\",\"op\":\"%s\",\"threads\":%d,"
        "\"docs\":%zu,\"seconds\":%.6f,\"docs_per_s\":%.1f,\"accuracy\":%.4f}\n",
        args.name.c_str(), op, threads, docs, seconds, rate, accuracy);
  } else {
    std::printf("%-8s %-16s %7d %9zu %10.3f %12.0f %9.4f\n", args.name.c_str(), op, threads, docs,
                seconds, rate, accuracy);
  }
}

std::shared_ptr<classiflow::Model> Train(const Args& args, const Corpus& train, int threads,
                                         double* seconds) {
  classiflow::SetMaxThreads(threads == 1 ? 1 : 0);
  classiflow::ModelOptions options;
  options.analyzer.ngrams = args.ngrams;
  options.analyzer.hash_bits = args.hash_bits;
  options.analyzer.stop_words = args.stop_words;
  options.bayes.alpha = args.alpha;
  std::shared_ptr<classiflow::Model> model;
  auto s = classiflow::Model::Create("bench", options, &model);
  if (!s.ok()) Die(s.ToString());
  const auto start = Clock::now();
  s = model->TrainBatch(train.label_views(), train.text_views());
  *seconds = Seconds(start);
  if (!s.ok()) Die(s.ToString());
  return model;
}

double Accuracy(const classiflow::BatchPredictions& batch, const Corpus& test) {
  size_t right = 0;
  const auto& labels = batch.snapshot->labels();
  for (size_t i = 0; i < test.labels.size(); ++i)
    right += labels[batch.label_index[i]] == test.labels[i];
  return double(right) / test.labels.size();
}

void SingleCallLatency(const Args& args, const classiflow::Model& model, const Corpus& test) {
  std::vector<double> micros;
  const size_t n = std::min<size_t>(test.texts.size(), 20000);
  classiflow::Prediction p;
  for (size_t i = 0; i < n; ++i) {
    const auto start = Clock::now();
    if (!model.Classify(test.texts[i], &p).ok()) Die("classify failed");
    micros.push_back(Seconds(start) * 1e6);
  }
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double q) { return micros[std::min(n - 1, size_t(q * n))]; };
  if (args.json) {
    std::printf(
        "{\"corpus\":\"%s\",\"system\":\"classiflow (C++)\",\"op\":\"classify latency\","
        "\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f}\n",
        args.name.c_str(), pct(0.5), pct(0.99), pct(0.999));
  } else {
    std::printf("single classify() latency: p50 %.2f us, p99 %.2f us, p99.9 %.2f us\n", pct(0.5),
                pct(0.99), pct(0.999));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  Corpus train, test;
  if (!classiflow::bench::ReadTsv(args.train, &train)) Die("cannot read " + args.train);
  if (!classiflow::bench::ReadTsv(args.test, &test)) Die("cannot read " + args.test);
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  if (!args.json)
    std::printf("%-8s %-16s %7s %9s %10s %12s %9s\n", "corpus", "operation", "threads", "docs",
                "seconds", "docs/s", "accuracy");
  for (int threads : {1, cores}) {
    double seconds = 0;
    auto model = Train(args, train, threads, &seconds);
    Report(args, "train_batch", threads, train.texts.size(), seconds, 0);
    classiflow::BatchPredictions batch;
    classiflow::SetMaxThreads(threads == 1 ? 1 : 0);
    const auto texts = test.text_views();
    // Best of kRepeats: the first run also pages in the model and warms per-thread buffers.
    double classify_seconds = 1e30;
    for (int r = 0; r < kRepeats; ++r) {
      const auto start = Clock::now();
      const auto s = model->ClassifyBatch(texts, kLabelsOnly, &batch);
      classify_seconds = std::min(classify_seconds, Seconds(start));
      if (!s.ok()) Die(s.ToString());
    }
    Report(args, "classify_batch", threads, texts.size(), classify_seconds, Accuracy(batch, test));
    if (threads == 1) SingleCallLatency(args, *model, test);
  }
  if (args.json) {
    std::printf(
        "{\"corpus\":\"%s\",\"system\":\"classiflow (C++)\",\"op\":\"peak rss\",\"rss_mb\":%.1f}\n",
        args.name.c_str(), PeakRssMb());
  } else {
    std::printf("peak RSS of the whole run: %.1f MB\n", PeakRssMb());
  }
  return 0;
}
