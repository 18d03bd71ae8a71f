// A tiny two-label corpus the model tests train on, and a model maker.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/model.h"

namespace classiflow::testing {

// A model of `kind` made from options JSON (ModelOptions::FromJson) with `hash_bits`; a test
// failure (and null) when they are refused.
inline std::shared_ptr<Model> MakeModel(std::string_view kind, const std::string& json,
                                        int hash_bits, const std::string& name) {
  ModelOptions options;
  Status s = ModelOptions::FromJson(json, &options, kind);
  EXPECT_TRUE(s.ok()) << s.ToString();
  options.analyzer.hash_bits = hash_bits;
  std::shared_ptr<Model> model;
  s = Model::Create(name, options, &model);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return model;
}

// Two models hold the same records (the same learned state, byte for byte).
inline void ExpectSameRecords(const Model& a, const Model& b) {
  ModelRecords ra, rb;
  a.AllRecords(&ra);
  b.AllRecords(&rb);
  EXPECT_EQ(ra.puts, rb.puts);
}

struct TinyCorpus {
  std::vector<std::string> labels;
  std::vector<std::string> texts;

  std::vector<std::string_view> label_views() const { return {labels.begin(), labels.end()}; }
  std::vector<std::string_view> text_views() const { return {texts.begin(), texts.end()}; }
};

// `n` documents, alternating spam / ham, with a few distinctive words per label.
inline TinyCorpus MakeTinyCorpus(int n) {
  static const char* kSpam[] = {"cheap pills now", "win money fast", "free offer click",
                                "cheap viagra deal", "claim your prize money"};
  static const char* kHam[] = {"meeting notes attached", "lunch tomorrow with the team",
                               "project schedule update", "the quarterly report draft",
                               "notes from the team meeting"};
  TinyCorpus corpus;
  for (int i = 0; i < n; ++i) {
    const bool spam = i % 2 == 0;
    corpus.labels.push_back(spam ? "spam" : "ham");
    corpus.texts.push_back(std::string(spam ? kSpam[(i / 2) % 5] : kHam[(i / 2) % 5]) + " " +
                           std::to_string(i % 7));
  }
  return corpus;
}

}  // namespace classiflow::testing
