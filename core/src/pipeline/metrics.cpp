#include "pipeline/metrics.h"

#include <bit>
#include <cmath>

namespace classiflow {

int LatencyHistogram::BucketOf(uint64_t micros) {
  if (micros < kSubBuckets) return static_cast<int>(micros);
  const int exponent = static_cast<int>(std::bit_width(micros)) - 1;  // >= 3
  const int sub = static_cast<int>((micros >> (exponent - 3)) & (kSubBuckets - 1));
  const int bucket = (exponent - 2) * kSubBuckets + sub;
  return bucket < kBuckets ? bucket : kBuckets - 1;
}

double LatencyHistogram::UpperMicros(int bucket) {
  if (bucket < kSubBuckets) return bucket + 1;
  const int exponent = bucket / kSubBuckets + 2;
  const int sub = bucket % kSubBuckets;
  return std::ldexp(kSubBuckets + sub + 1, exponent - 3);
}

void LatencyHistogram::Record(int64_t micros, uint64_t count) {
  counts_[BucketOf(micros < 0 ? 0 : static_cast<uint64_t>(micros))].fetch_add(
      count, std::memory_order_relaxed);
}

uint64_t LatencyHistogram::count() const {
  uint64_t n = 0;
  for (const auto& c : counts_) n += c.load(std::memory_order_relaxed);
  return n;
}

double LatencyHistogram::QuantileMs(double q) const {
  const uint64_t n = count();
  if (n == 0) return 0.0;
  const auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(n)));
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += counts_[b].load(std::memory_order_relaxed);
    if (seen >= rank && seen > 0) return UpperMicros(b) / 1000.0;
  }
  return UpperMicros(kBuckets - 1) / 1000.0;
}

}  // namespace classiflow
