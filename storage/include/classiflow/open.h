// Opening engines and stores from a URI.
//
//   "memory:"                 in-memory store; nothing survives Close()
//   "rocksdb:PATH" or "PATH"  a RocksDB data directory, created and marked if missing or empty
//
// A data directory opens only when it is missing, empty, or marked as classiflow's; anything
// else is InvalidArgument and is left untouched. One writer per directory, whatever spelling
// of the path: a second writer, in this or another process, gets Busy. Readers
// (EngineOptions::mode = kRead) open a directory a writer holds and follow its versions.
// An empty URI or one containing NUL is InvalidArgument; a directory that cannot be created or
// written is IOError; damaged files are Corruption naming the file (see EngineOptions::recover).
#pragma once

#include <memory>
#include <string_view>

#include "classiflow/engine.h"
#include "classiflow/export.h"
#include "classiflow/status.h"
#include "classiflow/store.h"

namespace classiflow {

struct StoreOptions {
  bool read_only = false;  // follow the directory's writer; Write() is NotSupported
  bool recover = false;    // point-in-time recovery of a damaged log
};

CLASSIFLOW_EXPORT Status OpenStore(std::string_view uri, const StoreOptions& options,
                                   std::unique_ptr<Store>* out);
CLASSIFLOW_EXPORT Status OpenStore(std::string_view uri, std::unique_ptr<Store>* out);
CLASSIFLOW_EXPORT Status OpenEngine(std::string_view uri, const EngineOptions& options,
                                    std::unique_ptr<Engine>* out);

}  // namespace classiflow
