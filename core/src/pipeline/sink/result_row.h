// A PipelineResult as a row of a results sink (classiflow/results_sink.h).
#pragma once

#include <string>
#include <string_view>

#include "classiflow/pipeline.h"
#include "classiflow/results_sink.h"

namespace classiflow {

// Fills *row from `result`; the row's views point into `result`, which must outlive it.
void ToResultRow(const PipelineResult& result, ResultRow* row);

// Appends `text` as a JSON string (quoted; '"', '\\' and control characters escaped; UTF-8
// passes as is: texts and labels are checked to be UTF-8 when they enter).
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace classiflow
