// PipelineImpl: the Pipeline an Engine runs. The commit path (docs/pipeline.md):
//
//   Submit ──> intake ──(cut: max_items, max_delay_ms, or the graph is idle)──> StageGraph
//                                                                                 │ group done
//   callback threads <──(park: attempt begun)── committer (one write batch) <─────┘
//        │ ok / failed                              │ results, dead letters
//        └──> StageGraph (next stage) ...           └──> Delivery (user callbacks)
//
// One coordinator thread cuts groups from the intake, commits finished groups (results, queue
// records, dead letters, the log record, the delivered cursor: one write batch), acknowledges
// submitters and keeps the retry timers. Items that only pass fast stages are written once,
// as their result: accept and result in one batch.
#pragma once

#include <tbb/task_arena.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "classiflow/pipeline.h"
#include "classiflow/store.h"
#include "pipeline/analytics/aggregates.h"
#include "pipeline/analytics/replay.h"
#include "pipeline/callback_registry.h"
#include "pipeline/delivery.h"
#include "pipeline/group.h"
#include "pipeline/item_pool.h"
#include "pipeline/metrics.h"
#include "pipeline/records.h"
#include "pipeline/sink/sink_files.h"
#include "pipeline/sink/sink_mirror.h"
#include "pipeline/spec.h"
#include "pipeline/stage_graph.h"
#include "pipeline/stages/stages.h"
#include "pipeline/stored_pipeline.h"

namespace classiflow {

// How often the coordinator stores its stats snapshot (for PipelineView), at most.
inline constexpr int64_t kStatsEveryNs = 1000000000;

struct PipelineEnv {
  Store* store = nullptr;  // outlives the pipeline
  ModelLookup models;
  tbb::task_arena* arena = nullptr;  // the engine's threads; outlives the pipeline
  int threads = 1;
  SinkFiles sink_files;  // the engine's EngineServices
};

// The checks Submit makes of an item's id (<= 256 bytes, UTF-8, no control characters) and
// text (1 byte .. 1 MiB, UTF-8); InvalidArgument saying what is wrong.
Status CheckItemId(std::string_view id);
Status CheckItemText(std::string_view text);

class PipelineImpl final : public Pipeline {
 public:
  // Starts the pipeline and recovers what its store holds: items waiting in the queue run
  // again at once (or at their retry time), commits not yet delivered are delivered again.
  static Status Open(std::string name, PipelineSpec spec, const PipelineEnv& env,
                     std::unique_ptr<PipelineImpl>* out);
  ~PipelineImpl() override;
  // Commits what the graph holds, stops every thread. Items still waiting stay in the store.
  // Later calls return Unavailable. Idempotent.
  Status Close();
  // Deletes every record of pipeline `name` (spec, queue, results, dead letters, log).
  static Status DeleteStored(Store& store, std::string_view name);

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
  PipelineStats Stats() const override;
  std::string StatsJson() const override;
  std::string MetricsText() const override;
  const std::string& name() const override { return name_; }
  const std::string& spec_json() const override { return spec_.canonical_json; }
  const PipelineSpec& spec() const { return spec_; }

 private:
  // A change the coordinator applies at the start of a
  // commit, in its write batch; the caller waits for `done`.
  struct AnalyticsOp {
    enum class Kind { kFeedback, kReset, kSwap, kMarkTrained } kind;
    FeedbackRecord feedback;                                // kFeedback (seq set by the commit)
    std::string id;                                         // kFeedback
    AnalyticsReplay* replay = nullptr;                      // kSwap: caught up, then installed
    std::vector<std::pair<std::string, uint64_t>> trained;  // kMarkTrained: (id, seq) read
    Status result;  // set by the coordinator when the op itself fails
    std::promise<Status> done;
  };
  using AnalyticsOps = std::vector<std::shared_ptr<AnalyticsOp>>;

  PipelineImpl(std::string name, PipelineSpec spec, const PipelineEnv& env);
  // Submit path (pipeline_submit.cpp).
  Status Accept(std::span<const PipelineItem> items, bool block, std::vector<std::string>* ids);
  Status CheckItem(const PipelineItem& item) const;
  // Claims the caller-chosen ids of `items`; skip[i] = a duplicate. On error no claim is held.
  Status ClaimIds(std::span<const PipelineItem> items, std::vector<bool>* skip);
  // Moves `slice` into the intake as max_in_flight allows (blocking or Busy), naming each
  // generated id in (*ids)[item.index]; what it could not queue stays in `slice`.
  Status Queue(std::vector<std::unique_ptr<ItemState>>& slice, bool block,
               std::vector<std::string>* ids, size_t* queued);
  // True when `id` is already in flight or has a result or a dead letter; else claims it.
  Status ClaimId(const std::string& id, bool* duplicate);
  std::string NextId();
  // Coordinator (pipeline_commit.cpp).
  void CoordinatorLoop();
  std::vector<Group*> CutGroups(bool full_only);
  void CutIntake(std::unique_lock<std::mutex>& lock);
  void TakeDueRetries(int64_t now_ms, std::vector<std::unique_ptr<ItemState>>* begins);
  // `want_results`: a result callback was registered when the coordinator decided whether to
  // push the backlog first (read once, so no commit's results overtake the backlog's).
  void Commit(std::vector<std::unique_ptr<Group>> done,
              std::vector<std::unique_ptr<ItemState>> begins, AnalyticsOps ops, bool want_results);
  void AfterFailedCommit(std::vector<std::unique_ptr<Group>>& done,
                         std::vector<std::unique_ptr<ItemState>>& begins, const Status& s);
  void Route(std::unique_ptr<ItemState> item);
  void Dispatch(std::unique_ptr<ItemState> item);
  // `count` items reached a result or a dead letter; `claimed` are their caller-chosen ids.
  void Retire(const std::vector<std::string>& claimed, size_t count);
  void OnGroupDone(Group* group);
  void PushBacklog();
  // Callback threads (pipeline_callbacks.cpp).
  void CallbackLoop();
  void RunCallback(std::unique_ptr<ItemState> item);
  void Resume(std::unique_ptr<ItemState> item);
  void Wake(std::string_view callback);
  bool CallbacksReady(uint16_t stage) const;
  // Recovery (pipeline_recover.cpp).
  Status Recover();
  // Sinks (pipeline_sinks.cpp): a mirror per SQLite file the sink stages name.
  Status StartMirrors();
  // Commit: the result record of `item` goes to its sink's mirror after the write.
  void ForMirror(const ItemState& item, const std::string& record);
  void HandToMirrors(uint64_t seq);
  Status DrainMirrors(int64_t timeout_ms);
  void StopMirrors();
  // Analytics (pipeline_analytics.cpp).
  Status RunOp(std::shared_ptr<AnalyticsOp> op);
  // Coordinator: applies the ops before the commit's items, `seq` being the commit's log
  // sequence; *rewrite = every record must be written again (a reset or a recount).
  void ApplyOps(AnalyticsOps& ops, uint64_t seq, StoreBatch* batch, std::vector<LogEntry>* log,
                bool* rewrite);
  // Coordinator: puts the records that changed (and, at most once a second, the stats
  // snapshot) into the batch; *changes gets them for Publish.
  void StageAnalytics(bool rewrite, int64_t now_ns, StoreBatch* batch,
                      std::vector<AnalyticsRecord>* changes);
  void Publish(const std::vector<AnalyticsRecord>& changes);
  // Coordinator: stores the stats snapshot alone (when idle after commits, and at close).
  void WriteStatsSnapshot();
  // After a failed commit: back to what the store holds.
  void RestoreAnalytics();
  std::shared_ptr<const AnalyticsRecords> Published() const;
  Status LoadAnalytics();

  // Shared by every call that touches the store; Close() takes it exclusively to mark the
  // store and the engine's threads gone (a handle may outlive its engine).
  Status Use(std::shared_lock<std::shared_mutex>* lock) const;

  const std::string name_;
  const PipelineSpec spec_;
  const PipelineEnv env_;
  const StoredPipeline stored_;  // reads of what is stored
  PipelineMetrics metrics_;
  CallbackRegistry callbacks_;
  std::unique_ptr<StageGraph> graph_;
  Delivery delivery_;
  ItemPool pool_;

  mutable std::mutex mu_;             // guards everything down to the coordinator thread
  std::condition_variable work_cv_;   // the coordinator has work
  std::condition_variable space_cv_;  // in_flight_ fell
  std::condition_variable idle_cv_;   // in_flight_ reached 0
  std::vector<std::unique_ptr<ItemState>> intake_;
  int64_t intake_since_ns_ = 0;  // when the oldest intake item arrived
  std::vector<std::unique_ptr<Group>> done_groups_;
  size_t groups_in_graph_ = 0;
  std::vector<std::unique_ptr<ItemState>> to_begin_;
  std::multimap<int64_t, std::unique_ptr<ItemState>> retries_;  // due ms -> item
  std::vector<std::unique_ptr<ItemState>> waiting_;             // for a callback to be registered
  std::unordered_set<std::string> ids_;                         // caller-chosen ids in flight
  uint64_t in_flight_ = 0;
  bool stopping_ = false;
  bool closed_ = false;
  // Commits whose results no callback has had: from before the last close or crash, or made
  // before the first result callback was registered. Coordinator thread (and recovery).
  bool backlog_pending_ = false;
  uint64_t epoch_ = 0;  // generated ids: epoch, then a counter
  uint64_t next_id_ = 0;
  uint64_t log_seq_ = 0;           // the last log sequence written (coordinator)
  uint64_t stored_delivered_ = 0;  // the delivered cursor as last written (coordinator)
  StoreBatch commit_batch_;        // the coordinator's, reused by every commit
  std::string commit_value_;       // the coordinator's record encoding scratch
  std::thread coordinator_;
  std::vector<std::unique_ptr<SinkMirror>> mirrors_;
  std::vector<int> mirror_of_stage_;  // by stage: its index in mirrors_, -1 for none
  std::vector<std::vector<SinkMirror::Record>> for_mirrors_;  // coordinator: this commit's
  // Analytics: the coordinator's live aggregates (null when the spec turns them off), the
  // records as last committed (read by AnalyticsJson without the coordinator), the ops waiting.
  std::unique_ptr<Aggregates> aggregates_;
  bool rewrite_analytics_ = false;  // coordinator: the next commit rewrites every record
  int64_t stats_written_ns_ = 0;    // coordinator: the last stats snapshot
  bool stats_stale_ = false;        // coordinator: commits since the last snapshot
  mutable std::mutex published_mu_;
  std::shared_ptr<const AnalyticsRecords> published_;
  AnalyticsOps ops_;  // guarded by mu_
  mutable std::shared_mutex use_mu_;
  bool released_ = false;  // guarded by use_mu_

  std::mutex cb_mu_;
  std::condition_variable cb_cv_;
  std::deque<std::unique_ptr<ItemState>> cb_queue_;
  bool cb_stop_ = false;
  std::vector<std::thread> cb_threads_;
};

}  // namespace classiflow
