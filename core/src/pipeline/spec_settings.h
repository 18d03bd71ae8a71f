// The pipeline-wide settings of a spec (everything but "stages").
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "classiflow/status.h"
#include "pipeline/spec.h"

namespace classiflow {

// Reads durability, batch, max_in_flight, max_attempts, retry, callback_concurrency, analytics
// and entry
// (into *entry, resolved by the caller). InvalidArgument naming the key for an unknown key or
// a value out of range.
Status ParseSpecSettings(const nlohmann::json& doc, PipelineSpec* out, std::string* entry);

}  // namespace classiflow
