// Explanation: which n-grams of a text moved its prediction, for every model kind.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "classiflow/export.h"
#include "classiflow/snapshot.h"

namespace classiflow {

struct FeatureWeight {
  std::string ngram;   // the n-gram (its words joined by a space) that produced the feature
  uint32_t feature;    // its hashed id (several n-grams may share one: the first is named)
  uint32_t count = 0;  // occurrences in the text (0 in Model::TopFeatures)
  double weight = 0;   // Explain: what it adds to the log-odds of `label` against `versus`;
                       // TopFeatures: its weight for the label less its mean for the others
};

struct CLASSIFLOW_EXPORT Explanation {
  std::string label;    // the most probable label
  std::string versus;   // the runner-up; "" for a model of one label
  double log_odds = 0;  // raw score of label minus raw score of versus (their log-odds)
  double base = 0;      // the part of log_odds no feature gives (priors, biases)
  std::vector<FeatureWeight> features;  // by |weight|, largest first; base + all weights = log_odds
  std::shared_ptr<const Snapshot> snapshot;  // the version that answered

  // {"label", "versus" (null for one label), "log_odds", "base", "version",
  //  "features": [{"ngram", "feature", "count", "weight"}, ...]}
  std::string ToJson() const;
};

}  // namespace classiflow
