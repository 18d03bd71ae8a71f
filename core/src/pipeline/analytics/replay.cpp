#include "pipeline/analytics/replay.h"

#include "pipeline/records.h"

namespace classiflow {

AnalyticsReplay::AnalyticsReplay(Store& store, std::string pipeline, const PipelineSpec& spec,
                                 uint64_t base_seq)
    : store_(store),
      pipeline_(std::move(pipeline)),
      spec_(spec),
      aggregates_(std::make_unique<Aggregates>(spec)),
      last_seq_(base_seq) {
  aggregates_->Reset(base_seq);
}

Status AnalyticsReplay::Run(uint64_t to_seq) {
  if (to_seq <= last_seq_) return Status::OK();
  const std::string prefix = ItemKey(pipeline_, "");
  const std::string start = LogKey(pipeline_, last_seq_ + 1);
  Aggregates& agg = *aggregates_;
  bool stopped = false;
  Status s = store_.Scan(
      KeySpace::kPipelineLog, ScanRange{prefix, start, 0, false},
      [&](std::string_view key, std::string_view value) -> Status {
        const uint64_t seq = SeqOfKey(pipeline_, key);
        if (seq > to_seq) {
          stopped = true;
          return Status::Busy("done");  // stops the scan
        }
        int64_t done_ms = 0;
        std::vector<LogEntry> entries;
        CF_RETURN_IF_ERROR(
            DecodeLogRecord(value, &done_ms, &entries)
                .WithContext("pipeline '" + pipeline_ + "': log record " + std::to_string(seq)));
        for (const LogEntry& e : entries) {
          switch (e.kind) {
            case LogEntryKind::kResult: {
              std::string record;
              Status s = store_.Get(KeySpace::kResults, ItemKey(pipeline_, e.id), &record);
              if (s.code() == Status::Code::kNotFound) break;  // dropped since
              CF_RETURN_IF_ERROR(s);
              ItemState item;
              int64_t done = 0, expires = 0;
              CF_RETURN_IF_ERROR(DecodeResultItem(e.id, record, spec_, &item, &done, &expires)
                                     .WithContext("pipeline '" + pipeline_ + "'"));
              agg.AddResult(item, done);
              break;
            }
            case LogEntryKind::kDeadLetter:
              agg.AddDeadLetter(e.stage);
              break;
            case LogEntryKind::kRetry:
              agg.AddRetry(e.stage);
              break;
            case LogEntryKind::kFeedback: {
              const FeedbackEvent event{e.id, e.stage, e.version, e.label, e.predicted};
              auto it = feedback_.find(e.id);
              if (it == feedback_.end()) {
                agg.AddFeedback(event, nullptr);
                feedback_.emplace(
                    std::string(e.id),
                    Counted{e.stage, e.version, std::string(e.label), std::string(e.predicted)});
              } else {
                const Counted& c = it->second;
                const FeedbackEvent replaced{e.id, c.stage, c.version, c.label, c.predicted};
                agg.AddFeedback(event, &replaced);
                it->second =
                    Counted{e.stage, e.version, std::string(e.label), std::string(e.predicted)};
              }
              break;
            }
          }
        }
        last_seq_ = seq;
        return Status::OK();
      });
  return stopped ? Status::OK() : s;
}

Status ReadAnalyticsRecords(Store& store, std::string_view pipeline, AnalyticsRecords* out) {
  out->clear();
  const std::string prefix = ItemKey(pipeline, "");
  return store.Scan(KeySpace::kAnalytics, prefix,
                    [&](std::string_view key, std::string_view value) {
                      out->emplace(std::string(IdOfKey(pipeline, key)), std::string(value));
                      return Status::OK();
                    });
}

}  // namespace classiflow
