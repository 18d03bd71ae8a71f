#include "models/log_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace classiflow {
namespace {

TEST(LogMathTest, SumExpMatchesLibm) {
  std::vector<double> values;
  for (double x = -745.0; x <= 0.0; x += 0.37) values.push_back(x);
  values.push_back(0.0);
  for (size_t n : {size_t{1}, size_t{2}, size_t{3}, values.size()}) {
    double expected = 0;
    for (size_t i = 0; i < n; ++i) expected += std::exp(values[i] - 0.0);
    // Below e^-700 the result is clamped to e^-700: negligible next to the largest term (1).
    EXPECT_NEAR(SumExp(values.data(), n, 0.0), expected, 1e-14 * expected + 1e-300) << "n=" << n;
  }
  for (double x : values) {
    const double got = SumExp(&x, 1, 0.0) + 0.0;
    const double pair[2] = {x, x};
    EXPECT_NEAR(SumExp(pair, 2, 0.0), 2 * std::exp(x), 1e-14 * std::exp(x) + 1e-300) << x;
    EXPECT_NEAR(got, std::exp(x), 1e-14 * std::exp(x) + 1e-300) << x;
  }
}

TEST(LogMathTest, NormalizedScoresExponentiateToOne) {
  std::vector<double> scores = {-1000.0, -3.5, -2.0, -2.0, -50.0};
  NormalizeLogProbabilities(scores.data(), scores.size());
  double total = 0;
  for (double s : scores) total += std::exp(s);
  EXPECT_NEAR(total, 1.0, 1e-14);
  EXPECT_DOUBLE_EQ(scores[2], scores[3]);
}

}  // namespace
}  // namespace classiflow
