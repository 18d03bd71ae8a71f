// Analytics and feedback: the coordinator keeps the aggregates and writes what changed in each
// commit's batch; readers decode the records of the last commit; feedback, resets and recounts
// are ops the coordinator applies at the start of a commit, so every change to the aggregates
// is in the same batch as what it counts.
#include <map>

#include "classiflow/model.h"
#include "pipeline/analytics/replay.h"
#include "pipeline/clock.h"
#include "pipeline/pipeline_impl.h"
#include "pipeline/records.h"

namespace classiflow {
namespace {

constexpr size_t kMaxLabelBytes = 1024;
Status CheckLabel(std::string_view label) {
  if (label.empty()) return Status::InvalidArgument("feedback label is empty");
  if (label.size() > kMaxLabelBytes) {
    return Status::InvalidArgument("feedback label is longer than " +
                                   std::to_string(kMaxLabelBytes) + " bytes");
  }
  Status s = CheckItemText(label);
  return s.ok() ? s : Status::InvalidArgument("feedback label: " + s.message());
}

}  // namespace

Status PipelineImpl::LoadAnalytics() {
  // REQUIRES: log_seq_ recovered. Before the coordinator starts.
  AnalyticsRecords records;
  CF_RETURN_IF_ERROR(ReadAnalyticsRecords(*env_.store, name_, &records));
  if (spec_.analytics.enabled) {
    aggregates_ = std::make_unique<Aggregates>(spec_);
    if (records.count("c") == 0 && log_seq_ > 0) {
      // Stored before analytics were kept: count what is stored, once.
      AnalyticsReplay replay(*env_.store, name_, spec_, 0);
      CF_RETURN_IF_ERROR(replay.Run(log_seq_));
      aggregates_ = replay.Take();
      rewrite_analytics_ = true;
    } else {
      CF_RETURN_IF_ERROR(aggregates_->Load(records).WithContext("pipeline '" + name_ + "'"));
    }
  }
  published_ = std::make_shared<const AnalyticsRecords>(std::move(records));
  return Status::OK();
}

std::shared_ptr<const AnalyticsRecords> PipelineImpl::Published() const {
  std::lock_guard<std::mutex> lock(published_mu_);
  return published_;
}

Status PipelineImpl::RunOp(std::shared_ptr<AnalyticsOp> op) {
  std::future<Status> done = op->done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Unavailable("pipeline '" + name_ + "' is closed");
    ops_.push_back(std::move(op));
  }
  work_cv_.notify_one();
  return done.get();
}

void PipelineImpl::ApplyOps(AnalyticsOps& ops, uint64_t seq, StoreBatch* batch,
                            std::vector<LogEntry>* log, bool* rewrite) {
  const std::string prefix = ItemKey(name_, "");
  // Resets and recounts first: everything else in this commit is counted after them.
  for (auto& op : ops) {
    if (op->kind == AnalyticsOp::Kind::kReset && aggregates_) {
      aggregates_->Reset(log_seq_);
      *rewrite = true;
    } else if (op->kind == AnalyticsOp::Kind::kSwap && aggregates_) {
      if (op->replay->aggregates().base_seq() != aggregates_->base_seq()) {
        op->result = Status::Busy("pipeline '" + name_ +
                                  "': the analytics were reset during the recount; recount again");
        continue;
      }
      op->result = op->replay->Run(log_seq_);
      if (!op->result.ok()) continue;
      aggregates_ = op->replay->Take();
      *rewrite = true;
    }
  }
  std::map<std::string, FeedbackRecord, std::less<>> written;  // this commit's, by id
  std::string value;
  const auto stored = [&](const std::string& id, FeedbackRecord* out) {
    if (auto it = written.find(id); it != written.end()) {
      *out = it->second;
      return true;
    }
    return env_.store->Get(KeySpace::kFeedback, ItemKey(name_, id), &value).ok() &&
           DecodeFeedback(value, out).ok();
  };
  for (auto& op : ops) {
    if (op->kind == AnalyticsOp::Kind::kFeedback) {
      FeedbackRecord& fb = op->feedback;
      fb.seq = seq;  // this commit has a log entry: it is log_seq_ + 1
      if (aggregates_) {
        FeedbackRecord before;
        const bool replaces = stored(op->id, &before) && before.seq > aggregates_->base_seq();
        const FeedbackEvent replaced{op->id, before.stage, before.version, before.label,
                                     before.predicted};
        aggregates_->AddFeedback({op->id, fb.stage, fb.version, fb.label, fb.predicted},
                                 replaces ? &replaced : nullptr);
      }
      EncodeFeedback(fb, &value);
      batch->Put(KeySpace::kFeedback, prefix, op->id, value);
      log->push_back(
          {LogEntryKind::kFeedback, op->id, fb.stage, fb.version, fb.label, fb.predicted});
      written[op->id] = fb;
    } else if (op->kind == AnalyticsOp::Kind::kMarkTrained) {
      for (const auto& [id, read_seq] : op->trained) {
        FeedbackRecord fb;
        if (!stored(id, &fb) || fb.seq != read_seq || fb.trained) continue;  // replaced since
        fb.trained = true;
        EncodeFeedback(fb, &value);
        batch->Put(KeySpace::kFeedback, prefix, id, value);
        written[id] = fb;
      }
    }
  }
}

void PipelineImpl::StageAnalytics(bool rewrite, int64_t now_ns, StoreBatch* batch,
                                  std::vector<AnalyticsRecord>* changes) {
  if (aggregates_ && rewrite) {
    std::vector<AnalyticsRecord> dirty;
    aggregates_->TakeChanges(&dirty);  // superseded by the whole set
    AnalyticsRecords all = aggregates_->AllRecords();
    for (const auto& [suffix, value] : *Published()) {
      if (suffix != kStatsSuffix && all.count(suffix) == 0) changes->push_back({suffix, {}});
    }
    for (auto& [suffix, value] : all) changes->push_back({suffix, std::move(value)});
  } else if (aggregates_) {
    aggregates_->TakeChanges(changes);
  }
  if (now_ns - stats_written_ns_ >= kStatsEveryNs && (!batch->empty() || !changes->empty())) {
    changes->push_back({std::string(kStatsSuffix), StatsJson()});
    stats_written_ns_ = now_ns;
  }
  const std::string prefix = ItemKey(name_, "");
  for (const AnalyticsRecord& c : *changes) {
    if (c.value) {
      batch->Put(KeySpace::kAnalytics, prefix, c.suffix, *c.value);
    } else {
      batch->Delete(KeySpace::kAnalytics, prefix, c.suffix);
    }
  }
}

void PipelineImpl::WriteStatsSnapshot() {
  // Coordinator, idle or stopping. Logged (readers in other processes follow the log), not
  // synced: a lost snapshot only delays what readers see.
  stats_written_ns_ = SteadyNs();
  stats_stale_ = false;
  StoreBatch batch;
  const AnalyticsRecord snapshot{std::string(kStatsSuffix), StatsJson()};
  batch.Put(KeySpace::kAnalytics, ItemKey(name_, ""), snapshot.suffix, *snapshot.value);
  if (env_.store->Write(batch, /*sync=*/false).ok()) Publish({snapshot});
}

void PipelineImpl::Publish(const std::vector<AnalyticsRecord>& changes) {
  if (changes.empty()) return;
  auto next = std::make_shared<AnalyticsRecords>(*Published());
  for (const AnalyticsRecord& c : changes) {
    if (c.value) {
      (*next)[c.suffix] = *c.value;
    } else {
      next->erase(c.suffix);
    }
  }
  std::lock_guard<std::mutex> lock(published_mu_);
  published_ = std::move(next);
}

void PipelineImpl::RestoreAnalytics() {
  // The failed batch is not in the store; the published records are what it holds.
  if (aggregates_) (void)aggregates_->Load(*Published());
}

Status PipelineImpl::AnalyticsJson(std::string* out) const {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  return stored_.AnalyticsJson(*Published(), out);
}

Status PipelineImpl::ResetAnalytics() {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  auto op = std::make_shared<AnalyticsOp>();
  op->kind = AnalyticsOp::Kind::kReset;
  return RunOp(std::move(op));
}

Status PipelineImpl::Recount() {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  if (!spec_.analytics.enabled) {
    return Status::NotSupported("pipeline '" + name_ + "' keeps no analytics");
  }
  Aggregates current(spec_);
  CF_RETURN_IF_ERROR(current.Load(*Published()));
  // Most of the log here, on the caller's thread; the coordinator replays the rest.
  AnalyticsReplay replay(*env_.store, name_, spec_, current.base_seq());
  CF_RETURN_IF_ERROR(replay.Run(UINT64_MAX));
  auto op = std::make_shared<AnalyticsOp>();
  op->kind = AnalyticsOp::Kind::kSwap;
  op->replay = &replay;
  return RunOp(std::move(op));
}

Status PipelineImpl::Feedback(std::string_view id, std::string_view label,
                              const FeedbackOptions& options) {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  if (id.empty()) return Status::InvalidArgument("feedback needs the id of a result");
  CF_RETURN_IF_ERROR(CheckItemId(id));
  CF_RETURN_IF_ERROR(CheckLabel(label));
  if (!options.text.empty()) CF_RETURN_IF_ERROR(CheckItemText(options.text));
  std::string record;
  Status s = env_.store->Get(KeySpace::kResults, ItemKey(name_, id), &record);
  if (s.code() == Status::Code::kNotFound) {
    return Status::NotFound("pipeline '" + name_ + "' has no result for id '" + std::string(id) +
                            "'");
  }
  CF_RETURN_IF_ERROR(s);
  ItemState item;
  int64_t done_ms = 0, expires_ms = 0;
  CF_RETURN_IF_ERROR(DecodeResultItem(id, record, spec_, &item, &done_ms, &expires_ms));
  const ItemPrediction* answer = nullptr;
  if (options.stage.empty()) {
    answer = Aggregates::LeastConfident(item);
    if (answer == nullptr) {
      return Status::InvalidArgument("the result of '" + std::string(id) +
                                     "' has no classify answer to correct");
    }
  } else {
    for (const ItemPrediction& p : item.predictions) {
      if (spec_.stages[p.stage].name == options.stage) answer = &p;
    }
    if (answer == nullptr) {
      return Status::InvalidArgument("stage '" + std::string(options.stage) +
                                     "' did not classify '" + std::string(id) + "'");
    }
  }
  const bool online = spec_.analytics.training == FeedbackTraining::kOnline;
  auto op = std::make_shared<AnalyticsOp>();
  op->kind = AnalyticsOp::Kind::kFeedback;
  op->id.assign(id);
  FeedbackRecord& fb = op->feedback;
  fb.stage = answer->stage;
  fb.version = answer->version;
  fb.label.assign(label);
  fb.predicted = answer->label;
  fb.text = options.text.empty() ? item.text : std::string(options.text);
  fb.at_ms = NowMs();
  if (online && fb.text.empty()) {
    return Status::InvalidArgument(
        "pipeline '" + name_ + "' trains on feedback, but the result of '" + std::string(id) +
        "' keeps no text (set the sink's \"keep_text\": true, or pass the text)");
  }
  CF_RETURN_IF_ERROR(RunOp(op));
  if (!online) return Status::OK();
  const std::string& model_name = spec_.stages[fb.stage].classify.model;
  std::shared_ptr<Model> model;
  s = env_.models(model_name, &model);
  if (s.ok()) s = model->Train(fb.label, fb.text);
  if (!s.ok()) {
    return s.WithContext("feedback for '" + std::string(id) +
                         "' is recorded, but training model '" + model_name +
                         "' on it failed (Retrain() tries again)");
  }
  auto mark = std::make_shared<AnalyticsOp>();
  mark->kind = AnalyticsOp::Kind::kMarkTrained;
  mark->trained.emplace_back(std::string(id), fb.seq);
  return RunOp(std::move(mark));
}

Status PipelineImpl::Retrain(size_t* trained) {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  *trained = 0;
  struct Batch {
    std::vector<std::string> labels, texts;
    std::vector<std::pair<std::string, uint64_t>> ids;
  };
  std::map<std::string, Batch> by_model;
  const std::string prefix = ItemKey(name_, "");
  CF_RETURN_IF_ERROR(env_.store->Scan(
      KeySpace::kFeedback, prefix, [&](std::string_view key, std::string_view value) -> Status {
        FeedbackRecord fb;
        CF_RETURN_IF_ERROR(DecodeFeedback(value, &fb).WithContext("pipeline '" + name_ + "'"));
        if (fb.trained || fb.text.empty() || fb.stage >= spec_.stages.size()) {
          return Status::OK();
        }
        Batch& b = by_model[spec_.stages[fb.stage].classify.model];
        b.labels.push_back(std::move(fb.label));
        b.texts.push_back(std::move(fb.text));
        b.ids.emplace_back(std::string(IdOfKey(name_, key)), fb.seq);
        return Status::OK();
      }));
  for (auto& [model_name, b] : by_model) {
    std::shared_ptr<Model> model;
    CF_RETURN_IF_ERROR(env_.models(model_name, &model));
    const std::vector<std::string_view> labels(b.labels.begin(), b.labels.end());
    const std::vector<std::string_view> texts(b.texts.begin(), b.texts.end());
    CF_RETURN_IF_ERROR(model->TrainBatch(labels, texts)
                           .WithContext("retraining model '" + model_name + "' on feedback"));
    // Marked model by model: a later model's failure does not make this one train twice.
    auto mark = std::make_shared<AnalyticsOp>();
    mark->kind = AnalyticsOp::Kind::kMarkTrained;
    mark->trained = std::move(b.ids);
    CF_RETURN_IF_ERROR(RunOp(std::move(mark)));
    *trained += b.labels.size();
  }
  return Status::OK();
}

}  // namespace classiflow
