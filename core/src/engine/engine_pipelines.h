// The pipelines an Engine runs, and the oneTBB arena they run in.
#pragma once

#include <tbb/task_arena.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "classiflow/engine.h"
#include "pipeline/pipeline_impl.h"

namespace classiflow {

struct Engine::Pipelines {
  // oneTBB gives an arena of concurrency n at most n - 1 workers (one slot is for a thread
  // that joins it); the coordinator thread, which writes, takes the place of that one.
  explicit Pipelines(int threads) : threads(threads), arena(std::max(threads, 2)) {}
  const int threads;
  tbb::task_arena arena;
  std::mutex mu;  // guards `running`; never held while a pipeline is opened or closed
  std::map<std::string, std::shared_ptr<PipelineImpl>, std::less<>> running;
};

}  // namespace classiflow
