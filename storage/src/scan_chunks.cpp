#include "scan_chunks.h"

#include <algorithm>
#include <limits>

namespace classiflow {
namespace {

ScanCursor FirstCursor(const ScanRange& range) {
  if (!range.reverse) return {std::string(std::max(range.start, range.prefix)), false, false};
  // Keys with the prefix are one contiguous run; a start past its end means "from its end".
  const bool past_range = range.start > range.prefix && !range.start.starts_with(range.prefix);
  if (range.start.empty() || past_range) return {std::string(), false, true};
  return {std::string(range.start), false, false};
}

}  // namespace

bool ScanChunk::Add(std::string_view key, std::string_view value, size_t max_entries) {
  entries.emplace_back(key, value);
  bytes += key.size() + value.size();
  full = entries.size() >= max_entries || bytes >= kChunkBytes;
  return !full;
}

Status ScanInChunks(const ScanRange& range,
                    const std::function<Status(const ChunkRequest&, ScanChunk*)>& read_chunk,
                    const ScanVisitor& visit) {
  ScanCursor cursor = FirstCursor(range);
  size_t left = range.limit == 0 ? std::numeric_limits<size_t>::max() : range.limit;
  while (left > 0) {
    ScanChunk chunk;
    const ChunkRequest request{range.prefix, range.reverse, cursor, std::min(left, kChunkEntries)};
    CF_RETURN_IF_ERROR(read_chunk(request, &chunk));
    for (const auto& [key, value] : chunk.entries) CF_RETURN_IF_ERROR(visit(key, value));
    left -= chunk.entries.size();
    if (!chunk.full || chunk.entries.empty()) break;
    cursor = {std::move(chunk.entries.back().first), true, false};
  }
  return Status::OK();
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

}  // namespace classiflow
