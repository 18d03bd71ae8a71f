#include <cmath>
#include <cstdio>
#include <string>

#include "classiflow/bayes.h"
#include "models/option_table.h"

namespace classiflow {

Status BayesOptions::Validate() const {
  // NaN fails both comparisons.
  if (!(alpha >= kMinAlpha && alpha <= kMaxAlpha)) {
    char shown[32];  // %g: 1e+308 stays short, where std::to_string writes all 309 digits
    (void)std::snprintf(shown, sizeof shown, "%g", alpha);
    return Status::InvalidArgument(std::string("alpha must be in [1e-10, 1e6], not ") + shown);
  }
  return Status::OK();
}

const OptionTable& BayesOptionTable() {
  static const OptionTable kTable = {
      {"alpha", Field([](auto* o) -> auto& { return o->bayes.alpha; })},
      {"fit_prior", Field([](auto* o) -> auto& { return o->bayes.fit_prior; })},
  };
  return kTable;
}

}  // namespace classiflow
