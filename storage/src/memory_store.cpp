#include "memory_store.h"

namespace classiflow {

Status MemoryStore::Write(const std::vector<StoreWrite>& batch, bool /*sync*/) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const StoreWrite& w : batch) {
    Space& space = spaces_[static_cast<int>(w.space)];
    if (w.value) {
      space.insert_or_assign(w.key, *w.value);
    } else {
      space.erase(w.key);
    }
  }
  return Status::OK();
}

Status MemoryStore::Get(KeySpace space, std::string_view key, std::string* value) {
  std::lock_guard<std::mutex> lock(mu_);
  const Space& s = spaces_[static_cast<int>(space)];
  auto it = s.find(key);
  if (it == s.end()) return Status::NotFound("key not found");
  *value = it->second;
  return Status::OK();
}

Status MemoryStore::Scan(KeySpace space, std::string_view prefix,
                         const std::function<Status(std::string_view, std::string_view)>& visit) {
  std::lock_guard<std::mutex> lock(mu_);
  const Space& s = spaces_[static_cast<int>(space)];
  for (auto it = s.lower_bound(prefix); it != s.end() && it->first.starts_with(prefix); ++it) {
    CF_RETURN_IF_ERROR(visit(it->first, it->second));
  }
  return Status::OK();
}

Status MemoryStore::SeekKey(KeySpace space, std::string_view from, std::string* key) {
  std::lock_guard<std::mutex> lock(mu_);
  const Space& s = spaces_[static_cast<int>(space)];
  auto it = s.lower_bound(from);
  if (it == s.end()) return Status::NotFound("no key at or after the given one");
  *key = it->first;
  return Status::OK();
}

}  // namespace classiflow
