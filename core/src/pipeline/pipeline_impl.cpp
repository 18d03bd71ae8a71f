#include "pipeline/pipeline_impl.h"

#include <algorithm>

#include "pipeline/clock.h"
#include "pipeline/records.h"

namespace classiflow {
namespace {

// Idle items a pipeline keeps for reuse (item_pool.h): enough for a few groups in flight.
constexpr size_t kPooledItems = 16384;
constexpr size_t kPooledTextBytes = size_t{16} << 20;

}  // namespace

PipelineImpl::PipelineImpl(std::string name, PipelineSpec spec, const PipelineEnv& env)
    : name_(std::move(name)),
      spec_(std::move(spec)),
      env_(env),
      stored_(env.store, name_, &spec_),
      metrics_(spec_.stages.size()),
      delivery_(&metrics_),
      pool_(std::min<size_t>(spec_.max_in_flight, kPooledItems), kPooledTextBytes) {}

Status PipelineImpl::Open(std::string name, PipelineSpec spec, const PipelineEnv& env,
                          std::unique_ptr<PipelineImpl>* out) {
  std::unique_ptr<PipelineImpl> p(new PipelineImpl(std::move(name), std::move(spec), env));
  PipelineImpl* self = p.get();
  p->graph_ = std::make_unique<StageGraph>(p->spec_, env.models, &p->callbacks_, &p->metrics_,
                                           env.arena, [self](Group* g) { self->OnGroupDone(g); });
  CF_RETURN_IF_ERROR(p->Recover());
  CF_RETURN_IF_ERROR(p->StartMirrors());
  p->coordinator_ = std::thread([self] { self->CoordinatorLoop(); });
  const bool has_callbacks = std::any_of(p->spec_.stages.begin(), p->spec_.stages.end(),
                                         [](const StageSpec& s) { return s.is_callback(); });
  const int n =
      p->spec_.callback_concurrency > 0 ? p->spec_.callback_concurrency : std::max(1, env.threads);
  for (int i = 0; has_callbacks && i < n; ++i) {
    p->cb_threads_.emplace_back([self] { self->CallbackLoop(); });
  }
  *out = std::move(p);
  return Status::OK();
}

PipelineImpl::~PipelineImpl() { (void)Close(); }

Status PipelineImpl::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::OK();
    stopping_ = true;
  }
  space_cv_.notify_all();
  // Callbacks first: what they finish goes through the graph to the coordinator, which then
  // commits everything the graph and the intake hold before it stops.
  {
    std::lock_guard<std::mutex> lock(cb_mu_);
    cb_stop_ = true;
  }
  cb_cv_.notify_all();
  for (std::thread& t : cb_threads_) t.join();
  work_cv_.notify_all();
  if (coordinator_.joinable()) coordinator_.join();
  if (graph_) graph_->WaitIdle();
  delivery_.Drain();
  delivery_.Stop();
  StopMirrors();  // what they could not write is replayed from the log at the next open
  Status s;
  if (delivery_.delivered_seq() != stored_delivered_) {
    s = env_.store->Write({{KeySpace::kPipelines, StateKey(name_, "delivered"),
                            EncodeCounter(delivery_.delivered_seq())}},
                          spec_.durability == Durability::kSync);
  }
  graph_.reset();  // its nodes live in the engine's arena, which may go away after this
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  idle_cv_.notify_all();
  std::unique_lock<std::shared_mutex> use(use_mu_);
  released_ = true;
  return s;
}

Status PipelineImpl::Use(std::shared_lock<std::shared_mutex>* lock) const {
  *lock = std::shared_lock<std::shared_mutex>(use_mu_);
  if (released_) return Status::Unavailable("pipeline '" + name_ + "' is closed");
  return Status::OK();
}

Status PipelineImpl::Flush(int64_t timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  const auto idle = [this] { return in_flight_ == 0 || closed_; };
  constexpr int64_t kForever = int64_t{100} * 365 * 24 * 3600 * 1000;  // the clock's range
  if (timeout_ms < 0 || timeout_ms > kForever) {
    idle_cv_.wait(lock, idle);
  } else if (!idle_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), idle)) {
    return Status::Busy("pipeline '" + name_ + "': " + std::to_string(in_flight_) +
                        " items still in flight after " + std::to_string(timeout_ms) + " ms (" +
                        std::to_string(waiting_.size()) +
                        " wait for a callback that is not registered, " +
                        std::to_string(retries_.size()) + " for a retry)");
  }
  if (closed_ && in_flight_ > 0) return Status::Unavailable("pipeline '" + name_ + "' is closed");
  lock.unlock();
  delivery_.Drain();                // and the callbacks of what is done have run
  return DrainMirrors(timeout_ms);  // and the sinks hold it (the time limit starts again)
}

Status PipelineImpl::GetResult(std::string_view id, PipelineResult* out) {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  return stored_.GetResult(id, out);
}

Status PipelineImpl::NewestResults(size_t n, std::vector<PipelineResult>* out) {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  return stored_.NewestResults(n, out);
}

Status PipelineImpl::DeadLetters(size_t limit, std::vector<DeadLetter>* out) {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  return stored_.DeadLetters(limit, out);
}

Status PipelineImpl::Requeue(std::string_view id) {
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  const std::string key = ItemKey(name_, id);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Unavailable("pipeline '" + name_ + "' is closed");
    if (!ids_.insert(std::string(id)).second) {
      return Status::InvalidArgument("id '" + std::string(id) + "' is in flight");
    }
  }
  auto item = std::make_unique<ItemState>();
  std::string value;
  int64_t failed = 0;
  Status s = env_.store->Get(KeySpace::kDeadLetters, key, &value);
  if (s.ok()) s = DecodeDeadLetter(id, value, item.get(), &failed);
  if (s.ok()) {
    item->attempts = 0;  // a fresh series of attempts, begun (and written) by the coordinator
    item->due_ms = 0;
    item->outcome = Outcome::kWait;
    EncodeQueueRecord(*item, QueueState::kWaiting, &value);
    s = env_.store->Write(
        {{KeySpace::kDeadLetters, key, std::nullopt}, {KeySpace::kQueue, key, value}},
        spec_.durability == Durability::kSync);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!s.ok()) {
    ids_.erase(std::string(id));
    if (s.code() == Status::Code::kNotFound) {
      return Status::NotFound("pipeline '" + name_ + "' has no dead letter for id '" +
                              std::string(id) + "'");
    }
    return s;
  }
  item->stored = true;
  metrics_.queue_depth.fetch_add(1, std::memory_order_relaxed);
  ++in_flight_;
  (CallbacksReady(item->stage) ? to_begin_ : waiting_).push_back(std::move(item));
  work_cv_.notify_one();
  return Status::OK();
}

void PipelineImpl::OnResult(ResultFn fn) {
  delivery_.OnResult(std::move(fn));
  work_cv_.notify_one();  // a backlog may wait for its first callback
}

Status PipelineImpl::OnResults(ResultsFn fn, size_t max_items, int64_t max_delay_ms) {
  CF_RETURN_IF_ERROR(delivery_.OnResults(std::move(fn), max_items, max_delay_ms));
  work_cv_.notify_one();
  return Status::OK();
}

void PipelineImpl::OnDeadLetter(DeadLetterFn fn) { delivery_.OnDeadLetter(std::move(fn)); }

Status PipelineImpl::DeleteStored(Store& store, std::string_view name) {
  const std::string prefix = ItemKey(name, "");
  for (const KeySpace space :
       {KeySpace::kQueue, KeySpace::kResults, KeySpace::kDeadLetters, KeySpace::kPipelineLog,
        KeySpace::kAnalytics, KeySpace::kFeedback, KeySpace::kPipelines}) {
    // In chunks: a pipeline may hold millions of results. Each chunk resumes after the last
    // key deleted: a scan from the prefix again would step over every tombstone written so
    // far (quadratic in the keys, and most of the time of dropping a big pipeline).
    std::string resume;
    while (true) {
      std::vector<StoreWrite> batch;
      CF_RETURN_IF_ERROR(store.Scan(space, ScanRange{prefix, resume, 10000, false},
                                    [&](std::string_view key, std::string_view) {
                                      batch.push_back({space, std::string(key), std::nullopt});
                                      return Status::OK();
                                    }));
      if (batch.empty()) break;
      resume = batch.back().key + '\0';
      CF_RETURN_IF_ERROR(store.Write(batch, false));
    }
  }
  return store.Write({{KeySpace::kPipelines, std::string(name), std::nullopt}}, true);
}

}  // namespace classiflow
