// How Naive Bayes training and classification scale with the number of labels, the text length,
// hash_bits and threads, beside the scan limit: tokenise + hash only (unigrams, one thread, the
// same texts), the least any classifier over hashed words must spend per text. Prints Markdown
// tables (docs/benchmarks.md keeps them).
//
//   classiflow_bench_scaling [--debian TRAIN.tsv TEST.tsv] [--quick]
//
// Corpora: synthetic, seeded (8-word documents: half of the words from the label's own
// vocabulary, half from a shared Zipf vocabulary; labels drawn uniformly), and, with --debian,
// the Debian package descriptions bench/prepare_data.py writes (their first line as the short
// texts). Every configuration runs in a child process of its own, so the memory it reports
// (growth of the resident set while training, and the child's peak) is its own.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bench_util.h"
#include "classiflow/analyzer.h"
#include "classiflow/model.h"
#include "tsv_corpus.h"

namespace cf = classiflow;
using cf::bench::Check;
using cf::bench::Clock;
using cf::bench::Corpus;
using cf::bench::Die;
using cf::bench::PeakRssMb;
using cf::bench::Seconds;

namespace {

// Labels only, as Python's classify_batch and the peers' predict ask.
const cf::ClassifyOptions kLabelsOnly{.confidence = false};

double RssMb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

// A synthetic corpus: `docs` documents of `words` words over `labels` labels.
Corpus Synthetic(size_t labels, size_t docs, size_t words, uint32_t seed) {
  constexpr size_t kShared = 50000, kOwn = 40;  // shared vocabulary; words per label
  std::mt19937_64 rng(seed);
  std::vector<double> weights(kShared);
  for (size_t i = 0; i < kShared; ++i) weights[i] = 1.0 / static_cast<double>(i + 1);
  std::discrete_distribution<size_t> shared(weights.begin(), weights.end());
  std::uniform_int_distribution<size_t> label_of(0, labels - 1), own(0, kOwn - 1);
  Corpus out;
  out.labels.reserve(docs);
  out.texts.reserve(docs);
  for (size_t d = 0; d < docs; ++d) {
    const size_t label = label_of(rng);
    std::string text;
    for (size_t w = 0; w < words; ++w) {
      if (!text.empty()) text += ' ';
      // append(), not "l" + std::to_string(): GCC 12 warns falsely (-Wrestrict) on that.
      if (w % 2 == 0) {
        text.append("l").append(std::to_string(label)).append("w").append(std::to_string(own(rng)));
      } else {
        text.append("s").append(std::to_string(shared(rng)));
      }
    }
    out.labels.push_back(std::string("label").append(std::to_string(label)));
    out.texts.push_back(std::move(text));
  }
  return out;
}

// The first line of each text, as the "short texts" (at most 200 bytes).
Corpus FirstLines(const Corpus& corpus) {
  Corpus out = corpus;
  for (std::string& t : out.texts) {
    t = t.substr(0, std::min(t.find_first_of(".\n"), size_t{200}));
    if (t.empty()) t = "empty";
  }
  return out;
}

double ScanRate(const Corpus& test) {
  cf::AnalyzerOptions options;
  options.ngrams = 1;
  cf::Analyzer analyzer(options);
  std::vector<uint32_t> features;
  double best = 1e30;
  for (int r = 0; r < 5; ++r) {
    const auto start = Clock::now();
    size_t sink = 0;
    for (const std::string& t : test.texts) {
      analyzer.Analyze(t, &features);
      sink += features.size();
    }
    best = std::min(best, Seconds(start));
    if (sink == 0) Die("the scan saw no features");
  }
  return static_cast<double>(test.texts.size()) / best;
}

struct Measure {
  double train = 0, classify = 0, accuracy = 0, model_mb = 0, peak_mb = 0;
};

// Trains on `train` and classifies `test` with `threads` (1, or 0 = all cores).
Measure Run(const cf::ModelOptions& options, const Corpus& train, const Corpus& test, int threads) {
  cf::SetMaxThreads(threads);
  Measure m;
  const double before = RssMb();
  std::shared_ptr<cf::Model> model;
  Check(cf::Model::Create("scaling", options, &model), "create");
  const auto start = Clock::now();
  Check(model->TrainBatch(train.label_views(), train.text_views()), "train");
  m.train = static_cast<double>(train.texts.size()) / Seconds(start);
  m.model_mb = RssMb() - before;
  const auto texts = test.text_views();
  cf::BatchPredictions batch;
  double best = 1e30;
  for (int r = 0; r < 3; ++r) {
    const auto at = Clock::now();
    Check(model->ClassifyBatch(texts, kLabelsOnly, &batch), "classify");
    best = std::min(best, Seconds(at));
  }
  m.classify = static_cast<double>(texts.size()) / best;
  size_t right = 0;
  const auto& labels = batch.snapshot->labels();
  for (size_t i = 0; i < test.labels.size(); ++i) {
    right += batch.label_index[i] != cf::Prediction::kNoLabel &&
             labels[batch.label_index[i]] == test.labels[i];
  }
  m.accuracy = static_cast<double>(right) / static_cast<double>(test.labels.size());
  m.peak_mb = PeakRssMb();
  return m;
}

// Runs `work` in a child process and returns what it measured (its own memory, its own heap).
Measure InChild(const std::function<Measure()>& work) {
  (void)std::fflush(stdout);  // the child's output must not repeat the parent's buffer
  int fds[2];
  if (pipe(fds) != 0) Die("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) Die("fork failed");
  if (pid == 0) {
    close(fds[0]);
    const Measure m = work();
    if (write(fds[1], &m, sizeof m) != static_cast<ssize_t>(sizeof m)) _exit(3);
    _exit(0);
  }
  close(fds[1]);
  Measure m;
  const ssize_t got = read(fds[0], &m, sizeof m);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (got != static_cast<ssize_t>(sizeof m) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Die("a measurement's child process failed");
  }
  return m;
}

cf::ModelOptions Tuned() {
  cf::ModelOptions o;
  o.analyzer.ngrams = 1;
  o.analyzer.stop_words = true;
  o.analyzer.hash_bits = 18;
  o.bayes.alpha = 0.1;
  return o;
}

void ScanSection(const char* name, const Corpus& train, const Corpus& test) {
  std::printf(
      "\n## Classify beside the scan limit: %s (%zu train, %zu test texts, mean %.0f B)\n\n", name,
      train.texts.size(), test.texts.size(), [&] {
        double bytes = 0;
        for (const auto& t : test.texts) bytes += static_cast<double>(t.size());
        return bytes / static_cast<double>(test.texts.size());
      }());
  const double scan = InChild([&] { return Measure{0, ScanRate(test), 0, 0, 0}; }).classify;
  std::printf(
      "| options | train docs/s (1 thr) | classify docs/s (1 thr) | x scan limit | "
      "accuracy |\n|---|---:|---:|---:|---:|\n");
  std::printf("| scan limit (tokenise + hash, unigrams) | | %.0f | 1.00 | |\n", scan);
  const std::pair<const char*, cf::ModelOptions> variants[] = {
      {"defaults", cf::ModelOptions()}, {"unigrams, stop words, 2^18, alpha 0.1", Tuned()}};
  for (const auto& variant : variants) {
    const Measure m = InChild([&] { return Run(variant.second, train, test, 1); });
    std::printf("| %s | %.0f | %.0f | %.3f | %.4f |\n", variant.first, m.train, m.classify,
                m.classify / scan, m.accuracy);
  }
}

void LabelSection(bool quick) {
  const size_t train_docs = quick ? 40000 : 200000, test_docs = quick ? 10000 : 40000;
  std::printf("\n## Labels (synthetic 8-word documents, %zu train, %zu test; defaults)\n\n",
              train_docs, test_docs);
  std::printf(
      "| labels | train docs/s 1 thr | 2 thr / 1 | classify docs/s 1 thr | 2 thr / 1 | "
      "accuracy | model MB | peak RSS MB |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::vector<size_t> counts = {2, 51, 500, 5000, 50000};
  for (size_t labels : counts) {
    const auto corpus = [&](size_t docs, uint32_t seed) {
      return Synthetic(labels, docs, 8, seed);
    };
    const Measure one = InChild(
        [&] { return Run(cf::ModelOptions(), corpus(train_docs, 1), corpus(test_docs, 2), 1); });
    const Measure all = InChild(
        [&] { return Run(cf::ModelOptions(), corpus(train_docs, 1), corpus(test_docs, 2), 0); });
    std::printf("| %zu | %.0f | %.2f | %.0f | %.2f | %.4f | %.1f | %.1f |\n", labels, one.train,
                all.train / one.train, one.classify, all.classify / one.classify, one.accuracy,
                one.model_mb, one.peak_mb);
  }
}

void LengthSection(bool quick) {
  std::printf("\n## Text length (synthetic, 51 labels, defaults, 1 thread)\n\n");
  std::printf(
      "| words per text | ~bytes | classify docs/s | classify MB/s | train docs/s |\n"
      "|---:|---:|---:|---:|---:|\n");
  for (size_t words : {8, 80, 800, 8000}) {
    const size_t test_docs = std::max<size_t>(200, (quick ? 200000 : 800000) / words / 4);
    const Corpus train = Synthetic(51, std::max<size_t>(500, test_docs * 2), words, 1);
    const Corpus test = Synthetic(51, test_docs, words, 2);
    double bytes = 0;
    for (const auto& t : test.texts) bytes += static_cast<double>(t.size());
    const Measure m = InChild([&] { return Run(cf::ModelOptions(), train, test, 1); });
    std::printf("| %zu | %.0f | %.0f | %.1f | %.0f |\n", words,
                bytes / static_cast<double>(test.texts.size()), m.classify,
                m.classify * bytes / static_cast<double>(test.texts.size()) / 1048576.0, m.train);
  }
}

void HashBitsSection(const char* name, const Corpus& train, const Corpus& test) {
  std::printf("\n## hash_bits (%s, otherwise defaults, 1 thread)\n\n", name);
  std::printf(
      "| hash_bits | train docs/s | classify docs/s | accuracy | model MB | peak RSS MB |\n"
      "|---:|---:|---:|---:|---:|---:|\n");
  for (int bits : {14, 16, 18, 20, 22, 24}) {
    cf::ModelOptions options;
    options.analyzer.hash_bits = bits;
    const Measure m = InChild([&] { return Run(options, train, test, 1); });
    std::printf("| %d | %.0f | %.0f | %.4f | %.1f | %.1f |\n", bits, m.train, m.classify,
                m.accuracy, m.model_mb, m.peak_mb);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string debian_train, debian_test;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--debian" && i + 2 < argc) {
      debian_train = argv[++i];
      debian_test = argv[++i];
    } else if (a == "--quick") {
      quick = true;
    } else {
      Die("usage: classiflow_bench_scaling [--debian TRAIN.tsv TEST.tsv] [--quick]");
    }
  }
  std::printf("# classiflow scaling benchmark (Naive Bayes)%s\n", quick ? " (--quick)" : "");
  const Corpus synthetic_train = Synthetic(51, quick ? 20000 : 100000, 8, 1);
  const Corpus synthetic_test = Synthetic(51, quick ? 10000 : 40000, 8, 2);
  ScanSection("synthetic, 51 labels, 8 words", synthetic_train, synthetic_test);
  Corpus train, test;
  if (!debian_train.empty()) {
    if (!cf::bench::ReadTsv(debian_train, &train) || !cf::bench::ReadTsv(debian_test, &test)) {
      Die("cannot read the Debian corpus");
    }
    ScanSection("Debian descriptions, first line", train, FirstLines(test));
  }
  LabelSection(quick);
  LengthSection(quick);
  if (!debian_train.empty()) {
    HashBitsSection("Debian descriptions", train, test);
  } else {
    HashBitsSection("synthetic, 51 labels", synthetic_train, synthetic_test);
  }
  return 0;
}
