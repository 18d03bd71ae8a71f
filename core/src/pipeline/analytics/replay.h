// AnalyticsReplay: recounts a pipeline's aggregates from its stored log and results — what
// Pipeline::Recount() installs and what the verifier compares the stored aggregates with.
//
// The log lists, in commit order, every result and dead letter a commit wrote, every retry it
// scheduled and every feedback it recorded; replaying it from the aggregates' base (the last
// reset) runs the same events in the same order as the live coordinator did, so the records
// come out identical.
//
// Thread-safety: none; one thread drives a replay.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "classiflow/store.h"
#include "pipeline/analytics/aggregates.h"
#include "pipeline/spec.h"

namespace classiflow {

class AnalyticsReplay {
 public:
  // Counts the commits after `base_seq`.
  AnalyticsReplay(Store& store, std::string pipeline, const PipelineSpec& spec, uint64_t base_seq);
  // Replays the log records after the last one replayed, up to and including `to_seq`.
  // Corruption naming the record when a log record or a result does not decode.
  Status Run(uint64_t to_seq);
  uint64_t last_seq() const { return last_seq_; }
  Aggregates& aggregates() { return *aggregates_; }
  std::unique_ptr<Aggregates> Take() { return std::move(aggregates_); }

 private:
  Store& store_;
  const std::string pipeline_;
  const PipelineSpec& spec_;
  std::unique_ptr<Aggregates> aggregates_;
  uint64_t last_seq_;
  // The feedback counted so far per id, as its log entry said (a later one replaces it).
  struct Counted {
    uint16_t stage;
    uint64_t version;
    std::string label, predicted;
  };
  std::map<std::string, Counted, std::less<>> feedback_;
};

// Reads every stored analytics record of `pipeline` (suffix -> value).
Status ReadAnalyticsRecords(Store& store, std::string_view pipeline, AnalyticsRecords* out);

}  // namespace classiflow
