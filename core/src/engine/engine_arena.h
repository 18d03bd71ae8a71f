// The oneTBB arena an Engine runs its pipelines' graphs and its models' batch calls in.
#pragma once

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <memory>

#include "classiflow/engine.h"

namespace classiflow {

struct Engine::Arena {
  // `threads`: EngineOptions::threads resolved (>= 1). Slots beyond the workers oneTBB has
  // (cores - 1 unless capped) are kept for threads that join: asking for more workers than
  // exist prints a warning to stderr. With threads = 1 the slot is a worker's, and a thread
  // that calls in while it is taken hands its work over and waits, so a batch call never runs
  // on more than `threads` threads. The pipelines' coordinators, which write, run beside it.
  explicit Arena(int threads)
      : threads(threads),
        arena(std::make_shared<tbb::task_arena>(threads, ReservedSlots(threads))) {}
  const int threads;
  // Shared with the batch runner of every model: a model may outlive its engine.
  const std::shared_ptr<tbb::task_arena> arena;

  static unsigned ReservedSlots(int threads) {
    const auto workers = static_cast<int>(
        tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism) - 1);
    return static_cast<unsigned>(std::max(0, threads - std::max(1, workers)));
  }
};

}  // namespace classiflow
