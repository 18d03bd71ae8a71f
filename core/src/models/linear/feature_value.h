// The value of one feature in a text's vector before length normalisation: sub-linear term
// frequency times (optionally) smoothed inverse document frequency, as scikit-learn's
// TfidfVectorizer(sublinear_tf=True): (1 + ln tf) · (ln((1 + N) / (1 + df)) + 1).
// Training and scoring both call this, so a feature is weighted the same in both.
#pragma once

#include <cmath>
#include <cstdint>

namespace classiflow {

// log_docs = ln(1 + N), log_df = ln(1 + df): both precomputed where they are kept.
inline float FeatureValue(uint32_t tf, bool idf, float log_docs, float log_df) {
  const float term = tf == 1 ? 1.0f : 1.0f + std::log(static_cast<float>(tf));
  return idf ? term * (log_docs - log_df + 1.0f) : term;
}

}  // namespace classiflow
