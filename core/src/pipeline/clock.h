// Time for pipelines: wall-clock ms for what is stored (submitted_at, due times), steady ns
// for measured latencies.
#pragma once

#include <chrono>
#include <cstdint>

namespace classiflow {

inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace classiflow
