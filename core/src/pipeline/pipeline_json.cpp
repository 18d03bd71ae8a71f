// Rendering: results and dead letters as JSON, stats as JSON and as Prometheus text.
#include <nlohmann/json.hpp>
#include <sstream>

#include "pipeline/pipeline_impl.h"

namespace classiflow {
namespace {

using nlohmann::json;

constexpr auto kReplace = json::error_handler_t::replace;

// Field values are JSON text; anything unparsable (it cannot come from classiflow) is kept
// as a string rather than lost.
json ParseField(const std::string& text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? json(text) : value;
}

json Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

}  // namespace

std::string PipelineResult::ToJson() const {
  json out = {{"id", id}, {"route", route}, {"attempts", attempts}};
  json predictions = json::object();
  for (const StagePrediction& p : this->predictions) {
    predictions[p.stage] = {{"label", p.label.empty() ? json() : json(p.label)},
                            {"confidence", p.confidence},
                            {"model", p.model},
                            {"version", p.version}};
  }
  out["predictions"] = std::move(predictions);
  json f = json::object();
  for (const Field& field : fields) f[field.name] = ParseField(field.json);
  out["fields"] = std::move(f);
  json v = json::object();
  for (const auto& [name, ok] : valid) v[name] = ok;
  out["valid"] = std::move(v);
  out["meta"] = meta.empty() ? json() : ParseField(meta);
  if (!text.empty()) out["text"] = text;
  out["submitted_at"] = Seconds(submitted_at_ms);
  out["done_at"] = Seconds(done_at_ms);
  out["expires_at"] = expires_at_ms == 0 ? json() : Seconds(expires_at_ms);
  return out.dump(-1, ' ', false, kReplace);
}

std::string DeadLetter::ToJson() const {
  json out = {{"id", id},
              {"text", text},
              {"meta", meta.empty() ? json() : ParseField(meta)},
              {"stage", stage},
              {"error", error},
              {"attempts", attempts},
              {"submitted_at", Seconds(submitted_at_ms)},
              {"failed_at", Seconds(failed_at_ms)}};
  return out.dump(-1, ' ', false, kReplace);
}

PipelineStats PipelineImpl::Stats() const {
  PipelineStats s;
  s.submitted = metrics_.submitted.load();
  s.duplicates = metrics_.duplicates.load();
  s.completed = metrics_.completed.load();
  s.dead_letters = metrics_.dead_letters.load();
  s.retries = metrics_.retries.load();
  s.callback_errors = metrics_.callback_errors.load();
  s.commits = metrics_.commits.load();
  s.queue_depth = metrics_.queue_depth.load();
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.in_flight = in_flight_;
  }
  s.p50_ms = metrics_.end_to_end.QuantileMs(0.50);
  s.p95_ms = metrics_.end_to_end.QuantileMs(0.95);
  s.p99_ms = metrics_.end_to_end.QuantileMs(0.99);
  for (size_t i = 0; i < spec_.stages.size(); ++i) {
    const StageMetrics& m = metrics_.stages[i];
    s.stages.push_back({spec_.stages[i].name, StageKindName(spec_.stages[i].kind),
                        m.processed.load(), m.errors.load(), m.latency.QuantileMs(0.50),
                        m.latency.QuantileMs(0.95), m.latency.QuantileMs(0.99)});
  }
  return s;
}

std::string PipelineImpl::StatsJson() const { return StatsToJson(name_, Stats()); }

std::string PipelineImpl::MetricsText() const {
  const std::shared_ptr<const AnalyticsRecords> records = Published();
  return stored_.MetricsText(Stats(), records.get());
}

}  // namespace classiflow
