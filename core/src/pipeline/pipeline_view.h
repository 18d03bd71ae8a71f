// PipelineView: the Pipeline a mode-read engine hands out. It runs nothing: it reads what the
// writer (in this or another process) last committed — results, dead letters, the analytics
// records and the stats snapshot the writer stores at most once a second — so a dashboard or a
// report can watch a pipeline without touching it. Every verb that would change the pipeline
// is NotSupported; OnResult and OnDeadLetter callbacks are never called.
//
// Thread-safety: all methods may be called concurrently. A handle may outlive its engine:
// after the engine closes, reads return Unavailable.
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>

#include "classiflow/pipeline.h"
#include "classiflow/store.h"
#include "pipeline/sink/sink_files.h"
#include "pipeline/spec.h"
#include "pipeline/stored_pipeline.h"

namespace classiflow {

class PipelineView final : public Pipeline {
 public:
  // The view of the stored pipeline `name` whose spec is `spec`.
  PipelineView(Store* store, std::string name, PipelineSpec spec, SinkFiles sink_files);
  // The engine is closing: later reads return Unavailable. Waits for reads in progress.
  void Release();

  Status Submit(std::string_view text, std::string_view id, std::string_view meta,
                std::string* out_id) override;
  Status TrySubmit(std::string_view text, std::string_view id, std::string_view meta,
                   std::string* out_id) override;
  Status SubmitMany(std::span<const PipelineItem> items, std::vector<std::string>* ids) override;
  Status Flush(int64_t timeout_ms) override;
  Status GetResult(std::string_view id, PipelineResult* out) override;
  Status NewestResults(size_t n, std::vector<PipelineResult>* out) override;
  Status DeadLetters(size_t limit, std::vector<DeadLetter>* out) override;
  Status Requeue(std::string_view id) override;
  void OnResult(ResultFn fn) override;
  Status OnResults(ResultsFn fn, size_t max_items, int64_t max_delay_ms) override;
  void OnDeadLetter(DeadLetterFn fn) override;
  Status RegisterEnrich(std::string_view name, EnrichFn fn) override;
  Status RegisterValidator(std::string_view name, ValidateFn fn) override;
  Status AnalyticsJson(std::string* out) const override;
  Status ResetAnalytics() override;
  Status Recount() override;
  Status Feedback(std::string_view id, std::string_view label,
                  const FeedbackOptions& options) override;
  Status Retrain(size_t* trained) override;
  Status ExportSqlite(std::string_view path, size_t* written) override;
  // The writer's last stats snapshot (zeros before its first; in_flight and queue_depth as the
  // writer saw them then).
  PipelineStats Stats() const override;
  std::string StatsJson() const override;
  std::string MetricsText() const override;
  const std::string& name() const override { return name_; }
  const std::string& spec_json() const override { return spec_.canonical_json; }

 private:
  Status Use(std::shared_lock<std::shared_mutex>* lock) const;
  Status ReadOnly(std::string_view verb) const;
  // The stored analytics records; Unavailable after Release.
  Status Records(AnalyticsRecords* out) const;

  Store* const store_;
  const std::string name_;
  const PipelineSpec spec_;
  const StoredPipeline stored_;
  const SinkFiles sink_files_;
  mutable std::shared_mutex use_mu_;
  bool released_ = false;  // guarded by use_mu_
};

}  // namespace classiflow
