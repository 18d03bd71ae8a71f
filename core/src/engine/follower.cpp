// A kRead engine following its writer: the catch-up thread and Engine::Refresh().
#include "engine/follower.h"

#include "engine/store_keys.h"
#include "models/model_records.h"

namespace classiflow {

Engine::Follower::Follower(std::chrono::milliseconds interval, std::function<Status()> tick)
    : interval_(interval), tick_(std::move(tick)), thread_([this] { Run(); }) {}

Engine::Follower::~Follower() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Engine::Follower::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    // A failed round (the writer deleting a file under us, a model half-visible) is retried on
    // the next tick; the models keep the last version that loaded.
    (void)tick_();
    lock.lock();
  }
}

Status Engine::Refresh() {
  bool changed = false;
  CF_RETURN_IF_ERROR(store_->CatchUp(&changed));
  if (!changed && !refresh_failed_) return Status::OK();
  // Step from model to model: each name's records are "<name>\0..." and no name contains a
  // byte below '\1', so "<name>\1" is past all of them.
  std::map<std::string, Followed> found;
  std::string key, from;
  while (store_->SeekKey(KeySpace::kModels, from, &key).ok()) {
    const std::string name = key.substr(0, key.find('\0'));
    Followed stored;
    if (store_->Get(KeySpace::kModels, RecordKey(name, kHeaderRecord), &stored.header).ok()) {
      (void)store_->Get(KeySpace::kMeta, IncarnationKey(name), &stored.incarnation);  // < 0.2: none
      found.emplace(name, std::move(stored));
    }
    from = name + '\1';
  }
  refresh_failed_ = false;
  for (const auto& [name, stored] : found) {
    {
      std::shared_lock lock(mu_);
      auto known = followed_.find(name);
      if (known != followed_.end() && known->second == stored) continue;
    }
    if (!FollowModel(name, stored).ok()) refresh_failed_ = true;
  }
  std::unique_lock lock(mu_);
  for (auto it = models_.begin(); it != models_.end();) {
    if (found.count(it->first) != 0) {
      ++it;
      continue;
    }
    it->second->Invalidate(Status::NotFound("model '" + it->first + "' was dropped by the writer"));
    followed_.erase(it->first);
    it = models_.erase(it);
  }
  return refresh_failed_ ? Status::Corruption("a model could not be loaded; retrying")
                         : Status::OK();
}

Status Engine::FollowModel(const std::string& name, const Followed& stored) {
  std::shared_ptr<Model> loaded;
  CF_RETURN_IF_ERROR(LoadStoredModel(name, &loaded));
  std::unique_lock lock(mu_);
  if (closing_) return Status::OK();
  auto it = models_.find(name);
  auto known = followed_.find(name);
  if (it != models_.end() && known != followed_.end() &&
      known->second.incarnation == stored.incarnation &&
      it->second->options() == loaded->options()) {
    it->second->Follow(*loaded);  // handles the user holds see the new version
  } else {
    if (it != models_.end()) {
      it->second->Invalidate(Status::NotFound("model '" + name + "' was dropped by the writer"));
      models_.erase(it);
    }
    Attach(loaded);
    models_.emplace(name, std::move(loaded));
  }
  followed_[name] = stored;
  return Status::OK();
}

}  // namespace classiflow
