// A kRead engine following its writer: the catch-up thread and Engine::Refresh().
#include "engine/follower.h"

#include <set>

#include "models/model_records.h"

namespace classiflow {
namespace {

std::string HeaderKey(std::string_view model) {
  std::string key(model);
  key.push_back('\0');
  key.append(kHeaderRecord);
  return key;
}

}  // namespace

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
  std::map<std::string, std::pair<std::string, std::string>>
      found;  // name -> incarnation, fingerprint
  std::string key, from;
  while (store_->SeekKey(KeySpace::kModels, from, &key).ok()) {
    const std::string name = key.substr(0, key.find('\0'));
    std::string header, incarnation;
    if (store_->Get(KeySpace::kModels, HeaderKey(name), &header).ok()) {
      (void)store_->Get(KeySpace::kMeta, IncarnationKey(name), &incarnation);  // absent before 0.2
      found[name] = {incarnation, incarnation + '\0' + header};
    }
    from = name + '\1';
  }
  refresh_failed_ = false;
  for (const auto& [name, ids] : found) {
    {
      std::shared_lock lock(mu_);
      auto known = headers_.find(name);
      if (known != headers_.end() && known->second == ids.second) continue;
    }
    Status s = FollowModel(name, ids.first, ids.second);
    if (!s.ok()) refresh_failed_ = true;
  }
  const auto& headers = found;
  std::unique_lock lock(mu_);
  for (auto it = models_.begin(); it != models_.end();) {
    if (headers.count(it->first) != 0) {
      ++it;
      continue;
    }
    it->second->Invalidate(Status::NotFound("model '" + it->first + "' was dropped by the writer"));
    headers_.erase(it->first);
    incarnations_.erase(it->first);
    it = models_.erase(it);
  }
  return refresh_failed_ ? Status::Corruption("a model could not be loaded; retrying")
                         : Status::OK();
}

Status Engine::FollowModel(const std::string& name, const std::string& incarnation,
                           const std::string& fingerprint) {
  std::shared_ptr<Model> loaded;
  CF_RETURN_IF_ERROR(LoadStoredModel(name, &loaded));
  std::unique_lock lock(mu_);
  if (closing_) return Status::OK();
  auto it = models_.find(name);
  if (it != models_.end() && incarnations_[name] == incarnation &&
      it->second->options() == loaded->options()) {
    it->second->Follow(loaded->snapshot());  // handles the user holds see the new version
  } else {
    if (it != models_.end()) {
      it->second->Invalidate(Status::NotFound("model '" + name + "' was dropped by the writer"));
      models_.erase(it);
    }
    Attach(loaded);
    models_.emplace(name, std::move(loaded));
  }
  headers_[name] = fingerprint;
  incarnations_[name] = incarnation;
  return Status::OK();
}

}  // namespace classiflow
