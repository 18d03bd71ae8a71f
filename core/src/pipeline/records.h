// How a pipeline lays its state out in a Store (docs/pipeline.md, "On-disk layout").
//
//   kPipelines    "<pipeline>"                 -> the spec (canonical JSON)
//                 "<pipeline>\0delivered"      -> u64: the last log sequence delivered to callbacks
//                 "<pipeline>\0epoch"          -> u32: bumped at every open; prefixes generated ids
//   kResults      "<pipeline>\0<id>"           -> result record
//   kQueue        "<pipeline>\0<id>"           -> queue record: an accepted item that waits
//   kDeadLetters  "<pipeline>\0<id>"           -> dead-letter record
//   kPipelineLog  "<pipeline>\0<u64 BE seq>"   -> the ids one commit made terminal, in order
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

void EncodeResult(const ItemState& item, int64_t done_ms, int64_t expires_ms, std::string* out);
void EncodeQueueRecord(const ItemState& item, QueueState state, std::string* out);
void EncodeDeadLetter(const ItemState& item, int64_t failed_ms, std::string* out);

Status DecodeResult(std::string_view id, std::string_view value, const PipelineSpec& spec,
                    PipelineResult* out);
// *expires_ms of a result record, cheaply (0 = never).
Status DecodeResultExpiry(std::string_view value, int64_t* expires_ms);
Status DecodeQueueRecord(std::string_view id, std::string_view value, ItemState* out,
                         QueueState* state);
// A dead letter as an item (for Requeue) and as the public view.
Status DecodeDeadLetter(std::string_view id, std::string_view value, ItemState* item,
                        int64_t* failed_ms);
DeadLetter ToDeadLetter(const ItemState& item, int64_t failed_ms, const PipelineSpec& spec);
// The public view of a finished item.
PipelineResult ToResult(const ItemState& item, int64_t done_ms, int64_t expires_ms,
                        const PipelineSpec& spec);

// A log record: which ids one commit finished, and how.
enum class LogEntryKind : uint8_t { kResult = 1, kDeadLetter = 2 };
struct LogEntry {
  LogEntryKind kind;
  std::string_view id;
};
void EncodeLogRecord(int64_t done_ms, const std::vector<LogEntry>& entries, std::string* out);
Status DecodeLogRecord(std::string_view value, int64_t* done_ms, std::vector<LogEntry>* out);

}  // namespace classiflow
