// StageGraph: the oneTBB flow graph of a pipeline's fast stages.
//
// One function_node per stage (a small named functor, StageBody), with an edge for every route
// of the spec; BuildEdges() wires them all in one place. A node runs its stage over a batch of
// items, splits the batch by next stage and passes each part on. Items that end (a sink), must
// wait (a callback stage, a retry) or fail for good leave the graph; when the last item of a
// group has left, the group goes to `on_group_done` (the committer).
//
// Stage errors never cancel the graph: StageBody turns each into the item's retry or dead
// letter (Fail()).
#pragma once

#include <tbb/flow_graph.h>
#include <tbb/task_arena.h>

#include <functional>
#include <memory>
#include <vector>

#include "pipeline/group.h"
#include "pipeline/metrics.h"
#include "pipeline/spec.h"
#include "pipeline/stages/stages.h"

namespace classiflow {

class CallbackRegistry;

// Marks `item` failed at its stage: retried after backoff while attempts remain, else dead.
void Fail(ItemState& item, const Status& error, const PipelineSpec& spec, int64_t now_ms);
// Moves `item` on to `next`, counting its attempts anew there.
void Advance(ItemState& item, uint16_t next);

class StageGraph {
 public:
  using GroupDone = std::function<void(Group* group)>;
  StageGraph(const PipelineSpec& spec, ModelLookup models, const CallbackRegistry* callbacks,
             PipelineMetrics* metrics, tbb::task_arena* arena, GroupDone on_group_done);
  ~StageGraph();  // waits for the graph to go idle

  // Sends every item of `group` (all at their item.stage) into the graph. The group must have
  // at least one item; `remaining` is set here.
  void Put(Group* group);
  // Waits until no batch is in the graph.
  void WaitIdle();

 private:
  struct StageBody;
  using Node = tbb::flow::function_node<Batch>;
  void BuildEdges();
  // Passes the items of `batch` (which stage `from` just ran) on, or counts them out.
  void Route(Batch&& batch, uint16_t from);

  const PipelineSpec& spec_;
  tbb::task_arena* arena_;
  GroupDone on_group_done_;
  std::unique_ptr<tbb::flow::graph> graph_;
  std::vector<std::unique_ptr<Node>> nodes_;
  // successors_[stage][k]: the node of the k-th stage items may go to from `stage`.
  std::vector<std::vector<std::pair<uint16_t, Node*>>> successors_;
};

}  // namespace classiflow
