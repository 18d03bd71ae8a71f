#include "pipeline/sink/row_batch.h"

#include "pipeline/records.h"
#include "pipeline/sink/result_row.h"

namespace classiflow {
namespace {

// Item buffers larger than this are freed between transactions rather than kept.
constexpr size_t kKeptBytes = 4096;

}  // namespace

RowBatch::Entry& RowBatch::Next() {
  if (size_ == entries_.size()) return entries_.emplace_back();
  Entry& e = entries_[size_];
  e.item.Reset(kKeptBytes);
  return e;
}

Status RowBatch::DecodeInto(std::string_view id, std::string_view value, Entry* e) const {
  return DecodeResultItem(id, value, *spec_, &e->item, &e->done_ms, &e->expires_ms);
}

Status RowBatch::WriteTo(ResultsSink& sink, uint64_t seq) {
  rows_.resize(size_);
  for (size_t i = 0; i < size_; ++i) {
    const Entry& e = entries_[i];
    ToResultRow(e.item, *spec_, e.done_ms, e.expires_ms, &rows_[i]);
  }
  const Status s = sink.Write(rows_, seq);
  size_ = 0;
  return s;
}

}  // namespace classiflow
