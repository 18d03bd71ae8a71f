// The coordinator: cuts groups from the intake, commits finished work in one write batch per
// round, acknowledges submitters, keeps retry timers and routes what each commit made durable.
#include <algorithm>

#include "pipeline/clock.h"
#include "pipeline/crash_point.h"
#include "pipeline/pipeline_impl.h"
#include "pipeline/records.h"

namespace classiflow {
namespace {

// How long to keep a failed commit's resumed items before writing them again.
constexpr int64_t kRewriteDelayMs = 200;

}  // namespace

void PipelineImpl::OnGroupDone(Group* group) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_groups_.emplace_back(group);
    --groups_in_graph_;
  }
  work_cv_.notify_one();
}

std::vector<Group*> PipelineImpl::CutGroups(bool full_only) {
  // REQUIRES: mu_ held. Cuts the intake into groups of batch_max_items (with full_only, only
  // whole ones; the rest stays for the coordinator's timer or idleness).
  std::vector<Group*> groups;
  const size_t n =
      full_only ? intake_.size() - intake_.size() % spec_.batch_max_items : intake_.size();
  for (size_t at = 0; at < n; at += spec_.batch_max_items) {
    auto* group = new Group();  // owned by the graph until OnGroupDone hands it back
    const size_t end = std::min(n, at + spec_.batch_max_items);
    group->items.reserve(end - at);
    for (size_t i = at; i < end; ++i) group->items.push_back(std::move(intake_[i]));
    groups.push_back(group);
  }
  intake_.erase(intake_.begin(), intake_.begin() + static_cast<std::ptrdiff_t>(n));
  if (!intake_.empty() && n > 0) intake_since_ns_ = SteadyNs();
  groups_in_graph_ += groups.size();
  return groups;
}

void PipelineImpl::CutIntake(std::unique_lock<std::mutex>& lock) {
  // REQUIRES: lock holds mu_. Sends the whole intake into the graph.
  const std::vector<Group*> groups = CutGroups(/*full_only=*/false);
  lock.unlock();
  for (Group* group : groups) graph_->Put(group);
  lock.lock();
}

void PipelineImpl::TakeDueRetries(int64_t now_ms, std::vector<std::unique_ptr<ItemState>>* begins) {
  // REQUIRES: mu_ held.
  while (!retries_.empty() && retries_.begin()->first <= now_ms) {
    auto item = std::move(retries_.begin()->second);
    retries_.erase(retries_.begin());
    if (CallbacksReady(item->stage)) {
      begins->push_back(std::move(item));
    } else {
      waiting_.push_back(std::move(item));  // its attempt begins once the callback exists
    }
  }
}

void PipelineImpl::CoordinatorLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    const int64_t now_ns = SteadyNs();
    const bool cut =
        !intake_.empty() && (stopping_ || intake_.size() >= spec_.batch_max_items ||
                             groups_in_graph_ < static_cast<size_t>(env_.threads) ||
                             now_ns - intake_since_ns_ >= spec_.batch_max_delay_ms * 1000000);
    if (cut) CutIntake(lock);
    std::vector<std::unique_ptr<ItemState>> begins = std::move(to_begin_);
    to_begin_.clear();
    TakeDueRetries(NowMs(), &begins);
    std::vector<std::unique_ptr<Group>> done = std::move(done_groups_);
    done_groups_.clear();
    AnalyticsOps ops = std::move(ops_);
    ops_.clear();
    const bool want_results = delivery_.wants_results();
    const bool backlog = backlog_pending_ && want_results;
    if (!done.empty() || !begins.empty() || !ops.empty() || backlog) {
      lock.unlock();
      if (backlog) PushBacklog();
      Commit(std::move(done), std::move(begins), std::move(ops), want_results);
      lock.lock();
      if (backlog) backlog_pending_ = false;
      continue;
    }
    if (stopping_ && intake_.empty() && groups_in_graph_ == 0) {
      lock.unlock();
      if (stats_stale_) WriteStatsSnapshot();  // what a reader sees of the closed pipeline
      break;
    }
    // Idle: the snapshot readers see (PipelineView) catches up with the last commits.
    if (stats_stale_ && now_ns - stats_written_ns_ >= kStatsEveryNs) {
      lock.unlock();
      WriteStatsSnapshot();
      lock.lock();
      continue;
    }
    // Sleep until work arrives, the oldest intake item is due, the next retry is, or the
    // stats snapshot is.
    int64_t wait_ms = 1000;
    if (stats_stale_) {
      wait_ms = std::max<int64_t>(0, (stats_written_ns_ + kStatsEveryNs - now_ns) / 1000000);
    }
    if (!intake_.empty()) {
      const int64_t due_ms =
          (intake_since_ns_ + spec_.batch_max_delay_ms * 1000000 - now_ns) / 1000000;
      wait_ms = std::min<int64_t>(wait_ms, std::max<int64_t>(0, due_ms));
    }
    if (!retries_.empty()) wait_ms = std::min(wait_ms, retries_.begin()->first - NowMs());
    work_cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(wait_ms, 0) + 0));
  }
}

void PipelineImpl::Commit(std::vector<std::unique_ptr<Group>> done,
                          std::vector<std::unique_ptr<ItemState>> begins, AnalyticsOps ops,
                          bool want_results) {
  const int64_t now = NowMs();
  // The batch and the encoding scratch live on: no allocation per item once they are warm.
  StoreBatch& batch = commit_batch_;
  batch.clear();
  std::string& value = commit_value_;
  const std::string prefix = ItemKey(name_, "");
  std::vector<LogEntry> log;
  bool rewrite = rewrite_analytics_;
  ApplyOps(ops, log_seq_ + 1, &batch, &log, &rewrite);
  Aggregates* const counts = aggregates_.get();
  bool retrying = false, dead = false;
  for (const auto& group : done) {
    for (const auto& item_ptr : group->items) {
      const ItemState& item = *item_ptr;
      switch (item.outcome) {
        case Outcome::kDone: {
          const StageSpec& sink = spec_.stages[item.route.back()];
          EncodeResult(item, now, sink.ttl_s > 0 ? now + sink.ttl_s * 1000 : 0, sink.keep_text,
                       &value);
          batch.Put(KeySpace::kResults, prefix, item.id, value);
          if (!mirrors_.empty()) ForMirror(item, value);
          log.push_back(LogEntry::Of(LogEntryKind::kResult, item.id));
          if (counts) counts->AddResult(item, now);
          break;
        }
        case Outcome::kDead:
          EncodeDeadLetter(item, now, &value);
          batch.Put(KeySpace::kDeadLetters, prefix, item.id, value);
          log.push_back(LogEntry::Of(LogEntryKind::kDeadLetter, item.id, item.stage));
          if (counts) counts->AddDeadLetter(item.stage);
          dead = true;
          break;
        case Outcome::kPark:
          EncodeQueueRecord(item, QueueState::kRunning, &value);
          batch.Put(KeySpace::kQueue, prefix, item.id, value);
          continue;
        case Outcome::kWait:
          EncodeQueueRecord(item, QueueState::kWaiting, &value);
          batch.Put(KeySpace::kQueue, prefix, item.id, value);
          if (item.due_ms > 0) {  // a retry after a failure
            retrying = true;
            log.push_back(LogEntry::Of(LogEntryKind::kRetry, item.id, item.stage));
            if (counts) counts->AddRetry(item.stage);
          }
          continue;
        case Outcome::kRunning:
          continue;  // cannot happen: the graph only hands back ended items
      }
      if (item.stored) batch.Delete(KeySpace::kQueue, prefix, item.id);
    }
  }
  for (auto& item : begins) {
    ++item->attempts;  // the attempt is durable before it runs
    EncodeQueueRecord(*item, QueueState::kRunning, &value);
    batch.Put(KeySpace::kQueue, prefix, item->id, value);
  }
  const uint64_t seq = log.empty() ? log_seq_ : log_seq_ + 1;
  if (!log.empty()) {
    EncodeLogRecord(now, log, &value);
    batch.Put(KeySpace::kPipelineLog, LogKey(name_, seq), value);
  }
  const uint64_t delivered = delivery_.delivered_seq();
  if (delivered != stored_delivered_) {
    batch.Put(KeySpace::kPipelines, StateKey(name_, "delivered"), EncodeCounter(delivered));
  }
  std::vector<AnalyticsRecord> analytics;
  StageAnalytics(rewrite, SteadyNs(), &batch, &analytics);
  CrashPoint("before_write");
  if (retrying) CrashPoint("retry_write");
  if (dead) CrashPoint("dead_letter_write");
  const int64_t started = SteadyNs();
  Status s;
  if (!batch.empty()) {
    s = spec_.durability == Durability::kNone
            ? env_.store->WriteUnlogged(batch)
            : env_.store->Write(batch, spec_.durability == Durability::kSync);
  }
  metrics_.commit.Record((SteadyNs() - started) / 1000);
  metrics_.commits.fetch_add(1, std::memory_order_relaxed);
  if (!s.ok()) {
    for (auto& records : for_mirrors_) records.clear();
    RestoreAnalytics();
    for (auto& op : ops)
      op->done.set_value(s.WithContext("pipeline '" + name_ + "': commit failed"));
    AfterFailedCommit(done, begins, s);
    return;
  }
  CrashPoint("after_write");
  stats_stale_ = true;  // the snapshot, if this batch has one, was taken before it counted
  log_seq_ = seq;
  if (!log.empty()) HandToMirrors(seq);
  stored_delivered_ = delivered;
  rewrite_analytics_ = false;
  Publish(analytics);
  for (auto& op : ops) op->done.set_value(op->result);
  // Acknowledge submitters, one call per run of items from the same submission.
  for (const auto& group : done) {
    Submission* run = nullptr;
    size_t count = 0;
    for (const auto& item : group->items) {
      if (item->submission != run) {
        if (run != nullptr) run->Ack(count, Status::OK());
        run = item->submission;
        count = 0;
      }
      ++count;
      item->submission = nullptr;
    }
    if (run != nullptr) run->Ack(count, Status::OK());
  }
  std::vector<PipelineResult> results;
  std::vector<DeadLetter> dead_letters;
  const bool want_dead = delivery_.wants_dead_letters();
  const int64_t now_ns = SteadyNs();
  std::vector<std::string> claimed;  // caller ids leaving the in-flight set
  size_t retired = 0, completed = 0;
  for (auto& group : done) {
    for (auto& item : group->items) {
      if (item->outcome == Outcome::kDone) {
        metrics_.end_to_end.Record((now_ns - item->accepted_ns) / 1000);
        ++completed;
        if (want_results) {
          const bool with_text = spec_.stages[item->route.back()].keep_text;
          results.push_back(ToResult(*item, now, 0, spec_, with_text));
        }
      } else if (item->outcome == Outcome::kDead) {
        metrics_.dead_letters.fetch_add(1, std::memory_order_relaxed);
        if (want_dead) dead_letters.push_back(ToDeadLetter(*item, now, spec_));
      } else {
        Route(std::move(item));
        continue;
      }
      if (item->stored) metrics_.queue_depth.fetch_sub(1, std::memory_order_relaxed);
      if (item->claimed) claimed.push_back(std::move(item->id));
      ++retired;
    }
  }
  metrics_.completed.fetch_add(completed, std::memory_order_relaxed);
  // Delivery before retiring: Flush() returns when nothing is in flight, and then the
  // callbacks of everything done must be queued (Flush drains the queue).
  if (!log.empty()) {
    delivery_.Push(seq, std::move(results), std::move(dead_letters), want_results);
    // With no result callback yet this commit joins the backlog the first one is owed.
    if (!want_results) backlog_pending_ = true;
  }
  if (retired > 0) Retire(claimed, retired);
  for (auto& item : begins) Dispatch(std::move(item));
  for (auto& group : done) pool_.Give(&group->items);  // the retired ones; routed ones moved on
}

void PipelineImpl::AfterFailedCommit(std::vector<std::unique_ptr<Group>>& done,
                                     std::vector<std::unique_ptr<ItemState>>& begins,
                                     const Status& s) {
  // Nothing of the batch is visible. New items were never accepted: their submitters get the
  // error. Items already stored stay as the store has them; write them again a little later.
  const Status error = s.WithContext("pipeline '" + name_ + "': commit failed");
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& group : done) {
    for (auto& item : group->items) {
      if (item->submission != nullptr) {
        item->submission->Ack(1, error);
        if (item->claimed) ids_.erase(item->id);
        --in_flight_;
        continue;
      }
      item->outcome = Outcome::kWait;  // resume where it stands once the store takes writes
      item->due_ms = NowMs() + kRewriteDelayMs;
      retries_.emplace(item->due_ms, std::move(item));
    }
  }
  for (auto& item : begins) {
    --item->attempts;
    retries_.emplace(NowMs() + kRewriteDelayMs, std::move(item));
  }
  space_cv_.notify_all();
  if (in_flight_ == 0) idle_cv_.notify_all();
}

void PipelineImpl::Route(std::unique_ptr<ItemState> item) {
  // A committed item that waits: its queue record is durable now.
  if (!item->stored) metrics_.queue_depth.fetch_add(1, std::memory_order_relaxed);
  item->stored = true;
  if (item->outcome == Outcome::kPark) {
    Dispatch(std::move(item));
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (item->due_ms == 0) {
    // Its callback may have been registered since the graph parked it (Wake() ran first).
    const bool ready = CallbacksReady(item->stage);
    (ready ? to_begin_ : waiting_).push_back(std::move(item));
    if (ready) work_cv_.notify_one();
  } else {
    metrics_.retries.fetch_add(1, std::memory_order_relaxed);
    retries_.emplace(item->due_ms, std::move(item));
  }
}

void PipelineImpl::Retire(const std::vector<std::string>& claimed, size_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& id : claimed) ids_.erase(id);
  in_flight_ -= count;
  space_cv_.notify_all();
  if (in_flight_ == 0) idle_cv_.notify_all();
}

void PipelineImpl::Dispatch(std::unique_ptr<ItemState> item) {
  // The item's attempt at item->stage is durable: run it.
  item->outcome = Outcome::kRunning;
  if (spec_.stages[item->stage].is_callback()) {
    {
      std::lock_guard<std::mutex> lock(cb_mu_);
      cb_queue_.push_back(std::move(item));
    }
    cb_cv_.notify_one();
    return;
  }
  auto* group = new Group();
  group->items.push_back(std::move(item));
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++groups_in_graph_;
  }
  graph_->Put(group);
}

}  // namespace classiflow
