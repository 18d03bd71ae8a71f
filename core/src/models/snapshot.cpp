#include "classiflow/snapshot.h"

#include <algorithm>

#include "models/log_math.h"

namespace classiflow {

void Snapshot::Scores(const uint32_t* features, size_t feature_count, double* out) const {
  RawScores(features, feature_count, out);
  if (multilabel()) {
    for (size_t l = 0; l < label_count(); ++l) out[l] = LogSigmoid(out[l]);
  } else {
    NormalizeLogProbabilities(out, label_count());
  }
}

size_t Snapshot::RawArgmax(const uint32_t* features, size_t feature_count, double* scratch) const {
  RawScores(features, feature_count, scratch);
  return static_cast<size_t>(std::max_element(scratch, scratch + label_count()) - scratch);
}

}  // namespace classiflow
