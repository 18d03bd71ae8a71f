#include "pipeline/analytics/replay.h"

#include "pipeline/log_reader.h"
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
  Aggregates& agg = *aggregates_;
  return ReadLog(
      store_, pipeline_, last_seq_ + 1, to_seq, /*limit=*/0,
      [&](uint64_t seq, int64_t, const std::vector<LogEntry>& entries) -> Status {
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
