// Pipeline metrics: lock-free counters and latency histograms, read by Stats() without
// stopping the pipeline.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace classiflow {

// Latencies in microseconds in log-linear buckets (8 per power of two: <= 12.5 % error), from
// 1 µs to ~1 hour. Record() is a relaxed atomic increment.
class LatencyHistogram {
 public:
  // Adds `count` samples of `micros`.
  void Record(int64_t micros, uint64_t count = 1);
  // The q-quantile (0..1) in milliseconds; 0 when empty.
  double QuantileMs(double q) const;
  uint64_t count() const;

 private:
  static constexpr int kSubBuckets = 8;
  static constexpr int kBuckets = 32 * kSubBuckets;
  static int BucketOf(uint64_t micros);
  static double UpperMicros(int bucket);
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
};

struct StageMetrics {
  std::atomic<uint64_t> processed{0};
  std::atomic<uint64_t> errors{0};
  LatencyHistogram latency;
};

struct PipelineMetrics {
  explicit PipelineMetrics(size_t stages) : stages(stages) {}
  std::atomic<uint64_t> submitted{0};
  std::atomic<uint64_t> duplicates{0};
  std::atomic<uint64_t> completed{0};
  std::atomic<uint64_t> dead_letters{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> callback_errors{0};
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> queue_depth{0};
  LatencyHistogram end_to_end;  // submit -> result committed
  LatencyHistogram commit;      // one write batch
  std::vector<StageMetrics> stages;
};

}  // namespace classiflow
