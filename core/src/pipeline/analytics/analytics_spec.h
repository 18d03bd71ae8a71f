// A pipeline's "analytics" settings: what its aggregates keep and what its feedback does
// (docs/analytics.md).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "classiflow/status.h"

namespace classiflow {

struct PipelineSpec;

// An item is urgent when one of its classify stages (`stage`, or any) answered a label of
// `labels` with at least `min_confidence`, and, when `field` is set, it carries that field.
struct UrgentRule {
  std::vector<std::string> labels;  // sorted; empty = no urgent list
  double min_confidence = 0.0;
  std::string field;        // "" = any item
  std::string stage_name;   // "" = any classify stage
  uint16_t stage = 0xffff;  // resolved from stage_name (kNoStage = any)
};

// What feedback does to the model that answered.
enum class FeedbackTraining : uint8_t {
  kLater,   // kept; Retrain() trains on what was not trained yet
  kOnline,  // the model trains on it at once (a new version)
};

struct AnalyticsSpec {
  bool enabled = true;
  uint32_t histogram_bins = 10;  // confidence histogram over [0, 1]
  uint32_t minutes = 60;         // per-minute counts kept (the newest minutes)
  uint32_t hours = 48;           // per-hour counts kept
  UrgentRule urgent;
  uint32_t urgent_keep = 50;  // the newest urgent items kept
  uint32_t review_keep = 50;  // the least confident unanswered items kept
  FeedbackTraining training = FeedbackTraining::kLater;
  uint32_t alert_window = 100;  // accuracy over the last this many feedbacks...
  double alert_below = 0.8;     // ...below this raises the alert (0 = never)
  uint32_t alert_min = 20;      // once at least this many feedbacks are in the window
};

// Reads the "analytics" object of a spec. InvalidArgument naming the key.
Status ParseAnalyticsSpec(const nlohmann::json& value, AnalyticsSpec* out);
// Resolves the urgent rule's stage name against the stages. InvalidArgument when it names no
// classify stage.
Status ResolveAnalyticsSpec(PipelineSpec* spec);

}  // namespace classiflow
