// End-to-end pipeline throughput and latency: submit -> classify -> committed result, on a
// RocksDB data directory, for each durability. Prints a table; bench/pipeline_compare.py runs
// it beside the Celery + Redis peer.
//
//   classiflow_bench_pipeline TRAIN.tsv TEST.tsv [ITEMS] [DIR] [--stream]
//
// --stream: one buffered run of ITEMS items only, printing the peak RSS (the memory an engine
// needs while millions of items stream through it).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "bench_util.h"
#include "classiflow/open.h"
#include "tsv_corpus.h"

namespace cf = classiflow;

namespace {

using classiflow::bench::PeakRssMb;

void Check(const cf::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

struct Row {
  const char* durability;
  const char* mode;
  size_t items;
  double seconds;
  cf::PipelineStats stats;
};

// Submits `items` texts (cycled) in chunks; `rate` > 0 paces the producer to that many items/s.
Row Run(cf::Engine& engine, const std::string& name, const char* durability,
        const std::vector<std::string_view>& texts, size_t items, double rate) {
  const std::string spec = std::string(R"({"stages": [
      {"name": "section", "classify": "debian", "next": "out"},
      {"name": "out", "sink": {}}], "durability": ")") +
                           durability + "\"}";
  std::shared_ptr<cf::Pipeline> p;
  Check(engine.CreatePipeline(name, spec, &p), "pipeline");
  const size_t chunk = rate > 0 ? 100 : 10000;
  std::vector<cf::PipelineItem> batch(chunk);
  std::vector<std::string> ids;
  const auto start = std::chrono::steady_clock::now();
  for (size_t done = 0; done < items; done += chunk) {
    const size_t n = std::min(chunk, items - done);
    for (size_t i = 0; i < n; ++i) batch[i] = {"", texts[(done + i) % texts.size()], ""};
    Check(p->SubmitMany({batch.data(), n}, &ids), "submit");
    if (rate > 0) {
      std::this_thread::sleep_until(start + std::chrono::duration<double>((done + n) / rate));
    }
  }
  Check(p->Flush(), "flush");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {durability, rate > 0 ? "paced" : "max", items, seconds, p->Stats()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: classiflow_bench_pipeline TRAIN.tsv TEST.tsv [ITEMS] [DIR]\n");
    return 2;
  }
  cf::bench::Corpus train, test;
  if (!cf::bench::ReadTsv(argv[1], &train) || !cf::bench::ReadTsv(argv[2], &test)) {
    std::fprintf(stderr, "cannot read the corpus\n");
    return 2;
  }
  const size_t items = argc > 3 ? std::stoul(argv[3]) : 1000000;
  const std::string dir = argc > 4 ? argv[4] : "/tmp/classiflow-bench-pipeline";
  const bool stream = argc > 5 && std::string(argv[5]) == "--stream";
  std::filesystem::remove_all(dir);
  std::unique_ptr<cf::Engine> engine;
  Check(cf::OpenEngine(dir, cf::EngineOptions(), &engine), "open");
  // The benchmark configuration of bench/compare.py (unigrams, stop words, 2^18 features,
  // alpha 0.1): the model is the same in every row and beside every peer.
  cf::ModelOptions options;
  options.analyzer.ngrams = 1;
  options.analyzer.stop_words = true;
  options.analyzer.hash_bits = 18;
  options.bayes.alpha = 0.1;
  std::shared_ptr<cf::Model> model;
  Check(engine->CreateModel("debian", options, &model), "model");
  Check(model->TrainBatch(train.label_views(), train.text_views()), "train");
  // Short texts: each description cut after ~60 bytes at a word boundary (about the length
  // of a package synopsis, a product title or a review line).
  std::vector<std::string> short_texts;
  for (const std::string& t : test.texts) {
    size_t cut = std::min<size_t>(t.size(), 60);
    while (cut < t.size() && t[cut] != ' ') ++cut;
    short_texts.push_back(t.substr(0, cut));
  }
  const std::vector<std::string_view> texts(short_texts.begin(), short_texts.end());
  std::vector<Row> rows;
  const double rss_before = PeakRssMb();
  for (const char* durability : {"buffered", "sync"}) {
    rows.push_back(Run(*engine, std::string("max_") + durability, durability, texts, items, 0));
    if (stream) break;
    const double half = rows.back().items / rows.back().seconds / 2;
    rows.push_back(Run(*engine, std::string("paced_") + durability, durability, texts,
                       std::min<size_t>(items, static_cast<size_t>(half * 5)), half));
  }
  std::printf("| durability | producer | items | items/s | p50 ms | p95 ms | p99 ms | commits |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    std::printf("| %s | %s | %zu | %.0f | %.2f | %.2f | %.2f | %llu |\n", r.durability, r.mode,
                r.items, r.items / r.seconds, r.stats.p50_ms, r.stats.p95_ms, r.stats.p99_ms,
                static_cast<unsigned long long>(r.stats.commits));
  }
  std::printf(
      "\npeak RSS: %.0f MB (%.0f MB before the first item: model, corpus; texts: %zu "
      "test docs of %s, cycled)\n",
      PeakRssMb(), rss_before, test.texts.size(), argv[2]);
  Check(engine->Close(), "close");
  std::filesystem::remove_all(dir);
  return 0;
}
