#include "pipeline/log_reader.h"

#include <string>

namespace classiflow {

Status ReadLog(Store& store, std::string_view pipeline, uint64_t from_seq, uint64_t to_seq,
               size_t limit, const LogVisitor& visit) {
  if (from_seq > to_seq) return Status::OK();
  const std::string prefix = ItemKey(pipeline, "");
  const std::string start = LogKey(pipeline, from_seq);
  bool past_end = false;
  std::vector<LogEntry> entries;
  Status s =
      store.Scan(KeySpace::kPipelineLog, ScanRange{prefix, start, limit, false},
                 [&](std::string_view key, std::string_view value) -> Status {
                   const uint64_t seq = SeqOfKey(pipeline, key);
                   if (seq > to_seq) {
                     past_end = true;
                     return Status::Busy("past the end");  // stops the scan
                   }
                   int64_t done_ms = 0;
                   CF_RETURN_IF_ERROR(DecodeLogRecord(value, &done_ms, &entries)
                                          .WithContext("pipeline '" + std::string(pipeline) +
                                                       "': log record " + std::to_string(seq)));
                   return visit(seq, done_ms, entries);
                 });
  return past_end ? Status::OK() : s;
}

}  // namespace classiflow
