#include <tbb/global_control.h>

#include <memory>
#include <mutex>

#include "classiflow/model.h"

namespace classiflow {

void SetMaxThreads(int threads) {
  static std::mutex mu;
  static std::unique_ptr<tbb::global_control> control;
  std::lock_guard<std::mutex> lock(mu);
  control.reset();  // back to TBB's default (all cores)
  if (threads > 0) {
    control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                    static_cast<size_t>(threads));
  }
}

}  // namespace classiflow
