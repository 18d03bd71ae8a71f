// The linear kind: learning, online steps, determinism, persistence, corruption and options.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "classiflow/model.h"
#include "corpus.h"
#include "models/linear/snapshot.h"
#include "models/term_counter.h"
#include "test_util.h"

namespace classiflow {
namespace {

using testing::MakeTinyCorpus;
using testing::TempDir;

std::shared_ptr<Model> NewLinear(const std::string& json = "{}", int hash_bits = 12) {
  return testing::MakeModel("linear", json, hash_bits, "lin");
}

std::vector<double> ScoresOf(const Model& model, std::string_view text) {
  Prediction p;
  EXPECT_TRUE(model.Classify(text, &p).ok());
  return p.scores;
}

std::map<std::string, std::string> RecordMap(const Model& model) {
  ModelRecords records;
  model.AllRecords(&records);
  return {records.puts.begin(), records.puts.end()};
}

TEST(LinearTest, FitLearnsTheCorpusAndCommitsOneVersion) {
  auto model = NewLinear();
  const auto corpus = MakeTinyCorpus(40);
  ASSERT_OK(model->Fit(corpus.label_views(), corpus.text_views()));
  EXPECT_EQ(model->version(), 1u);
  EXPECT_EQ(model->labels(), (std::vector<std::string>{"spam", "ham"}));
  Prediction p;
  ASSERT_OK(model->Classify("cheap pills and free money", &p));
  EXPECT_EQ(p.label, "spam");
  EXPECT_GT(p.confidence, 0.8);
  ASSERT_OK(model->Classify("the team meeting notes", &p));
  EXPECT_EQ(p.label, "ham");
  // Probabilities are a distribution.
  double sum = 0;
  for (double s : p.scores) sum += std::exp(s);
  EXPECT_NEAR(sum, 1.0, 1e-9);
}

TEST(LinearTest, OnlineStepsEachMakeAVersionAndLabelsJoinAtRuntime) {
  auto model = NewLinear();
  const auto corpus = MakeTinyCorpus(20);
  for (int pass = 0; pass < 5; ++pass) {
    for (size_t i = 0; i < corpus.texts.size(); ++i) {
      ASSERT_OK(model->Train(corpus.labels[i], corpus.texts[i]));
    }
  }
  EXPECT_EQ(model->version(), 100u);
  Prediction p;
  ASSERT_OK(model->Classify("win money fast", &p));
  EXPECT_EQ(p.label, "spam");
  // A third label joins at runtime, learned by online steps beside the first two.
  for (int pass = 0; pass < 5; ++pass) {
    for (size_t i = 0; i < corpus.texts.size(); ++i) {
      ASSERT_OK(model->Train(corpus.labels[i], corpus.texts[i]));
      if (i % 4 == 0) ASSERT_OK(model->Train("sport", "football match score goal"));
    }
  }
  EXPECT_EQ(model->labels().size(), 3u);
  ASSERT_OK(model->Classify("the football match", &p));
  EXPECT_EQ(p.label, "sport");
  ASSERT_OK(model->Classify("cheap pills now", &p));
  EXPECT_EQ(p.label, "spam");
}

// Rows are stored centred on their median; a label added later weighed 0 before the centring
// and must not read as 0 after it (which tied it with the best label on every feature, so that
// one text of a new label took over every prediction). For every loss and optimizer, and
// through a save and load.
TEST(LinearTest, OneTextOfANewLabelMovesOnlyTheTextsLikeIt) {
  TempDir dir;
  for (const char* json : {R"({})", R"({"loss": "hinge", "optimizer": "dual"})",
                           R"({"loss": "hinge", "optimizer": "sgd"})", R"({"quantize": true})"}) {
    SCOPED_TRACE(json);
    auto model = NewLinear(json);
    const auto corpus = MakeTinyCorpus(60);
    ASSERT_OK(model->Fit(corpus.label_views(), corpus.text_views()));
    ASSERT_OK(model->Train("sports", "football match tonight at the stadium"));
    const std::vector<std::pair<const char*, const char*>> probes = {
        {"cheap pills offer", "spam"},
        {"win money fast now", "spam"},
        {"notes from the meeting", "ham"},
        {"the project schedule", "ham"},
        {"football match tonight", "sports"}};
    for (const auto& [text, label] : probes) {
      Prediction p;
      ASSERT_OK(model->Classify(text, &p));
      EXPECT_EQ(p.label, label) << text;
    }
    ASSERT_OK(model->Save(dir.Sub("m.cfm")));
    std::shared_ptr<Model> loaded;
    ASSERT_OK(Model::Load(dir.Sub("m.cfm"), &loaded));
    for (const auto& [text, label] : probes) {
      const std::vector<double> a = ScoresOf(*model, text), b = ScoresOf(*loaded, text);
      ASSERT_EQ(a.size(), b.size());
      for (size_t l = 0; l < a.size(); ++l) EXPECT_NEAR(a[l], b[l], 1e-6) << text;
    }
  }
}

TEST(LinearTest, OneThreadRepeatsBitForBitForASeedAndOtherSeedsDiffer) {
  const auto corpus = MakeTinyCorpus(60);
  FitOptions one;
  one.threads = 1;
  auto a = NewLinear(R"({"seed": 7})"), b = NewLinear(R"({"seed": 7})"),
       c = NewLinear(R"({"seed": 8})");
  for (auto* m : {&a, &b, &c}) ASSERT_OK((*m)->Fit(corpus.label_views(), corpus.text_views(), one));
  EXPECT_EQ(RecordMap(*a), RecordMap(*b));
  EXPECT_NE(RecordMap(*a), RecordMap(*c));
  // Several threads still learn the corpus.
  auto d = NewLinear();
  FitOptions many;
  many.threads = 2;
  ASSERT_OK(d->Fit(corpus.label_views(), corpus.text_views(), many));
  Prediction p;
  ASSERT_OK(d->Classify("claim your prize money", &p));
  EXPECT_EQ(p.label, "spam");
}

TEST(LinearTest, ProgressCountsEveryDocumentOfEveryEpoch) {
  auto model = NewLinear();
  const auto corpus = MakeTinyCorpus(30);
  FitOptions options;
  options.epochs = 3;
  std::vector<FitProgress> seen;
  options.progress = [&](const FitProgress& p) { seen.push_back(p); };
  ASSERT_OK(model->Fit(corpus.label_views(), corpus.text_views(), options));
  ASSERT_EQ(seen.size(), 3u);  // one slice per epoch here
  EXPECT_EQ(seen.back().done, 90u);
  EXPECT_EQ(seen.back().total, 90u);
  EXPECT_EQ(seen.back().epoch, 3);
  EXPECT_LT(seen.back().loss, seen.front().loss);  // it learns
}

TEST(LinearTest, BadFitArgumentsChangeNothing) {
  auto model = NewLinear();
  const auto corpus = MakeTinyCorpus(10);
  FitOptions options;
  options.epochs = 0;
  EXPECT_CODE(model->Fit(corpus.label_views(), corpus.text_views(), options), kInvalidArgument);
  options.epochs = 1001;
  EXPECT_CODE(model->Fit(corpus.label_views(), corpus.text_views(), options), kInvalidArgument);
  options.epochs = 1;
  options.threads = -1;
  EXPECT_CODE(model->Fit(corpus.label_views(), corpus.text_views(), options), kInvalidArgument);
  std::vector<std::string_view> texts = corpus.text_views(), labels = corpus.label_views();
  texts[3] = "";
  EXPECT_CODE(model->Fit(labels, texts), kInvalidArgument);
  EXPECT_EQ(model->version(), 0u);
  EXPECT_TRUE(model->labels().empty());
}

TEST(LinearTest, UntrainIsNotSupported) {
  auto model = NewLinear();
  ASSERT_OK(model->Train("spam", "cheap pills"));
  EXPECT_CODE(model->Untrain("spam", "cheap pills"), kNotSupported);
  EXPECT_EQ(model->version(), 1u);
}

TEST(LinearTest, SavedModelsLoadWithTheSameScores) {
  TempDir dir;
  const auto corpus = MakeTinyCorpus(40);
  for (const char* json : {R"({"quantize": false})", R"({"quantize": true})"}) {
    auto model = NewLinear(json);
    ASSERT_OK(model->Fit(corpus.label_views(), corpus.text_views()));
    ASSERT_OK(model->Train("sport", "football match"));  // a page narrower than the labels
    const std::string path = dir.Sub("m.cfm");
    ASSERT_OK(model->Save(path));
    std::shared_ptr<Model> loaded;
    ASSERT_OK(Model::Load(path, &loaded));
    EXPECT_EQ(loaded->kind(), "linear");
    EXPECT_EQ(loaded->options(), model->options());
    for (const char* probe : {"cheap pills now", "team meeting", "football", "unseen words"}) {
      EXPECT_EQ(ScoresOf(*loaded, probe), ScoresOf(*model, probe)) << json << " " << probe;
    }
  }
}

TEST(LinearTest, BytesRoundTripAndDamagedBytesAreRefused) {
  auto model = NewLinear();
  const auto corpus = MakeTinyCorpus(30);
  ASSERT_OK(model->Fit(corpus.label_views(), corpus.text_views()));
  std::string bytes;
  ASSERT_OK(model->ToBytes(&bytes));
  std::shared_ptr<Model> copy;
  ASSERT_OK(Model::FromBytes(bytes, &copy));
  EXPECT_EQ(ScoresOf(*copy, "cheap pills"), ScoresOf(*model, "cheap pills"));
  bytes[bytes.size() / 2] ^= 1;
  EXPECT_CODE(Model::FromBytes(bytes, &copy), kCorruption);
  EXPECT_CODE(Model::FromBytes("", &copy), kCorruption);
}

TEST(LinearTest, QuantizedWeightsAreSmallerAndScoreAlike) {
  TempDir dir;
  // 20 labels and words enough to fill the 1,024 features of hash_bits 10, so that the entries
  // (a 2-byte label and a 4-byte weight, 1 byte quantized) and not the per-feature counters
  // dominate.
  testing::TinyCorpus corpus;
  for (int i = 0; i < 400; ++i) {
    const int label = i % 20;
    corpus.labels.push_back("label" + std::to_string(label));
    std::string text = "word" + std::to_string(label);
    for (int w = 0; w < 8; ++w) text += " w" + std::to_string((i * 7919 + w * 104729) % 3000);
    corpus.texts.push_back(text);
  }
  // prune 0 keeps every weight, so that the entries dominate the per-feature counters.
  auto full = NewLinear(R"({"quantize": false, "prune": 0, "ngrams": 1})", 10),
       small = NewLinear(R"({"quantize": true, "prune": 0, "ngrams": 1})", 10);
  FitOptions one;
  one.threads = 1;
  ASSERT_OK(full->Fit(corpus.label_views(), corpus.text_views(), one));
  ASSERT_OK(small->Fit(corpus.label_views(), corpus.text_views(), one));
  ASSERT_OK(full->Save(dir.Sub("full.cfm")));
  ASSERT_OK(small->Save(dir.Sub("small.cfm")));
  EXPECT_LT(std::filesystem::file_size(dir.Sub("small.cfm")),
            std::filesystem::file_size(dir.Sub("full.cfm")) * 3 / 4);
  for (const auto& text : corpus.texts) {
    Prediction a, b;
    ASSERT_OK(full->Classify(text, &a));
    ASSERT_OK(small->Classify(text, &b));
    EXPECT_EQ(a.label, b.label) << text;
    EXPECT_NEAR(a.confidence, b.confidence, 0.02) << text;
  }
}

// A row is packed dense or sparse by its size against the label count; both must read back the
// same weights through every reader (the scoring loop, the row copy, the weight walk).
TEST(WeightPageTest, DenseAndSparseRowsHoldTheSameWeights) {
  std::array<uint32_t, kLinearPageRows + 1> bounds{};
  std::vector<WeightEntry> weights;
  std::vector<QuantizedEntry> quantized;
  std::array<float, kLinearPageRows> scales{}, centres{};
  for (uint32_t r = 0; r < kLinearPageRows; ++r) {
    bounds[r] = static_cast<uint32_t>(weights.size());
    scales[r] = 0.5f + static_cast<float>(r);
    centres[r] = 0.125f * static_cast<float>(r);
    for (uint16_t label = 0; label < r; label = static_cast<uint16_t>(label + 1 + r % 3)) {
      const float w = static_cast<float>(label + 1) * (label % 2 == 0 ? 0.25f : -0.75f);
      weights.push_back({label, w});
      quantized.push_back({label, static_cast<int8_t>(label % 2 == 0 ? label + 1 : -label - 1)});
    }
  }
  bounds[kLinearPageRows] = static_cast<uint32_t>(weights.size());
  for (const bool quantize : {false, true}) {
    // 16 labels: most rows are dense; 4,000: every row is sparse.
    WeightPage dense, sparse;
    for (auto [page, labels] : {std::pair{&dense, size_t{16}}, std::pair{&sparse, size_t{4000}}}) {
      page->quantized = quantize;
      page->df.fill(1);
      page->Pack(bounds, weights, quantized, scales, centres, labels);
    }
    size_t dense_rows = 0;
    for (uint32_t r = 0; r < kLinearPageRows; ++r) {
      EXPECT_EQ(sparse.Head(r).width, 0u);
      dense_rows += dense.Head(r).width != 0;
      std::vector<float> a(16), b(16), acc_a(16, 1.0f), acc_b(16, 1.0f);
      dense.RowInto(r, 16, a.data());
      sparse.RowInto(r, 16, b.data());
      EXPECT_EQ(a, b) << "row " << r;
      AddRow(dense.Head(r), quantize, 2.0f, acc_a.data());
      AddRow(sparse.Head(r), quantize, 2.0f, acc_b.data());
      EXPECT_EQ(acc_a, acc_b) << "row " << r;
      std::vector<std::pair<uint32_t, float>> walk_a, walk_b;
      ForEachWeight(dense.Head(r), quantize, [&](uint32_t l, float w) {
        walk_a.push_back({l, w});
      });
      ForEachWeight(sparse.Head(r), quantize, [&](uint32_t l, float w) {
        walk_b.push_back({l, w});
      });
      EXPECT_EQ(walk_a, walk_b) << "row " << r;
      EXPECT_EQ(walk_a.size(), bounds[r + 1] - bounds[r]) << "row " << r;
      // Labels the page did not know weigh minus the row's centre.
      std::vector<float> wider(20);
      dense.RowInto(r, 20, wider.data());
      EXPECT_EQ(std::vector<float>(wider.begin(), wider.begin() + 16), a) << "row " << r;
      for (size_t l = 16; l < 20; ++l) EXPECT_EQ(wider[l], -centres[r]) << "row " << r;
    }
    EXPECT_GE(dense_rows, 2u);
    EXPECT_LE(dense.packed.size(), sparse.packed.size());  // dense only where it is no larger
  }
}

TEST(LinearTest, PruningKeepsFewerWeightsAndTheSameAnswers) {
  testing::TinyCorpus corpus;
  for (int i = 0; i < 400; ++i) {
    const int label = i % 10;
    corpus.labels.push_back("label" + std::to_string(label));
    corpus.texts.push_back("word" + std::to_string(label) + " shared words " +
                           std::to_string(i % 13));
  }
  auto exact = NewLinear(R"({"prune": 0})"), pruned = NewLinear(R"({"prune": 0.1})");
  FitOptions one;
  one.threads = 1;
  ASSERT_OK(exact->Fit(corpus.label_views(), corpus.text_views(), one));
  ASSERT_OK(pruned->Fit(corpus.label_views(), corpus.text_views(), one));
  size_t exact_bytes = 0, pruned_bytes = 0;
  for (const auto& [key, value] : RecordMap(*exact)) exact_bytes += value.size();
  for (const auto& [key, value] : RecordMap(*pruned)) pruned_bytes += value.size();
  EXPECT_LT(pruned_bytes, exact_bytes);
  for (const auto& text : corpus.texts) {
    Prediction a, b;
    ASSERT_OK(exact->Classify(text, &a));
    ASSERT_OK(pruned->Classify(text, &b));
    EXPECT_EQ(a.label, b.label) << text;
  }
  ModelOptions bad;
  ASSERT_OK(ModelOptions::FromJson(R"({"prune": 0.6})", &bad, "linear"));
  EXPECT_CODE(bad.Validate(), kInvalidArgument);
}

TEST(LinearTest, CorruptRecordsAreRefused) {
  auto model = NewLinear();
  const auto corpus = MakeTinyCorpus(20);
  ASSERT_OK(model->Fit(corpus.label_views(), corpus.text_views()));
  const auto good = RecordMap(*model);
  std::shared_ptr<Model> loaded;
  ASSERT_OK(Model::FromRecords("lin", good, &loaded));
  std::string page_key;
  for (const auto& [key, value] : good) {
    if (key[0] == 'p') page_key = key;
  }
  ASSERT_FALSE(page_key.empty());
  auto flipped = good;
  flipped[page_key][10] ^= 0x40;
  EXPECT_CODE(Model::FromRecords("lin", flipped, &loaded), kCorruption);
  auto missing = good;
  missing.erase(page_key);
  EXPECT_CODE(Model::FromRecords("lin", missing, &loaded), kCorruption);
  auto truncated = good;
  truncated["h"].resize(truncated["h"].size() - 3);
  EXPECT_CODE(Model::FromRecords("lin", truncated, &loaded), kCorruption);
  auto stray = good;
  stray["pffffffff"] = good.at(page_key);
  EXPECT_CODE(Model::FromRecords("lin", stray, &loaded), kCorruption);
}

TEST(LinearTest, EachKindHasItsOwnOptionKeys) {
  ModelOptions options;
  Status s = ModelOptions::FromJson(R"({"kind": "linear", "alpha": 0.5})", &options);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("belongs to kind 'bayes'"), std::string::npos) << s.ToString();
  s = ModelOptions::FromJson(R"({"learning_rate": 0.5})", &options);  // default kind: bayes
  EXPECT_NE(s.message().find("belongs to kind 'linear'"), std::string::npos) << s.ToString();
  // The kind may come after its keys.
  ASSERT_OK(ModelOptions::FromJson(R"({"epochs": 9, "kind": "linear"})", &options));
  EXPECT_EQ(options.linear.epochs, 9);
  s = ModelOptions::FromJson(R"({"kind": "linear", "colour": 1})", &options);
  EXPECT_NE(s.message().find("learning_rate"), std::string::npos) << s.ToString();
  // A linear model's JSON names its keys and no other kind's.
  ASSERT_OK(ModelOptions::FromJson(R"({"kind": "linear", "quantize": true, "seed": 5})", &options));
  const std::string json = options.ToJson();
  EXPECT_NE(json.find("\"quantize\":true"), std::string::npos) << json;
  EXPECT_EQ(json.find("alpha"), std::string::npos) << json;
  ModelOptions again;
  ASSERT_OK(ModelOptions::FromJson(json, &again));
  EXPECT_EQ(again, options);
  for (const char* bad : {R"({"learning_rate": 0})", R"({"learning_rate": 101})", R"({"l2": -1})",
                          R"({"optimizer": "adam"})", R"({"epochs": 0})", R"({"seed": -1})"}) {
    ModelOptions o;
    s = ModelOptions::FromJson(bad, &o, "linear");
    if (s.ok()) s = o.Validate();
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << bad;
  }
}

TEST(TermCounterTest, CountsEachDistinctFeatureInOrderOfFirstOccurrence) {
  TermCounter counter;
  const std::vector<uint32_t> features = {7, 3, 7, 64 + 7, 3, 7, 0};  // 7 and 71 collide
  const auto& terms = counter.Count(features.data(), features.size());
  ASSERT_EQ(terms.size(), 4u);
  const std::vector<std::pair<uint32_t, uint32_t>> expected = {{7, 3}, {3, 2}, {71, 1}, {0, 1}};
  for (size_t i = 0; i < terms.size(); ++i) {
    EXPECT_EQ(terms[i].feature, expected[i].first);
    EXPECT_EQ(terms[i].count, expected[i].second);
  }
  // A later call forgets the earlier one, also when the table must grow.
  std::vector<uint32_t> many(1000);
  for (uint32_t i = 0; i < many.size(); ++i) many[i] = i % 500;
  EXPECT_EQ(counter.Count(many.data(), many.size()).size(), 500u);
  EXPECT_EQ(counter.Count(features.data(), 2).size(), 2u);
  EXPECT_TRUE(counter.Count(nullptr, 0).empty());
}

TEST(LinearTest, SgdAlsoLearns) {
  auto model = NewLinear(R"({"optimizer": "sgd", "learning_rate": 0.5})");
  const auto corpus = MakeTinyCorpus(40);
  ASSERT_OK(model->Fit(corpus.label_views(), corpus.text_views()));
  Prediction p;
  ASSERT_OK(model->Classify("free offer click", &p));
  EXPECT_EQ(p.label, "spam");
}

TEST(LinearTest, HingeLossCalibratesATemperatureOnHeldOutTexts) {
  const char* kHinge = R"({"loss": "hinge", "optimizer": "sgd", "learning_rate": 1, "l2": 5e-5})";
  auto model = NewLinear(kHinge);
  const auto corpus = MakeTinyCorpus(200);
  FitOptions options;
  options.epochs = 4;
  std::vector<FitProgress> seen;
  options.progress = [&](const FitProgress& p) { seen.push_back(p); };
  ASSERT_OK(model->Fit(corpus.label_views(), corpus.text_views(), options));
  EXPECT_EQ(model->version(), 1u);
  // Progress counts the trial on nine tenths, then the fit on everything, as one total.
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().total, (180u + 200u) * 4);
  EXPECT_EQ(seen.back().done, seen.back().total);
  Prediction p;
  ASSERT_OK(model->Classify("cheap pills and free money", &p));
  EXPECT_EQ(p.label, "spam");
  // A distribution, confident but not certain: the held-out texts are all separated, and the
  // smoothed targets keep the temperature finite.
  double sum = 0;
  for (double s : p.scores) sum += std::exp(s);
  EXPECT_NEAR(sum, 1.0, 1e-9);
  EXPECT_GT(p.confidence, 0.7);
  EXPECT_LT(p.confidence, 1.0 - 1e-6);
  // The temperature is part of the model: a saved and loaded model scores alike, and online
  // steps keep it.
  TempDir dir;
  ASSERT_OK(model->Save(dir.Sub("hinge.cfm")));
  std::shared_ptr<Model> loaded;
  ASSERT_OK(Model::Load(dir.Sub("hinge.cfm"), &loaded));
  EXPECT_EQ(ScoresOf(*loaded, "cheap pills"), ScoresOf(*model, "cheap pills"));
  ASSERT_OK(loaded->Train("ham", "the team lunch"));
  ASSERT_OK(loaded->Classify("cheap pills and free money", &p));
  EXPECT_EQ(p.label, "spam");
  // The same records read as a log-loss model's: the header's size is wrong.
  std::map<std::string, std::string> records = RecordMap(*model);
  records["o"] = RecordMap(*NewLinear())["o"];
  EXPECT_CODE(Model::FromRecords("lin", records, &loaded), kCorruption);
  // Too few texts to hold a tenth out: no calibration, the scores are the raw margins.
  auto small = NewLinear(kHinge);
  const auto few = MakeTinyCorpus(40);
  ASSERT_OK(small->Fit(few.label_views(), few.text_views()));
  ASSERT_OK(small->Classify("free offer click", &p));
  EXPECT_EQ(p.label, "spam");
}

TEST(LinearTest, DualStepsMeetEachMarginExactly) {
  // Online, C is 1 / (l2 · one text): each step is a passive-aggressive one, to the margin.
  auto model = NewLinear(R"({"loss": "hinge", "optimizer": "dual", "l2": 1e-5})");
  ASSERT_OK(model->Train("spam", "cheap pills"));
  ASSERT_OK(model->Train("ham", "team lunch"));
  // Scores are log-softmax (temperature 1 without a Fit): their difference is the margins',
  // ham's +1 against spam's -1.
  const std::vector<double> scores = ScoresOf(*model, "team lunch");
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_NEAR(scores[1] - scores[0], 2.0, 1e-5);
  // A batch fit, on both threads, learns the corpus.
  auto fitted = NewLinear(R"({"loss": "hinge", "optimizer": "dual", "l2": 1e-4})");
  const auto corpus = MakeTinyCorpus(200);
  ASSERT_OK(fitted->Fit(corpus.label_views(), corpus.text_views()));
  Prediction p;
  ASSERT_OK(fitted->Classify("cheap pills and free money", &p));
  EXPECT_EQ(p.label, "spam");
  ASSERT_OK(fitted->Classify("the team lunch notes", &p));
  EXPECT_EQ(p.label, "ham");
}

TEST(LinearTest, LossOptionIsChecked) {
  ModelOptions options;
  ASSERT_OK(ModelOptions::FromJson(R"({"loss": "squared"})", &options, "linear"));
  EXPECT_CODE(options.Validate(), kInvalidArgument);
  ASSERT_OK(ModelOptions::FromJson(R"({"loss": "hinge", "multilabel": true})", &options, "linear"));
  EXPECT_CODE(options.Validate(), kInvalidArgument);
  ASSERT_OK(ModelOptions::FromJson(R"({"optimizer": "dual"})", &options, "linear"));
  EXPECT_CODE(options.Validate(), kInvalidArgument);  // the dual is the hinge loss's
}

}  // namespace
}  // namespace classiflow
