// Aggregates: a pipeline's live analytics — per classify stage, counts and mean confidence per
// label, a confidence histogram and counts per label per minute and per hour; route counts per
// edge; extracted / valid / invalid counts per field; items, retries and dead letters per
// stage; the urgent list (newest K) and the needs-review list (least confident K not yet
// answered); accuracy, macro-F1 and a confusion matrix per model version from feedback.
//
// The coordinator counts each commit's events (AddResult, AddDeadLetter, AddRetry,
// AddFeedback) and writes the records that changed (TakeChanges) in the same write batch, so
// the stored aggregates are always those of the stored log: replaying the log since the last
// reset (analytics/replay.h) gives the same records, byte for byte, after any crash. Every
// event is a pure function of the aggregates and the event, which is what makes that hold.
//
// Records live in KeySpace::kAnalytics under "<pipeline>\0<suffix>"; their number is bounded
// by the settings (retention, list sizes, labels, versions), never by the items counted, so
// reading them is O(1) in the items processed.
//
// Thread-safety: none; the coordinator owns the live one. Readers decode published records.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "classiflow/status.h"
#include "pipeline/item.h"
#include "pipeline/spec.h"

namespace classiflow {

// One stored record: its key suffix (after "<pipeline>\0") and value; nullopt = deleted.
struct AnalyticsRecord {
  std::string suffix;
  std::optional<std::string> value;
};
using AnalyticsRecords = std::map<std::string, std::string, std::less<>>;

// Record suffixes: "c" the core counters, "l"+stage+page a page of a classify stage's labels,
// "m"/"h"+time a minute's / an hour's counts, "u" the urgent list, "r" the needs-review list,
// "f"+stage+version a model version's confusion, "g" the recent feedbacks, and "s" the
// writer's stats snapshot (not part of the exact aggregates). Numbers are big-endian, so the
// records of one kind sort by their number.
inline constexpr std::string_view kStatsSuffix = "s";
inline constexpr uint32_t kLabelsPerPage = 64;
std::string BucketSuffix(char kind, int64_t at);
std::string LabelPageSuffix(uint16_t stage, uint32_t page);
std::string ConfusionSuffix(uint16_t stage, uint64_t version);

// What one feedback says: the model version of `stage` answered `predicted`; truth is `label`.
struct FeedbackEvent {
  std::string_view id;
  uint16_t stage = 0;
  uint64_t version = 0;
  std::string_view label;
  std::string_view predicted;
};

class Aggregates {
 public:
  explicit Aggregates(const PipelineSpec& spec);

  // Events, in commit order.
  void AddResult(const ItemState& item, int64_t done_ms);
  void AddDeadLetter(uint16_t stage);
  void AddRetry(uint16_t stage);
  // `replaced`: the earlier feedback for the same id when it was counted since the last reset.
  void AddFeedback(const FeedbackEvent& feedback, const FeedbackEvent* replaced);

  // The log sequence the counts start after (the last commit before a reset).
  uint64_t base_seq() const { return base_seq_; }
  // Back to empty, counting from after `seq`; every stored record must be deleted (the caller
  // lists them) and the new core record written.
  void Reset(uint64_t seq);

  // The records changed since the last call, puts and deletes; marks everything clean.
  void TakeChanges(std::vector<AnalyticsRecord>* out);
  // Every record, as TakeChanges would write it from scratch.
  AnalyticsRecords AllRecords() const;
  // Loads stored records (every record of the pipeline, the stats snapshot ignored).
  // Corruption naming the record when one does not decode.
  Status Load(const AnalyticsRecords& records);

  // The least confident prediction of an item: what needs review, and what feedback on it
  // answers by default. Null when the item has no prediction.
  static const ItemPrediction* LeastConfident(const ItemState& item);

  // The public view (docs/analytics.md).
  nlohmann::json ToJson() const;
  // Prometheus lines, every metric labelled with `labels` (`pipeline="p"`).
  void AppendMetrics(const std::string& labels, std::string* out) const;
  // Accuracy over the recent feedbacks is below the alert threshold.
  bool Alerting() const;

 private:
  struct LabelTally {
    std::string label;
    uint64_t count = 0;
    double confidence_sum = 0.0;
  };
  // Finds a label by string_view: no string is built per counted prediction.
  struct LabelHash {
    using is_transparent = void;
    size_t operator()(std::string_view label) const { return std::hash<std::string_view>()(label); }
  };
  struct StageTally {                // a classify stage
    std::vector<LabelTally> labels;  // in order of first appearance; never shrinks
    std::unordered_map<std::string, uint32_t, LabelHash, std::equal_to<>> index;
    // A snapshot's label index (ItemPrediction::label_hint) -> index + 1 (0 = not seen): a
    // cache in front of `index`, checked against the label, so any snapshot may use it.
    std::vector<uint32_t> by_hint;
    std::vector<uint64_t> histogram;
    std::vector<bool> dirty_pages;  // by page: a flag, not a set insert, per prediction
  };
  // Which ids may be in the needs-review list: a count per hash slot, so that the lookup every
  // counted item needs (an id may come again once its result expired) is one read of a small
  // array for nearly all of them, not a search of the list.
  class ReviewIds {
   public:
    explicit ReviewIds(uint32_t keep);
    void Add(std::string_view id) { ++slots_[Slot(id)]; }
    void Remove(std::string_view id) { --slots_[Slot(id)]; }
    bool MayHold(std::string_view id) const { return slots_[Slot(id)] != 0; }

   private:
    size_t Slot(std::string_view id) const;
    std::vector<uint16_t> slots_;  // a power of two; review_keep (<= 10,000) bounds each count
  };
  struct FieldTally {
    uint64_t extracted = 0, valid = 0, invalid = 0;
  };
  struct ListEntry {
    std::string id;
    uint16_t stage = 0;
    std::string label;
    double confidence = 0.0;
    int64_t done_ms = 0;
    std::string field;  // urgent: the rule's field value (JSON), if the rule names one
  };
  // (stage << 32 | label index) -> count, for one minute or hour.
  using Bucket = std::map<uint64_t, uint64_t>;
  using Series = std::map<int64_t, Bucket>;
  // One model version's confusion: (true label, predicted label) -> count.
  using Confusion = std::map<std::pair<std::string, std::string>, uint64_t>;

  // The tally of a classify stage, made on first use.
  StageTally& Tally(uint16_t stage);
  static uint32_t LabelIndex(StageTally* tally, std::string_view label, uint32_t hint);
  // The bucket of minute / hour `at`, made and marked dirty, the buckets past `keep` dropped;
  // null when `at` is older than what is kept.
  Bucket* BucketAt(Series* series, std::set<int64_t>* dirty, int64_t at, uint32_t keep, char kind);
  void AddUrgent(const ItemState& item, int64_t done_ms);
  void AddReview(const ItemState& item, int64_t done_ms);
  void RemoveReview(std::string_view id);
  bool Urgent(const ItemState& item, const ItemPrediction& p, std::string* field) const;

  // Record codecs (aggregates_records.cpp).
  std::string EncodeCore() const;
  std::string EncodeLabelPage(uint16_t stage, uint32_t page) const;
  static std::string EncodeBucket(const Bucket& bucket);
  static std::string EncodeList(const std::vector<const ListEntry*>& entries);
  std::string EncodeConfusion(const Confusion& confusion) const;
  std::string EncodeRecent() const;
  Status LoadRecord(std::string_view suffix, std::string_view value);
  Status DecodeCore(std::string_view value);
  Status DecodeLabelPage(uint16_t stage, uint32_t page, std::string_view value);
  static Status DecodeBucket(std::string_view value, Bucket* out);
  static Status DecodeList(std::string_view value, std::vector<ListEntry>* out);
  Status DecodeRecent(std::string_view value);
  std::vector<const ListEntry*> ReviewInOrder() const;

  const PipelineSpec* spec_;
  const AnalyticsSpec* settings_;
  uint64_t base_seq_ = 0;
  uint64_t items_ = 0;
  int64_t first_ms_ = 0, last_ms_ = 0;
  std::vector<uint64_t> stage_items_, stage_retries_, stage_dead_;  // per stage
  std::map<uint16_t, StageTally> classify_;                         // per classify stage
  std::map<uint32_t, uint64_t> routes_;                             // (from << 16 | to) -> count
  std::map<std::string, FieldTally, std::less<>> fields_;
  Series minutes_, hours_;
  std::set<int64_t> dirty_minutes_, dirty_hours_;
  std::vector<std::string> deleted_;  // suffixes of records dropped since TakeChanges
  std::deque<ListEntry> urgent_;      // newest first
  // Needs review: ordered by (confidence, id); by id for removal.
  std::set<std::pair<double, std::string>> review_order_;
  std::map<std::string, ListEntry, std::less<>> review_;
  ReviewIds review_ids_;
  std::map<std::pair<uint16_t, uint64_t>, Confusion> confusion_;  // (stage, version)
  std::set<std::pair<uint16_t, uint64_t>> dirty_confusion_;
  std::deque<bool> recent_;  // the last alert_window feedbacks: correct or not, newest last
  uint64_t feedback_total_ = 0, feedback_correct_ = 0;
  bool core_dirty_ = true, urgent_dirty_ = false, review_dirty_ = false, recent_dirty_ = false;
};

}  // namespace classiflow
