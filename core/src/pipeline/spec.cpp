#include "pipeline/spec.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "extract/check_digits.h"
#include "extract/extractor.h"
#include "pipeline/spec_graph.h"
#include "pipeline/spec_settings.h"
#include "util/json_options.h"

namespace classiflow {
namespace {

using nlohmann::json;

// Errors of one stage name it; `field` is the key being read.
Status StageError(const StageSpec& stage, std::string_view field, std::string_view message) {
  return Status::InvalidArgument("pipeline spec: stage " + QuotePrefix(stage.name) + ": " +
                                 std::string(field) + ": " + std::string(message));
}

Status SpecError(std::string_view field, std::string_view message) {
  return Status::InvalidArgument("pipeline spec: " + std::string(field) + ": " +
                                 std::string(message));
}

Status GetString(const json& value, std::string_view what, std::string* out) {
  if (!value.is_string()) return Status::InvalidArgument(std::string(what) + " must be a string");
  *out = value.get<std::string>();
  return Status::OK();
}

// Stage references are resolved after every stage is known.
struct Pending {
  uint16_t* slot;
  std::string target;
  size_t stage;
  std::string field;
};

class Parser {
 public:
  Parser(const ModelExists& model_exists, PipelineSpec* out)
      : model_exists_(model_exists), out_(out) {}

  Status Parse(const json& doc);

 private:
  Status ParseStages(const json& stages);
  Status ParseStage(const json& value, size_t index);
  Status ParseKind(const json& value, StageSpec* stage, size_t index);
  Status ParseClassify(const json& value, StageSpec* stage, size_t index);
  Status ParseExtract(const json& value, StageSpec* stage);
  Status ParseValidate(const json& value, StageSpec* stage, size_t index);
  Status ParseSink(const json& value, StageSpec* stage);
  void Refer(uint16_t* slot, const json& target, size_t stage, std::string field) {
    pending_.push_back(
        {slot, target.is_string() ? target.get<std::string>() : "", stage, std::move(field)});
  }
  Status Resolve();

  const ModelExists& model_exists_;
  PipelineSpec* out_;
  std::vector<Pending> pending_;
  std::string entry_;
};

Status Parser::Parse(const json& doc) {
  if (!doc.is_object()) return SpecError("spec", "must be a JSON object");
  auto stages = doc.find("stages");
  if (stages == doc.end()) return SpecError("stages", "missing");
  CF_RETURN_IF_ERROR(ParseStages(*stages));
  CF_RETURN_IF_ERROR(ParseSpecSettings(doc, out_, &entry_));
  CF_RETURN_IF_ERROR(Resolve());
  CF_RETURN_IF_ERROR(ResolveAnalyticsSpec(out_));
  return CheckGraph(*out_);
}

Status Parser::ParseStages(const json& stages) {
  if (!stages.is_array() || stages.empty()) return SpecError("stages", "must be a non-empty list");
  if (stages.size() > kMaxStages) {
    return SpecError("stages", "more than " + std::to_string(kMaxStages) + " stages");
  }
  out_->stages.resize(stages.size());
  for (size_t i = 0; i < stages.size(); ++i) CF_RETURN_IF_ERROR(ParseStage(stages[i], i));
  for (size_t i = 0; i < out_->stages.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (out_->stages[i].name == out_->stages[j].name) {
        return StageError(out_->stages[i], "name", "two stages have this name");
      }
    }
  }
  return Status::OK();
}

Status Parser::ParseStage(const json& value, size_t index) {
  StageSpec& stage = out_->stages[index];
  stage.name = "#" + std::to_string(index);
  if (!value.is_object())
    return SpecError("stages[" + std::to_string(index) + "]", "not an object");
  auto name = value.find("name");
  if (name == value.end()) return StageError(stage, "name", "missing");
  CF_RETURN_IF_ERROR(GetString(*name, "stage name", &stage.name));
  if (stage.name.empty() || stage.name.size() > 128 || stage.name == "*") {
    return StageError(stage, "name", "must be 1..128 bytes and not '*'");
  }
  return ParseKind(value, &stage, index);
}

Status Parser::ParseKind(const json& value, StageSpec* stage, size_t index) {
  static constexpr std::string_view kKinds[] = {"classify", "extract", "validate", "enrich",
                                                "sink"};
  int kinds = 0;
  for (const auto& item : value.items()) {
    const std::string& key = item.key();
    if (std::find(std::begin(kKinds), std::end(kKinds), key) != std::end(kKinds)) {
      ++kinds;
    } else if (key != "name" && key != "next" && key != "routes" && key != "min_confidence" &&
               key != "fallback" && key != "on_valid" && key != "on_invalid" &&
               key != "on_absent") {
      return StageError(*stage, key, "unknown key");
    }
  }
  if (kinds != 1) {
    return StageError(*stage, "kind",
                      "a stage has exactly one of classify, extract, validate, enrich, sink");
  }
  if (auto next = value.find("next"); next != value.end()) {
    if (!next->is_string()) return StageError(*stage, "next", "must be a stage name");
    Refer(&stage->next, *next, index, "next");
  }
  if (value.contains("classify")) return ParseClassify(value, stage, index);
  for (const char* key : {"routes", "min_confidence", "fallback"}) {
    if (value.contains(key)) return StageError(*stage, key, "only classify stages have it");
  }
  if (value.contains("extract")) {
    stage->kind = StageKind::kExtract;
    return ParseExtract(value["extract"], stage);
  }
  if (value.contains("validate")) return ParseValidate(value, stage, index);
  for (const char* key : {"on_valid", "on_invalid", "on_absent"}) {
    if (value.contains(key)) return StageError(*stage, key, "only validate stages have it");
  }
  if (value.contains("enrich")) {
    stage->kind = StageKind::kEnrich;
    CF_RETURN_IF_ERROR(GetString(value["enrich"], "enrich (a callback name)", &stage->callback));
    if (stage->callback.empty()) return StageError(*stage, "enrich", "empty callback name");
    return Status::OK();
  }
  stage->kind = StageKind::kSink;
  if (value.contains("next")) return StageError(*stage, "next", "a sink is the end of a route");
  return ParseSink(value["sink"], stage);
}

Status Parser::ParseClassify(const json& value, StageSpec* stage, size_t index) {
  stage->kind = StageKind::kClassify;
  ClassifyStageSpec& c = stage->classify;
  Status s = GetString(value["classify"], "classify (a model name)", &c.model);
  if (!s.ok()) return StageError(*stage, "classify", s.message());
  if (model_exists_ && !model_exists_(c.model)) {
    return StageError(*stage, "classify", "unknown model " + QuotePrefix(c.model));
  }
  if (auto routes = value.find("routes"); routes != value.end()) {
    if (!routes->is_object()) return StageError(*stage, "routes", "must map labels to stages");
    c.routes.reserve(routes->size());
    for (const auto& route : routes->items()) {
      if (!route.value().is_string()) {
        return StageError(*stage, "routes",
                          "label " + QuotePrefix(route.key()) + " must map to a stage name");
      }
      if (route.key() == "*") {
        Refer(&c.other, route.value(), index, "routes['*']");
      } else {
        c.routes.emplace_back(route.key(), kNoStage);
      }
    }
    size_t i = 0;  // nlohmann keeps object keys sorted, so c.routes is sorted too
    for (const auto& route : routes->items()) {
      if (route.key() != "*") {
        Refer(&c.routes[i++].second, route.value(), index, "routes[" + route.key() + "]");
      }
    }
  }
  if (auto min = value.find("min_confidence"); min != value.end()) {
    if (!min->is_number() || !(min->get<double>() >= 0.0 && min->get<double>() <= 1.0)) {
      return StageError(*stage, "min_confidence", "must be a number in [0, 1]");
    }
    c.min_confidence = min->get<double>();
    auto fallback = value.find("fallback");
    if (fallback == value.end() || !fallback->is_string()) {
      return StageError(*stage, "fallback", "min_confidence needs a fallback stage");
    }
    Refer(&c.fallback, *fallback, index, "fallback");
  } else if (value.contains("fallback")) {
    return StageError(*stage, "fallback", "a fallback needs min_confidence");
  }
  return Status::OK();
}

Status Parser::ParseExtract(const json& value, StageSpec* stage) {
  if (!value.is_array() || value.empty()) {
    return StageError(*stage, "extract", "must be a non-empty list of pattern names");
  }
  for (const json& entry : value) {
    ExtractStageSpec::Pattern pattern;
    std::unique_ptr<Extractor> extractor;
    Status s;
    if (entry.is_string()) {
      pattern.name = entry.get<std::string>();
      s = Extractor::Builtin(pattern.name, &extractor);
    } else if (entry.is_object() && entry.size() == 1 && entry.begin().value().is_string()) {
      pattern.name = entry.begin().key();
      pattern.regex = entry.begin().value().get<std::string>();
      s = Extractor::Custom(pattern.name, pattern.regex, &extractor);
    } else {
      return StageError(*stage, "extract", "an entry is a built-in name or {name: regex}");
    }
    if (!s.ok()) return StageError(*stage, "extract", s.message());
    for (const auto& other : stage->extract.patterns) {
      if (other.name == pattern.name) {
        return StageError(*stage, "extract", "field " + QuotePrefix(pattern.name) + " twice");
      }
    }
    pattern.extractor = std::move(extractor);
    stage->extract.patterns.push_back(std::move(pattern));
  }
  return Status::OK();
}

Status Parser::ParseValidate(const json& value, StageSpec* stage, size_t index) {
  stage->kind = StageKind::kValidate;
  const json& checks = value["validate"];
  if (!checks.is_array() || checks.empty()) {
    return StageError(*stage, "validate", "must be a non-empty list of checks");
  }
  for (const json& entry : checks) {
    ValidateStageSpec::Check check;
    if (entry.is_string()) {
      check.field = check.check = entry.get<std::string>();
    } else if (entry.is_object() && entry.contains("field") && entry["field"].is_string() &&
               entry.size() == 2 && (entry.contains("check") || entry.contains("callback"))) {
      check.field = entry["field"].get<std::string>();
      const json& how = entry.contains("check") ? entry["check"] : entry["callback"];
      if (!how.is_string() || how.get<std::string>().empty()) {
        return StageError(*stage, "validate", "check / callback must be a non-empty name");
      }
      (entry.contains("check") ? check.check : check.callback) = how.get<std::string>();
    } else {
      return StageError(*stage, "validate",
                        "an entry is a check name or {\"field\", \"check\" | \"callback\"}");
    }
    if (!check.check.empty() && !FindCheck(check.check, &check.builtin)) {
      return StageError(*stage, "validate",
                        "unknown check " + QuotePrefix(check.check) + " (gtin, ean, upc, isbn)");
    }
    stage->validate.checks.push_back(std::move(check));
  }
  for (auto [key, slot] : {std::pair{"on_valid", &stage->validate.on_valid},
                           std::pair{"on_invalid", &stage->validate.on_invalid},
                           std::pair{"on_absent", &stage->validate.on_absent}}) {
    if (auto target = value.find(key); target != value.end()) {
      if (!target->is_string()) return StageError(*stage, key, "must be a stage name");
      Refer(slot, *target, index, key);
    }
  }
  return Status::OK();
}

Status Parser::ParseSink(const json& value, StageSpec* stage) {
  if (value.is_null()) return Status::OK();
  if (!value.is_object())
    return StageError(*stage, "sink", "must be an object ({} or {ttl_s, keep_text, sqlite})");
  for (const auto& item : value.items()) {
    if (item.key() == "ttl_s") {
      Status s = JsonToInteger(item.key(), item.value(), &stage->ttl_s);
      if (!s.ok() || stage->ttl_s < 0) return StageError(*stage, "sink.ttl_s", "must be >= 0");
    } else if (item.key() == "keep_text") {
      if (!item.value().is_boolean()) {
        return StageError(*stage, "sink.keep_text", "must be true or false");
      }
      stage->keep_text = item.value().get<bool>();
    } else if (item.key() == "sqlite") {
      const json& file = item.value();
      if (!file.is_string() || file.get_ref<const std::string&>().empty() ||
          file.get_ref<const std::string&>().find('\0') != std::string::npos) {
        return StageError(*stage, "sink.sqlite",
                          "must name a file (absolute, or relative to the data directory)");
      }
      stage->sqlite = file.get<std::string>();
    } else {
      return StageError(*stage, "sink." + item.key(), "unknown key");
    }
  }
  return Status::OK();
}

Status Parser::Resolve() {
  for (const Pending& p : pending_) {
    const uint16_t target = out_->Find(p.target);
    if (target == kNoStage) {
      return StageError(out_->stages[p.stage], p.field, "unknown stage " + QuotePrefix(p.target));
    }
    *p.slot = target;
  }
  if (!entry_.empty()) {
    out_->entry = out_->Find(entry_);
    if (out_->entry == kNoStage) return SpecError("entry", "unknown stage " + QuotePrefix(entry_));
  }
  for (StageSpec& stage : out_->stages) {
    if (stage.kind == StageKind::kClassify && stage.classify.other == kNoStage) {
      stage.classify.other = stage.next;
    }
  }
  return Status::OK();
}

}  // namespace

Status ParseSpec(std::string_view text, const ModelExists& model_exists, PipelineSpec* out) {
  *out = PipelineSpec();
  std::string_view key;
  CF_RETURN_IF_ERROR(json_detail::PreScan(text, "pipeline spec", text.size(), &key));
  json doc;
  CF_RETURN_IF_ERROR(json_detail::Parse(text, "pipeline spec", &doc));
  Parser parser(model_exists, out);
  CF_RETURN_IF_ERROR(parser.Parse(doc));
  out->canonical_json = doc.dump();
  return Status::OK();
}

}  // namespace classiflow
