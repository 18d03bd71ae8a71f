#include <cmath>
#include <string>

#include "classiflow/bayes.h"

namespace classiflow {

Status BayesOptions::Validate() const {
  if (!(alpha > 0) || !std::isfinite(alpha)) {
    return Status::InvalidArgument("alpha must be a positive finite number, not " +
                                   std::to_string(alpha));
  }
  return Status::OK();
}

}  // namespace classiflow
