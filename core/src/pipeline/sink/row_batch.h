// RowBatch: result records decoded for one sink transaction. Its items are reused from one
// transaction to the next (ItemState::Reset keeps their buffers), so a steady stream of rows
// allocates little.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "classiflow/results_sink.h"
#include "pipeline/item.h"
#include "pipeline/spec.h"

namespace classiflow {

class RowBatch {
 public:
  explicit RowBatch(const PipelineSpec* spec) : spec_(spec) {}

  // Decodes the result record `value` of `id`. Unless `keep` says yes to the decoded item and
  // its expiry (ms, 0 = never), it is dropped again.
  template <class Keep>
  Status Add(std::string_view id, std::string_view value, Keep&& keep) {
    Entry& e = Next();
    CF_RETURN_IF_ERROR(DecodeInto(id, value, &e));
    if (keep(e.item, e.expires_ms)) ++size_;
    return Status::OK();
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Upserts the rows with cursor `seq` (0 = none) in one Write, and empties the batch either way.
  Status WriteTo(ResultsSink& sink, uint64_t seq);
  void clear() { size_ = 0; }

 private:
  struct Entry {
    ItemState item;
    int64_t done_ms = 0;
    int64_t expires_ms = 0;
  };
  Entry& Next();
  Status DecodeInto(std::string_view id, std::string_view value, Entry* e) const;

  const PipelineSpec* spec_;
  std::vector<Entry> entries_;  // the first size_ are the batch
  size_t size_ = 0;
  std::vector<ResultRow> rows_;
};

}  // namespace classiflow
