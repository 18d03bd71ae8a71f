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
  // Additive smoothing. REQUIRES: alpha > 0 and finite. Default: 1.0.
  double alpha = 1.0;
  // Learn class priors from document counts; false = uniform priors. Default: true.
  bool fit_prior = true;

  Status Validate() const;
  bool operator==(const BayesOptions&) const = default;
};

}  // namespace classiflow
