// The callback threads: enrich and validate-by-callback stages run user code here, one item
// at a time, outside the engine's compute threads (a slow or blocking callback must not stall
// classification), after the attempt was made durable.
#include "pipeline/clock.h"
#include "pipeline/crash_point.h"
#include "pipeline/pipeline_impl.h"

namespace classiflow {

bool PipelineImpl::CallbacksReady(uint16_t stage) const {
  return callbacks_.Ready(spec_.stages[stage]);
}

void PipelineImpl::CallbackLoop() {
  while (true) {
    std::unique_ptr<ItemState> item;
    {
      std::unique_lock<std::mutex> lock(cb_mu_);
      cb_cv_.wait(lock, [this] { return cb_stop_ || !cb_queue_.empty(); });
      if (cb_stop_) return;  // queued attempts are durable: they run again after reopen
      item = std::move(cb_queue_.front());
      cb_queue_.pop_front();
    }
    RunCallback(std::move(item));
  }
}

void PipelineImpl::RunCallback(std::unique_ptr<ItemState> item) {
  const uint16_t at = item->stage;
  const StageSpec& stage = spec_.stages[at];
  CrashPoint("before_callback");
  const int64_t started = SteadyNs();
  const Status s = stage.kind == StageKind::kEnrich
                       ? EnrichStage(stage, &callbacks_).Run(*item, spec_)
                       : ValidateStage(stage, &callbacks_).Run(*item, spec_);
  StageMetrics& m = metrics_.stages[at];
  m.processed.fetch_add(1, std::memory_order_relaxed);
  m.latency.Record((SteadyNs() - started) / 1000);
  if (s.ok()) {
    const uint16_t next = item->stage;
    item->stage = at;
    item->route.push_back(at);
    Advance(*item, next);
  } else {
    m.errors.fetch_add(1, std::memory_order_relaxed);
    metrics_.callback_errors.fetch_add(1, std::memory_order_relaxed);
    Fail(*item, s, spec_, NowMs());
  }
  Resume(std::move(item));
}

void PipelineImpl::Resume(std::unique_ptr<ItemState> item) {
  if (item->outcome == Outcome::kRunning) {
    Dispatch(std::move(item));  // on to the next stage, in the graph
    return;
  }
  auto group = std::make_unique<Group>();  // a failure: straight to the committer
  group->items.push_back(std::move(item));
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_groups_.push_back(std::move(group));
  }
  work_cv_.notify_one();
}

void PipelineImpl::Wake(std::string_view /*callback*/) {
  // Items whose every callback now exists begin their attempt (written first).
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& item : waiting_) {
      if (CallbacksReady(item->stage)) to_begin_.push_back(std::move(item));
    }
    std::erase(waiting_, nullptr);
  }
  work_cv_.notify_one();
}

Status PipelineImpl::RegisterEnrich(std::string_view name, EnrichFn fn) {
  if (!spec_.uses_enrich(name)) {
    return Status::InvalidArgument("pipeline '" + name_ + "' has no enrich stage with callback '" +
                                   std::string(name) + "'");
  }
  if (!fn) return Status::InvalidArgument("callback '" + std::string(name) + "' is empty");
  callbacks_.RegisterEnrich(name, std::move(fn));
  Wake(name);
  return Status::OK();
}

Status PipelineImpl::RegisterValidator(std::string_view name, ValidateFn fn) {
  if (!spec_.uses_validator(name)) {
    return Status::InvalidArgument(
        "pipeline '" + name_ + "' has no validate check with callback '" + std::string(name) + "'");
  }
  if (!fn) return Status::InvalidArgument("validator '" + std::string(name) + "' is empty");
  callbacks_.RegisterValidator(name, std::move(fn));
  Wake(name);
  return Status::OK();
}

}  // namespace classiflow
