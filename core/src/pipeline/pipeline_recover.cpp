// Reopening a pipeline: what its store holds is picked up at once, no timeout, no sweep.
#include "pipeline/clock.h"
#include "pipeline/pipeline_impl.h"
#include "pipeline/records.h"

namespace classiflow {

Status PipelineImpl::Recover() {
  Store& store = *env_.store;
  // A new epoch before the first generated id of this open: ids never repeat across opens.
  std::string value;
  Status s = store.Get(KeySpace::kPipelines, StateKey(name_, "epoch"), &value);
  if (!s.ok() && s.code() != Status::Code::kNotFound) return s;
  epoch_ = (s.ok() ? DecodeCounter(value) : 0) + 1;
  CF_RETURN_IF_ERROR(store.Write(
      {{KeySpace::kPipelines, StateKey(name_, "epoch"), EncodeCounter(epoch_)}}, /*sync=*/true));
  s = store.Get(KeySpace::kPipelines, StateKey(name_, "delivered"), &value);
  if (!s.ok() && s.code() != Status::Code::kNotFound) return s;
  stored_delivered_ = s.ok() ? DecodeCounter(value) : 0;
  delivery_.set_delivered_seq(stored_delivered_);
  const std::string prefix = ItemKey(name_, "");
  CF_RETURN_IF_ERROR(store.Scan(KeySpace::kPipelineLog, ScanRange{prefix, "", 1, true},
                                [&](std::string_view key, std::string_view) {
                                  log_seq_ = SeqOfKey(name_, key);
                                  return Status::OK();
                                }));
  backlog_pending_ = log_seq_ > stored_delivered_;
  CF_RETURN_IF_ERROR(LoadAnalytics());
  auto recovered_dead = std::make_unique<Group>();
  const int64_t now = NowMs();
  CF_RETURN_IF_ERROR(store.Scan(
      KeySpace::kQueue, prefix, [&](std::string_view key, std::string_view record) -> Status {
        auto item = std::make_unique<ItemState>();
        QueueState state;
        CF_RETURN_IF_ERROR(DecodeQueueRecord(IdOfKey(name_, key), record, item.get(), &state)
                               .WithContext("pipeline '" + name_ + "'"));
        if (item->stage >= spec_.stages.size()) {
          return Status::Corruption("pipeline '" + name_ + "': queue record of '" + item->id +
                                    "' names a stage the spec does not have");
        }
        ids_.insert(item->id);
        ++in_flight_;
        metrics_.queue_depth.fetch_add(1, std::memory_order_relaxed);
        if (state == QueueState::kRunning && item->attempts >= spec_.max_attempts) {
          // The process ended during the last allowed attempt: a poison item, not a crash loop.
          item->error = "attempt " + std::to_string(item->attempts) + " of " +
                        std::to_string(spec_.max_attempts) +
                        " was interrupted (the process ended)" +
                        (item->error.empty() ? "" : "; before that: " + item->error);
          item->outcome = Outcome::kDead;
          recovered_dead->items.push_back(std::move(item));
        } else if (state == QueueState::kRunning || item->due_ms == 0 || item->due_ms <= now) {
          (CallbacksReady(item->stage) ? to_begin_ : waiting_).push_back(std::move(item));
        } else {
          item->outcome = Outcome::kWait;
          retries_.emplace(item->due_ms, std::move(item));
        }
        return Status::OK();
      }));
  if (!recovered_dead->items.empty()) done_groups_.push_back(std::move(recovered_dead));
  return Status::OK();
}

void PipelineImpl::PushBacklog() {
  // Commits after the delivered cursor: a crash (or a close with no callback registered) came
  // between their write and their delivery. Coordinator thread, before any newer commit.
  const std::string prefix = ItemKey(name_, "");
  const std::string start = LogKey(name_, stored_delivered_ + 1);
  (void)env_.store->Scan(
      KeySpace::kPipelineLog, ScanRange{prefix, start, 0, false},
      [&](std::string_view key, std::string_view value) {
        int64_t done_ms = 0;
        std::vector<LogEntry> entries;
        if (!DecodeLogRecord(value, &done_ms, &entries).ok()) return Status::OK();
        std::vector<PipelineResult> results;
        std::vector<DeadLetter> dead;
        for (const LogEntry& e : entries) {
          std::string record;
          const std::string item_key = ItemKey(name_, e.id);
          if (e.kind == LogEntryKind::kResult &&
              env_.store->Get(KeySpace::kResults, item_key, &record).ok()) {
            PipelineResult r;
            if (DecodeResult(e.id, record, spec_, &r).ok()) results.push_back(std::move(r));
          } else if (e.kind == LogEntryKind::kDeadLetter &&
                     env_.store->Get(KeySpace::kDeadLetters, item_key, &record).ok()) {
            ItemState item;
            int64_t failed = 0;
            if (DecodeDeadLetter(e.id, record, &item, &failed).ok()) {
              dead.push_back(ToDeadLetter(item, failed, spec_));
            }
          }
        }
        delivery_.Push(SeqOfKey(name_, key), std::move(results), std::move(dead));
        return Status::OK();
      });
}

}  // namespace classiflow
