#include "pipeline/records.h"

#include <algorithm>
#include <limits>

#include "pipeline/record_fields.h"
#include "util/binary_io.h"

namespace classiflow {
namespace {

enum class RecordKind : uint8_t {
  kResult = 1,
  kQueue = 2,
  kDeadLetter = 3,
  kLog = 4,
  kFeedback = 5
};
constexpr uint8_t kRecordFormat = 1;
// Log records of format 2 name the stage of every entry but a result, and carry feedback.
constexpr uint8_t kLogFormat = 2;

Status Truncated(std::string_view what) {
  return Status::Corruption(std::string(what) + " record is truncated or malformed");
}

void PutHeader(RecordKind kind, BinaryWriter* w, uint8_t format = kRecordFormat) {
  const uint8_t header[2] = {static_cast<uint8_t>(kind), format};
  w->PutRaw(header, 2);
}

// *format (when given) accepts 1..*format and gets the record's.
bool GetHeader(RecordKind kind, BinaryReader* r, uint8_t* format = nullptr) {
  uint8_t header[2];
  if (!r->GetRaw(header, 2) || header[0] != static_cast<uint8_t>(kind)) return false;
  if (format == nullptr) return header[1] == kRecordFormat;
  if (header[1] < 1 || header[1] > *format) return false;
  *format = header[1];
  return true;
}

// What every record kind keeps of an item's progress.
void PutProgress(const ItemState& item, BinaryWriter* w) {
  PutTime(item.submitted_at_ms, w);
  w->PutVarint(item.max_attempts_used);
  w->PutBytes(item.meta);
  w->PutVarint(item.route.size());
  for (uint16_t stage : item.route) w->PutVarint(stage);
  w->PutVarint(item.predictions.size());
  for (const ItemPrediction& p : item.predictions) {
    w->PutVarint(p.stage);
    w->PutBytes(p.label);
    w->PutF64(p.confidence);
    w->PutVarint(p.version);
  }
  w->PutVarint(item.fields.size());
  for (const ItemField& f : item.fields) {
    w->PutBytes(f.name);
    w->PutBytes(f.json);
  }
  w->PutVarint(item.valid.size());
  for (const auto& [name, ok] : item.valid) {
    w->PutBytes(name);
    w->PutVarint(ok ? 1 : 0);
  }
}

bool GetProgress(BinaryReader* r, ItemState* item) {
  uint64_t n = 0;
  if (!GetTime(r, &item->submitted_at_ms) || !GetInt(r, &item->max_attempts_used) ||
      !GetString(r, &item->meta) || !r->GetVarint(&n) || n > r->remaining()) {
    return false;
  }
  item->route.resize(n);
  for (uint16_t& stage : item->route) {
    if (!GetInt(r, &stage)) return false;
  }
  if (!r->GetVarint(&n) || n > r->remaining()) return false;
  item->predictions.resize(n);
  for (ItemPrediction& p : item->predictions) {
    if (!GetInt(r, &p.stage) || !GetString(r, &p.label) || !r->GetF64(&p.confidence) ||
        !r->GetVarint(&p.version)) {
      return false;
    }
  }
  if (!r->GetVarint(&n) || n > r->remaining()) return false;
  item->fields.resize(n);
  for (ItemField& f : item->fields) {
    if (!GetString(r, &f.name) || !GetString(r, &f.json)) return false;
  }
  if (!r->GetVarint(&n) || n > r->remaining()) return false;
  item->valid.resize(n);
  for (auto& [name, ok] : item->valid) {
    uint64_t v = 0;
    if (!GetString(r, &name) || !r->GetVarint(&v)) return false;
    ok = v != 0;
  }
  return true;
}

// The stage fields of queue and dead-letter records.
void PutPending(const ItemState& item, BinaryWriter* w) {
  w->PutVarint(item.stage);
  w->PutVarint(item.attempts);
  PutTime(item.due_ms, w);
  w->PutBytes(item.text);
  w->PutBytes(item.error);
}

bool GetPending(BinaryReader* r, ItemState* item) {
  return GetInt(r, &item->stage) && GetInt(r, &item->attempts) && GetTime(r, &item->due_ms) &&
         GetString(r, &item->text) && GetString(r, &item->error);
}

bool StageOk(const PipelineSpec& spec, uint16_t stage) { return stage < spec.stages.size(); }

}  // namespace

std::string ItemKey(std::string_view pipeline, std::string_view id) {
  std::string key;
  key.reserve(pipeline.size() + 1 + id.size());
  key.append(pipeline).push_back('\0');
  key.append(id);
  return key;
}

std::string EncodeCounter(uint64_t value) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  return out;
}

uint64_t DecodeCounter(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8 && i < bytes.size(); ++i) {
    value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return value;
}

std::string LogKey(std::string_view pipeline, uint64_t seq) {
  return ItemKey(pipeline, EncodeCounter(seq));
}

std::string StateKey(std::string_view pipeline, std::string_view what) {
  return ItemKey(pipeline, what);
}

std::string_view IdOfKey(std::string_view pipeline, std::string_view key) {
  return key.substr(std::min(key.size(), pipeline.size() + 1));
}

uint64_t SeqOfKey(std::string_view pipeline, std::string_view key) {
  return DecodeCounter(IdOfKey(pipeline, key));
}

void EncodeResult(const ItemState& item, int64_t done_ms, int64_t expires_ms, bool keep_text,
                  std::string* out) {
  out->clear();
  BinaryWriter w(out);
  PutHeader(RecordKind::kResult, &w);
  PutTime(done_ms, &w);
  PutTime(expires_ms, &w);
  PutProgress(item, &w);
  // Trailing and optional: a record without it (or from before keep_text) has no text.
  if (keep_text) w.PutBytes(item.text);
}

void EncodeQueueRecord(const ItemState& item, QueueState state, std::string* out) {
  out->clear();
  BinaryWriter w(out);
  PutHeader(RecordKind::kQueue, &w);
  w.PutVarint(static_cast<uint8_t>(state));
  PutPending(item, &w);
  PutProgress(item, &w);
}

void EncodeDeadLetter(const ItemState& item, int64_t failed_ms, std::string* out) {
  out->clear();
  BinaryWriter w(out);
  PutHeader(RecordKind::kDeadLetter, &w);
  PutTime(failed_ms, &w);
  PutPending(item, &w);
  PutProgress(item, &w);
}

Status DecodeResultExpiry(std::string_view value, int64_t* expires_ms) {
  BinaryReader r(value);
  int64_t done = 0;
  if (!GetHeader(RecordKind::kResult, &r) || !GetTime(&r, &done) || !GetTime(&r, expires_ms)) {
    return Truncated("result");
  }
  return Status::OK();
}

Status DecodeResultItem(std::string_view id, std::string_view value, const PipelineSpec& spec,
                        ItemState* item, int64_t* done_ms, int64_t* expires_ms) {
  BinaryReader r(value);
  if (!GetHeader(RecordKind::kResult, &r) || !GetTime(&r, done_ms) || !GetTime(&r, expires_ms) ||
      !GetProgress(&r, item) || (r.remaining() > 0 && !GetString(&r, &item->text))) {
    return Truncated("result");
  }
  for (uint16_t stage : item->route) {
    if (!StageOk(spec, stage)) return Truncated("result");
  }
  for (const ItemPrediction& p : item->predictions) {
    if (!StageOk(spec, p.stage)) return Truncated("result");
  }
  item->id.assign(id);
  return Status::OK();
}

Status DecodeResult(std::string_view id, std::string_view value, const PipelineSpec& spec,
                    PipelineResult* out) {
  ItemState item;
  int64_t done = 0, expires = 0;
  CF_RETURN_IF_ERROR(DecodeResultItem(id, value, spec, &item, &done, &expires));
  *out = ToResult(item, done, expires, spec, /*with_text=*/true);
  return Status::OK();
}

Status DecodeQueueRecord(std::string_view id, std::string_view value, ItemState* out,
                         QueueState* state) {
  BinaryReader r(value);
  uint8_t s = 0;
  if (!GetHeader(RecordKind::kQueue, &r) || !GetInt(&r, &s) || !GetPending(&r, out) ||
      !GetProgress(&r, out) || (s != 1 && s != 2)) {
    return Truncated("queue");
  }
  *state = static_cast<QueueState>(s);
  out->id.assign(id);
  out->stored = true;
  return Status::OK();
}

Status DecodeDeadLetter(std::string_view id, std::string_view value, ItemState* item,
                        int64_t* failed_ms) {
  BinaryReader r(value);
  if (!GetHeader(RecordKind::kDeadLetter, &r) || !GetTime(&r, failed_ms) || !GetPending(&r, item) ||
      !GetProgress(&r, item)) {
    return Truncated("dead-letter");
  }
  item->id.assign(id);
  return Status::OK();
}

PipelineResult ToResult(const ItemState& item, int64_t done_ms, int64_t expires_ms,
                        const PipelineSpec& spec, bool with_text) {
  PipelineResult out;
  out.id = item.id;
  if (with_text) out.text = item.text;
  out.route.reserve(item.route.size());
  for (uint16_t stage : item.route) out.route.push_back(spec.stages[stage].name);
  for (const ItemPrediction& p : item.predictions) {
    const StageSpec& stage = spec.stages[p.stage];
    out.predictions.push_back({stage.name, stage.classify.model, p.label, p.confidence, p.version});
  }
  for (const ItemField& f : item.fields) out.fields.push_back({f.name, f.json});
  out.valid = item.valid;
  out.meta = item.meta;
  out.submitted_at_ms = item.submitted_at_ms;
  out.done_at_ms = done_ms;
  out.expires_at_ms = expires_ms;
  out.attempts = item.max_attempts_used;
  return out;
}

DeadLetter ToDeadLetter(const ItemState& item, int64_t failed_ms, const PipelineSpec& spec) {
  DeadLetter out;
  out.id = item.id;
  out.text = item.text;
  out.meta = item.meta;
  out.stage = StageOk(spec, item.stage) ? spec.stages[item.stage].name : "?";
  out.error = item.error;
  out.attempts = item.attempts;
  out.submitted_at_ms = item.submitted_at_ms;
  out.failed_at_ms = failed_ms;
  return out;
}

void EncodeFeedback(const FeedbackRecord& feedback, std::string* out) {
  out->clear();
  BinaryWriter w(out);
  PutHeader(RecordKind::kFeedback, &w);
  w.PutVarint(feedback.seq);
  w.PutVarint(feedback.stage);
  w.PutVarint(feedback.version);
  w.PutBytes(feedback.label);
  w.PutBytes(feedback.predicted);
  w.PutBytes(feedback.text);
  w.PutVarint(feedback.trained ? 1 : 0);
  PutTime(feedback.at_ms, &w);
}

Status DecodeFeedback(std::string_view value, FeedbackRecord* out) {
  BinaryReader r(value);
  uint8_t trained = 0;
  if (!GetHeader(RecordKind::kFeedback, &r) || !r.GetVarint(&out->seq) ||
      !GetInt(&r, &out->stage) || !r.GetVarint(&out->version) || !GetString(&r, &out->label) ||
      !GetString(&r, &out->predicted) || !GetString(&r, &out->text) || !GetInt(&r, &trained) ||
      !GetTime(&r, &out->at_ms)) {
    return Truncated("feedback");
  }
  out->trained = trained != 0;
  return Status::OK();
}

void EncodeLogRecord(int64_t done_ms, const std::vector<LogEntry>& entries, std::string* out) {
  out->clear();
  BinaryWriter w(out);
  PutHeader(RecordKind::kLog, &w, kLogFormat);
  PutTime(done_ms, &w);
  w.PutVarint(entries.size());
  for (const LogEntry& e : entries) {
    w.PutVarint(static_cast<uint8_t>(e.kind));
    w.PutBytes(e.id);
    if (e.kind == LogEntryKind::kResult) continue;
    w.PutVarint(e.stage);
    if (e.kind != LogEntryKind::kFeedback) continue;
    w.PutVarint(e.version);
    w.PutBytes(e.label);
    w.PutBytes(e.predicted);
  }
}

Status DecodeLogRecord(std::string_view value, int64_t* done_ms, std::vector<LogEntry>* out) {
  BinaryReader r(value);
  uint64_t n = 0;
  uint8_t format = kLogFormat;
  if (!GetHeader(RecordKind::kLog, &r, &format) || !GetTime(&r, done_ms) || !r.GetVarint(&n) ||
      n > r.remaining()) {
    return Truncated("log");
  }
  out->assign(n, LogEntry{});
  const uint8_t max_kind = format == 1 ? 2 : 4;
  for (LogEntry& e : *out) {
    uint8_t kind = 0;
    if (!GetInt(&r, &kind) || kind < 1 || kind > max_kind || !r.GetBytes(&e.id)) {
      return Truncated("log");
    }
    e.kind = static_cast<LogEntryKind>(kind);
    if (format == 1 || e.kind == LogEntryKind::kResult) continue;
    if (!GetInt(&r, &e.stage)) return Truncated("log");
    if (e.kind != LogEntryKind::kFeedback) continue;
    if (!r.GetVarint(&e.version) || !r.GetBytes(&e.label) || !r.GetBytes(&e.predicted)) {
      return Truncated("log");
    }
  }
  return Status::OK();
}

}  // namespace classiflow
