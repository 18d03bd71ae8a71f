// Opening engines and stores from a URI.
//
//   "memory:"                 in-memory store; nothing survives Close()
//   "rocksdb:PATH" or "PATH"  a RocksDB data directory, created and marked if missing or empty
//   "sqlite:FILE"             one SQLite file holding everything (models, pipelines, queue,
//                             results), created and marked if missing or empty (0 bytes); WAL
//                             journal mode, so FILE-wal and FILE-shm appear beside it while it
//                             is open, and a writer's lock file FILE-lock stays there
//
// A data directory or SQLite file opens only when it is missing, empty, or marked as
// classiflow's; anything else (another program's files or database, a file that is not SQLite)
// is InvalidArgument and is left untouched. One writer per directory or file, whatever spelling
// of the path: a second writer, in this or another process, gets Busy. Readers
// (EngineOptions::mode = kRead, StoreOptions::read_only) open what a writer holds, never block
// it, and follow its commits; a reader of a missing directory or file gets NotFound.
// An empty URI (or "sqlite:" naming no file) or one containing NUL is InvalidArgument; what
// cannot be created or written is IOError; damaged files are Corruption naming the file (see
// EngineOptions::recover: an SQLite file has no damaged log tail to drop — SQLite ends its log
// at the first frame that fails its checksum on every open — so a recovery open of one is a
// plain open whose report drops nothing).
#pragma once

#include <memory>
#include <string_view>

#include "classiflow/engine.h"
#include "classiflow/export.h"
#include "classiflow/status.h"
#include "classiflow/store.h"

namespace classiflow {

struct StoreOptions {
  bool read_only = false;  // follow the directory's (or file's) writer; Write() is NotSupported
  bool recover = false;    // point-in-time recovery of a damaged log (RocksDB; SQLite ignores it)
};

CLASSIFLOW_EXPORT Status OpenStore(std::string_view uri, const StoreOptions& options,
                                   std::unique_ptr<Store>* out);
CLASSIFLOW_EXPORT Status OpenStore(std::string_view uri, std::unique_ptr<Store>* out);
CLASSIFLOW_EXPORT Status OpenEngine(std::string_view uri, const EngineOptions& options,
                                    std::unique_ptr<Engine>* out);

}  // namespace classiflow
