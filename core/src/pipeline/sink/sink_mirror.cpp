#include "pipeline/sink/sink_mirror.h"

#include <algorithm>
#include <chrono>

#include "pipeline/item.h"
#include "pipeline/log_reader.h"

namespace classiflow {
namespace {

// Rows per transaction: large enough that SQLite's per-commit cost vanishes, small enough that
// a replay after a long outage shows progress and holds little memory.
constexpr size_t kRowsPerWrite = 8192;
// Log records read from the store per scan while replaying.
constexpr size_t kLogRecordsPerScan = 512;
constexpr int64_t kFirstBackoffMs = 100;
constexpr int64_t kMaxBackoffMs = 5000;

}  // namespace

SinkMirror::SinkMirror(std::string pipeline, const PipelineSpec* spec, Store* store,
                       std::unique_ptr<ResultsSink> sink, std::vector<uint16_t> stages)
    : pipeline_(std::move(pipeline)),
      spec_(spec),
      store_(store),
      sink_(std::move(sink)),
      stages_(spec->stages.size(), false),
      pending_(spec) {
  for (uint16_t stage : stages) stages_[stage] = true;
}

Status SinkMirror::Start(std::string pipeline, const PipelineSpec* spec, Store* store,
                         std::unique_ptr<ResultsSink> sink, std::vector<uint16_t> stages,
                         uint64_t log_seq, std::unique_ptr<SinkMirror>* out) {
  std::unique_ptr<SinkMirror> m(
      new SinkMirror(std::move(pipeline), spec, store, std::move(sink), std::move(stages)));
  uint64_t cursor = 0;
  CF_RETURN_IF_ERROR(m->sink_->Cursor(&cursor));
  if (cursor > log_seq) {
    // The file is ahead of the store: it mirrored another store's pipeline of this name, or
    // the store was restored from an older copy. Replaying from the start puts it right.
    cursor = 0;
  }
  m->written_ = cursor;
  m->target_ = log_seq;
  SinkMirror* self = m.get();
  m->thread_ = std::thread([self] { self->Loop(); });
  *out = std::move(m);
  return Status::OK();
}

SinkMirror::~SinkMirror() { Stop(); }

bool SinkMirror::mirrors(uint16_t stage) const { return stage < stages_.size() && stages_[stage]; }

void SinkMirror::Committed(uint64_t seq, std::vector<Record> records) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    target_ = std::max(target_, seq);
    if (queued_records_ + records.size() <= kMaxQueuedRecords) {
      queued_records_ += records.size();
      queue_.push_back(Chunk{seq, std::move(records)});
    }  // else the round that finds the gap reads this commit back from the store
  }
  work_cv_.notify_one();
}

Status SinkMirror::Drain(int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t want = target_;
  const uint64_t attempts = attempts_;
  const auto done = [&] { return written_ >= want || (attempts_ > attempts && !last_.ok()); };
  if (timeout_ms < 0) {
    written_cv_.wait(lock, done);
  } else if (!written_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), done)) {
    return Status::Busy("pipeline '" + pipeline_ + "': its sink " + sink_->Describe() + " is " +
                        std::to_string(want - written_) + " commits behind after " +
                        std::to_string(timeout_ms) + " ms");
  }
  if (written_ >= want) return Status::OK();
  return last_.WithContext("pipeline '" + pipeline_ + "': writing its sink " + sink_->Describe() +
                           " (the results are stored; the sink catches up once it can write)");
}

void SinkMirror::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  work_cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void SinkMirror::Loop() {
  int64_t backoff_ms = 0;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    const auto ready = [&] { return stop_ || !queue_.empty() || written_ < target_; };
    if (backoff_ms > 0) {
      // After a failure: wait before the next try, unless stopping (one last try then).
      work_cv_.wait_for(lock, std::chrono::milliseconds(backoff_ms), [&] { return stop_; });
    } else {
      work_cv_.wait(lock, ready);
    }
    if (queue_.empty() && written_ >= target_) {
      if (stop_) break;
      continue;
    }
    std::deque<Chunk> chunks = std::move(queue_);
    queue_.clear();
    queued_records_ = 0;
    const uint64_t target = target_;
    const bool last_round = stop_;
    lock.unlock();
    const Status s = WriteRound(std::move(chunks), target);
    lock.lock();
    if (s.ok()) {
      backoff_ms = 0;
    } else {
      backoff_ms = std::min(kMaxBackoffMs, backoff_ms == 0 ? kFirstBackoffMs : 2 * backoff_ms);
      if (last_round) break;  // what is not written is replayed at the next open
    }
    if (last_round && queue_.empty() && written_ >= target_) break;
  }
}

Status SinkMirror::WriteRound(std::deque<Chunk> chunks, uint64_t target) {
  pending_.clear();             // a failed round may have left some
  uint64_t reached = written_;  // the commits pending_ covers
  for (Chunk& chunk : chunks) {
    if (chunk.seq <= reached) continue;  // replayed from the store already
    if (chunk.seq > reached + 1) {       // commits not handed over: from the store
      CF_RETURN_IF_ERROR(WritePending(reached));
      CF_RETURN_IF_ERROR(ReplayFromStore(chunk.seq - 1));
    }
    for (const Record& r : chunk.records) CF_RETURN_IF_ERROR(AddRecord(r.id, r.value));
    reached = chunk.seq;
    if (pending_.size() >= kRowsPerWrite) CF_RETURN_IF_ERROR(WritePending(reached));
  }
  CF_RETURN_IF_ERROR(WritePending(reached));
  if (written_ < target) CF_RETURN_IF_ERROR(ReplayFromStore(target));
  return Status::OK();
}

Status SinkMirror::ReplayFromStore(uint64_t to_seq) {
  uint64_t reached = written_;
  while (reached < to_seq) {
    uint64_t scanned_to = reached;
    CF_RETURN_IF_ERROR(
        ReadLog(*store_, pipeline_, reached + 1, to_seq, kLogRecordsPerScan,
                [&](uint64_t seq, int64_t, const std::vector<LogEntry>& entries) -> Status {
                  for (const LogEntry& e : entries) {
                    if (e.kind != LogEntryKind::kResult) continue;
                    std::string record;
                    Status got = store_->Get(KeySpace::kResults, ItemKey(pipeline_, e.id), &record);
                    if (got.code() == Status::Code::kNotFound) continue;  // expired (ttl_s) since
                    CF_RETURN_IF_ERROR(got);
                    CF_RETURN_IF_ERROR(AddRecord(e.id, record));
                  }
                  scanned_to = seq;
                  return pending_.size() >= kRowsPerWrite ? WritePending(seq) : Status::OK();
                }));
    if (scanned_to == reached) scanned_to = to_seq;  // no log record left up to to_seq
    CF_RETURN_IF_ERROR(WritePending(scanned_to));
    reached = scanned_to;
  }
  return Status::OK();
}

Status SinkMirror::AddRecord(std::string_view id, std::string_view value) {
  return pending_
      .Add(id, value,
           [this](const ItemState& item, int64_t) {
             return !item.route.empty() && mirrors(item.route.back());
           })
      .WithContext("pipeline '" + pipeline_ + "'");
}

Status SinkMirror::WritePending(uint64_t seq) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (seq <= written_ && pending_.empty()) return Status::OK();
  }
  const Status s = pending_.WriteTo(*sink_, seq);  // empties it: after a failure, a replay
  Attempted(s);
  if (!s.ok()) return s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    written_ = std::max(written_, seq);
  }
  written_cv_.notify_all();
  return Status::OK();
}

void SinkMirror::Attempted(const Status& s) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++attempts_;
    last_ = s;
  }
  written_cv_.notify_all();
}

}  // namespace classiflow
