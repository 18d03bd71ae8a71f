// StoredPipeline: a pipeline's stored records read back (see stored_pipeline.h), and the stats
// snapshot rendered and parsed.
#include "pipeline/stored_pipeline.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "pipeline/clock.h"
#include "pipeline/records.h"

namespace classiflow {
namespace {

using nlohmann::json;

constexpr auto kReplace = json::error_handler_t::replace;

json Latency(double p50, double p95, double p99) {
  return {{"p50", p50}, {"p95", p95}, {"p99", p99}};
}

void ReadLatency(const json& doc, double* p50, double* p95, double* p99) {
  const json& l = doc.at("latency_ms");
  *p50 = l.at("p50").get<double>();
  *p95 = l.at("p95").get<double>();
  *p99 = l.at("p99").get<double>();
}

}  // namespace

Status StoredPipeline::GetResult(std::string_view id, PipelineResult* out) const {
  std::string value;
  Status s = store_->Get(KeySpace::kResults, ItemKey(name_, id), &value);
  if (s.code() == Status::Code::kNotFound) {
    return Status::NotFound("pipeline '" + name_ + "' has no result for id '" + std::string(id) +
                            "'");
  }
  CF_RETURN_IF_ERROR(s);
  CF_RETURN_IF_ERROR(DecodeResult(id, value, *spec_, out));
  if (out->expires_at_ms != 0 && out->expires_at_ms <= NowMs()) {
    return Status::NotFound("the result for id '" + std::string(id) + "' has expired");
  }
  return Status::OK();
}

Status StoredPipeline::NewestResults(size_t n, std::vector<PipelineResult>* out) const {
  out->clear();
  if (n == 0) return Status::OK();
  const std::string prefix = ItemKey(name_, "");
  const int64_t now = NowMs();
  bool enough = false;
  Status s =
      store_->Scan(KeySpace::kPipelineLog, ScanRange{prefix, "", 0, true},
                   [&](std::string_view, std::string_view value) -> Status {
                     int64_t done_ms = 0;
                     std::vector<LogEntry> entries;
                     CF_RETURN_IF_ERROR(DecodeLogRecord(value, &done_ms, &entries));
                     for (auto e = entries.rbegin(); e != entries.rend() && out->size() < n; ++e) {
                       std::string record;
                       if (e->kind != LogEntryKind::kResult ||
                           !store_->Get(KeySpace::kResults, ItemKey(name_, e->id), &record).ok()) {
                         continue;  // dead-lettered, or dropped since
                       }
                       PipelineResult r;
                       CF_RETURN_IF_ERROR(DecodeResult(e->id, record, *spec_, &r));
                       if (r.expires_at_ms == 0 || r.expires_at_ms > now)
                         out->push_back(std::move(r));
                     }
                     enough = out->size() >= n;
                     return enough ? Status::Busy("stop") : Status::OK();  // stops the scan
                   });
  return enough ? Status::OK() : s;
}

Status StoredPipeline::DeadLetters(size_t limit, std::vector<DeadLetter>* out) const {
  out->clear();
  const std::string prefix = ItemKey(name_, "");
  return store_->Scan(
      KeySpace::kDeadLetters, ScanRange{prefix, "", limit, false},
      [&](std::string_view key, std::string_view value) -> Status {
        ItemState item;
        int64_t failed = 0;
        CF_RETURN_IF_ERROR(DecodeDeadLetter(IdOfKey(name_, key), value, &item, &failed));
        out->push_back(ToDeadLetter(item, failed, *spec_));
        return Status::OK();
      });
}

Status StoredPipeline::AnalyticsJson(const AnalyticsRecords& records, std::string* out) const {
  if (!spec_->analytics.enabled) {
    return Status::NotSupported("pipeline '" + name_ +
                                "' keeps no analytics (its spec says \"analytics\": false)");
  }
  Aggregates view(*spec_);
  CF_RETURN_IF_ERROR(view.Load(records));
  nlohmann::json doc = view.ToJson();
  doc["pipeline"] = name_;
  *out = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return Status::OK();
}

std::string StatsToJson(const std::string& pipeline, const PipelineStats& s) {
  json stages = json::array();
  for (const PipelineStageStats& st : s.stages) {
    stages.push_back({{"name", st.name},
                      {"kind", st.kind},
                      {"processed", st.processed},
                      {"errors", st.errors},
                      {"latency_ms", Latency(st.p50_ms, st.p95_ms, st.p99_ms)}});
  }
  json out = {{"pipeline", pipeline},
              {"submitted", s.submitted},
              {"duplicates", s.duplicates},
              {"completed", s.completed},
              {"dead_letters", s.dead_letters},
              {"retries", s.retries},
              {"callback_errors", s.callback_errors},
              {"in_flight", s.in_flight},
              {"queue_depth", s.queue_depth},
              {"commits", s.commits},
              {"latency_ms", Latency(s.p50_ms, s.p95_ms, s.p99_ms)},
              {"stages", std::move(stages)}};
  return out.dump(-1, ' ', false, kReplace);
}

std::string StoredPipeline::MetricsText(const PipelineStats& s,
                                        const AnalyticsRecords* records) const {
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
  if (spec_->analytics.enabled && records != nullptr) {
    Aggregates view(*spec_);
    if (view.Load(*records).ok()) view.AppendMetrics(label, &text);
  }
  return text;
}

Status StatsFromJson(std::string_view text, PipelineStats* out) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return Status::Corruption("a pipeline stats snapshot is not a JSON object");
  try {
    PipelineStats s;
    s.submitted = doc.at("submitted").get<uint64_t>();
    s.duplicates = doc.at("duplicates").get<uint64_t>();
    s.completed = doc.at("completed").get<uint64_t>();
    s.dead_letters = doc.at("dead_letters").get<uint64_t>();
    s.retries = doc.at("retries").get<uint64_t>();
    s.callback_errors = doc.at("callback_errors").get<uint64_t>();
    s.in_flight = doc.at("in_flight").get<uint64_t>();
    s.queue_depth = doc.at("queue_depth").get<uint64_t>();
    s.commits = doc.at("commits").get<uint64_t>();
    ReadLatency(doc, &s.p50_ms, &s.p95_ms, &s.p99_ms);
    for (const json& st : doc.at("stages")) {
      PipelineStageStats stage;
      stage.name = st.at("name").get<std::string>();
      stage.kind = st.at("kind").get<std::string>();
      stage.processed = st.at("processed").get<uint64_t>();
      stage.errors = st.at("errors").get<uint64_t>();
      ReadLatency(st, &stage.p50_ms, &stage.p95_ms, &stage.p99_ms);
      s.stages.push_back(std::move(stage));
    }
    *out = std::move(s);
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("a pipeline stats snapshot: ") + e.what());
  }
  return Status::OK();
}

}  // namespace classiflow
