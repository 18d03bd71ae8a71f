// Results sinks: where a pipeline's sink stage mirrors its results besides the engine's store
// ({"sink": {"sqlite": "results.db"}}, docs/pipeline.md "SQLite sink"). The core builds rows
// and keeps the sink caught up with the pipeline's log (exactly once per id: rows are upserted
// by id, and the log sequence they reach is recorded in the same transaction); the storage
// layer, which links SQLite, writes them (EngineServices::open_results_sink).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "classiflow/export.h"
#include "classiflow/status.h"

namespace classiflow {

// One row of the `results` table. JSON columns are JSON text; times are Unix ms.
struct ResultRow {
  std::string_view id;
  std::string_view sink;  // the sink stage the item ended at
  // The last classify stage's answer; has_label false when the item met no classify stage or
  // the top probability was below the stage's min_confidence (label NULL then).
  bool has_prediction = false;
  bool has_label = false;
  std::string_view label;
  double confidence = 0.0;
  std::string_view model;
  uint64_t version = 0;
  std::string route_json;        // ["entry", ..., "sink"]
  std::string predictions_json;  // {stage: {"label", "confidence", "model", "version"}}
  std::string fields_json;       // {field: value}
  std::string valid_json;        // {field: true|false}
  std::string_view meta_json;    // "" = NULL
  std::string_view text;         // "" = NULL (the sink does not keep texts)
  uint32_t attempts = 1;
  int64_t submitted_at_ms = 0;
  int64_t done_at_ms = 0;
  int64_t expires_at_ms = 0;  // 0 = NULL
};

// A sink file opened for one pipeline. Used by one thread at a time.
class CLASSIFLOW_EXPORT ResultsSink {
 public:
  virtual ~ResultsSink() = default;
  // The last log sequence Write recorded for the pipeline; 0 when none.
  virtual Status Cursor(uint64_t* seq) = 0;
  // Upserts `rows` (by id) and, when `seq` > 0, records it as the cursor: one transaction.
  virtual Status Write(std::span<const ResultRow> rows, uint64_t seq) = 0;
  // What the file is, for messages ("sqlite:/data/results.db").
  virtual std::string Describe() const = 0;
};

// Opens (creating when missing) the sink file `path` (absolute) for `pipeline`. `claim`: the
// file becomes that pipeline's sink, and a file that is another pipeline's is refused
// (InvalidArgument); without it (an export) the file's cursor is left alone.
using ResultsSinkOpener = std::function<Status(const std::string& path, std::string_view pipeline,
                                               bool claim, std::unique_ptr<ResultsSink>* out)>;

}  // namespace classiflow
