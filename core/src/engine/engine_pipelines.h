// The pipelines an Engine runs.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "classiflow/engine.h"
#include "pipeline/pipeline_impl.h"

namespace classiflow {

struct Engine::Pipelines {
  std::mutex mu;  // guards `running`; never held while a pipeline is opened or closed
  std::map<std::string, std::shared_ptr<PipelineImpl>, std::less<>> running;
};

}  // namespace classiflow
