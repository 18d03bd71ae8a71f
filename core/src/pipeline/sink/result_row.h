// A PipelineResult as a row of a results sink (classiflow/results_sink.h).
#pragma once

#include <string>
#include <string_view>

#include "classiflow/results_sink.h"
#include "pipeline/item.h"
#include "pipeline/spec.h"

namespace classiflow {

// A decoded result record (DecodeResultItem) as a row: straight from the item, since the sink
// writes 100k+ rows a second on one thread and a PipelineResult in between would copy every
// name. The row's views point into `item` and `spec`, which must outlive it.
void ToResultRow(const ItemState& item, const PipelineSpec& spec, int64_t done_ms,
                 int64_t expires_ms, ResultRow* row);

// Appends `text` as a JSON string (quoted; '"', '\\' and control characters escaped; UTF-8
// passes as is: texts and labels are checked to be UTF-8 when they enter).
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace classiflow
