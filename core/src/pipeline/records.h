// How a pipeline lays its state out in a Store (docs/pipeline.md, "On-disk layout").
//
//   kPipelines    "<pipeline>"                 -> the spec (canonical JSON)
//                 "<pipeline>\0delivered"      -> u64: the last log sequence delivered to callbacks
//                 "<pipeline>\0epoch"          -> u32: bumped at every open; prefixes generated ids
//   kResults      "<pipeline>\0<id>"           -> result record
//   kQueue        "<pipeline>\0<id>"           -> queue record: an accepted item that waits
//   kDeadLetters  "<pipeline>\0<id>"           -> dead-letter record
//   kPipelineLog  "<pipeline>\0<u64 BE seq>"   -> what one commit did, in order (LogEntry)
//   kAnalytics    "<pipeline>\0<suffix>"       -> the aggregates' records (analytics/aggregates.h)
//   kFeedback     "<pipeline>\0<id>"           -> feedback record: the true label of a result
//
// Records are binary (varints, length-prefixed bytes) behind a one-byte record kind; RocksDB
// checksums its blocks, so they carry no checksum of their own. Stage names are stored as
// indices into the pipeline's spec, which never changes while the pipeline exists.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/pipeline.h"
#include "classiflow/status.h"
#include "pipeline/item.h"
#include "pipeline/spec.h"

namespace classiflow {

std::string ItemKey(std::string_view pipeline, std::string_view id);
std::string LogKey(std::string_view pipeline, uint64_t seq);
std::string StateKey(std::string_view pipeline, std::string_view what);
// The 8-byte big-endian values of the "delivered" and "epoch" state keys.
std::string EncodeCounter(uint64_t value);
uint64_t DecodeCounter(std::string_view bytes);
// The id of an ItemKey, the sequence of a LogKey.
std::string_view IdOfKey(std::string_view pipeline, std::string_view key);
uint64_t SeqOfKey(std::string_view pipeline, std::string_view key);

// Queue record states.
enum class QueueState : uint8_t {
  kRunning = 1,  // attempt `attempts` began and has not finished
  kWaiting = 2,  // the next attempt is due at due_ms (0 = when its callback is registered)
};

// `keep_text`: the record keeps the item's text (a sink with keep_text).
void EncodeResult(const ItemState& item, int64_t done_ms, int64_t expires_ms, bool keep_text,
                  std::string* out);
void EncodeQueueRecord(const ItemState& item, QueueState state, std::string* out);
void EncodeDeadLetter(const ItemState& item, int64_t failed_ms, std::string* out);

Status DecodeResult(std::string_view id, std::string_view value, const PipelineSpec& spec,
                    PipelineResult* out);
// A result record as the item it was (route, predictions, fields, text when kept).
Status DecodeResultItem(std::string_view id, std::string_view value, const PipelineSpec& spec,
                        ItemState* item, int64_t* done_ms, int64_t* expires_ms);
// *expires_ms of a result record, cheaply (0 = never).
Status DecodeResultExpiry(std::string_view value, int64_t* expires_ms);
Status DecodeQueueRecord(std::string_view id, std::string_view value, ItemState* out,
                         QueueState* state);
// A dead letter as an item (for Requeue) and as the public view.
Status DecodeDeadLetter(std::string_view id, std::string_view value, ItemState* item,
                        int64_t* failed_ms);
DeadLetter ToDeadLetter(const ItemState& item, int64_t failed_ms, const PipelineSpec& spec);
// The public view of a finished item.
// `with_text`: the result carries the item's text (its sink keeps it).
PipelineResult ToResult(const ItemState& item, int64_t done_ms, int64_t expires_ms,
                        const PipelineSpec& spec, bool with_text);

// The feedback recorded for one result.
struct FeedbackRecord {
  uint64_t seq = 0;  // the log sequence of the commit that recorded it
  uint16_t stage = 0;
  uint64_t version = 0;  // the version of the stage's model that answered
  std::string label;     // the truth
  std::string predicted;
  std::string text;      // the item's text when known (kept by the sink or given), else ""
  bool trained = false;  // the model has trained on it
  int64_t at_ms = 0;
};
void EncodeFeedback(const FeedbackRecord& feedback, std::string* out);
Status DecodeFeedback(std::string_view value, FeedbackRecord* out);

// A log record: what one commit did, in order — the ids it finished (a result or a dead
// letter), the retries it scheduled and the feedback it recorded. Replaying the log from the
// start (or from a reset) recounts the pipeline's analytics exactly (analytics/replay.h).
enum class LogEntryKind : uint8_t { kResult = 1, kDeadLetter = 2, kRetry = 3, kFeedback = 4 };
struct LogEntry {
  LogEntryKind kind = LogEntryKind::kResult;
  std::string_view id;
  uint16_t stage = kNoStage;  // all but kResult: the stage that failed, retried or was answered
  // kFeedback: the model version that answered, the true label and the one it predicted.
  uint64_t version = 0;
  std::string_view label;
  std::string_view predicted;
  // An entry that is not feedback.
  static LogEntry Of(LogEntryKind kind, std::string_view id, uint16_t stage = kNoStage) {
    LogEntry e;
    e.kind = kind;
    e.id = id;
    e.stage = stage;
    return e;
  }
};
void EncodeLogRecord(int64_t done_ms, const std::vector<LogEntry>& entries, std::string* out);
Status DecodeLogRecord(std::string_view value, int64_t* done_ms, std::vector<LogEntry>* out);

}  // namespace classiflow
