// Golden format tests: a saved model is a kept promise. The token hashes and a model file of
// each kind and format version are pinned here; a change that alters either breaks every model
// users have saved, and must fail this test instead of shipping.
//
// The files under tests/data/golden/ were written by this test's generator (run the test with
// CLASSIFLOW_WRITE_GOLDEN=1 to write them again, which is only right for a NEW format
// version: add a file, never replace one).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "classiflow/model.h"
#include "test_util.h"

namespace classiflow {
namespace {

const std::string kGoldenDir = CLASSIFLOW_GOLDEN_DIR;

std::vector<uint32_t> Features(const AnalyzerOptions& options, std::string_view text) {
  std::vector<uint32_t> features;
  Analyzer(options).Analyze(text, &features);
  return features;
}

TEST(GoldenFormatTest, TokenHashesAreFixed) {
  AnalyzerOptions unigrams;
  unigrams.ngrams = 1;
  unigrams.hash_bits = 20;
  EXPECT_EQ(Features(unigrams, "Cheap pills NOW"), (std::vector<uint32_t>{724061, 454507, 804222}));
  AnalyzerOptions defaults;  // word bigrams, 2^20 features, URLs/e-mails/numbers normalised
  EXPECT_EQ(Features(defaults, "Visit https://x.example/a?b=1 or mail me@x.org: 42 Äpfel"),
            (std::vector<uint32_t>{77253, 322240, 1039268, 182361, 132376, 979031, 426754, 705505,
                                   527134, 33621, 216801, 597108, 1036932}));
}

// The model every golden file of kind bayes holds: four documents, two labels.
ModelOptions GoldenBayesOptions() {
  ModelOptions options;
  options.labels = {"ham", "spam"};
  options.analyzer.hash_bits = 12;
  options.bayes.alpha = 0.5;
  return options;
}

const std::vector<std::string_view> kProbes = {"cheap pills", "meeting at noon",
                                               "win money at noon"};

TEST(GoldenFormatTest, BayesFormat1KeepsLoading) {
  const std::string path = kGoldenDir + "/bayes_format1.cfm";
  if (std::getenv("CLASSIFLOW_WRITE_GOLDEN") != nullptr) {
    std::shared_ptr<Model> model;
    ASSERT_OK(Model::Create("golden", GoldenBayesOptions(), &model));
    const std::vector<std::string_view> labels = {"spam", "spam", "ham", "ham"};
    const std::vector<std::string_view> texts = {"cheap pills now", "win money fast",
                                                 "meeting at noon", "lunch tomorrow at noon"};
    ASSERT_OK(model->TrainBatch(labels, texts));
    ASSERT_OK(model->Save(path));
    for (std::string_view probe : kProbes) {
      Prediction p;
      ASSERT_OK(model->Classify(probe, &p));
      std::printf("%s %.17g %.17g\n", p.label.c_str(), p.scores[0], p.scores[1]);
    }
  }
  std::shared_ptr<Model> model;
  ASSERT_OK(Model::Load(path, &model));
  EXPECT_EQ(model->name(), "golden");
  EXPECT_EQ(model->kind(), "bayes");
  EXPECT_EQ(model->version(), 1u);
  EXPECT_EQ(model->labels(), (std::vector<std::string>{"ham", "spam"}));
  EXPECT_EQ(model->options(), GoldenBayesOptions());
  // Log-probabilities as the format-1 model gave them when the file was written.
  const struct {
    const char* label;
    double ham, spam;
  } expected[] = {
      {"spam", -3.6160102247755876, -0.027257890577246258},
      {"ham", -0.0014472793090991587, -6.5387933760085613},
      {"ham", -0.35616232440911944, -1.2051699394697621},
  };
  for (size_t i = 0; i < kProbes.size(); ++i) {
    Prediction p;
    ASSERT_OK(model->Classify(kProbes[i], &p));
    EXPECT_EQ(p.label, expected[i].label) << kProbes[i];
    EXPECT_NEAR(p.scores[0], expected[i].ham, 1e-12) << kProbes[i];
    EXPECT_NEAR(p.scores[1], expected[i].spam, 1e-12) << kProbes[i];
  }
}

// The models the linear golden files hold: four documents, two labels, three passes on one
// thread (so the weights are the seed's, bit for bit); one file per page encoding.
ModelOptions GoldenLinearOptions(bool quantize) {
  ModelOptions options;
  options.kind = "linear";
  options.labels = {"ham", "spam"};
  options.analyzer.hash_bits = 12;
  options.linear.quantize = quantize;
  return options;
}

// Log-probabilities of kProbes as the format-1 model gave them when the file was written.
struct LinearExpected {
  const char* label;
  double ham, spam;
};
using LinearExpectations = std::array<LinearExpected, 3>;

struct LinearGolden {
  const char* file;
  bool quantize;
  LinearExpectations expected;
};

// The same training gives the same scores whatever encoding its pages were saved in.
constexpr LinearExpectations kFullPrecision = {
    {{"spam", -9.740971500947829, -5.8825090284875259e-05},
     {"ham", -0.0084768522569464988, -4.7746515262910654},
     {"spam", -2.5907577540252928, -0.077921774563622925}}};
constexpr LinearExpectations kQuantized = {{{"spam", -9.740971500947829, -5.8825090284875259e-05},
                                            {"ham", -0.0084768482319528271, -4.7746519991032299},
                                            {"spam", -2.5907577540252928, -0.077921774563622925}}};

class LinearGoldenTest : public ::testing::TestWithParam<LinearGolden> {};

TEST_P(LinearGoldenTest, Format1KeepsLoading) {
  const LinearGolden& golden = GetParam();
  const std::string path = kGoldenDir + "/" + golden.file;
  if (std::getenv("CLASSIFLOW_WRITE_GOLDEN") != nullptr) {
    std::shared_ptr<Model> model;
    ASSERT_OK(Model::Create("golden", GoldenLinearOptions(golden.quantize), &model));
    const std::vector<std::string_view> labels = {"spam", "spam", "ham", "ham"};
    const std::vector<std::string_view> texts = {"cheap pills now", "win money fast",
                                                 "meeting at noon", "lunch tomorrow at noon"};
    FitOptions fit;
    fit.epochs = 3;
    fit.threads = 1;
    ASSERT_OK(model->Fit(labels, texts, fit));
    ASSERT_OK(model->Save(path));
    for (std::string_view probe : kProbes) {
      Prediction p;
      ASSERT_OK(model->Classify(probe, &p));
      std::printf("{\"%s\", %.17g, %.17g},\n", p.label.c_str(), p.scores[0], p.scores[1]);
    }
    return;  // the expectations printed above go into the instantiation below
  }
  std::shared_ptr<Model> model;
  ASSERT_OK(Model::Load(path, &model));
  EXPECT_EQ(model->kind(), "linear");
  EXPECT_EQ(model->version(), 1u);
  EXPECT_EQ(model->options(), GoldenLinearOptions(golden.quantize));
  for (size_t i = 0; i < kProbes.size(); ++i) {
    Prediction p;
    ASSERT_OK(model->Classify(kProbes[i], &p));
    EXPECT_EQ(p.label, golden.expected[i].label) << kProbes[i];
    EXPECT_NEAR(p.scores[0], golden.expected[i].ham, 1e-6) << kProbes[i];
    EXPECT_NEAR(p.scores[1], golden.expected[i].spam, 1e-6) << kProbes[i];
  }
}

INSTANTIATE_TEST_SUITE_P(
    Files, LinearGoldenTest,
    ::testing::Values(LinearGolden{"linear_format1.cfm", false, kFullPrecision},
                      LinearGolden{"linear_quantized_format1.cfm", true, kQuantized},
                      // Page encodings 2 and 3: each row's centre and the page's label count.
                      LinearGolden{"linear_centred_format1.cfm", false, kFullPrecision},
                      LinearGolden{"linear_quantized_centred_format1.cfm", true, kQuantized}));

}  // namespace
}  // namespace classiflow

namespace classiflow {
namespace {

// The model the lsi golden file holds: five items (one without a label), an index built on
// four of them and the fifth folded in after the build.
ModelOptions GoldenLsiOptions() {
  ModelOptions options;
  options.kind = "lsi";
  options.analyzer.hash_bits = 12;
  options.lsi.rank = 3;
  options.lsi.rebuild_after = 0;
  options.lsi.min_similarity = 0.0;  // the default when the file was written
  return options;
}

struct LsiExpectation {
  const char* query;
  const char* first_id;  // the best search hit
  double first_score;
  const char* label;  // classify()
};

constexpr LsiExpectation kLsiExpected[] = {
    {"cheap pills", "s1", 1, "spam"},
    {"meeting at noon", "h1", 1, "ham"},
    {"lunch money", "s2", 0.87494051456451416, "ham"},
};

TEST(LsiGoldenTest, Format1KeepsLoading) {
  const std::string path = kGoldenDir + "/lsi_format1.cfm";
  if (std::getenv("CLASSIFLOW_WRITE_GOLDEN") != nullptr) {
    std::shared_ptr<Model> model;
    ASSERT_OK(Model::Create("golden", GoldenLsiOptions(), &model));
    const std::vector<ItemInput> items = {{"cheap pills now", "spam", "s1"},
                                          {"win money fast", "spam", "s2"},
                                          {"meeting at noon", "ham", "h1"},
                                          {"lunch tomorrow at noon", "ham", "h2"}};
    ASSERT_OK(model->AddItems(items));
    ASSERT_OK(model->BuildIndex());
    ASSERT_OK(model->AddItem("lunch money at noon", std::nullopt, "note"));
    ASSERT_OK(model->Save(path));
    for (const LsiExpectation& e : kLsiExpected) {
      std::vector<SearchHit> hits;
      ASSERT_OK(model->Search(e.query, 1, &hits));
      Prediction p;
      ASSERT_OK(model->Classify(e.query, &p));
      std::printf("{\"%s\", \"%s\", %.17g, \"%s\"},\n", e.query, hits.at(0).id.c_str(),
                  hits.at(0).score, p.label.c_str());
    }
    return;  // the expectations printed above go into kLsiExpected
  }
  std::shared_ptr<Model> model;
  ASSERT_OK(Model::Load(path, &model));
  EXPECT_EQ(model->kind(), "lsi");
  EXPECT_EQ(model->version(), 3u);
  EXPECT_EQ(model->options(), GoldenLsiOptions());
  IndexStatus status;
  ASSERT_OK(model->GetIndexStatus(&status));
  EXPECT_EQ(status.items, 5u);
  EXPECT_EQ(status.indexed_items, 4u);
  EXPECT_EQ(status.changes, 1u);
  for (const LsiExpectation& e : kLsiExpected) {
    SCOPED_TRACE(e.query);
    std::vector<SearchHit> hits;
    ASSERT_OK(model->Search(e.query, 1, &hits));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].id, e.first_id);
    EXPECT_NEAR(hits[0].score, e.first_score, 1e-6);
    Prediction p;
    ASSERT_OK(model->Classify(e.query, &p));
    EXPECT_EQ(p.label, e.label);
  }
}

}  // namespace
}  // namespace classiflow
