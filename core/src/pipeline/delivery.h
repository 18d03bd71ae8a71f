// Delivery: the thread that hands committed results and dead letters to the user's callbacks,
// in commit order, and remembers how far it got (the "delivered" cursor the committer stores,
// so that what a crash interrupted is delivered again after reopen).
//
// A callback that throws is counted (callback_errors) and skipped; it never stops delivery.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "classiflow/pipeline.h"
#include "pipeline/metrics.h"

namespace classiflow {

class Delivery {
 public:
  explicit Delivery(PipelineMetrics* metrics);
  ~Delivery();  // delivers what is queued, then stops

  void OnResult(ResultFn fn);
  Status OnResults(ResultsFn fn, size_t max_items, int64_t max_delay_ms);
  void OnDeadLetter(DeadLetterFn fn);
  bool wants_results() const { return wants_results_.load(); }
  bool wants_dead_letters() const { return wants_dead_.load(); }

  // Queues what commit `seq` finished (empty vectors just move the cursor). A commit made
  // while no result callback was registered does not move it (`acknowledge` false): its
  // results are owed to the first callback, from the log (PipelineImpl::PushBacklog).
  void Push(uint64_t seq, std::vector<PipelineResult> results, std::vector<DeadLetter> dead,
            bool acknowledge = true);
  // The highest sequence whose callbacks all returned.
  uint64_t delivered_seq() const { return delivered_.load(); }
  void set_delivered_seq(uint64_t seq) { delivered_.store(seq); }
  // Waits until everything pushed so far is delivered.
  void Drain();
  void Stop();

 private:
  struct Entry {
    uint64_t seq;
    std::vector<PipelineResult> results;
    std::vector<DeadLetter> dead;
    bool acknowledge;
  };
  void Loop();
  void Deliver(Entry& entry);
  void FlushBatch();
  template <class Fn>
  void Call(Fn&& fn);

  PipelineMetrics* metrics_;
  std::mutex mu_;
  std::condition_variable cv_, drained_cv_;
  std::deque<Entry> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::vector<ResultFn> on_result_;  // guarded by mu_ (copied out to call)
  std::vector<DeadLetterFn> on_dead_;
  ResultsFn on_results_;
  size_t batch_max_items_ = 1000;
  int64_t batch_max_delay_ms_ = 50;
  std::vector<PipelineResult> batch_;  // delivery thread only
  int64_t batch_started_ms_ = 0;
  uint64_t batch_seq_ = 0;  // the commit of the newest result in batch_
  std::atomic<bool> wants_results_{false};
  std::atomic<bool> wants_dead_{false};
  std::atomic<uint64_t> delivered_{0};
  std::thread thread_;
};

}  // namespace classiflow
