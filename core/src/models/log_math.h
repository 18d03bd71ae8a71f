// Numerically stable helpers for log-probabilities.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace classiflow {

#if defined(__SSE2__)
// 2^(j/32) for j = 0..31, for Exp2Lanes' range reduction.
inline const std::array<double, 32> kExp2Fractions = []() noexcept {
  std::array<double, 32> table{};
  for (int j = 0; j < 32; ++j) table[j] = std::exp2(j / 32.0);
  return table;
}();

// exp(x) for two doubles with x in [-700, 0]: 2^(k/32) * e^r with |r| <= ln2/64 and a degree-6
// Taylor polynomial (relative error < 1e-15). Two lanes per instruction instead of a libm call
// per label: with tens of labels, normalisation was a visible share of classification.
inline __m128d Exp2Lanes(__m128d x) {
  x = _mm_max_pd(x, _mm_set1_pd(-700.0));
  const __m128i ki = _mm_cvtpd_epi32(_mm_mul_pd(x, _mm_set1_pd(32 * 1.4426950408889634)));
  const __m128d k = _mm_cvtepi32_pd(ki);
  __m128d r = _mm_sub_pd(x, _mm_mul_pd(k, _mm_set1_pd(6.93147180369123816490e-01 / 32)));
  r = _mm_sub_pd(r, _mm_mul_pd(k, _mm_set1_pd(1.90821492927058770002e-10 / 32)));
  __m128d p = _mm_set1_pd(1.0 / 720.0);
  for (double c : {1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0}) {
    p = _mm_add_pd(_mm_mul_pd(p, r), _mm_set1_pd(c));
  }
  const int k0 = _mm_cvtsi128_si32(ki);
  const int k1 = _mm_cvtsi128_si32(_mm_shuffle_epi32(ki, 1));
  const __m128d fraction = _mm_set_pd(kExp2Fractions[k1 & 31], kExp2Fractions[k0 & 31]);
  // 2^(k >> 5): put it into the exponent bits of each double.
  const __m128i biased = _mm_add_epi32(_mm_srai_epi32(ki, 5), _mm_set1_epi32(1023));
  const __m128i bits = _mm_slli_epi64(_mm_unpacklo_epi32(biased, _mm_setzero_si128()), 52);
  return _mm_mul_pd(_mm_mul_pd(p, fraction), _mm_castsi128_pd(bits));
}
#endif

// Sum of exp(values[i] - shift), for values[i] <= shift where some value equals shift (the
// maximum), so the sum is >= 1: terms below e^-40 are then dropped, as they are below its
// rounding error.
inline double SumExp(const double* values, size_t n, double shift) {
  double sum = 0;
  size_t i = 0;
#if defined(__SSE2__)
  __m128d acc = _mm_setzero_pd();
  const __m128d s = _mm_set1_pd(shift);
  // Pairs more than 40 below the shift add under 1e-17 relative to the largest term (1): skip
  // their exp(). With many labels nearly all pairs are skipped, so the branch predicts well.
  const __m128d negligible = _mm_set1_pd(-40.0);
  for (; i + 2 <= n; i += 2) {
    const __m128d x = _mm_sub_pd(_mm_loadu_pd(values + i), s);
    if (_mm_movemask_pd(_mm_cmpgt_pd(x, negligible)) == 0) continue;
    acc = _mm_add_pd(acc, Exp2Lanes(x));
  }
  double lanes[2];
  _mm_storeu_pd(lanes, acc);
  sum = lanes[0] + lanes[1];
#endif
  for (; i < n; ++i) sum += std::exp(values[i] - shift);
  return sum;
}

// Turns unnormalised log scores into log probabilities (log-sum-exp), in place.
inline void NormalizeLogProbabilities(double* scores, size_t n) {
  if (n == 0) return;
  double max = scores[0];
  for (size_t i = 1; i < n; ++i) max = scores[i] > max ? scores[i] : max;
  const double log_total = max + std::log(SumExp(scores, n, max));
  for (size_t i = 0; i < n; ++i) scores[i] -= log_total;
}

// log(1 / (1 + e^-x)), without overflow for any x.
inline double LogSigmoid(double x) {
  return x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x));
}

}  // namespace classiflow
