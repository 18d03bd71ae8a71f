// Chunked scans, shared by the backends: a backend copies a bounded chunk of a range while it
// holds its lock, and the visitor runs on the copy with no lock held (store.h: a visitor may
// call back into the store). The next chunk starts after the last key visited.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "classiflow/status.h"
#include "classiflow/store.h"

namespace classiflow {

// Where a chunk starts.
struct ScanCursor {
  std::string key;        // forward: the first key >= key; reverse: the last key <= key
  bool after = false;     // skip `key` itself: it was visited by the previous chunk
  bool from_end = false;  // reverse only: start at the last key of the prefix range
};

// One chunk's copy of the entries, in visiting order.
struct ScanChunk {
  std::vector<std::pair<std::string, std::string>> entries;
  size_t bytes = 0;
  bool full = false;  // stopped because the chunk is full; the range may go on

  // Copies an entry. False (and `full` set) once the chunk holds `max_entries` entries or
  // about kChunkBytes of keys and values; it always takes at least one entry.
  bool Add(std::string_view key, std::string_view value, size_t max_entries);
};

// What a backend reads for one chunk: the keys starting with `prefix`, from `cursor`, in
// descending order when `reverse`, until ScanChunk::Add refuses one.
struct ChunkRequest {
  std::string_view prefix;
  bool reverse;
  const ScanCursor& cursor;
  size_t max_entries;
};

// Bounds a chunk so that a scan of large values (model pages) does not copy a whole space.
inline constexpr size_t kChunkEntries = 256;
inline constexpr size_t kChunkBytes = size_t{1} << 20;

// Runs `range` as a sequence of `read_chunk` calls, visiting each chunk's entries with no
// backend lock held; stops at the limit, at the end of the range, or at the first error of
// `read_chunk` or `visit`, which it returns.
Status ScanInChunks(const ScanRange& range,
                    const std::function<Status(const ChunkRequest&, ScanChunk*)>& read_chunk,
                    const ScanVisitor& visit);

// The smallest key greater than every key starting with `prefix`; "" when there is none (an
// empty prefix, or one of only 0xff bytes).
std::string PrefixEnd(std::string_view prefix);

}  // namespace classiflow
