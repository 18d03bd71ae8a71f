// Numerically stable helpers for log-probabilities.
#pragma once

#include <cmath>
#include <cstddef>

namespace classiflow {

// Turns unnormalised log scores into log probabilities (log-sum-exp), in place.
inline void NormalizeLogProbabilities(double* scores, size_t n) {
  if (n == 0) return;
  double max = scores[0];
  for (size_t i = 1; i < n; ++i) max = scores[i] > max ? scores[i] : max;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += std::exp(scores[i] - max);
  const double log_total = max + std::log(sum);
  for (size_t i = 0; i < n; ++i) scores[i] -= log_total;
}

}  // namespace classiflow
