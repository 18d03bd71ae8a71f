// The pipelines an Engine runs.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "classiflow/engine.h"
#include "pipeline/pipeline_impl.h"
#include "pipeline/pipeline_view.h"

namespace classiflow {

struct Engine::Pipelines {
  std::mutex mu;  // guards both; never held while a pipeline is opened or closed
  std::map<std::string, std::shared_ptr<PipelineImpl>, std::less<>> running;  // kWrite
  std::vector<std::weak_ptr<PipelineView>> views;  // kRead: handed out, released on close
};

}  // namespace classiflow
