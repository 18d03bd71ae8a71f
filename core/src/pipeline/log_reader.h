// Reading a pipeline's log (records.h, kPipelineLog) forward, decoded: what the analytics
// replay and the sink mirror catch up from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "classiflow/store.h"
#include "pipeline/records.h"

namespace classiflow {

// Called for each log record in order: its sequence, commit time and entries.
using LogVisitor =
    std::function<Status(uint64_t seq, int64_t done_ms, const std::vector<LogEntry>& entries)>;

// Visits the records of pipeline `pipeline` with from_seq <= seq <= to_seq, at most `limit`
// of them (0 = no limit). Corruption naming the record when one does not decode; a visitor's
// error ends the walk and is returned.
Status ReadLog(Store& store, std::string_view pipeline, uint64_t from_seq, uint64_t to_seq,
               size_t limit, const LogVisitor& visit);

}  // namespace classiflow
