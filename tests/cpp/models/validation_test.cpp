// One validation of labels and options in core, whatever the entry: Model::Create, training,
// JSON options (model and engine). Hostile sizes and values must be refused fast, with a
// clear error that names the option and quotes at most a short prefix of the value.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "classiflow/engine.h"
#include "classiflow/model.h"
#include "models/bayes/snapshot.h"
#include "test_util.h"

namespace classiflow {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> ManyLabels(size_t n) {
  std::vector<std::string> labels;
  labels.reserve(n);
  for (size_t i = 0; i < n; ++i) labels.push_back("label-" + std::to_string(i));
  return labels;
}

Status CreateWith(const ModelOptions& options) {
  std::shared_ptr<Model> model;
  return Model::Create("m", options, &model);
}

// FromJson then the checks every entry makes (Model::Create).
Status CreateFromJson(std::string_view json) {
  ModelOptions options;
  CF_RETURN_IF_ERROR(ModelOptions::FromJson(json, &options));
  return CreateWith(options);
}

TEST(LabelValidationTest, TooManyLabelsAreRefusedFast) {
  ModelOptions options;
  options.labels = ManyLabels(100000);
  const auto start = Clock::now();
  const Status s = CreateWith(options);
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("65535"), std::string::npos) << s.message();
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(200));
}

TEST(LabelValidationTest, LabelsUpToTheCapCreateFast) {
  ModelOptions options;
  options.labels = ManyLabels(kMaxBayesLabels);
  const auto start = Clock::now();
  std::shared_ptr<Model> model;
  ASSERT_OK(Model::Create("m", options, &model));
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));  // was seconds (pairwise)
  ASSERT_OK(model->Train("label-65534", "the last label trains"));
  Prediction p;
  ASSERT_OK(model->Classify("the last label trains", &p));
  EXPECT_EQ(p.label, "label-65534");
  options.labels.back() = options.labels.front();  // one duplicate, found at the very end
  EXPECT_CODE(CreateWith(options), kInvalidArgument);
}

TEST(LabelValidationTest, ControlBidiAndBadUtf8AreRefused) {
  const std::vector<std::string> bad = {"a\x01",
                                        "a\x7f",
                                        "a\xc2\x80",
                                        "a\xc2\x85",
                                        "a\xc2\x9f",  // C0, DEL, C1 (NEL)
                                        "a\xe2\x80\x8e",
                                        "a\xe2\x80\x8f",  // LRM, RLM
                                        "a\xe2\x80\xaa",
                                        "a\xe2\x80\xae",
                                        "a\xe2\x81\xa6",
                                        "a\xe2\x81\xa9",  // embeddings, isolates
                                        "a\xe2\x80\xa8",
                                        "a\xe2\x80\xa9",
                                        "\xef\xbb\xbf",  // LS, PS, BOM
                                        "\xff",
                                        "a\xc0\xaf",
                                        "a\xed\xa0\x80",
                                        "a\xe2\x80",
                                        "",  // bad UTF-8, empty
                                        std::string(257, 'a')};
  for (const std::string& label : bad) {
    EXPECT_CODE(ValidateLabel(label), kInvalidArgument);
    ModelOptions options;
    options.labels = {"ok", label};
    EXPECT_CODE(CreateWith(options), kInvalidArgument);
  }
  for (const std::string label : {"héllo", "日本語",
                                  "a\xc2\xa0"
                                  "b",
                                  "emoji \xf0\x9f\x98\x80",
                                  "a\xe2\x80\x8d"
                                  "b"}) {
    EXPECT_TRUE(ValidateLabel(label).ok()) << label;
  }
}

TEST(LabelValidationTest, TrainingUsesTheSameChecks) {
  std::shared_ptr<Model> model;
  ASSERT_OK(Model::Create("m", ModelOptions(), &model));
  EXPECT_CODE(model->Train("evil\xe2\x80\xae", "text"), kInvalidArgument);
  EXPECT_CODE(model->Train("nel\xc2\x85", "text"), kInvalidArgument);
  EXPECT_EQ(model->version(), 0u);
  // One batch that brings every label up to the cap: linear, not quadratic, in new labels.
  std::vector<std::string> labels = ManyLabels(kMaxBayesLabels + 1);
  std::vector<std::string_view> label_views(labels.begin(), labels.end());
  std::vector<std::string_view> texts(labels.size(), "some text");
  const auto start = Clock::now();
  EXPECT_CODE(model->TrainBatch(label_views, texts), kInvalidArgument);
  EXPECT_EQ(model->version(), 0u);
  label_views.pop_back();
  texts.pop_back();
  ASSERT_OK(model->TrainBatch(label_views, texts));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(model->labels().size(), kMaxBayesLabels);
  EXPECT_CODE(model->Train("one too many", "text"), kInvalidArgument);
}

TEST(JsonOptionsTest, DeepNestingIsRefusedFast) {
  for (size_t depth : {65, 100000, 1000000}) {
    const std::string nested = std::string(depth, '[') + std::string(depth, ']');
    const auto start = Clock::now();
    ModelOptions options;
    Status s = ModelOptions::FromJson("{\"labels\":" + nested + "}", &options);
    EXPECT_CODE(s, kInvalidArgument);
    EXPECT_LT(s.message().size(), 200u);
    EXPECT_CODE(ModelOptions::FromJson(nested, &options), kInvalidArgument);
    EngineOptions engine;
    EXPECT_CODE(EngineOptions::FromJson("{\"sync\":" + nested + "}", &engine), kInvalidArgument);
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500)) << depth;
  }
  // Brackets inside a string are text, not nesting.
  ModelOptions options;
  const Status s = CreateFromJson("{\"stemmer\":\"" + std::string(100000, '[') + "\"}");
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_EQ(s.message().find("nested"), std::string::npos) << s.message();
  EXPECT_LT(s.message().size(), 300u);
  ASSERT_OK(ModelOptions::FromJson(R"({"labels":["[[[[", "]]"]})", &options));
}

TEST(JsonOptionsTest, IntegersOutOfRangeAreRefusedNotTruncated) {
  for (const char* json :
       {R"({"hash_bits":4294967316})", R"({"ngrams":4294967297})", R"({"hash_bits":20.5})",
        R"({"hash_bits":"20"})", R"({"max_text_bytes":-1})", R"({"ngrams":18446744073709551621})",
        R"({"hash_bits":-4294967276})"}) {
    ModelOptions options;
    const Status s = CreateFromJson(json);
    EXPECT_CODE(s, kInvalidArgument);
    const std::string key = std::string(json).substr(2, std::string(json).find('"', 2) - 2);
    EXPECT_NE(s.message().find(key), std::string::npos) << s.message();
  }
  ASSERT_OK(CreateFromJson(R"({"hash_bits":12,"ngrams":3,"max_text_bytes":18446744073709551615})"));
}

TEST(JsonOptionsTest, NonFiniteNumbersNameTheOption) {
  // What Python's json.dumps writes for float('nan') / float('inf'), and an overflowing literal.
  for (const char* json : {R"({"alpha": NaN})", R"({"alpha":Infinity})", R"({"alpha": -Infinity})",
                           R"({"min_confidence":NaN})", R"({"ngrams":1, "alpha":1e400})"}) {
    const Status s = CreateFromJson(json);
    EXPECT_CODE(s, kInvalidArgument);
    const std::string key =
        std::string(json).find("alpha") != std::string::npos ? "alpha" : "min_confidence";
    EXPECT_NE(s.message().find(key), std::string::npos) << s.message();
  }
  ModelOptions options;
  options.min_confidence = std::nan("");
  EXPECT_CODE(CreateWith(options), kInvalidArgument);
  options = ModelOptions();
  options.bayes.alpha = std::numeric_limits<double>::infinity();
  EXPECT_CODE(CreateWith(options), kInvalidArgument);
}

TEST(ClassifyOptionsTest, TopKIsMostProbableFirstAndCutByTheThreshold) {
  std::shared_ptr<Model> model;
  ASSERT_OK(Model::Create("m", ModelOptions(), &model));
  const std::vector<std::string_view> labels = {"a", "b", "c"}, texts = {"x y", "x z", "w"};
  ASSERT_OK(model->TrainBatch(labels, texts));
  ClassifyOptions options;
  options.top_k = 5;  // more than there are labels: all of them
  Prediction p;
  ASSERT_OK(model->Classify("x", options, &p));
  ASSERT_EQ(p.top.size(), 3u);
  EXPECT_EQ(p.top[0], p.label_index);
  for (size_t i = 1; i < p.top.size(); ++i) EXPECT_GE(p.scores[p.top[i - 1]], p.scores[p.top[i]]);
  options.top_k = 1;
  ASSERT_OK(model->Classify("x", options, &p));
  EXPECT_EQ(p.top, std::vector<uint32_t>{p.label_index});
  options.top_k = 3;
  options.min_confidence = std::exp(p.scores[p.top[0]]) + 1e-9;  // just above the best
  ASSERT_OK(model->Classify("x", options, &p));
  EXPECT_TRUE(p.top.empty());
  EXPECT_FALSE(p.has_label());
  options = ClassifyOptions();
  options.top_k = 0;
  EXPECT_CODE(model->Classify("x", options, &p), kInvalidArgument);
}

TEST(ClassifyOptionsTest, AThresholdOutsideZeroToOneIsRefused) {
  std::shared_ptr<Model> model;
  ASSERT_OK(Model::Create("m", ModelOptions(), &model));
  ASSERT_OK(model->Train("a", "some words"));
  for (double bad : {std::nan(""), 1.5, -0.1, std::numeric_limits<double>::infinity()}) {
    ClassifyOptions options;
    options.min_confidence = bad;
    Prediction p;
    EXPECT_CODE(model->Classify("some words", options, &p), kInvalidArgument);
    BatchPredictions batch;
    const std::string_view text = "some words";
    EXPECT_CODE(model->ClassifyBatch({&text, 1}, options, &batch), kInvalidArgument);
  }
}

TEST(JsonOptionsTest, ErrorsQuoteOnlyAShortPrefix) {
  const std::string huge(1 << 20, 'x');
  for (const std::string& json :
       {"{\"alpha\":\"" + huge + "\"}", "{\"" + huge + "\":1}", "{\"kind\":\"" + huge + "\"}",
        "{\"stemmer\":\"" + huge + "\"}", "{\"labels\":[\"" + huge + "\"]}",
        "{\"alpha\":" + std::string(60, '[') + std::string(60, ']') + "}"}) {
    const Status s = CreateFromJson(json);
    EXPECT_CODE(s, kInvalidArgument);
    EXPECT_LT(s.message().size(), 400u) << s.message().substr(0, 400);
  }
}

TEST(AlphaTest, BoundedSoScoresStayFinite) {
  EXPECT_CODE(CreateFromJson(R"({"alpha":1e308})"), kInvalidArgument);
  EXPECT_CODE(CreateFromJson(R"({"alpha":5e-324})"), kInvalidArgument);
  EXPECT_CODE(CreateFromJson(R"({"alpha":0})"), kInvalidArgument);
  for (double alpha : {BayesOptions::kMinAlpha, BayesOptions::kMaxAlpha}) {
    ModelOptions options;
    options.bayes.alpha = alpha;
    options.analyzer.hash_bits = 28;  // the largest V the bound was derived for
    std::shared_ptr<Model> model;
    ASSERT_OK(Model::Create("m", options, &model));
    ASSERT_OK(model->Train("spam", "cheap pills buy now cheap"));
    ASSERT_OK(model->Train("ham", "meeting notes for the team"));
    std::string long_text;
    for (int i = 0; i < 20000; ++i) long_text += "cheap word" + std::to_string(i) + " ";
    for (const std::string& text : {std::string("cheap pills"), long_text}) {
      Prediction p;
      ASSERT_OK(model->Classify(text, &p));
      EXPECT_EQ(p.label, "spam") << alpha;
      for (double score : p.scores) EXPECT_TRUE(std::isfinite(score)) << alpha;
      EXPECT_TRUE(std::isfinite(p.confidence));
    }
  }
}

}  // namespace
}  // namespace classiflow

namespace classiflow {
namespace {

TEST(ModelOptionsKindTest, AKindArgumentMayBeRepeatedButNotContradicted) {
  ModelOptions options;
  ASSERT_OK(ModelOptions::FromJson(R"({"kind":"bayes","alpha":0.5})", &options, "bayes"));
  EXPECT_EQ(options.kind, "bayes");
  EXPECT_EQ(options.bayes.alpha, 0.5);
  const Status s = ModelOptions::FromJson(R"({"kind":"svm"})", &options, "bayes");
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("kind argument"), std::string::npos) << s.message();
  EXPECT_CODE(ModelOptions::FromJson(R"({"kind":7})", &options, "bayes"), kInvalidArgument);
  ASSERT_OK(ModelOptions::FromJson("", &options, "linear"));  // the argument alone sets the kind
  EXPECT_EQ(options.kind, "linear");
  // ... which must be in the kind table, as it decides which keys exist.
  EXPECT_CODE(ModelOptions::FromJson("", &options, "svm"), kInvalidArgument);
}

}  // namespace
}  // namespace classiflow
