// Store: the key-value persistence an Engine writes through. core/ defines the interface only;
// backends (memory, RocksDB, ...) live in storage/.
//
// A store has separate key spaces. Write() applies a batch atomically: after a crash either all
// of it or none of it is visible. Keys and values are arbitrary bytes.
//
// Thread-safety: implementations must allow concurrent calls from many threads.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/export.h"
#include "classiflow/status.h"

namespace classiflow {

enum class KeySpace : int {
  kModels = 0,  // "<model name>\0<record key>" -> model record
  kMeta = 1,    // engine metadata: format version, ...
};

struct StoreWrite {
  KeySpace space;
  std::string key;
  std::optional<std::string> value;  // nullopt deletes the key
};

class CLASSIFLOW_EXPORT Store {
 public:
  virtual ~Store() = default;

  // Applies all writes atomically. `sync` = fsync before returning.
  virtual Status Write(const std::vector<StoreWrite>& batch, bool sync) = 0;
  // NotFound when the key is absent.
  virtual Status Get(KeySpace space, std::string_view key, std::string* value) = 0;
  // Calls `visit` for every key starting with `prefix`, in key order; stops at the first error
  // `visit` returns and returns it.
  virtual Status Scan(
      KeySpace space, std::string_view prefix,
      const std::function<Status(std::string_view key, std::string_view value)>& visit) = 0;
  // Sets *key to the first key >= `from` in `space`; NotFound past the last key. Lets a reader
  // step from one model to the next without visiting every record in between.
  virtual Status SeekKey(KeySpace space, std::string_view from, std::string* key) = 0;
  // A description for messages, e.g. "rocksdb:/data/x".
  virtual std::string Describe() const = 0;

  // Counts the times the store reopened its database after a failed write. A failed write may
  // still have reached the log, so after a reopen a writer must compare what is stored with
  // what it holds in memory before writing more. Write() returns Unavailable, having written
  // nothing, when it reopened the database itself.
  virtual uint64_t generation() const { return 0; }

  // True for a store that follows a writer in another engine (or process) and refuses Write()
  // with NotSupported.
  virtual bool read_only() const { return false; }
  // A read-only store: brings its view up to the writer's latest committed state. *changed says
  // whether anything may have changed since the last call. Never blocks the writer.
  virtual Status CatchUp(bool* changed) {
    *changed = false;
    return Status::OK();
  }
};

}  // namespace classiflow
