// The graph checks of a parsed spec: every stage has a way forward, no cycle, nothing
// unreachable from the entry.
#pragma once

#include "classiflow/status.h"
#include "pipeline/spec.h"

namespace classiflow {

// Fills defaults that depend on `next` (validate's on_valid / on_invalid / on_absent), then
// checks the graph. InvalidArgument naming the stage.
Status CheckGraph(PipelineSpec& spec);

}  // namespace classiflow
