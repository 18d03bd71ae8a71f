#include "memory_store.h"

namespace classiflow {
namespace {

using Map = std::map<std::string, std::string, std::less<>>;  // MemoryStore::Space

// Reverse scans walk back from the entry before the returned position.
Map::const_iterator ReverseStart(const Map& space, const ChunkRequest& request) {
  if (request.cursor.from_end) {
    const std::string end = PrefixEnd(request.prefix);
    return end.empty() ? space.end() : space.lower_bound(end);
  }
  return request.cursor.after ? space.lower_bound(request.cursor.key)
                              : space.upper_bound(request.cursor.key);
}

}  // namespace

Status MemoryStore::Find(KeySpace space, Space** out) {
  if (closed_) return Status::Unavailable("store is closed");
  if (KeySpaceIndex(space) >= kKeySpaceCount) return Status::InvalidArgument("unknown key space");
  *out = &spaces_[KeySpaceIndex(space)];
  return Status::OK();
}

Status MemoryStore::Write(const StoreBatch& batch, bool /*sync*/) {
  std::lock_guard<std::mutex> lock(mu_);
  Space* space = nullptr;
  Status s = Find(KeySpace::kMeta, &space);  // closed: even an empty batch fails
  batch.ForEach([&](KeySpace in, std::string_view, std::string_view, bool) {
    if (s.ok()) s = Find(in, &space);  // all or none
  });
  CF_RETURN_IF_ERROR(s);
  batch.ForEach([&](KeySpace in, std::string_view key, std::string_view value, bool put) {
    Space& target = spaces_[KeySpaceIndex(in)];
    if (put) {
      target.insert_or_assign(std::string(key), std::string(value));
    } else if (auto it = target.find(key); it != target.end()) {
      target.erase(it);
    }
  });
  return Status::OK();
}

Status MemoryStore::Get(KeySpace space, std::string_view key, std::string* value) {
  std::lock_guard<std::mutex> lock(mu_);
  Space* s = nullptr;
  CF_RETURN_IF_ERROR(Find(space, &s));
  auto it = s->find(key);
  if (it == s->end()) return Status::NotFound("key not found");
  *value = it->second;
  return Status::OK();
}

Status MemoryStore::Scan(KeySpace space, const ScanRange& range, const ScanVisitor& visit) {
  return ScanInChunks(
      range,
      [&](const ChunkRequest& request, ScanChunk* chunk) {
        return ReadChunk(space, request, chunk);
      },
      visit);
}

Status MemoryStore::ReadChunk(KeySpace space, const ChunkRequest& request, ScanChunk* chunk) {
  std::lock_guard<std::mutex> lock(mu_);
  Space* s = nullptr;
  CF_RETURN_IF_ERROR(Find(space, &s));
  const std::string_view prefix = request.prefix;
  if (!request.reverse) {
    auto it = request.cursor.after ? s->upper_bound(request.cursor.key)
                                   : s->lower_bound(request.cursor.key);
    for (; it != s->end() && it->first.starts_with(prefix); ++it) {
      if (!chunk->Add(it->first, it->second, request.max_entries)) break;
    }
    return Status::OK();
  }
  for (auto it = ReverseStart(*s, request); it != s->begin();) {
    --it;
    if (!it->first.starts_with(prefix) || !chunk->Add(it->first, it->second, request.max_entries))
      break;
  }
  return Status::OK();
}

Status MemoryStore::SeekKey(KeySpace space, std::string_view from, std::string* key) {
  std::lock_guard<std::mutex> lock(mu_);
  Space* s = nullptr;
  CF_RETURN_IF_ERROR(Find(space, &s));
  auto it = s->lower_bound(from);
  if (it == s->end()) return Status::NotFound("no key at or after the given one");
  *key = it->first;
  return Status::OK();
}

Status MemoryStore::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (Space& space : spaces_) space.clear();
  return Status::OK();
}

}  // namespace classiflow
