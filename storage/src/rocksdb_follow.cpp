// RocksDBStore as a follower (a secondary instance): catching up with the writer, including
// the column families a writer of a newer release adds to an older directory.
#include <rocksdb/db.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "rocksdb_status.h"
#include "rocksdb_store.h"

namespace classiflow {
namespace {

// How often a follower of a directory that lacks some families looks for them when the
// writer's CURRENT file has not changed (a writer creates them when it opens, which changes it).
constexpr std::chrono::seconds kListFamiliesEvery{1};

size_t CountOurFamilies(const std::vector<std::string>& names) {
  size_t count = 0;
  for (const KeySpaceInfo& info : kKeySpaces) {
    count += std::find(names.begin(), names.end(), info.name) != names.end();
  }
  return count;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

}  // namespace

// A writer of this release creates the families when it opens, which rewrites CURRENT; so a
// changed CURRENT is when to look. Looking also once a second covers a writer whose families
// appeared just after CURRENT changed, at the cost of reading the MANIFEST that often while an
// older writer keeps the directory.
bool RocksDBStore::NewFamiliesAppeared() {
  if (!missing_families_.load()) return false;
  const std::string current = ReadFile(path_ + "/CURRENT");
  const auto now = std::chrono::steady_clock::now();
  if (current == writer_current_ && now - families_listed_ < kListFamiliesEvery) return false;
  writer_current_ = current;
  families_listed_ = now;
  rocksdb::DBOptions options;
  if (options_.env != nullptr) options.env = options_.env;
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, path_, &names).ok()) return false;
  size_t open = 0;
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    for (auto* family : families_) open += family != nullptr;
  }
  return CountOurFamilies(names) > open;
}

Status RocksDBStore::ReopenFollower() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (closed_) return StoreClosed(path_);
  (void)CloseRocks();  // a secondary instance writes nothing a close could lose
  return OpenRocks().WithContext("following '" + path_ + "'");
}

Status RocksDBStore::CatchUp(bool* changed) {
  *changed = false;
  if (kind_ != Kind::kFollower) return Status::OK();
  std::lock_guard<std::mutex> following(follow_mu_);
  bool reopen = NewFamiliesAppeared();
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    reopen = reopen || (!db_ && !closed_);  // an earlier reopen failed
  }
  if (reopen) {
    CF_RETURN_IF_ERROR(ReopenFollower());
    *changed = true;
  }
  Status s;
  auto lock = ReadLock(&s);
  CF_RETURN_IF_ERROR(s);
  CF_RETURN_IF_ERROR(FromRocks(db_->TryCatchUpWithPrimary(), "following '" + path_ + "'"));
  const uint64_t sequence = db_->GetLatestSequenceNumber();
  *changed = *changed || sequence != seen_sequence_;
  seen_sequence_ = sequence;
  return Status::OK();
}

}  // namespace classiflow
