#include "models/log_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace classiflow {
namespace {

#if defined(__SSE2__)
TEST(LogMathTest, VectorExpMatchesLibm) {
  for (double x = -700.0; x <= 0.0; x += 0.0173) {
    double lanes[2];
    _mm_storeu_pd(lanes, Exp2Lanes(_mm_set_pd(x / 2, x)));
    EXPECT_NEAR(lanes[0], std::exp(x), 1e-15 * std::exp(x)) << x;
    EXPECT_NEAR(lanes[1], std::exp(x / 2), 1e-15 * std::exp(x / 2)) << x / 2;
  }
}
#endif

TEST(LogMathTest, SumExpMatchesLibmWhenTheMaximumIsIncluded) {
  std::vector<double> values;
  for (double x = -745.0; x <= 0.0; x += 0.37) values.push_back(x);
  for (size_t n : {size_t{1}, size_t{2}, size_t{3}, size_t{100}, values.size()}) {
    std::vector<double> head(values.end() - n, values.end());  // includes the maximum
    const double shift = head.back();
    double expected = 0;
    for (double v : head) expected += std::exp(v - shift);
    EXPECT_NEAR(SumExp(head.data(), head.size(), shift), expected, 1e-14 * expected) << "n=" << n;
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
