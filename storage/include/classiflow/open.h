// Opening engines and stores from a URI.
//
//   ""  or "memory:"          in-memory store; nothing survives Close()
//   "rocksdb:PATH" or "PATH"  a RocksDB data directory, created if missing
//
// A RocksDB directory is locked by the process that opened it: a second open (from this or any
// other process) fails with Busy. A directory that cannot be created or written is IOError.
#pragma once

#include <memory>
#include <string_view>

#include "classiflow/engine.h"
#include "classiflow/export.h"
#include "classiflow/status.h"
#include "classiflow/store.h"

namespace classiflow {

CLASSIFLOW_EXPORT Status OpenStore(std::string_view uri, std::unique_ptr<Store>* out);
CLASSIFLOW_EXPORT Status OpenEngine(std::string_view uri, const EngineOptions& options,
                                    std::unique_ptr<Engine>* out);

}  // namespace classiflow
