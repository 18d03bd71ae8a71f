// The linear kind's multilabel mode: label sets, independent probabilities, per-label
// thresholds (set, tuned, persisted), evaluation and cross-validation of sets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "classiflow/evaluation.h"
#include "classiflow/model.h"
#include "corpus.h"
#include "test_util.h"

namespace classiflow {
namespace {

using testing::TempDir;

// Texts on any subset of three topics (none included): a few words of each topic it has, and
// filler.
struct SetCorpus {
  std::vector<std::string> texts;
  std::vector<std::vector<std::string>> labels;
  std::vector<std::vector<std::string_view>> label_views;  // views of `labels`
  std::vector<LabelSet> sets;                              // views of label_views

  std::vector<std::string_view> text_views() const { return {texts.begin(), texts.end()}; }
};

SetCorpus MakeSetCorpus(int n, uint64_t seed) {
  static const std::map<std::string, std::vector<std::string>> kTopics = {
      {"sports", {"goal", "match", "team", "league", "score", "coach"}},
      {"politics", {"vote", "election", "senate", "party", "law", "minister"}},
      {"tech", {"software", "chip", "code", "server", "app", "robot"}},
  };
  static const std::vector<std::string> kFiller = {"the", "a", "today", "news", "report", "new"};
  std::mt19937_64 random(seed);
  SetCorpus corpus;
  for (int i = 0; i < n; ++i) {
    std::string text = kFiller[random() % kFiller.size()];
    std::vector<std::string> labels;
    for (const auto& [topic, words] : kTopics) {
      if (random() % 2 == 0) continue;
      labels.push_back(topic);
      for (int w = 0; w < 3; ++w) text += " " + words[random() % words.size()];
    }
    text += " " + kFiller[random() % kFiller.size()];
    corpus.texts.push_back(text);
    corpus.labels.push_back(labels);
  }
  for (const auto& labels : corpus.labels)
    corpus.label_views.emplace_back(labels.begin(), labels.end());
  for (const auto& views : corpus.label_views) corpus.sets.emplace_back(views);
  return corpus;
}

std::shared_ptr<Model> NewModel(const std::string& json = R"({"multilabel": true})") {
  return testing::MakeModel("linear", json, 12, "tags");
}

std::vector<std::string> LabelsOf(const Model& model, std::string_view text) {
  Prediction p;
  EXPECT_TRUE(model.Classify(text, &p).ok());
  std::vector<std::string> out;
  for (uint32_t l : p.top) out.push_back(p.snapshot->labels()[l]);
  std::sort(out.begin(), out.end());
  return out;
}

using Labels = std::vector<std::string>;

size_t IndexOf(const Model& model, const std::string& label) {
  const Labels labels = model.labels();
  return static_cast<size_t>(std::find(labels.begin(), labels.end(), label) - labels.begin());
}

TEST(MultilabelTest, FitLearnsSetsAndAnswersEveryLabelOnItsOwn) {
  auto model = NewModel();
  const SetCorpus corpus = MakeSetCorpus(400, 1);
  ASSERT_OK(model->FitLabelSets(corpus.sets, corpus.text_views()));
  EXPECT_EQ(model->version(), 1u);
  EXPECT_EQ(LabelsOf(*model, "goal match vote election"), (Labels{"politics", "sports"}));
  EXPECT_EQ(LabelsOf(*model, "software chip code"), (Labels{"tech"}));
  EXPECT_EQ(LabelsOf(*model, "goal match senate vote code chip"),
            (Labels{"politics", "sports", "tech"}));
  // Nothing topical: no label, and the confidence is the best label's (below its threshold).
  Prediction p;
  ASSERT_OK(model->Classify("the news today", &p));
  EXPECT_TRUE(p.top.empty());
  EXPECT_FALSE(p.has_label());
  EXPECT_LT(p.confidence, 0.5);
  // Independent probabilities: two labels near 1 sum well past 1.
  ASSERT_OK(model->Classify("goal match vote election", &p));
  double sum = 0;
  for (double s : p.scores) sum += std::exp(s);
  EXPECT_GT(sum, 1.5);
  EXPECT_EQ(p.label_index, p.top[0]);
  EXPECT_DOUBLE_EQ(p.confidence, std::exp(p.scores[p.top[0]]));
  // top_k caps the set.
  ClassifyOptions one;
  one.top_k = 1;
  ASSERT_OK(model->Classify("goal match vote election", one, &p));
  EXPECT_EQ(p.top.size(), 1u);
}

TEST(MultilabelTest, BatchSetsMatchClassify) {
  auto model = NewModel();
  const SetCorpus corpus = MakeSetCorpus(300, 2);
  ASSERT_OK(model->FitLabelSets(corpus.sets, corpus.text_views()));
  const SetCorpus test = MakeSetCorpus(50, 3);
  ClassifyOptions options;
  options.probabilities = true;
  BatchPredictions batch;
  ASSERT_OK(model->ClassifyBatch(test.text_views(), options, &batch));
  ASSERT_EQ(batch.label_sets.size(), test.texts.size());
  for (size_t i = 0; i < test.texts.size(); ++i) {
    Prediction p;
    ASSERT_OK(model->Classify(test.texts[i], &p));
    EXPECT_EQ(batch.label_sets[i], p.top) << test.texts[i];
    EXPECT_EQ(batch.label_index[i], p.label_index);
    EXPECT_DOUBLE_EQ(batch.confidence[i], p.confidence);
    for (size_t l = 0; l < p.scores.size(); ++l) {
      EXPECT_NEAR(batch.probabilities[i * p.scores.size() + l], std::exp(p.scores[l]), 1e-12);
    }
  }
}

TEST(MultilabelTest, OnlineSetsSinglesAndEmptySets) {
  auto model = NewModel();
  const std::vector<std::string_view> both = {"sports", "politics", "sports"};  // twice: once
  const std::vector<LabelSet> sets = {both, {}};
  const std::vector<std::string_view> texts = {"goal vote", "the weather"};
  ASSERT_OK(model->TrainLabelSets(sets, texts));
  EXPECT_EQ(model->version(), 1u);
  EXPECT_EQ(model->labels(), (Labels{"sports", "politics"}));
  ASSERT_OK(model->Train("tech", "chip code"));  // a set of one
  EXPECT_EQ(model->labels(), (Labels{"sports", "politics", "tech"}));
  EXPECT_EQ(model->version(), 2u);
  // Bad input changes nothing.
  const std::vector<std::string_view> bad = {"sports", ""};
  const std::vector<LabelSet> bad_sets = {bad};
  EXPECT_CODE(model->TrainLabelSets(bad_sets, {&texts[0], 1}), kInvalidArgument);
  EXPECT_CODE(model->TrainLabelSets(sets, {&texts[0], 1}), kInvalidArgument);  // 2 sets, 1 text
  EXPECT_EQ(model->version(), 2u);
}

TEST(MultilabelTest, SingleLabelModelsRefuseSetVerbs) {
  auto model = NewModel("{}");
  const std::vector<std::string_view> labels = {"a"};
  const std::vector<LabelSet> sets = {labels};
  const std::vector<std::string_view> texts = {"some text"};
  const std::vector<double> thresholds = {0.3};
  EXPECT_CODE(model->TrainLabelSets(sets, texts), kNotSupported);
  EXPECT_CODE(model->FitLabelSets(sets, texts), kNotSupported);
  EXPECT_CODE(model->SetThresholds(labels, thresholds), kNotSupported);
  EXPECT_CODE(model->TuneThresholds(sets, texts), kNotSupported);
  ASSERT_OK(model->Train("a", "some text"));
  Evaluation e;
  EXPECT_CODE(Evaluate(*model, texts, std::span<const LabelSet>(sets), &e), kNotSupported);
  // A multilabel model keeps its thresholds per label, not in min_confidence.
  ModelOptions options;
  ASSERT_OK(
      ModelOptions::FromJson(R"({"multilabel": true, "min_confidence": 0.3})", &options, "linear"));
  std::shared_ptr<Model> refused;
  EXPECT_CODE(Model::Create("m", options, &refused), kInvalidArgument);
}

TEST(MultilabelTest, ThresholdsDecideAndPersist) {
  auto model = NewModel();
  const SetCorpus corpus = MakeSetCorpus(300, 4);
  ASSERT_OK(model->FitLabelSets(corpus.sets, corpus.text_views()));
  EXPECT_EQ(LabelsOf(*model, "goal vote"), (Labels{"politics", "sports"}));
  const std::vector<std::string_view> labels = {"sports"};
  const std::vector<double> high = {1.0};
  ASSERT_OK(model->SetThresholds(labels, high));
  EXPECT_EQ(model->version(), 2u);
  EXPECT_EQ(LabelsOf(*model, "goal vote"), (Labels{"politics"}));
  EXPECT_DOUBLE_EQ(model->snapshot()->threshold(IndexOf(*model, "sports")), 1.0);
  // A caller's min_confidence stands for every label's threshold.
  ClassifyOptions low;
  low.min_confidence = 0.0;
  Prediction p;
  ASSERT_OK(model->Classify("goal vote", low, &p));
  EXPECT_EQ(p.top.size(), 3u);
  // Bad thresholds or labels change nothing.
  const std::vector<double> nan = {std::nan("")};
  const std::vector<double> two = {0.2, 0.3};
  const std::vector<std::string_view> unknown = {"weather"};
  EXPECT_CODE(model->SetThresholds(labels, nan), kInvalidArgument);
  EXPECT_CODE(model->SetThresholds(labels, two), kInvalidArgument);
  EXPECT_CODE(model->SetThresholds(unknown, high), kNotFound);
  EXPECT_EQ(model->version(), 2u);
  // Thresholds live in the model's records and files.
  ModelRecords records;
  model->AllRecords(&records);
  std::shared_ptr<Model> reloaded;
  ASSERT_OK(Model::FromRecords("tags", {records.puts.begin(), records.puts.end()}, &reloaded));
  EXPECT_EQ(LabelsOf(*reloaded, "goal vote"), (Labels{"politics"}));
  TempDir dir;
  const std::string path = dir.path() + "/tags.cfm";
  ASSERT_OK(model->Save(path));
  ASSERT_OK(Model::Load(path, &reloaded));
  EXPECT_DOUBLE_EQ(reloaded->snapshot()->threshold(IndexOf(*reloaded, "sports")), 1.0);
  EXPECT_EQ(LabelsOf(*reloaded, "goal vote"), (Labels{"politics"}));
  // New labels join at the default threshold.
  ASSERT_OK(reloaded->Train("weather", "rain sun cloud"));
  EXPECT_DOUBLE_EQ(reloaded->snapshot()->threshold(3), 0.5);
}

TEST(MultilabelTest, CorruptThresholdsAreRefused) {
  auto model = NewModel();
  ASSERT_OK(model->Train("sports", "goal match"));
  ModelRecords records;
  model->AllRecords(&records);
  std::map<std::string, std::string> map(records.puts.begin(), records.puts.end());
  // The same records read as a single-label model's: the header's size is wrong.
  std::string& options = map.at("o");
  ASSERT_NE(options.find("\"multilabel\":true"), std::string::npos) << options;
  ModelRecords single_records;
  NewModel("{}")->AllRecords(&single_records);
  for (const auto& [key, value] : single_records.puts) {
    if (key == "o") map[key] = value;
  }
  std::shared_ptr<Model> loaded;
  EXPECT_CODE(Model::FromRecords("tags", map, &loaded), kCorruption);
}

TEST(MultilabelTest, TuneThresholdsMaximisesHeldOutF1) {
  auto model = NewModel();
  const SetCorpus train = MakeSetCorpus(120, 5);
  ASSERT_OK(model->FitLabelSets(train.sets, train.text_views()));
  const SetCorpus dev = MakeSetCorpus(200, 6);
  Evaluation before, after;
  ASSERT_OK(Evaluate(*model, dev.text_views(), std::span<const LabelSet>(dev.sets), &before));
  std::vector<double> chosen;
  const uint64_t version = model->version();
  ASSERT_OK(model->TuneThresholds(dev.sets, dev.text_views(), &chosen));
  EXPECT_EQ(model->version(), version + 1);
  ASSERT_EQ(chosen.size(), 3u);
  for (size_t l = 0; l < 3; ++l) {
    EXPECT_GT(chosen[l], 0.0);
    EXPECT_LE(chosen[l], 1.0);
    EXPECT_DOUBLE_EQ(model->snapshot()->threshold(l), static_cast<float>(chosen[l]));
  }
  ASSERT_OK(Evaluate(*model, dev.text_views(), std::span<const LabelSet>(dev.sets), &after));
  for (size_t l = 0; l < 3; ++l) EXPECT_GE(after.per_label[l].f1, before.per_label[l].f1 - 1e-9);
  const std::vector<LabelSet> none;
  EXPECT_CODE(model->TuneThresholds(none, {}), kInvalidArgument);
}

TEST(MultilabelTest, EvaluateAndCrossValidateSets) {
  auto model = NewModel();
  const SetCorpus corpus = MakeSetCorpus(300, 7);
  ASSERT_OK(model->FitLabelSets(corpus.sets, corpus.text_views()));
  // Crafted truth: one text right, one missing a label, one with an extra unknown label.
  const std::vector<std::string_view> texts = {"goal match vote election", "chip code",
                                               "goal team"};
  const std::vector<std::string_view> a = {"sports", "politics"}, b = {"tech", "politics"},
                                      c = {"sports", "cooking"};
  const std::vector<LabelSet> truth = {a, b, c};
  Evaluation e;
  ASSERT_OK(Evaluate(*model, texts, std::span<const LabelSet>(truth), &e));
  EXPECT_TRUE(e.multilabel);
  EXPECT_EQ(e.count, 3u);
  EXPECT_NEAR(e.accuracy, 1.0 / 3, 1e-12);
  // Decisions: 4 right (sports ×2, politics, tech), 0 wrong, 2 missed (politics, cooking).
  EXPECT_NEAR(e.micro_f1, 2.0 * 4 / (4 + 6), 1e-12);
  ASSERT_EQ(e.labels.size(), 4u);
  EXPECT_EQ(e.labels[3], "cooking");
  EXPECT_EQ(e.per_label[3].support, 1u);
  EXPECT_EQ(e.per_label[3].recall, 0.0);
  EXPECT_TRUE(e.confusion.empty());
  EXPECT_NE(e.ToJson().find("\"micro_f1\""), std::string::npos);
  // Single labels on a multilabel model are sets of one.
  const std::vector<std::string_view> singles = {"sports", "tech", "sports"};
  ASSERT_OK(Evaluate(*model, texts, singles, &e));
  EXPECT_TRUE(e.multilabel);

  std::vector<Evaluation> folds;
  ASSERT_OK(CrossValidate(model->options(), corpus.text_views(),
                          std::span<const LabelSet>(corpus.sets), 3, 42, &folds));
  ASSERT_EQ(folds.size(), 3u);
  size_t total = 0;
  for (const Evaluation& fold : folds) {
    total += fold.count;
    EXPECT_GT(fold.micro_f1, 0.9);
  }
  EXPECT_EQ(total, corpus.texts.size());
}

TEST(MultilabelTest, DeterministicForASeedOnOneThread) {
  const SetCorpus corpus = MakeSetCorpus(200, 8);
  FitOptions one;
  one.threads = 1;
  auto a = NewModel(), b = NewModel();
  ASSERT_OK(a->FitLabelSets(corpus.sets, corpus.text_views(), one));
  ASSERT_OK(b->FitLabelSets(corpus.sets, corpus.text_views(), one));
  testing::ExpectSameRecords(*a, *b);
}

}  // namespace
}  // namespace classiflow
