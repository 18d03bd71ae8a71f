// PipelineSpec: a pipeline's spec parsed, checked and resolved to stage indices.
//
// ParseSpec() is the one place a spec is validated. Every error is InvalidArgument naming the
// stage and the field ("stage 'ids': extract: bad regex for 'price': ..."). Models are checked
// through a lookup so the parser needs no Engine.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/status.h"
#include "pipeline/analytics/analytics_spec.h"

namespace classiflow {

class Extractor;

enum class StageKind : uint8_t { kClassify, kExtract, kValidate, kEnrich, kSink };
enum class Durability : uint8_t { kNone, kBuffered, kSync };

const char* StageKindName(StageKind kind);
const char* DurabilityName(Durability durability);

inline constexpr uint16_t kNoStage = 0xffff;
inline constexpr size_t kMaxStages = 256;

struct ClassifyStageSpec {
  std::string model;
  std::vector<std::pair<std::string, uint16_t>> routes;  // label -> stage, sorted by label
  uint16_t other = kNoStage;                             // "*", else `next`
  double min_confidence = -1.0;                          // < 0: none
  uint16_t fallback = kNoStage;
};

struct ExtractStageSpec {
  struct Pattern {
    std::string name;
    std::string regex;  // "" for a built-in
    std::shared_ptr<const Extractor> extractor;
  };
  std::vector<Pattern> patterns;
};

struct ValidateStageSpec {
  struct Check {
    std::string field;
    std::string check;     // built-in check name ("gtin", "isbn"), or ""
    std::string callback;  // a registered validator's name, or ""
    bool (*builtin)(std::string_view) = nullptr;
  };
  std::vector<Check> checks;
  uint16_t on_valid = kNoStage;  // default: next
  uint16_t on_invalid = kNoStage;
  uint16_t on_absent = kNoStage;
};

struct StageSpec {
  std::string name;
  StageKind kind = StageKind::kSink;
  uint16_t next = kNoStage;
  ClassifyStageSpec classify;
  ExtractStageSpec extract;
  ValidateStageSpec validate;
  std::string callback;    // enrich
  int64_t ttl_s = 0;       // sink; 0 = forever
  bool keep_text = false;  // sink: the result keeps the item's text (for feedback training)
  std::string sqlite;      // sink: the SQLite file its results are mirrored to ("" = none)
  // Every stage an item may go to from here (deduplicated).
  std::vector<uint16_t> Successors() const;
  // Enrich stages, and validate stages with a callback check, run user code: their attempts
  // are made durable before they run.
  bool is_callback() const {
    if (kind == StageKind::kEnrich) return true;
    if (kind != StageKind::kValidate) return false;
    for (const auto& check : validate.checks) {
      if (!check.callback.empty()) return true;
    }
    return false;
  }
};

struct PipelineSpec {
  std::vector<StageSpec> stages;
  uint16_t entry = 0;
  Durability durability = Durability::kBuffered;
  size_t batch_max_items = 1024;
  int64_t batch_max_delay_ms = 5;
  size_t max_in_flight = 65536;
  uint32_t max_attempts = 3;
  int64_t retry_initial_ms = 100;
  int64_t retry_max_ms = 30000;
  int callback_concurrency = 0;  // 0 = the engine's thread count
  AnalyticsSpec analytics;
  std::string canonical_json;  // the spec as stored

  // The index of the stage named `name`, or kNoStage.
  uint16_t Find(std::string_view name) const;
  bool uses_validator(std::string_view callback) const;
  bool uses_enrich(std::string_view callback) const;
};

// True when a model of that name exists (the parser's view of the engine).
using ModelExists = std::function<bool(std::string_view model)>;

// Parses and checks `json`. `model_exists` null skips the model check (reopening a stored
// spec: a missing model is then a per-item failure, not a refusal to open).
Status ParseSpec(std::string_view json, const ModelExists& model_exists, PipelineSpec* out);

// A pipeline name: 1..128 bytes, printable ASCII letters, digits, '_', '-', '.'.
Status CheckPipelineName(std::string_view name);

}  // namespace classiflow
