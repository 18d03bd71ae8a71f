// Store: the key-value persistence an Engine writes through. core/ defines the interface only;
// backends (memory, RocksDB, ...) live in storage/.
//
// A store has separate key spaces (kKeySpaces). Write() applies a batch atomically: after a
// crash either all of it or none of it is visible. Keys and values are arbitrary bytes.
//
// Thread-safety: implementations must allow concurrent calls from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/export.h"
#include "classiflow/status.h"
#include "classiflow/store_batch.h"

namespace classiflow {

// The key spaces. Values are indexes into kKeySpaces: add a space at the end of both.
enum class KeySpace : int {
  kModels = 0,       // "<model>\0<record>" -> model record
  kMeta = 1,         // engine metadata: format version, model incarnations
  kPipelines = 2,    // "<pipeline>" -> pipeline spec and state
  kQueue = 3,        // "<pipeline>\0<item id>" -> an accepted item that waits (callback, retry)
  kResults = 4,      // "<pipeline>\0<item id>" -> result
  kDeadLetters = 5,  // "<pipeline>\0<item id>" -> dead letter
  // "<pipeline>\0<commit sequence, 8 bytes big-endian>" -> the ids committed in one group
  kPipelineLog = 6,
  kAnalytics = 7,  // "<pipeline>\0<record>" -> the pipeline's aggregates (analytics/aggregates.h)
  kFeedback = 8,   // "<pipeline>\0<item id>" -> the feedback (true label) recorded for a result
};

// A key space and its persistent name (the RocksDB column family). Names never change: a data
// directory written by an older classiflow has a subset of them, which every backend accepts.
struct KeySpaceInfo {
  KeySpace space;
  const char* name;
};
inline constexpr KeySpaceInfo kKeySpaces[] = {
    {KeySpace::kModels, "models"},
    {KeySpace::kMeta, "meta"},
    {KeySpace::kPipelines, "pipelines"},
    {KeySpace::kQueue, "queue"},
    {KeySpace::kResults, "results"},
    {KeySpace::kDeadLetters, "dead_letters"},
    {KeySpace::kPipelineLog, "pipeline_log"},
    {KeySpace::kAnalytics, "analytics"},
    {KeySpace::kFeedback, "feedback"},
};
inline constexpr size_t kKeySpaceCount = std::size(kKeySpaces);

// The space's index in kKeySpaces; kKeySpaceCount or more for a value outside the enum.
constexpr size_t KeySpaceIndex(KeySpace space) { return static_cast<size_t>(space); }

namespace store_detail {
constexpr bool KeySpacesInEnumOrder() {
  for (size_t i = 0; i < kKeySpaceCount; ++i) {
    if (KeySpaceIndex(kKeySpaces[i].space) != i) return false;
  }
  return true;
}
}  // namespace store_detail
static_assert(store_detail::KeySpacesInEnumOrder(), "kKeySpaces[i].space must be KeySpace(i)");

struct StoreWrite {
  KeySpace space;
  std::string key;
  std::optional<std::string> value;  // nullopt deletes the key
};

// Which keys a Scan visits, in which order, and how many.
struct ScanRange {
  // Only keys starting with `prefix` ("" = every key of the space).
  std::string_view prefix;
  // Forward: from the first key >= start (and >= prefix). Reverse: from the last key <= start
  // ("" = from the end of the prefix range). To resume after a visited key K: forward, start =
  // K + '\0' (the next possible key); reverse, start = K, and skip K when it comes again.
  std::string_view start;
  // Stop after this many keys; 0 = no limit.
  size_t limit = 0;
  // Newest-first: descending key order (for "the last N results").
  bool reverse = false;
};

using ScanVisitor = std::function<Status(std::string_view key, std::string_view value)>;

class CLASSIFLOW_EXPORT Store {
 public:
  virtual ~Store() = default;

  // Applies all writes atomically. `sync` = fsync before returning.
  virtual Status Write(const StoreBatch& batch, bool sync) = 0;
  // Write() without the write-ahead log: visible at once, but a crash before the store flushes
  // its memory tables loses it (a clean Close() keeps it). For pipelines with durability
  // "none". Backends without a log write as Write(batch, false) does.
  virtual Status WriteUnlogged(const StoreBatch& batch) { return Write(batch, false); }
  // The same for a few writes listed one by one (a backend declares `using Store::Write;`).
  Status Write(const std::vector<StoreWrite>& writes, bool sync) {
    return Write(ToBatch(writes), sync);
  }
  Status WriteUnlogged(const std::vector<StoreWrite>& writes) {
    return WriteUnlogged(ToBatch(writes));
  }
  // NotFound when the key is absent.
  virtual Status Get(KeySpace space, std::string_view key, std::string* value) = 0;
  // Calls `visit` for the keys of `range` in key order (descending when range.reverse); stops
  // at the first error `visit` returns and returns it. The store reads in chunks and holds no
  // lock while `visit` runs, so `visit` may call Write, Get and Scan on this store. The scan is
  // not a snapshot: a key written or deleted during the scan, ahead of the cursor, may or may
  // not be visited; keys already visited are not visited again. The views `visit` gets are
  // valid only during the call.
  virtual Status Scan(KeySpace space, const ScanRange& range, const ScanVisitor& visit) = 0;
  // Every key starting with `prefix`, forward, no limit.
  Status Scan(KeySpace space, std::string_view prefix, const ScanVisitor& visit) {
    ScanRange range;
    range.prefix = prefix;
    return Scan(space, range, visit);
  }
  // Sets *key to the first key >= `from` in `space`; NotFound past the last key. Lets a reader
  // step from one model to the next without visiting every record in between.
  virtual Status SeekKey(KeySpace space, std::string_view from, std::string* key) = 0;
  // A description for messages, e.g. "rocksdb:/data/x".
  virtual std::string Describe() const = 0;

  // Releases the database and the data directory (another engine may open it afterwards) and
  // returns what the backend reported while closing it: an error means data acknowledged
  // without `sync` may not be on disk. Afterwards every call returns Unavailable (a Scan in
  // progress returns it at its next chunk); a second Close() returns OK.
  virtual Status Close() { return Status::OK(); }

  // Counts the times the store reopened its database after a failed write. A failed write may
  // still have reached the log, so after a reopen a writer must compare what is stored with
  // what it holds in memory before writing more. Write() returns Unavailable, having written
  // nothing, when it reopened the database itself; when a reopen failed (a disk still full),
  // the next call of any kind tries again, and may be the one that reopens.
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

 private:
  static StoreBatch ToBatch(const std::vector<StoreWrite>& writes) {
    StoreBatch batch;
    for (const StoreWrite& w : writes) {
      if (w.value) {
        batch.Put(w.space, w.key, *w.value);
      } else {
        batch.Delete(w.space, w.key);
      }
    }
    return batch;
  }
};

}  // namespace classiflow
