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

std::string PipelineImpl::StatsJson() const {
  const PipelineStats s = Stats();
  json stages = json::array();
  for (const PipelineStageStats& st : s.stages) {
    stages.push_back(
        {{"name", st.name},
         {"kind", st.kind},
         {"processed", st.processed},
         {"errors", st.errors},
         {"latency_ms", {{"p50", st.p50_ms}, {"p95", st.p95_ms}, {"p99", st.p99_ms}}}});
  }
  json out = {{"pipeline", name_},
              {"submitted", s.submitted},
              {"duplicates", s.duplicates},
              {"completed", s.completed},
              {"dead_letters", s.dead_letters},
              {"retries", s.retries},
              {"callback_errors", s.callback_errors},
              {"in_flight", s.in_flight},
              {"queue_depth", s.queue_depth},
              {"commits", s.commits},
              {"latency_ms", {{"p50", s.p50_ms}, {"p95", s.p95_ms}, {"p99", s.p99_ms}}},
              {"stages", std::move(stages)}};
  return out.dump(-1, ' ', false, kReplace);
}

std::string PipelineImpl::MetricsText() const {
  const PipelineStats s = Stats();
  std::ostringstream out;
  const std::string label = "pipeline=\"" + name_ + "\"";
  const auto counter = [&](const char* name, const char* help, uint64_t value) {
    out << "# HELP classiflow_pipeline_" << name << " " << help << "\n"
        << "# TYPE classiflow_pipeline_" << name << " counter\n"
        << "classiflow_pipeline_" << name << "{" << label << "} " << value << "\n";
  };
  const auto gauge = [&](const char* name, const char* help, uint64_t value) {
    out << "# HELP classiflow_pipeline_" << name << " " << help << "\n"
        << "# TYPE classiflow_pipeline_" << name << " gauge\n"
        << "classiflow_pipeline_" << name << "{" << label << "} " << value << "\n";
  };
  counter("submitted_total", "Items submitted (duplicates included).", s.submitted);
  counter("duplicates_total", "Submissions of an id already in flight or done.", s.duplicates);
  counter("completed_total", "Results committed.", s.completed);
  counter("dead_letters_total", "Items dead-lettered.", s.dead_letters);
  counter("retries_total", "Attempts scheduled after a failure.", s.retries);
  counter("callback_errors_total", "Callbacks that failed or threw.", s.callback_errors);
  counter("commits_total", "Write batches committed.", s.commits);
  gauge("in_flight", "Items accepted and not yet terminal.", s.in_flight);
  gauge("queue_depth", "Items waiting in the store for a callback or a retry.", s.queue_depth);
  out << "# HELP classiflow_pipeline_latency_seconds Submit to committed result.\n"
      << "# TYPE classiflow_pipeline_latency_seconds summary\n";
  for (auto [q, v] : {std::pair{"0.5", s.p50_ms}, {"0.95", s.p95_ms}, {"0.99", s.p99_ms}}) {
    out << "classiflow_pipeline_latency_seconds{" << label << ",quantile=\"" << q << "\"} "
        << v / 1000.0 << "\n";
  }
  out << "# HELP classiflow_pipeline_stage_processed_total Items a stage processed.\n"
      << "# TYPE classiflow_pipeline_stage_processed_total counter\n";
  for (const auto& st : s.stages) {
    out << "classiflow_pipeline_stage_processed_total{" << label << ",stage=\"" << st.name << "\"} "
        << st.processed << "\n";
  }
  out << "# HELP classiflow_pipeline_stage_errors_total Stage failures.\n"
      << "# TYPE classiflow_pipeline_stage_errors_total counter\n";
  for (const auto& st : s.stages) {
    out << "classiflow_pipeline_stage_errors_total{" << label << ",stage=\"" << st.name << "\"} "
        << st.errors << "\n";
  }
  out << "# HELP classiflow_pipeline_stage_latency_seconds Time per item in a stage.\n"
      << "# TYPE classiflow_pipeline_stage_latency_seconds summary\n";
  for (const auto& st : s.stages) {
    for (auto [q, v] : {std::pair{"0.5", st.p50_ms}, {"0.95", st.p95_ms}, {"0.99", st.p99_ms}}) {
      out << "classiflow_pipeline_stage_latency_seconds{" << label << ",stage=\"" << st.name
          << "\",quantile=\"" << q << "\"} " << v / 1000.0 << "\n";
    }
  }
  std::string text = out.str();
  if (spec_.analytics.enabled) {
    Aggregates view(spec_);
    if (view.Load(*Published()).ok()) view.AppendMetrics(label, &text);
  }
  return text;
}

}  // namespace classiflow
