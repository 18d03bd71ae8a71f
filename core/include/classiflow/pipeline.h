// Pipeline: a named graph of stages that every submitted item flows through, durably.
//
// A pipeline is made from a spec (JSON; PipelineBuilder writes one) by Engine::CreatePipeline
// and persists with the engine. Stages: `classify` (a model; routes by label and confidence),
// `extract` (named patterns into `fields`), `validate` (check digits or a callback into
// `valid`), `enrich` (a user callback that returns fields) and `sink` (results kept by id,
// optional TTL). docs/pipeline.md describes the spec, the commit path and the on-disk layout.
//
// Guarantees (docs/guarantees.md):
// - Accepted means durable: Submit returns OK once the item is in the store (its result, or a
//   queue record when it must wait for a callback or a retry), per the pipeline's durability.
// - Exactly one result per accepted id, after any crash: an item ends in exactly one terminal
//   place, its result or its dead letter. Submitting an id that is in flight or has a result
//   (or a dead letter) returns that id and produces no second result.
// - On reopen, every accepted item without a result is processed again at once.
// - A failing stage or callback is retried with capped exponential backoff and jitter up to
//   max_attempts, then dead-lettered with its error. The attempt count is persisted before a
//   callback runs, so an item whose callback kills the process is dead-lettered after
//   max_attempts restarts.
// - Result callbacks are delivered exactly once while the process lives, at least once across
//   a crash (results committed but not yet delivered are delivered again after reopen).
//
// Thread-safety: all methods may be called concurrently from any thread. Callbacks run on the
// pipeline's threads; they may call Result(), Stats() and the like but must not call Flush()
// or Close() (that would wait for themselves).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "classiflow/export.h"
#include "classiflow/status.h"

namespace classiflow {

// One item for SubmitMany. Views must stay valid for the duration of the call.
struct PipelineItem {
  std::string_view id;    // "" = the pipeline generates one
  std::string_view text;  // UTF-8; REQUIRES: not empty, at most 1 MiB
  std::string_view meta;  // a JSON object (kept with the item and its result), or ""
};

// What a classify stage answered for an item.
struct StagePrediction {
  std::string stage;
  std::string model;
  std::string label;  // "" when the top probability was below the stage's min_confidence
  double confidence = 0.0;
  uint64_t version = 0;  // the model version that answered
};

// A field an extract stage found or an enrich callback returned: its value is JSON text
// ("\"4006381333931\"", "12.5", "[1,2]").
struct Field {
  std::string name;
  std::string json;
  // A field whose value is the JSON string `value`.
  static Field String(std::string_view name, std::string_view value);
};

// What an item became.
struct CLASSIFLOW_EXPORT PipelineResult {
  std::string id;
  std::vector<std::string> route;  // stage names, entry first, the sink last
  std::vector<StagePrediction> predictions;
  std::vector<Field> fields;
  std::vector<std::pair<std::string, bool>> valid;  // validated field -> check passed
  std::string meta;                                 // the item's meta JSON, or ""
  std::string text;             // the item's text when its sink keeps it ("keep_text"), else ""
  int64_t submitted_at_ms = 0;  // Unix time, ms
  int64_t done_at_ms = 0;
  int64_t expires_at_ms = 0;  // 0 = kept until dropped
  uint32_t attempts = 1;      // the most attempts any stage of this item needed
  // {"id", "route", "predictions": {stage: {"label", "confidence", "model", "version"}},
  //  "fields", "valid", "meta", "submitted_at", "done_at", "attempts"} (times in seconds).
  std::string ToJson() const;
};

// An item that failed max_attempts times (or could not run at all).
struct CLASSIFLOW_EXPORT DeadLetter {
  std::string id;
  std::string text;
  std::string meta;
  std::string stage;  // the stage that failed
  std::string error;  // the last error
  uint32_t attempts = 0;
  int64_t submitted_at_ms = 0;
  int64_t failed_at_ms = 0;
  std::string ToJson() const;
};

// What a callback sees of an item. Views are valid while the callback runs.
struct CallbackItem {
  std::string_view id;
  std::string_view text;
  std::string_view meta;
  std::span<const StagePrediction> predictions;
  std::span<const Field> fields;
  uint32_t attempt = 1;  // 1 for the first attempt at this stage
};

// An enrich callback: appends the fields to merge into the item (a name already present is
// replaced). A non-OK status (or an exception) fails this attempt; the item is retried.
using EnrichFn = std::function<Status(const CallbackItem& item, std::vector<Field>* fields)>;
// A validate callback: decides whether `value` (the validated field's JSON text) is valid.
using ValidateFn =
    std::function<Status(const CallbackItem& item, std::string_view value, bool* valid)>;
using ResultFn = std::function<void(const PipelineResult& result)>;
using ResultsFn = std::function<void(std::span<const PipelineResult> results)>;
using DeadLetterFn = std::function<void(const DeadLetter& dead)>;

// Counters and latencies; StatsJson() / MetricsText() render the same numbers.
struct PipelineStageStats {
  std::string name;
  std::string kind;  // classify, extract, validate, enrich, sink
  uint64_t processed = 0;
  uint64_t errors = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;  // time in the stage, per item
};
struct PipelineStats {
  uint64_t submitted = 0;     // Submit calls that were accepted (duplicates included)
  uint64_t duplicates = 0;    // ids already in flight or done: no new work
  uint64_t completed = 0;     // results written
  uint64_t dead_letters = 0;  // items dead-lettered
  uint64_t retries = 0;       // attempts scheduled after a failure
  uint64_t callback_errors = 0;
  uint64_t in_flight = 0;    // accepted or waiting to be accepted, not yet terminal
  uint64_t queue_depth = 0;  // items waiting in the store (callbacks, retries)
  uint64_t commits = 0;      // write batches
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;  // submit -> result committed
  std::vector<PipelineStageStats> stages;
};

// What Pipeline::Feedback answers, beyond the id and its true label.
struct FeedbackOptions {
  // The classify stage whose answer is corrected; "" = the item's least confident answer
  // (the one its needs-review entry shows).
  std::string_view stage;
  // The item's text, for training, when its sink does not keep it ("keep_text"); "" = none.
  std::string_view text;
};

class CLASSIFLOW_EXPORT Pipeline {
 public:
  virtual ~Pipeline() = default;

  // Accepts one item and returns once it is durable (per the pipeline's durability). *id gets
  // the item's id (`id` itself, or a generated one when `id` is empty). InvalidArgument for
  // empty, oversized or invalid-UTF-8 text, a bad id or meta; IOError when the store refuses
  // (nothing of the item is stored then); Unavailable after Close. Blocks while max_in_flight
  // items are in flight.
  virtual Status Submit(std::string_view text, std::string_view id, std::string_view meta,
                        std::string* out_id) = 0;
  // Submit that never blocks on a full pipeline: Busy ("pipeline is full") instead.
  virtual Status TrySubmit(std::string_view text, std::string_view id, std::string_view meta,
                           std::string* out_id) = 0;
  // Accepts many items; returns once all are durable, ids in order. Validates every item
  // before accepting any: an InvalidArgument names the first bad item (items[i]) and accepts
  // nothing. A store error may leave a prefix of the items accepted; their ids are in *ids.
  virtual Status SubmitMany(std::span<const PipelineItem> items, std::vector<std::string>* ids) = 0;
  // Waits until every item accepted before the call is done (a result or a dead letter), its
  // result callbacks have run and the SQLite sink files hold its rows. timeout_ms < 0 waits
  // forever; Busy when the timeout passes first, saying what still waits (e.g. items waiting
  // for a callback that is not registered); IOError when a sink file's last write failed (the
  // results are stored, and the sink writes them once it can).
  virtual Status Flush(int64_t timeout_ms = -1) = 0;

  // NotFound when the id has no result (unknown, still in flight, dead-lettered or expired).
  virtual Status GetResult(std::string_view id, PipelineResult* out) = 0;
  // The newest results, newest first, at most `n`.
  virtual Status NewestResults(size_t n, std::vector<PipelineResult>* out) = 0;
  // Dead letters in id order, at most `limit` (0 = all).
  virtual Status DeadLetters(size_t limit, std::vector<DeadLetter>* out) = 0;
  // Moves a dead letter back into the pipeline at the stage that failed, attempts reset.
  // NotFound when the id has no dead letter.
  virtual Status Requeue(std::string_view id) = 0;

  // Result callbacks: `fn` is called once per committed result, on the pipeline's delivery
  // thread, in commit order. Results committed before registration (since the last delivery
  // acknowledged to the store) are delivered to the first callback registered.
  virtual void OnResult(ResultFn fn) = 0;
  // Batched: `fn` gets up to max_items results at a time, at most max_delay_ms after the first
  // of them committed. REQUIRES: max_items >= 1, max_delay_ms >= 0 (else InvalidArgument).
  virtual Status OnResults(ResultsFn fn, size_t max_items, int64_t max_delay_ms) = 0;
  virtual void OnDeadLetter(DeadLetterFn fn) = 0;

  // Registers the callback an enrich stage (or a validate entry with "callback") names.
  // Items waiting for it (after a reopen) start at once. Replaces an earlier registration.
  // InvalidArgument when no stage names `name` in that role.
  virtual Status RegisterEnrich(std::string_view name, EnrichFn fn) = 0;
  virtual Status RegisterValidator(std::string_view name, ValidateFn fn) = 0;

  // Analytics (docs/analytics.md), exact after any crash: they are written in the same batch
  // as the results they count. The aggregates as JSON, from the last commit; never waits for
  // the pipeline, and costs the same whatever the number of items counted. NotSupported when
  // the spec turned analytics off.
  virtual Status AnalyticsJson(std::string* out) const = 0;
  // Clears the aggregates: they count from the next commit on. Feedback stays recorded.
  virtual Status ResetAnalytics() = 0;
  // Rebuilds the aggregates from the stored log and results since the last reset (reads them
  // all: O(items)), and installs them; the pipeline runs on meanwhile.
  virtual Status Recount() = 0;
  // Records `label` as the true label of the result of `id` (durable once it returns, in the
  // same batch as the statistics it changes). A second feedback for an id replaces the first.
  // The item leaves the needs-review list; accuracy per model version counts it. With the
  // spec's feedback.train "online" the model that answered trains on it at once (a new
  // version); with "later" (the default) Retrain() does. NotFound when the id has no result;
  // InvalidArgument for an empty or invalid label, a stage that did not answer the item, or
  // (online training) no text to train on.
  virtual Status Feedback(std::string_view id, std::string_view label,
                          const FeedbackOptions& options) = 0;
  // Trains every model on the feedback it has not trained on yet (one TrainBatch per model:
  // a new version each); *trained = how many feedbacks it trained on. Feedback without a text
  // is skipped.
  virtual Status Retrain(size_t* trained) = 0;

  // Writes the results stored now into the SQLite file `path` (created when missing; relative
  // to the data directory): the `results` table a {"sink": {"sqlite": FILE}} keeps (docs/
  // pipeline.md, "SQLite sink"), upserted by id in batched transactions; *written = the rows.
  // Works on read views too. InvalidArgument for a file that is not SQLite, whose `results`
  // table is not classiflow's, or that is another pipeline's sink; IOError when it cannot be
  // written.
  virtual Status ExportSqlite(std::string_view path, size_t* written) = 0;

  virtual PipelineStats Stats() const = 0;
  virtual std::string StatsJson() const = 0;
  // Prometheus text exposition format of Stats() and the analytics, metric names prefixed
  // "classiflow_pipeline_" and labelled pipeline="name" (and stage="name"). A
  // classiflow_pipeline_feedback_alert line appears while accuracy over the last feedbacks is
  // below the spec's feedback.alert_below.
  virtual std::string MetricsText() const = 0;

  virtual const std::string& name() const = 0;
  // The spec as stored, in canonical form (keys sorted, defaults filled in).
  virtual const std::string& spec_json() const = 0;
};

// Builds a spec's JSON from C++:
//   PipelineBuilder b;
//   b.Classify("category", "products").Route("electronics", "ids").Route("*", "out")
//       .MinConfidence(0.6, "review");
//   b.Extract("ids", {"gtin", "mpn"}).Next("check");
//   b.Validate("check", {"gtin"}).Next("out");
//   b.Sink("review"); b.Sink("out", /*ttl_s=*/86400);
//   std::string spec = b.Json();
class CLASSIFLOW_EXPORT PipelineBuilder {
 public:
  class Stage {
   public:
    Stage& Route(std::string_view label, std::string_view next);
    Stage& Next(std::string_view next);
    Stage& MinConfidence(double min_confidence, std::string_view fallback);
    // extract: a custom RE2 pattern stored under `name`.
    Stage& Pattern(std::string_view name, std::string_view regex);
    // validate: the field `field` checked by the callback registered as `callback`.
    Stage& Callback(std::string_view field, std::string_view callback);
    // validate: where items go when their fields are valid / invalid / absent.
    Stage& OnValid(std::string_view next);
    Stage& OnInvalid(std::string_view next);
    Stage& OnAbsent(std::string_view next);

   private:
    friend class PipelineBuilder;
    explicit Stage(void* json) : json_(json) {}
    void* json_;  // the stage's nlohmann::json object, owned by the builder
  };
  PipelineBuilder();
  ~PipelineBuilder();
  PipelineBuilder(const PipelineBuilder&) = delete;
  PipelineBuilder& operator=(const PipelineBuilder&) = delete;

  Stage& Classify(std::string_view name, std::string_view model);
  Stage& Extract(std::string_view name, std::vector<std::string> builtins);
  Stage& Validate(std::string_view name, std::vector<std::string> checks);
  Stage& Enrich(std::string_view name, std::string_view callback);
  Stage& Sink(std::string_view name, int64_t ttl_s = 0);
  // Pipeline settings: "durability" ("none" | "buffered" | "sync"), "max_in_flight",
  // "max_attempts", "entry", ... (docs/pipeline.md); `json_value` is JSON text.
  PipelineBuilder& Set(std::string_view key, std::string_view json_value);
  PipelineBuilder& Batch(size_t max_items, int64_t max_delay_ms);
  std::string Json() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace classiflow
