// An engine in a temporary data directory with two small trained models, and helpers to run
// pipelines on it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "classiflow/engine.h"
#include "classiflow/open.h"
#include "classiflow/pipeline.h"
#include "test_util.h"

namespace classiflow::testing {

// "sentiment": pos / neg, "topic": tech / food. Texts with "good"/"great" are pos, with
// "bad"/"awful" neg; "phone"/"laptop" tech, "pizza"/"bread" food.
inline void TrainModels(Engine& engine) {
  std::shared_ptr<Model> sentiment, topic;
  ModelOptions options;
  ASSERT_OK(engine.CreateModel("sentiment", options, &sentiment));
  ASSERT_OK(engine.CreateModel("topic", options, &topic));
  std::vector<std::string_view> labels, texts;
  for (int i = 0; i < 20; ++i) {
    labels.insert(labels.end(), {"pos", "pos", "neg", "neg"});
    texts.insert(texts.end(),
                 {"good great fine", "great good nice", "bad awful poor", "awful bad terrible"});
  }
  ASSERT_OK(sentiment->TrainBatch(labels, texts));
  labels.clear();
  texts.clear();
  for (int i = 0; i < 20; ++i) {
    labels.insert(labels.end(), {"tech", "tech", "food", "food"});
    texts.insert(texts.end(), {"phone laptop screen", "laptop phone battery", "pizza bread cheese",
                               "bread pizza oven"});
  }
  ASSERT_OK(topic->TrainBatch(labels, texts));
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    TrainModels(*engine_);
  }
  void Open(EngineOptions options = {}) {
    ASSERT_OK(OpenEngine(dir_.Sub("data"), options, &engine_));
  }
  void Reopen(EngineOptions options = {}) {
    ASSERT_OK(engine_->Close());
    engine_.reset();
    Open(options);
  }
  std::shared_ptr<Pipeline> Create(const std::string& name, const std::string& spec) {
    std::shared_ptr<Pipeline> p;
    Status s = engine_->CreatePipeline(name, spec, &p);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return p;
  }
  std::shared_ptr<Pipeline> Get(const std::string& name) {
    std::shared_ptr<Pipeline> p;
    Status s = engine_->GetPipeline(name, &p);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return p;
  }

  TempDir dir_;
  std::unique_ptr<Engine> engine_;
};

// A sentiment service: classify, then one sink per label.
inline const char* kSentimentSpec = R"({
  "stages": [
    {"name": "sentiment", "classify": "sentiment", "routes": {"pos": "happy", "*": "unhappy"}},
    {"name": "happy", "sink": {}},
    {"name": "unhappy", "sink": {"ttl_s": 3600}}
  ]
})";

}  // namespace classiflow::testing
