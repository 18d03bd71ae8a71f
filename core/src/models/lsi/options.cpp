#include <cstdio>
#include <string>

#include "classiflow/lsi.h"
#include "models/option_table.h"

namespace classiflow {
Status LsiOptions::Validate() const {
  if (rank < 1 || rank > 1000) {
    return Status::InvalidArgument("rank must be in [1, 1000], not " + std::to_string(rank));
  }
  if (max_terms < 1 || max_terms > (1u << 24)) {
    return Status::InvalidArgument("max_terms must be in [1, 16777216], not " +
                                   std::to_string(max_terms));
  }
  if (neighbors < 1 || neighbors > 1000) {
    return Status::InvalidArgument("neighbors must be in [1, 1000], not " +
                                   std::to_string(neighbors));
  }
  // Written so that NaN fails every range.
  if (!(min_similarity >= -1.0 && min_similarity <= 1.0)) {
    return Status::InvalidArgument("min_similarity must be in [-1, 1], not " +
                                   ShownNumber(min_similarity));
  }
  if (!(rebuild_after >= 0.0 && rebuild_after <= 100.0)) {
    return Status::InvalidArgument("rebuild_after must be in [0, 100], not " +
                                   ShownNumber(rebuild_after));
  }
  if (power_iterations < 0 || power_iterations > 10) {
    return Status::InvalidArgument("power_iterations must be in [0, 10], not " +
                                   std::to_string(power_iterations));
  }
  return Status::OK();
}

const OptionTable& LsiOptionTable() {
  static const OptionTable kTable = {
      {"rank", Field([](auto* o) -> auto& { return o->lsi.rank; })},
      {"max_terms", Field([](auto* o) -> auto& { return o->lsi.max_terms; })},
      {"neighbors", Field([](auto* o) -> auto& { return o->lsi.neighbors; })},
      {"min_similarity", Field([](auto* o) -> auto& { return o->lsi.min_similarity; })},
      {"rebuild_after", Field([](auto* o) -> auto& { return o->lsi.rebuild_after; })},
      {"power_iterations", Field([](auto* o) -> auto& { return o->lsi.power_iterations; })},
      {"seed", Field([](auto* o) -> auto& { return o->lsi.seed; })},
  };
  return kTable;
}

}  // namespace classiflow
