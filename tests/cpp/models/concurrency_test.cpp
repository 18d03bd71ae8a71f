// Many threads classify while one trains: every answer must come from exactly one published
// version (its scores equal that version's scores), and versions never go backwards per reader.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "classiflow/model.h"
#include "models/corpus.h"
#include "test_util.h"

namespace classiflow {
namespace {

TEST(ConcurrencyTest, ReadersSeeOneConsistentVersionWhileAWriterTrains) {
  std::shared_ptr<Model> model;
  ASSERT_OK(Model::Create("c", ModelOptions(), &model));
  ASSERT_OK(model->Train("spam", "cheap pills"));
  ASSERT_OK(model->Train("ham", "team meeting"));
  const std::string probe = "cheap team pills meeting notes";

  std::mutex mu;
  std::map<uint64_t, std::vector<double>> truth;  // version -> scores, recorded by the writer
  std::map<uint64_t, std::vector<double>> seen;   // what readers observed
  {
    Prediction p;
    ASSERT_OK(model->Classify(probe, &p));
    truth[p.version] = p.scores;
  }
  std::atomic<bool> done{false};
  std::atomic<int> inconsistent{0}, backwards{0}, reads{0};

  auto reader = [&] {
    uint64_t last = 0;
    std::map<uint64_t, std::vector<double>> local;
    while (!done.load()) {
      Prediction p;
      if (!model->Classify(probe, &p).ok()) ++inconsistent;
      if (p.version < last) ++backwards;
      last = p.version;
      auto [it, fresh] = local.emplace(p.version, p.scores);
      if (!fresh && it->second != p.scores) ++inconsistent;  // same version, different answer
      BatchPredictions batch;
      std::vector<std::string_view> texts(16, probe);
      if (!model->ClassifyBatch(texts, ClassifyOptions(), &batch).ok()) ++inconsistent;
      for (double c : batch.confidence) inconsistent += c != batch.confidence[0];
      ++reads;
    }
    std::lock_guard<std::mutex> lock(mu);
    seen.insert(local.begin(), local.end());
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) readers.emplace_back(reader);

  auto corpus = testing::MakeTinyCorpus(300);
  const auto all_labels = corpus.label_views();
  const auto all_texts = corpus.text_views();
  for (size_t i = 0; i < corpus.texts.size(); ++i) {
    if (i % 50 == 49) {
      ASSERT_OK(model->TrainBatch(std::span(all_labels).first(20), std::span(all_texts).first(20)));
    } else {
      ASSERT_OK(model->Train(corpus.labels[i], corpus.texts[i]));
    }
    auto snap = model->snapshot();
    std::vector<uint32_t> features;
    model->analyzer().Analyze(probe, &features);
    std::vector<double> scores(snap->label_count());
    snap->Scores(features.data(), features.size(), scores.data());
    std::lock_guard<std::mutex> lock(mu);
    truth[snap->version()] = scores;
  }
  done = true;
  for (auto& t : readers) t.join();

  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_EQ(backwards.load(), 0);
  for (const auto& [version, scores] : seen) {
    ASSERT_TRUE(truth.count(version)) << "reader saw unpublished version " << version;
    EXPECT_EQ(truth[version], scores) << "version " << version;
  }
  EXPECT_EQ(model->version(), 2u + corpus.texts.size());
}

}  // namespace
}  // namespace classiflow
