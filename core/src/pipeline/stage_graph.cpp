#include "pipeline/stage_graph.h"

#include <algorithm>
#include <random>

#include "pipeline/callback_registry.h"
#include "pipeline/clock.h"

namespace classiflow {

void Advance(ItemState& item, uint16_t next) {
  item.max_attempts_used = std::max(item.max_attempts_used, item.attempts);
  item.stage = next;
  item.attempts = 1;
}

void Fail(ItemState& item, const Status& error, const PipelineSpec& spec, int64_t now_ms) {
  item.error = error.ToString();
  item.max_attempts_used = std::max(item.max_attempts_used, item.attempts);
  if (item.attempts >= spec.max_attempts) {
    item.outcome = Outcome::kDead;
    return;
  }
  // Capped exponential backoff with jitter in [delay / 2, delay]: retries of many items that
  // failed together spread out instead of failing together again.
  thread_local std::minstd_rand random(std::random_device{}());
  const int shift = static_cast<int>(std::min<uint32_t>(item.attempts - 1, 30));
  const int64_t delay = std::min(spec.retry_max_ms, spec.retry_initial_ms << shift);
  const int64_t jitter = delay > 1 ? static_cast<int64_t>(random() % (delay / 2 + 1)) : 0;
  item.outcome = Outcome::kWait;
  item.due_ms = now_ms + delay - jitter + 1;  // > 0: a retry, not a wait for registration
}

struct StageGraph::StageBody {
  StageGraph* graph;
  uint16_t index;
  ClassifyStage classify;
  ExtractStage extract;
  ValidateStage validate;
  const CallbackRegistry* callbacks;
  StageMetrics* metrics;

  void operator()(Batch batch) const {
    const StageSpec& stage = graph->spec_.stages[index];
    const int64_t started = SteadyNs();
    switch (stage.kind) {
      case StageKind::kClassify:
        if (Status s = classify.Run(batch.items); !s.ok()) FailAll(batch, s);
        break;
      case StageKind::kExtract:
        for (ItemState* item : batch.items) extract.Run(*item);
        break;
      case StageKind::kValidate:
        if (validate.has_callback()) {
          for (ItemState* item : batch.items) Park(*item);
        } else {
          for (ItemState* item : batch.items) (void)validate.Run(*item, graph->spec_);
        }
        break;
      case StageKind::kEnrich:
        for (ItemState* item : batch.items) Park(*item);
        break;
      case StageKind::kSink:
        for (ItemState* item : batch.items) {
          item->route.push_back(index);
          item->outcome = Outcome::kDone;
        }
        break;
    }
    const auto n = static_cast<uint64_t>(batch.items.size());
    metrics->processed.fetch_add(n, std::memory_order_relaxed);
    metrics->latency.Record((SteadyNs() - started) / 1000 / static_cast<int64_t>(n), n);
    graph->Route(std::move(batch), index);
  }

  void FailAll(Batch& batch, const Status& s) const {
    metrics->errors.fetch_add(batch.items.size(), std::memory_order_relaxed);
    const int64_t now = NowMs();
    for (ItemState* item : batch.items) Fail(*item, s, graph->spec_, now);
  }

  // A callback stage: the attempt must be durable before user code runs, so the item leaves
  // the graph for the committer. Without a registered callback it waits (attempt not begun).
  void Park(ItemState& item) const {
    if (callbacks->Ready(graph->spec_.stages[index])) {
      item.outcome = Outcome::kPark;
    } else {
      item.outcome = Outcome::kWait;
      item.attempts = 0;
      item.due_ms = 0;
    }
  }
};

StageGraph::StageGraph(const PipelineSpec& spec, ModelLookup models,
                       const CallbackRegistry* callbacks, PipelineMetrics* metrics,
                       tbb::task_arena* arena, GroupDone on_group_done)
    : spec_(spec), arena_(arena), on_group_done_(std::move(on_group_done)) {
  // A graph attaches to the arena it is made in: all its tasks run on this engine's threads.
  arena_->execute([&] {
    graph_ = std::make_unique<tbb::flow::graph>();
    for (size_t at = 0; at < spec_.stages.size(); ++at) {  // at < kMaxStages: fits uint16_t
      const auto i = static_cast<uint16_t>(at);
      const StageSpec& stage = spec_.stages[i];
      StageBody body{this,
                     i,
                     ClassifyStage(stage, i, models),
                     ExtractStage(stage),
                     ValidateStage(stage, callbacks),
                     callbacks,
                     &metrics->stages[i]};
      nodes_.push_back(std::make_unique<Node>(*graph_, tbb::flow::unlimited, std::move(body)));
    }
  });
  BuildEdges();
}

StageGraph::~StageGraph() { WaitIdle(); }

void StageGraph::BuildEdges() {
  successors_.resize(spec_.stages.size());
  for (size_t i = 0; i < spec_.stages.size(); ++i) {
    for (uint16_t next : spec_.stages[i].Successors()) {
      successors_[i].emplace_back(next, nodes_[next].get());
    }
  }
}

void StageGraph::Put(Group* group) {
  // Items of a new group all start at the entry; resumed items may stand anywhere.
  std::vector<Batch> parts(spec_.stages.size());
  for (auto& item : group->items) parts[item->stage].items.push_back(item.get());
  // Stored after reading the items: the workers' fetch_sub on it then orders everything this
  // thread did to the group before the thread that finishes it (and deletes it) sees it.
  group->remaining.store(group->items.size());
  // Not inside arena_->execute(): a thread in an arena slot spawns into its own task pool,
  // which it abandons when it leaves the arena, and oneTBB 2021.8 then sometimes left such a
  // task unrun (a hang, seen about once in 20 runs of a million items). From outside the
  // arena, try_put enqueues the task into the arena's shared queue, which wakes a worker.
  for (size_t stage = 0; stage < parts.size(); ++stage) {
    if (parts[stage].items.empty()) continue;
    parts[stage].group = group;
    nodes_[stage]->try_put(std::move(parts[stage]));
  }
}

void StageGraph::Route(Batch&& batch, uint16_t from) {
  Group* group = batch.group;
  std::vector<Batch> parts;
  size_t ended = 0;
  for (ItemState* item : batch.items) {
    if (item->outcome != Outcome::kRunning) {
      ++ended;
      continue;
    }
    if (item->stage == from) {  // a stage that forgot to move on would loop forever
      Fail(*item, Status::Internal("stage did not advance"), spec_, NowMs());
      ++ended;
      continue;
    }
    item->route.push_back(from);
    const uint16_t next = item->stage;
    item->stage = from;
    Advance(*item, next);
    auto it = std::find_if(parts.begin(), parts.end(),
                           [&](const Batch& b) { return b.items.front()->stage == next; });
    if (it == parts.end()) parts.push_back(Batch{group, {}}), it = parts.end() - 1;
    it->items.push_back(item);
  }
  for (Batch& part : parts) {
    const uint16_t next = part.items.front()->stage;
    for (const auto& [stage, node] : successors_[from]) {
      if (stage == next) {
        node->try_put(std::move(part));
        break;
      }
    }
  }
  if (ended > 0 && group->remaining.fetch_sub(ended) == ended) on_group_done_(group);
}

void StageGraph::WaitIdle() {
  graph_->wait_for_all();  // runs in the graph's own arena
}

}  // namespace classiflow
