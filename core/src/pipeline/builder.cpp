// PipelineBuilder: a spec's JSON from C++ calls; ParseSpec() checks it when the pipeline is
// created, so the builder itself only assembles.
#include <deque>
#include <nlohmann/json.hpp>

#include "classiflow/pipeline.h"

namespace classiflow {

using nlohmann::json;

struct PipelineBuilder::Impl {
  json settings = json::object();
  std::deque<json> stage_json;  // deque: Stage handles point into it
  std::deque<Stage> stages;
};

namespace {
json& J(void* p) { return *static_cast<json*>(p); }
}  // namespace

PipelineBuilder::Stage& PipelineBuilder::Stage::Route(std::string_view label,
                                                      std::string_view next) {
  J(json_)["routes"][std::string(label)] = std::string(next);
  return *this;
}
PipelineBuilder::Stage& PipelineBuilder::Stage::Next(std::string_view next) {
  J(json_)["next"] = std::string(next);
  return *this;
}
PipelineBuilder::Stage& PipelineBuilder::Stage::MinConfidence(double min_confidence,
                                                              std::string_view fallback) {
  J(json_)["min_confidence"] = min_confidence;
  J(json_)["fallback"] = std::string(fallback);
  return *this;
}
PipelineBuilder::Stage& PipelineBuilder::Stage::Pattern(std::string_view name,
                                                        std::string_view regex) {
  J(json_)["extract"].push_back({{std::string(name), std::string(regex)}});
  return *this;
}
PipelineBuilder::Stage& PipelineBuilder::Stage::Callback(std::string_view field,
                                                         std::string_view callback) {
  J(json_)
  ["validate"].push_back({{"field", std::string(field)}, {"callback", std::string(callback)}});
  return *this;
}
PipelineBuilder::Stage& PipelineBuilder::Stage::OnValid(std::string_view next) {
  J(json_)["on_valid"] = std::string(next);
  return *this;
}
PipelineBuilder::Stage& PipelineBuilder::Stage::OnInvalid(std::string_view next) {
  J(json_)["on_invalid"] = std::string(next);
  return *this;
}
PipelineBuilder::Stage& PipelineBuilder::Stage::OnAbsent(std::string_view next) {
  J(json_)["on_absent"] = std::string(next);
  return *this;
}

PipelineBuilder::PipelineBuilder() : impl_(std::make_unique<Impl>()) {}
PipelineBuilder::~PipelineBuilder() = default;

namespace {
PipelineBuilder::Stage& Add(std::deque<json>& jsons, std::deque<PipelineBuilder::Stage>& stages,
                            json stage, PipelineBuilder::Stage (*make)(void*)) {
  jsons.push_back(std::move(stage));
  stages.push_back(make(&jsons.back()));
  return stages.back();
}
}  // namespace

PipelineBuilder::Stage& PipelineBuilder::Classify(std::string_view name, std::string_view model) {
  return Add(impl_->stage_json, impl_->stages,
             {{"name", std::string(name)}, {"classify", std::string(model)}},
             [](void* p) { return Stage(p); });
}
PipelineBuilder::Stage& PipelineBuilder::Extract(std::string_view name,
                                                 std::vector<std::string> builtins) {
  json list = json::array();
  for (auto& b : builtins) list.push_back(std::move(b));
  return Add(impl_->stage_json, impl_->stages, {{"name", std::string(name)}, {"extract", list}},
             [](void* p) { return Stage(p); });
}
PipelineBuilder::Stage& PipelineBuilder::Validate(std::string_view name,
                                                  std::vector<std::string> checks) {
  json list = json::array();
  for (auto& c : checks) list.push_back(std::move(c));
  return Add(impl_->stage_json, impl_->stages, {{"name", std::string(name)}, {"validate", list}},
             [](void* p) { return Stage(p); });
}
PipelineBuilder::Stage& PipelineBuilder::Enrich(std::string_view name, std::string_view callback) {
  return Add(impl_->stage_json, impl_->stages,
             {{"name", std::string(name)}, {"enrich", std::string(callback)}},
             [](void* p) { return Stage(p); });
}
PipelineBuilder::Stage& PipelineBuilder::Sink(std::string_view name, int64_t ttl_s) {
  json sink = json::object();
  if (ttl_s > 0) sink["ttl_s"] = ttl_s;
  return Add(impl_->stage_json, impl_->stages, {{"name", std::string(name)}, {"sink", sink}},
             [](void* p) { return Stage(p); });
}

PipelineBuilder& PipelineBuilder::Set(std::string_view key, std::string_view json_value) {
  impl_->settings[std::string(key)] = json::parse(json_value, nullptr, false);
  return *this;
}

PipelineBuilder& PipelineBuilder::Batch(size_t max_items, int64_t max_delay_ms) {
  impl_->settings["batch"] = {{"max_items", max_items}, {"max_delay_ms", max_delay_ms}};
  return *this;
}

std::string PipelineBuilder::Json() const {
  json spec = impl_->settings;
  spec["stages"] = json::array();
  for (const json& stage : impl_->stage_json) spec["stages"].push_back(stage);
  return spec.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace classiflow
