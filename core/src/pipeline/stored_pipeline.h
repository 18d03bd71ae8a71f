// StoredPipeline: what a pipeline keeps in the store, read back — its results, dead letters,
// analytics records and stats snapshot. The running pipeline (PipelineImpl) reads through it,
// and the read-only view a mode-read engine hands out (PipelineView) is nothing else, so both
// answer the same way from the same records.
//
// Thread-safety: const methods may be called concurrently; the store must outlive it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "classiflow/pipeline.h"
#include "classiflow/store.h"
#include "pipeline/analytics/aggregates.h"
#include "pipeline/spec.h"

namespace classiflow {

class StoredPipeline {
 public:
  StoredPipeline(Store* store, std::string name, const PipelineSpec* spec)
      : store_(store), name_(std::move(name)), spec_(spec) {}

  // NotFound when the id has no result, or it has expired.
  Status GetResult(std::string_view id, PipelineResult* out) const;
  // The newest results, newest first (the log read backwards), at most n.
  Status NewestResults(size_t n, std::vector<PipelineResult>* out) const;
  // Dead letters in id order, at most `limit` (0 = all).
  Status DeadLetters(size_t limit, std::vector<DeadLetter>* out) const;
  // The aggregates in `records` as JSON; NotSupported when the spec turned analytics off.
  Status AnalyticsJson(const AnalyticsRecords& records, std::string* out) const;
  // Stats() and the analytics in `records` (null = none) as Prometheus text.
  std::string MetricsText(const PipelineStats& stats, const AnalyticsRecords* records) const;

 private:
  Store* const store_;
  const std::string name_;
  const PipelineSpec* const spec_;
};

// Stats as JSON (Pipeline::StatsJson) and back: the writer stores the JSON as its stats
// snapshot, a reader parses it. Corruption naming what is wrong for JSON that is not a
// snapshot.
std::string StatsToJson(const std::string& pipeline, const PipelineStats& stats);
Status StatsFromJson(std::string_view json, PipelineStats* out);

}  // namespace classiflow
