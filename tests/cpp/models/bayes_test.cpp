#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "classiflow/model.h"
#include "models/corpus.h"
#include "test_util.h"

namespace classiflow {
namespace {

using testing::MakeTinyCorpus;

std::shared_ptr<Model> NewModel(ModelOptions options = {}) {
  std::shared_ptr<Model> model;
  EXPECT_TRUE(Model::Create("m", options, &model).ok());
  return model;
}

std::shared_ptr<Model> TrainedModel(ModelOptions options = {}) {
  auto model = NewModel(options);
  auto corpus = MakeTinyCorpus(40);
  EXPECT_TRUE(model->TrainBatch(corpus.label_views(), corpus.text_views()).ok());
  return model;
}

TEST(BayesTest, ClassifiesWhatItLearned) {
  auto model = TrainedModel();
  Prediction p;
  ASSERT_OK(model->Classify("cheap pills and money", &p));
  EXPECT_EQ(p.label, "spam");
  EXPECT_GT(p.confidence, 0.9);
  ASSERT_OK(model->Classify("team meeting notes", &p));
  EXPECT_EQ(p.label, "ham");
  EXPECT_EQ(p.model, "m");
  EXPECT_EQ(p.version, 1u);
}

TEST(BayesTest, ScoresAreNormalisedLogProbabilities) {
  auto model = TrainedModel();
  Prediction p;
  ASSERT_OK(model->Classify("free lunch", &p));
  ASSERT_EQ(p.scores.size(), 2u);
  double total = 0;
  for (double s : p.scores) total += std::exp(s);
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_NEAR(p.confidence, std::exp(std::max(p.scores[0], p.scores[1])), 1e-12);
}

TEST(BayesTest, EachCommittedStepIsANewVersion) {
  auto model = NewModel();
  EXPECT_EQ(model->version(), 0u);
  ASSERT_OK(model->Train("spam", "cheap pills"));
  ASSERT_OK(model->Train("ham", "team meeting"));
  EXPECT_EQ(model->version(), 2u);
  auto corpus = MakeTinyCorpus(10);
  ASSERT_OK(model->TrainBatch(corpus.label_views(), corpus.text_views()));
  EXPECT_EQ(model->version(), 3u);
  EXPECT_EQ(model->labels(), (std::vector<std::string>{"spam", "ham"}));
}

TEST(BayesTest, BatchTrainingEqualsOneByOne) {
  auto corpus = MakeTinyCorpus(30);
  auto batch = NewModel();
  ASSERT_OK(batch->TrainBatch(corpus.label_views(), corpus.text_views()));
  auto single = NewModel();
  for (size_t i = 0; i < corpus.texts.size(); ++i)
    ASSERT_OK(single->Train(corpus.labels[i], corpus.texts[i]));
  Prediction a, b;
  ASSERT_OK(batch->Classify("cheap team prize", &a));
  ASSERT_OK(single->Classify("cheap team prize", &b));
  EXPECT_EQ(a.scores, b.scores);
}

TEST(BayesTest, UntrainRestoresTheModelAndRefusesNegativeCounts) {
  auto model = TrainedModel();
  Prediction before, after;
  ASSERT_OK(model->Classify("cheap meeting", &before));
  ASSERT_OK(model->Train("ham", "cheap cheap cheap"));
  ASSERT_OK(model->Untrain("ham", "cheap cheap cheap"));
  ASSERT_OK(model->Classify("cheap meeting", &after));
  EXPECT_EQ(before.scores, after.scores);
  const uint64_t version = model->version();
  EXPECT_CODE(model->Untrain("ham", "never seen words zzz"), kInvalidArgument);
  EXPECT_CODE(model->Untrain("nolabel", "cheap pills"), kInvalidArgument);
  EXPECT_EQ(model->version(), version);
}

TEST(BayesTest, FixedLabelsRejectUnknownLabels) {
  ModelOptions options;
  options.labels = {"ham", "spam"};
  auto model = NewModel(options);
  EXPECT_CODE(model->Train("eggs", "text"), kInvalidArgument);
  EXPECT_EQ(model->version(), 0u);
  // Fixed labels exist before training: classification works and is uniform.
  Prediction p;
  ASSERT_OK(model->Classify("anything", &p));
  EXPECT_NEAR(p.confidence, 0.5, 1e-12);
  EXPECT_EQ(p.label, "ham");
}

TEST(BayesTest, UntrainedModelWithoutLabelsCannotClassify) {
  auto model = NewModel();
  Prediction p;
  EXPECT_CODE(model->Classify("x", &p), kInvalidArgument);
}

TEST(BayesTest, EmptyTextIsRefusedForTrainingAndGivesThePriorForClassification) {
  auto model = NewModel();
  ASSERT_OK(model->Train("a", "x"));
  ASSERT_OK(model->Train("a", "y"));
  ASSERT_OK(model->Train("b", "z"));
  EXPECT_CODE(model->Train("a", ""), kInvalidArgument);
  EXPECT_EQ(model->version(), 3u);
  Prediction p;
  ASSERT_OK(model->Classify("", &p));
  EXPECT_EQ(p.label, "a");
  EXPECT_NEAR(p.confidence, 3.0 / 5.0, 1e-12);  // Laplace-smoothed prior (2+1)/(3+2)
}

TEST(BayesTest, FitPriorOffGivesUniformPriors) {
  ModelOptions options;
  options.bayes.fit_prior = false;
  auto model = NewModel(options);
  ASSERT_OK(model->Train("a", "x"));
  ASSERT_OK(model->Train("a", "y"));
  ASSERT_OK(model->Train("b", "z"));
  Prediction p;
  ASSERT_OK(model->Classify("", &p));
  EXPECT_NEAR(p.confidence, 0.5, 1e-12);
}

TEST(BayesTest, MinConfidenceCanWithholdTheLabel) {
  ModelOptions options;
  options.min_confidence = 0.99;
  auto model = TrainedModel(options);
  Prediction p;
  ASSERT_OK(model->Classify("cheap meeting", &p));
  EXPECT_FALSE(p.has_label());
  EXPECT_EQ(p.label, "");
  ClassifyOptions lenient;
  lenient.min_confidence = 0.0;
  ASSERT_OK(model->Classify("cheap meeting", lenient, &p));
  EXPECT_TRUE(p.has_label());
}

TEST(BayesTest, ClassifyBatchMatchesSingleCallsAndUsesOneVersion) {
  auto model = TrainedModel();
  auto corpus = MakeTinyCorpus(200);
  ClassifyOptions options;
  options.probabilities = true;
  BatchPredictions batch;
  ASSERT_OK(model->ClassifyBatch(corpus.text_views(), options, &batch));
  ASSERT_EQ(batch.label_index.size(), 200u);
  EXPECT_EQ(batch.snapshot->version(), model->version());
  for (size_t i = 0; i < 200; ++i) {
    Prediction p;
    ASSERT_OK(model->Classify(corpus.texts[i], &p));
    EXPECT_EQ(p.label_index, batch.label_index[i]);
    EXPECT_DOUBLE_EQ(p.confidence, batch.confidence[i]);
    EXPECT_NEAR(batch.probabilities[2 * i] + batch.probabilities[2 * i + 1], 1.0, 1e-12);
  }
}

TEST(BayesTest, LabelsOnlyBatchesSkipConfidenceButAgree) {
  auto model = TrainedModel();
  auto corpus = MakeTinyCorpus(100);
  BatchPredictions full, labels_only;
  ASSERT_OK(model->ClassifyBatch(corpus.text_views(), ClassifyOptions(), &full));
  ClassifyOptions fast;
  fast.confidence = false;
  ASSERT_OK(model->ClassifyBatch(corpus.text_views(), fast, &labels_only));
  EXPECT_EQ(labels_only.label_index, full.label_index);
  EXPECT_TRUE(labels_only.confidence.empty());
  fast.min_confidence = 0.99;  // a threshold needs the confidence after all
  ASSERT_OK(model->ClassifyBatch(corpus.text_views(), fast, &labels_only));
  ASSERT_EQ(labels_only.confidence.size(), 100u);
  EXPECT_EQ(labels_only.confidence, full.confidence);
}

TEST(BayesTest, LabelsOnlyAgreeWithTheConfidencePathAtManyLabels) {
  // The labels-only path finds the argmax as it scores (RawArgmax); the confidence path scores
  // every label first. Same label for every text, ties (unseen words: the priors decide) too.
  auto model = NewModel();
  std::vector<std::string> labels, texts;
  for (int c = 0; c < 300; ++c) {
    const std::string id = std::to_string(c);
    for (int d = 0; d < 1 + c % 3; ++d) {
      labels.push_back("c" + id);
      texts.push_back("w" + id + "a w" + id + "b shared" + std::to_string(c % 7));
    }
  }
  const std::vector<std::string_view> label_views(labels.begin(), labels.end());
  const std::vector<std::string_view> text_views(texts.begin(), texts.end());
  ASSERT_OK(model->TrainBatch(label_views, text_views));
  std::vector<std::string> queries = {"nothing seen", "shared3", "shared3 shared4", "w5a w5b"};
  for (int c = 0; c < 300; c += 7) {
    queries.push_back("w" + std::to_string(c) + "a shared" + std::to_string((c + 1) % 7));
    queries.push_back("w" + std::to_string(c) + "b w" + std::to_string(c + 1) + "a");
  }
  const std::vector<std::string_view> views(queries.begin(), queries.end());
  BatchPredictions full, labels_only;
  ASSERT_OK(model->ClassifyBatch(views, ClassifyOptions(), &full));
  ClassifyOptions fast;
  fast.confidence = false;
  ASSERT_OK(model->ClassifyBatch(views, fast, &labels_only));
  EXPECT_EQ(labels_only.label_index, full.label_index);
  EXPECT_EQ(full.snapshot->labels()[full.label_index[3]], "c5");
}

TEST(BayesTest, BadInputChangesNothing) {
  auto model = TrainedModel();
  const uint64_t version = model->version();
  std::vector<std::string_view> two_labels{"spam", "ham"};
  std::vector<std::string_view> one_text{"x"};
  EXPECT_CODE(model->TrainBatch(two_labels, one_text), kInvalidArgument);
  EXPECT_CODE(model->Train("", "text"), kInvalidArgument);
  EXPECT_CODE(model->Train(std::string("a\0b", 3), "text"), kInvalidArgument);
  EXPECT_CODE(model->Train("bad\xff"
                           "utf8",
                           "text"),
              kInvalidArgument);
  const std::string huge(10 << 20, 'a');
  EXPECT_CODE(model->Train("spam", huge), kInvalidArgument);
  Prediction p;
  EXPECT_CODE(model->Classify(huge, &p), kInvalidArgument);
  std::vector<std::string_view> texts{"ok", "", "fine"}, labels{"spam", "ham", "spam"};
  EXPECT_CODE(model->TrainBatch(labels, texts), kInvalidArgument);  // one empty text: all refused
  EXPECT_EQ(model->version(), version);
  EXPECT_EQ(model->labels().size(), 2u);
}

TEST(BayesTest, HugeTextWorksWhenTheLimitIsRaised) {
  ModelOptions options;
  options.analyzer.max_text_bytes = 16 << 20;
  auto model = NewModel(options);
  std::string huge;
  while (huge.size() < (10 << 20)) huge += "word" + std::to_string(huge.size() % 1000) + " ";
  ASSERT_OK(model->Train("big", huge));
  Prediction p;
  ASSERT_OK(model->Classify(huge, &p));
  EXPECT_EQ(p.label, "big");
}

TEST(ModelOptionsTest, JsonRoundTripAndErrors) {
  ModelOptions options;
  ASSERT_OK(ModelOptions::FromJson(
      R"({"labels":["a","b"],"alpha":0.5,"ngrams":1,"stemmer":"english"})", &options));
  EXPECT_EQ(options.labels, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(options.bayes.alpha, 0.5);
  ModelOptions again;
  ASSERT_OK(ModelOptions::FromJson(options.ToJson(), &again));
  EXPECT_EQ(options, again);
  EXPECT_CODE(ModelOptions::FromJson("{", &options), kInvalidArgument);
  EXPECT_CODE(ModelOptions::FromJson(R"({"colour":1})", &options), kInvalidArgument);
  EXPECT_CODE(ModelOptions::FromJson(R"({"alpha":"x"})", &options), kInvalidArgument);
  // Values of the right type but out of range parse; Validate() (called by Model::Create and
  // Model::FromRecords, once) refuses them.
  for (const char* json : {R"({"alpha":-1})", R"({"labels":["a","a"]})"}) {
    ASSERT_OK(ModelOptions::FromJson(json, &options));
    EXPECT_CODE(options.Validate(), kInvalidArgument);
  }
  // The kind decides which keys exist, so an unknown one is refused while parsing.
  EXPECT_CODE(ModelOptions::FromJson(R"({"kind":"svm"})", &options), kInvalidArgument);
}

TEST(ModelOptionsTest, ModelNamesAreValidated) {
  std::shared_ptr<Model> model;
  EXPECT_CODE(Model::Create("", ModelOptions(), &model), kInvalidArgument);
  EXPECT_CODE(Model::Create("bad name!", ModelOptions(), &model), kInvalidArgument);
  EXPECT_CODE(Model::Create(".hidden", ModelOptions(), &model), kInvalidArgument);
  EXPECT_CODE(Model::Create(std::string(129, 'a'), ModelOptions(), &model), kInvalidArgument);
  ASSERT_OK(Model::Create("ok_name-1.2", ModelOptions(), &model));
}

}  // namespace
}  // namespace classiflow
