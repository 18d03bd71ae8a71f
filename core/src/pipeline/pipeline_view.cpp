// PipelineView: a stored pipeline read from a mode-read engine (see pipeline_view.h).
#include "pipeline/pipeline_view.h"

#include <mutex>

#include "pipeline/analytics/replay.h"

namespace classiflow {

PipelineView::PipelineView(Store* store, std::string name, PipelineSpec spec, SinkFiles sink_files)
    : store_(store),
      name_(std::move(name)),
      spec_(std::move(spec)),
      stored_(store, name_, &spec_),
      sink_files_(std::move(sink_files)) {}

void PipelineView::Release() {
  std::unique_lock<std::shared_mutex> lock(use_mu_);
  released_ = true;
}

Status PipelineView::Use(std::shared_lock<std::shared_mutex>* lock) const {
  *lock = std::shared_lock<std::shared_mutex>(use_mu_);
  if (released_) return Status::Unavailable("the engine of pipeline '" + name_ + "' is closed");
  return Status::OK();
}

Status PipelineView::ReadOnly(std::string_view verb) const {
  return Status::NotSupported("pipeline '" + name_ + "' is read by an engine opened with " +
                              "mode=\"read\": " + std::string(verb) +
                              " runs in the engine that writes the store");
}

Status PipelineView::Records(AnalyticsRecords* out) const {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  return ReadAnalyticsRecords(*store_, name_, out);
}

Status PipelineView::Submit(std::string_view, std::string_view, std::string_view, std::string*) {
  return ReadOnly("Submit");
}

Status PipelineView::TrySubmit(std::string_view, std::string_view, std::string_view, std::string*) {
  return ReadOnly("TrySubmit");
}

Status PipelineView::SubmitMany(std::span<const PipelineItem>, std::vector<std::string>*) {
  return ReadOnly("SubmitMany");
}

Status PipelineView::Flush(int64_t) { return ReadOnly("Flush"); }

Status PipelineView::GetResult(std::string_view id, PipelineResult* out) {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  return stored_.GetResult(id, out);
}

Status PipelineView::NewestResults(size_t n, std::vector<PipelineResult>* out) {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  return stored_.NewestResults(n, out);
}

Status PipelineView::DeadLetters(size_t limit, std::vector<DeadLetter>* out) {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  return stored_.DeadLetters(limit, out);
}

Status PipelineView::Requeue(std::string_view) { return ReadOnly("Requeue"); }

void PipelineView::OnResult(ResultFn) {}

Status PipelineView::OnResults(ResultsFn, size_t, int64_t) { return ReadOnly("OnResults"); }

void PipelineView::OnDeadLetter(DeadLetterFn) {}

Status PipelineView::RegisterEnrich(std::string_view, EnrichFn) {
  return ReadOnly("RegisterEnrich");
}

Status PipelineView::RegisterValidator(std::string_view, ValidateFn) {
  return ReadOnly("RegisterValidator");
}

Status PipelineView::AnalyticsJson(std::string* out) const {
  AnalyticsRecords records;
  CF_RETURN_IF_ERROR(Records(&records));
  return stored_.AnalyticsJson(records, out);
}

Status PipelineView::ResetAnalytics() { return ReadOnly("ResetAnalytics"); }

Status PipelineView::Recount() { return ReadOnly("Recount"); }

Status PipelineView::Feedback(std::string_view, std::string_view, const FeedbackOptions&) {
  return ReadOnly("Feedback");
}

Status PipelineView::Retrain(size_t*) { return ReadOnly("Retrain"); }

Status PipelineView::ExportSqlite(std::string_view path, size_t* written) {
  *written = 0;
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  std::unique_ptr<ResultsSink> sink;
  CF_RETURN_IF_ERROR(sink_files_.Open(path, name_, /*claim=*/false, &sink));
  return ExportResults(*store_, name_, spec_, *sink, written);
}

PipelineStats PipelineView::Stats() const {
  PipelineStats stats;
  AnalyticsRecords records;
  if (!Records(&records).ok()) return stats;
  auto it = records.find(std::string(kStatsSuffix));
  if (it == records.end() || !StatsFromJson(it->second, &stats).ok()) {
    stats = PipelineStats();
    for (const StageSpec& stage : spec_.stages) {
      stats.stages.push_back({stage.name, StageKindName(stage.kind), 0, 0, 0, 0, 0});
    }
  }
  return stats;
}

std::string PipelineView::StatsJson() const { return StatsToJson(name_, Stats()); }

std::string PipelineView::MetricsText() const {
  AnalyticsRecords records;
  const bool read = Records(&records).ok();
  return stored_.MetricsText(Stats(), read ? &records : nullptr);
}

}  // namespace classiflow
