// Multinomial Naive Bayes over hashed word n-grams.
//
// P(label | text) ∝ P(label) · Π_features P(feature | label), with additive (Lidstone)
// smoothing: P(f | c) = (count(f, c) + alpha) / (tokens(c) + alpha · V), where V is the number of
// distinct features seen in training. Counts live in copy-on-write pages of the hashed feature
// space, so a training step copies only the pages it touches and every version stays immutable
// for the readers that hold it.
#pragma once

#include "classiflow/export.h"
#include "classiflow/status.h"

namespace classiflow {

struct CLASSIFLOW_EXPORT BayesOptions {
  // Bounds of alpha that keep every score finite. Below: log(alpha) >= -23, as scikit-learn's
  // MultinomialNB, which clips alpha at 1e-10. Above: alpha * V (V <= 2^28 features) stays
  // ~1e14, so each feature adds at most ~70 in magnitude to a score and even a text of
  // millions of features scores far inside float and double range. 1e308 made every score NaN.
  static constexpr double kMinAlpha = 1e-10;
  static constexpr double kMaxAlpha = 1e6;
  // Additive smoothing. REQUIRES: kMinAlpha <= alpha <= kMaxAlpha. Default: 1.0.
  double alpha = 1.0;
  // Learn class priors from document counts; false = uniform priors. Default: true.
  bool fit_prior = true;

  Status Validate() const;
  bool operator==(const BayesOptions&) const = default;
};

}  // namespace classiflow
