// MemoryStore: a Store in process memory (a std::map per key space). Nothing survives the
// process; used for "memory:" engines and tests.
//
// Thread-safety: every call may come from any thread; one mutex guards the maps, and Scan
// visitors run without it (store.h).
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>

#include "classiflow/store.h"
#include "scan_chunks.h"

namespace classiflow {

class MemoryStore final : public Store {
 public:
  using Store::Scan;  // the prefix-only convenience

  using Store::Write;  // the list-of-writes convenience
  Status Write(const StoreBatch& batch, bool sync) override;
  Status Get(KeySpace space, std::string_view key, std::string* value) override;
  Status Scan(KeySpace space, const ScanRange& range, const ScanVisitor& visit) override;
  Status SeekKey(KeySpace space, std::string_view from, std::string* key) override;
  std::string Describe() const override { return "memory:"; }
  // Drops every key.
  Status Close() override;

 private:
  using Space = std::map<std::string, std::string, std::less<>>;
  // The space's map; InvalidArgument for a value outside KeySpace, Unavailable once closed.
  // REQUIRES: mu_ held.
  Status Find(KeySpace space, Space** out);
  // Copies one chunk of a scan. Takes mu_.
  Status ReadChunk(KeySpace space, const ChunkRequest& request, ScanChunk* chunk);

  std::mutex mu_;
  std::array<Space, kKeySpaceCount> spaces_;
  bool closed_ = false;
};

}  // namespace classiflow
