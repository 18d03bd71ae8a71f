#include <nlohmann/json.hpp>

#include "classiflow/pipeline.h"

namespace classiflow {

// The sink stage itself is SinkStage::Run (stages.h): reaching it makes the item's result,
// which the committer writes with the sink's TTL. Field::String lives here with the other
// small value helpers of the result.
Field Field::String(std::string_view name, std::string_view value) {
  return {std::string(name), nlohmann::json(std::string(value)).dump()};
}

}  // namespace classiflow
