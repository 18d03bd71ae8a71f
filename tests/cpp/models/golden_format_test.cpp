// Golden format tests: a saved model is a kept promise. The token hashes and a model file of
// each kind and format version are pinned here; a change that alters either breaks every model
// users have saved, and must fail this test instead of shipping.
//
// The files under tests/data/golden/ were written by this test's generator (run the test with
// CLASSIFLOW_WRITE_GOLDEN=1 to write them again, which is only right for a NEW format
// version: add a file, never replace one).
#include <gtest/gtest.h>

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

struct LinearGolden {
  const char* file;
  bool quantize;
  // Log-probabilities of kProbes as the format-1 model gave them when the file was written.
  struct {
    const char* label;
    double ham, spam;
  } expected[3];
};

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
    ::testing::Values(LinearGolden{"linear_format1.cfm",
                                   false,
                                   {{"spam", -9.740971500947829, -5.8825090284875259e-05},
                                    {"ham", -0.0084768522569464988, -4.7746515262910654},
                                    {"spam", -2.5907577540252928, -0.077921774563622925}}},
                      LinearGolden{"linear_quantized_format1.cfm",
                                   true,
                                   {{"spam", -9.740971500947829, -5.8825090284875259e-05},
                                    {"ham", -0.0084768482319528271, -4.7746519991032299},
                                    {"spam", -2.5907577540252928, -0.077921774563622925}}}));

}  // namespace
}  // namespace classiflow
