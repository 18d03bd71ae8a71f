#include "pipeline/delivery.h"

#include <cxxabi.h>

#include <algorithm>

#include "pipeline/clock.h"

namespace classiflow {

Delivery::Delivery(PipelineMetrics* metrics) : metrics_(metrics), thread_([this] { Loop(); }) {}

Delivery::~Delivery() { Stop(); }

void Delivery::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Delivery::OnResult(ResultFn fn) {
  std::lock_guard<std::mutex> lock(mu_);
  on_result_.push_back(std::move(fn));
  wants_results_ = true;
}

Status Delivery::OnResults(ResultsFn fn, size_t max_items, int64_t max_delay_ms) {
  if (max_items < 1 || max_delay_ms < 0) {
    return Status::InvalidArgument("on_results needs max_items >= 1 and max_delay_ms >= 0");
  }
  std::lock_guard<std::mutex> lock(mu_);
  on_results_ = std::move(fn);
  batch_max_items_ = max_items;
  batch_max_delay_ms_ = max_delay_ms;
  wants_results_ = true;
  return Status::OK();
}

void Delivery::OnDeadLetter(DeadLetterFn fn) {
  std::lock_guard<std::mutex> lock(mu_);
  on_dead_.push_back(std::move(fn));
  wants_dead_ = true;
}

void Delivery::Push(uint64_t seq, std::vector<PipelineResult> results, std::vector<DeadLetter> dead,
                    bool acknowledge) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back({seq, std::move(results), std::move(dead), acknowledge});
  }
  cv_.notify_all();
}

void Delivery::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  drained_cv_.wait(lock, [this] { return (queue_.empty() && !busy_) || stop_; });
}

template <class Fn>
void Delivery::Call(Fn&& fn) {
  try {
    fn();
  } catch (const abi::__forced_unwind&) {
    throw;         // a thread being cancelled (pthread_exit) must unwind
  } catch (...) {  // a user's callback must not stop delivery
    metrics_->callback_errors.fetch_add(1, std::memory_order_relaxed);
  }
}

void Delivery::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    const int64_t wait_ms =
        batch_.empty() ? 1000
                       : std::max<int64_t>(0, batch_started_ms_ + batch_max_delay_ms_ - NowMs());
    cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                 [this] { return stop_ || !queue_.empty(); });
    if (!queue_.empty()) {
      Entry entry = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.unlock();
      Deliver(entry);
      lock.lock();
      busy_ = false;
    } else if (!batch_.empty() && NowMs() >= batch_started_ms_ + batch_max_delay_ms_) {
      lock.unlock();
      FlushBatch();
      lock.lock();
    }
    if (queue_.empty()) {
      if (stop_) break;
      drained_cv_.notify_all();
    }
  }
  lock.unlock();
  FlushBatch();
  drained_cv_.notify_all();
}

void Delivery::Deliver(Entry& entry) {
  std::vector<ResultFn> on_result;
  std::vector<DeadLetterFn> on_dead;
  bool batched = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    on_result = on_result_;
    on_dead = on_dead_;
    batched = static_cast<bool>(on_results_);
  }
  for (const PipelineResult& r : entry.results) {
    for (const ResultFn& fn : on_result) Call([&] { fn(r); });
  }
  for (const DeadLetter& d : entry.dead) {
    for (const DeadLetterFn& fn : on_dead) Call([&] { fn(d); });
  }
  if (batched) {
    for (PipelineResult& r : entry.results) {
      if (batch_.empty()) batch_started_ms_ = NowMs();
      batch_.push_back(std::move(r));
      batch_seq_ = entry.seq;
      if (batch_.size() >= batch_max_items_) FlushBatch();
    }
  }
  // The cursor passes a commit only when nothing of it waits in a batch: a crash redelivers
  // from the log whatever the cursor had not passed.
  if (batch_.empty() && entry.acknowledge) delivered_.store(entry.seq);
}

void Delivery::FlushBatch() {
  if (batch_.empty()) return;
  ResultsFn fn;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fn = on_results_;
  }
  if (fn) Call([&] { fn(std::span<const PipelineResult>(batch_)); });
  batch_.clear();
  delivered_.store(std::max(delivered_.load(), batch_seq_));
}

}  // namespace classiflow
