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

}  // namespace
}  // namespace classiflow
