#include <cmath>
#include <string>

#include "classiflow/bayes.h"

namespace classiflow {

Status BayesOptions::Validate() const {
  // NaN fails both comparisons.
  if (!(alpha >= kMinAlpha && alpha <= kMaxAlpha)) {
    return Status::InvalidArgument("alpha must be in [1e-10, 1e6], not " + std::to_string(alpha));
  }
  return Status::OK();
}

}  // namespace classiflow
