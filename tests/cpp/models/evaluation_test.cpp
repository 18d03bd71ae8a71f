#include "classiflow/evaluation.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace classiflow {
namespace {

std::shared_ptr<Model> TrainedXY() {
  std::shared_ptr<Model> model;
  EXPECT_TRUE(Model::Create("m", ModelOptions(), &model).ok());
  const std::vector<std::string_view> labels = {"a", "a", "a", "b", "b", "b"},
                                      texts = {"x", "x", "x", "y", "y", "y"};
  EXPECT_TRUE(model->TrainBatch(labels, texts).ok());
  return model;
}

TEST(EvaluationTest, CountsMatchAHandComputedConfusionMatrix) {
  const auto model = TrainedXY();
  const std::vector<std::string_view> texts = {"x", "x", "y", "y", "x"},
                                      truth = {"a", "b", "b", "b", "c"};
  Evaluation e;
  ASSERT_OK(Evaluate(*model, texts, truth, &e));
  EXPECT_EQ(e.count, 5u);
  EXPECT_EQ(e.labels, (std::vector<std::string>{"a", "b", "c"}));  // "c": unknown, appended
  EXPECT_EQ(e.confusion, (std::vector<std::vector<size_t>>{{1, 0, 0}, {1, 2, 0}, {1, 0, 0}}));
  EXPECT_DOUBLE_EQ(e.accuracy, 0.6);
  EXPECT_DOUBLE_EQ(e.per_label[0].precision, 1.0 / 3);
  EXPECT_DOUBLE_EQ(e.per_label[0].recall, 1.0);
  EXPECT_DOUBLE_EQ(e.per_label[0].f1, 0.5);
  EXPECT_DOUBLE_EQ(e.per_label[1].precision, 1.0);
  EXPECT_DOUBLE_EQ(e.per_label[1].recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(e.per_label[1].f1, 0.8);
  EXPECT_EQ(e.per_label[2].support, 1u);
  EXPECT_DOUBLE_EQ(e.per_label[2].f1, 0.0);
  EXPECT_DOUBLE_EQ(e.macro_f1, (0.5 + 0.8 + 0.0) / 3);
  EXPECT_NE(e.ToJson().find("\"macro_f1\""), std::string::npos);
}

TEST(EvaluationTest, TheThresholdDoesNotHideTheMostProbableLabel) {
  ModelOptions strict;
  strict.min_confidence = 1.0;  // no label would pass classify()
  std::shared_ptr<Model> model;
  ASSERT_OK(Model::Create("m", strict, &model));
  const std::vector<std::string_view> labels = {"a", "b"}, texts = {"x", "y"};
  ASSERT_OK(model->TrainBatch(labels, texts));
  Evaluation e;
  ASSERT_OK(Evaluate(*model, texts, labels, &e));
  EXPECT_DOUBLE_EQ(e.accuracy, 1.0);
}

TEST(EvaluationTest, BadInputIsRefused) {
  const auto model = TrainedXY();
  Evaluation e;
  const std::vector<std::string_view> one = {"x"}, two = {"a", "b"}, none;
  EXPECT_CODE(Evaluate(*model, one, two, &e), kInvalidArgument);
  EXPECT_CODE(Evaluate(*model, none, none, &e), kInvalidArgument);
  std::shared_ptr<Model> empty;
  ASSERT_OK(Model::Create("e", ModelOptions(), &empty));
  EXPECT_CODE(Evaluate(*empty, one, one, &e), kInvalidArgument);  // no labels yet
}

TEST(CrossValidationTest, FoldsAreStratifiedDeterministicAndCoverEveryText) {
  std::vector<std::string> words;
  std::vector<std::string_view> texts, labels;
  for (int i = 0; i < 30; ++i)
    words.push_back((i % 3 == 0 ? "spam w" : "ham w") + std::to_string(i));
  for (int i = 0; i < 30; ++i) {
    texts.push_back(words[i]);
    labels.push_back(i % 3 == 0 ? "spam" : "ham");
  }
  std::vector<Evaluation> folds, again, other;
  ASSERT_OK(CrossValidate(ModelOptions(), texts, labels, 5, 42, &folds));
  ASSERT_EQ(folds.size(), 5u);
  size_t total = 0;
  for (const Evaluation& f : folds) {
    total += f.count;
    EXPECT_EQ(f.count, 6u);             // 10 spam and 20 ham dealt to 5 folds: 2 + 4 each
    EXPECT_DOUBLE_EQ(f.accuracy, 1.0);  // "spam" / "ham" decide every text
  }
  EXPECT_EQ(total, texts.size());
  ASSERT_OK(CrossValidate(ModelOptions(), texts, labels, 5, 42, &again));
  for (size_t i = 0; i < folds.size(); ++i) EXPECT_EQ(folds[i].ToJson(), again[i].ToJson());
  EXPECT_CODE(CrossValidate(ModelOptions(), texts, labels, 1, 42, &other), kInvalidArgument);
  EXPECT_CODE(CrossValidate(ModelOptions(), texts, labels, 31, 42, &other), kInvalidArgument);
  ModelOptions bad;
  bad.kind = "svm";
  EXPECT_CODE(CrossValidate(bad, texts, labels, 5, 42, &other), kInvalidArgument);
}

}  // namespace
}  // namespace classiflow
