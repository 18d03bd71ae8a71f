// Explain and TopFeatures, for every kind: the weights add up to the prediction's log-odds,
// n-grams are named, and the telling n-grams of a label are its own.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "classiflow/model.h"
#include "corpus.h"
#include "test_util.h"

namespace classiflow {
namespace {

std::shared_ptr<Model> Trained(const std::string& kind, const std::string& json) {
  ModelOptions options;
  EXPECT_TRUE(ModelOptions::FromJson(json, &options, kind).ok());
  options.analyzer.hash_bits = 14;
  std::shared_ptr<Model> model;
  EXPECT_TRUE(Model::Create("m", options, &model).ok());
  const auto corpus = testing::MakeTinyCorpus(60);
  EXPECT_TRUE(model->Fit(corpus.label_views(), corpus.text_views()).ok());
  return model;
}

class ExplainTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ExplainTest, WeightsAddUpToTheLogOddsOfTheTopTwoLabels) {
  for (const char* json : {"{}", R"({"quantize": true})"}) {
    if (std::string(GetParam()) != "linear" && std::string(json) != "{}") continue;
    auto model = Trained(GetParam(), json);
    for (const char* text :
         {"cheap pills now, cheap!", "the team meeting notes", "unknown words", ""}) {
      Explanation e;
      ASSERT_OK(model->Explain(text, 0, &e));
      Prediction p;
      ASSERT_OK(model->Classify(text, &p));
      EXPECT_EQ(e.label, p.label) << text;
      const size_t top = p.label_index, second = 1 - top;
      EXPECT_EQ(e.versus, model->labels()[second]);
      EXPECT_NEAR(e.log_odds, p.scores[top] - p.scores[second], 1e-4) << text;
      double sum = e.base;
      for (const FeatureWeight& f : e.features) sum += f.weight;
      EXPECT_NEAR(sum, e.log_odds, 1e-4) << text;
      for (size_t i = 1; i < e.features.size(); ++i) {
        EXPECT_GE(std::fabs(e.features[i - 1].weight), std::fabs(e.features[i].weight));
      }
    }
  }
}

TEST_P(ExplainTest, NamesTheNgramsThatMovedThePrediction) {
  auto model = Trained(GetParam(), "{}");
  Explanation e;
  ASSERT_OK(model->Explain("cheap pills at the meeting", 3, &e));
  EXPECT_EQ(e.label, "spam");
  ASSERT_EQ(e.features.size(), 3u);
  bool names_spam_word = false;
  for (const FeatureWeight& f : e.features) {
    EXPECT_FALSE(f.ngram.empty());
    EXPECT_GE(f.count, 1u);
    names_spam_word |=
        (f.ngram == "cheap" || f.ngram == "pills" || f.ngram == "cheap pills") && f.weight > 0;
  }
  EXPECT_TRUE(names_spam_word);
  Explanation twice;
  ASSERT_OK(model->Explain("cheap cheap cheap", 0, &twice));
  ASSERT_FALSE(twice.features.empty());
  EXPECT_EQ(twice.features[0].ngram == "cheap" ? twice.features[0].count : 3u, 3u);
}

TEST_P(ExplainTest, TopFeaturesOfALabelAreItsOwnWords) {
  auto model = Trained(GetParam(), "{}");
  const auto corpus = testing::MakeTinyCorpus(60);
  std::vector<FeatureWeight> top;
  ASSERT_OK(model->TopFeatures("spam", 5, corpus.text_views(), &top));
  ASSERT_EQ(top.size(), 5u);
  const std::string spam_words =
      "cheap pills now win money fast free offer click viagra deal "
      "claim your prize";
  for (const FeatureWeight& f : top) {
    EXPECT_GT(f.weight, 0) << f.ngram;
    EXPECT_NE(spam_words.find(f.ngram.substr(0, f.ngram.find(' '))), std::string::npos) << f.ngram;
  }
  EXPECT_CODE(model->TopFeatures("eggs", 5, corpus.text_views(), &top), kNotFound);
  EXPECT_CODE(model->TopFeatures("spam", 0, corpus.text_views(), &top), kInvalidArgument);
}

TEST_P(ExplainTest, BadInputIsRefused) {
  ModelOptions options;
  ASSERT_OK(ModelOptions::FromJson(R"({"max_text_bytes": 10})", &options, GetParam()));
  std::shared_ptr<Model> model;
  ASSERT_OK(Model::Create("m", options, &model));
  Explanation e;
  EXPECT_CODE(model->Explain("text", 0, &e), kInvalidArgument);  // no labels yet
  ASSERT_OK(model->Train("a", "text"));
  EXPECT_CODE(model->Explain("a text far over ten bytes", 0, &e), kInvalidArgument);
  ASSERT_OK(model->Explain("text", 0, &e));
  EXPECT_EQ(e.versus, "");  // one label: nothing to weigh it against
}

INSTANTIATE_TEST_SUITE_P(Kinds, ExplainTest, ::testing::Values("bayes", "linear", "lsi"));

}  // namespace
}  // namespace classiflow
