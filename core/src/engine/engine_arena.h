// The oneTBB arena an Engine runs its pipelines' graphs and its models' batch calls in.
#pragma once

#include <tbb/task_arena.h>

#include <memory>

#include "classiflow/engine.h"

namespace classiflow {

struct Engine::Arena {
  // `threads`: EngineOptions::threads resolved (>= 1). No slot is reserved for a thread that
  // joins: every slot may hold a worker, and a thread that calls in while all are taken hands
  // its work to them and waits, so a batch call never runs on more than `threads` threads.
  // The pipelines' coordinators, which write, run beside it.
  explicit Arena(int threads)
      : threads(threads),
        arena(std::make_shared<tbb::task_arena>(threads, /*reserved_for_masters=*/0)) {}
  const int threads;
  // Shared with the batch runner of every model: a model may outlive its engine.
  const std::shared_ptr<tbb::task_arena> arena;
};

}  // namespace classiflow
