// Where a pipeline's sink files are and how they open (EngineServices), and exporting the
// results a store holds into one (Pipeline::ExportSqlite).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "classiflow/results_sink.h"
#include "classiflow/store.h"
#include "pipeline/spec.h"

namespace classiflow {

struct SinkFiles {
  ResultsSinkOpener open;  // null: the core was built without the storage layer
  std::string base_dir;    // relative paths resolve here ("" = the working directory)

  // `path` made absolute. InvalidArgument for an empty path or one with a NUL.
  Status Resolve(std::string_view path, std::string* out) const;
  // Opens `path` (resolved) for `pipeline`; NotSupported without an opener.
  Status Open(std::string_view path, std::string_view pipeline, bool claim,
              std::unique_ptr<ResultsSink>* out) const;
};

// Upserts every result `store` holds for pipeline `name` into `sink`, in batched transactions
// (its cursor untouched); *written = the rows.
Status ExportResults(Store& store, const std::string& name, const PipelineSpec& spec,
                     ResultsSink& sink, size_t* written);

}  // namespace classiflow
