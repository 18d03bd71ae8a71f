#include "classiflow/snapshot.h"

#include "models/log_math.h"

namespace classiflow {

void Snapshot::Scores(const uint32_t* features, size_t feature_count, double* out) const {
  RawScores(features, feature_count, out);
  NormalizeLogProbabilities(out, label_count());
}

}  // namespace classiflow
