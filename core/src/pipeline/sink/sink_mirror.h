// SinkMirror: keeps one results sink file (classiflow/results_sink.h) caught up with a
// pipeline's log, on a thread of its own, so the pipeline never waits for it.
//
// After each commit the coordinator hands over the result records it wrote for the sink's
// stages (Committed). The mirror decodes them into rows and upserts them in one transaction per
// round, recording in the same transaction the log sequence they reach. Whatever it was not
// handed — the commits since the file's cursor when the pipeline opens (a crash came between a
// commit and its rows), commits handed over while more than kMaxQueuedRecords records waited,
// or those of a failed write — it reads back from the pipeline's log and results in the store.
// Upserts by id make replays harmless: every acknowledged result ends up in the file once.
//
// A failed write (a full disk, a lock another program holds too long) is retried with backoff
// from the store; the pipeline goes on meanwhile, and Drain reports the error.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "classiflow/results_sink.h"
#include "classiflow/store.h"
#include "pipeline/sink/row_batch.h"
#include "pipeline/spec.h"

namespace classiflow {

class SinkMirror {
 public:
  struct Record {
    std::string id;
    std::string value;  // the result record (records.h)
  };
  // The records a mirror keeps in memory at most; past it, commits are read back from the store.
  static constexpr size_t kMaxQueuedRecords = 1 << 18;

  // Mirrors the results that end at `stages` (sink stages of `spec`) into `sink`, starting
  // from the sink's cursor; `log_seq` is the last commit already in the store.
  static Status Start(std::string pipeline, const PipelineSpec* spec, Store* store,
                      std::unique_ptr<ResultsSink> sink, std::vector<uint16_t> stages,
                      uint64_t log_seq, std::unique_ptr<SinkMirror>* out);
  ~SinkMirror();  // Stop()
  SinkMirror(const SinkMirror&) = delete;
  SinkMirror& operator=(const SinkMirror&) = delete;

  bool mirrors(uint16_t stage) const;
  // Coordinator: commit `seq` is durable; `records` are the results it wrote for this sink.
  void Committed(uint64_t seq, std::vector<Record> records);
  // Waits until the file holds every commit made before the call. The sink's error when a
  // write tried after the call failed; Busy after `timeout_ms` (< 0: no limit).
  Status Drain(int64_t timeout_ms);
  // Writes what it was handed (one attempt: what fails is replayed at the next open), stops.
  void Stop();

 private:
  SinkMirror(std::string pipeline, const PipelineSpec* spec, Store* store,
             std::unique_ptr<ResultsSink> sink, std::vector<uint16_t> stages);
  struct Chunk {
    uint64_t seq = 0;
    std::vector<Record> records;
  };
  void Loop();
  // One round: the chunks handed over, and what the store must fill in up to `target`.
  Status WriteRound(std::deque<Chunk> chunks, uint64_t target);
  // Commits (written_, to_seq] from the store.
  Status ReplayFromStore(uint64_t to_seq);
  // Decodes `record` into pending_, kept when it ended at one of the mirror's stages.
  Status AddRecord(std::string_view id, std::string_view value);
  // Upserts pending_ with cursor `seq` (then written_ = seq).
  Status WritePending(uint64_t seq);
  void Attempted(const Status& s);

  const std::string pipeline_;
  const PipelineSpec* spec_;
  Store* store_;
  const std::unique_ptr<ResultsSink> sink_;
  std::vector<bool> stages_;  // by stage index: the mirror writes results that end there

  RowBatch pending_;  // mirror thread: results decoded for the next transaction

  mutable std::mutex mu_;
  std::condition_variable work_cv_, written_cv_;
  std::deque<Chunk> queue_;
  size_t queued_records_ = 0;
  uint64_t target_ = 0;    // the newest commit handed over (or in the store at start)
  uint64_t written_ = 0;   // the sink's cursor
  uint64_t attempts_ = 0;  // writes tried, and the last one's outcome
  Status last_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace classiflow
