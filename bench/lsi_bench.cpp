// The LSI kind's targets: build time, search and find_related latency, fold-in cost and
// classification accuracy (docs/models.md, "LSI").
//
//   classiflow_bench_lsi TRAIN.tsv TEST.tsv [--items N] [--options JSON] [--queries Q]
//
// Adds the first N training texts (default: all) as labelled items in one call, times
// build_index(), then times Q searches (test texts as queries) and Q find_related calls (item
// ids), one at a time from one thread, and reports p50 / p99 / max; then classification of the
// test split (accuracy, macro-F1, docs/s) and, after it, single-item adds (fold-in, a version
// each; test texts under new ids, so they come after the classification they would leak into).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "bench_util.h"
#include "classiflow/evaluation.h"
#include "classiflow/model.h"
#include "tsv_corpus.h"

namespace {

using classiflow::bench::Check;
using classiflow::bench::Clock;
using classiflow::bench::Die;
using classiflow::bench::PeakRssMb;
using classiflow::bench::Seconds;

struct Latency {
  double p50, p99, max;
};

Latency Percentiles(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))];
  };
  return {at(0.50), at(0.99), us.back()};
}

}  // namespace

int main(int argc, char** argv) {
  std::string train_path, test_path, options_json = R"({"kind": "lsi"})";
  size_t items = 0, queries = 2000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--items") {
      items = std::stoul(value());
    } else if (a == "--options") {
      options_json = value();
    } else if (a == "--queries") {
      queries = std::stoul(value());
    } else if (train_path.empty()) {
      train_path = a;
    } else if (test_path.empty()) {
      test_path = a;
    } else {
      Die("usage: classiflow_bench_lsi TRAIN.tsv TEST.tsv [--items N] [--options JSON]");
    }
  }
  classiflow::bench::Corpus train, test;
  if (!classiflow::bench::ReadTsv(train_path, &train)) Die("cannot read " + train_path);
  if (!classiflow::bench::ReadTsv(test_path, &test)) Die("cannot read " + test_path);
  if (items == 0 || items > train.texts.size()) items = train.texts.size();

  classiflow::ModelOptions options;
  Check(classiflow::ModelOptions::FromJson(options_json, &options), "options");
  options.lsi.rebuild_after = 0;  // builds are timed explicitly
  std::shared_ptr<classiflow::Model> model;
  Check(classiflow::Model::Create("lsi", options, &model), "create");

  std::vector<classiflow::ItemInput> inputs(items);
  for (size_t i = 0; i < items; ++i) inputs[i] = {train.texts[i], train.labels[i], {}};
  auto start = Clock::now();
  std::vector<std::string> ids;
  Check(model->AddItems(inputs, &ids), "add_items");
  const double add_s = Seconds(start);
  start = Clock::now();
  Check(model->BuildIndex(), "build_index");
  const double build_s = Seconds(start);
  classiflow::IndexStatus status;
  Check(model->GetIndexStatus(&status), "index status");

  std::vector<double> search_us, related_us;
  std::vector<classiflow::SearchHit> hits;
  for (size_t q = 0; q < queries; ++q) {
    start = Clock::now();
    Check(model->Search(test.texts[q % test.texts.size()], 10, &hits), "search");
    search_us.push_back(Seconds(start) * 1e6);
    start = Clock::now();
    Check(model->FindRelated(ids[(q * 7919) % ids.size()], 10, &hits), "find_related");
    related_us.push_back(Seconds(start) * 1e6);
  }
  classiflow::ClassifyOptions classify;
  classify.confidence = false;
  classiflow::BatchPredictions predictions;
  std::vector<std::string_view> texts = test.text_views();
  start = Clock::now();
  Check(model->ClassifyBatch(texts, classify, &predictions), "classify");
  const double classify_s = Seconds(start);
  std::vector<std::string_view> truth = test.label_views();
  classiflow::Evaluation evaluation;
  Check(classiflow::Evaluate(*model, texts, truth, &evaluation), "evaluate");

  // Fold-in: single-item adds, each a version (the texts again, under new ids).
  std::vector<double> add_us;
  for (size_t q = 0; q < std::min<size_t>(queries, 1000); ++q) {
    start = Clock::now();
    Check(model->AddItem(test.texts[q % test.texts.size()], test.labels[q % test.labels.size()]),
          "add_item");
    add_us.push_back(Seconds(start) * 1e6);
  }

  const Latency search = Percentiles(search_us), related = Percentiles(related_us),
                add = Percentiles(add_us);
  std::printf("items %zu  terms %u  rank %u\n", items, status.terms, status.rank);
  std::printf("%-24s %10s\n", "step", "seconds");
  std::printf("%-24s %10.2f\n", "add_items", add_s);
  std::printf("%-24s %10.2f\n", "build_index", build_s);
  std::printf("\n%-24s %10s %10s %10s\n", "call (1 thread)", "p50 us", "p99 us", "max us");
  std::printf("%-24s %10.0f %10.0f %10.0f\n", "search(n=10)", search.p50, search.p99, search.max);
  std::printf("%-24s %10.0f %10.0f %10.0f\n", "find_related(n=10)", related.p50, related.p99,
              related.max);
  std::printf("%-24s %10.0f %10.0f %10.0f\n", "add_item (fold-in)", add.p50, add.p99, add.max);
  std::printf("\nclassify %zu test texts: accuracy %.4f  macro-F1 %.4f  %.0f docs/s\n",
              texts.size(), evaluation.accuracy, evaluation.macro_f1,
              static_cast<double>(texts.size()) / classify_s);
  std::printf("peak RSS %.0f MB\n", PeakRssMb());
  return 0;
}
