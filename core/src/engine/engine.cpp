#include "classiflow/engine.h"

#include <tbb/info.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>

#include "engine/engine_arena.h"
#include "engine/engine_pipelines.h"
#include "engine/follower.h"
#include "engine/store_keys.h"
#include "models/model_records.h"

namespace classiflow {
namespace {

constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kFormatVersion = "1";

std::vector<StoreWrite> ToWrites(std::string_view model, const ModelRecords& records) {
  std::vector<StoreWrite> batch;
  batch.reserve(records.puts.size() + records.deletes.size());
  for (const auto& [key, value] : records.puts) {
    batch.push_back({KeySpace::kModels, RecordKey(model, key), value});
  }
  for (const auto& key : records.deletes) {
    batch.push_back({KeySpace::kModels, RecordKey(model, key), std::nullopt});
  }
  return batch;
}

// A random id per created model (see IncarnationKey).
std::string NewIncarnation() {
  std::random_device random;
  return std::to_string((uint64_t{random()} << 32) ^ random()) + "." +
         std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
}

Status ClosedError() { return Status::Unavailable("the engine is closed"); }

Status ReadOnlyError(const std::string& where) {
  return Status::NotSupported("the engine on " + where +
                              " was opened with mode=\"read\": it classifies and follows the "
                              "writer's versions, but cannot create, train or drop models");
}

// Groups the models space by model name: name -> (record key -> value).
using GroupedRecords = std::map<std::string, std::map<std::string, std::string>>;
Status GroupModelRecords(Store& store, std::string_view prefix, GroupedRecords* grouped) {
  return store.Scan(KeySpace::kModels, prefix, [&](std::string_view key, std::string_view value) {
    const size_t sep = key.find('\0');
    if (sep == std::string_view::npos) return Status::Corruption("stray key in the models space");
    (*grouped)[std::string(key.substr(0, sep))][std::string(key.substr(sep + 1))] =
        std::string(value);
    return Status::OK();
  });
}

}  // namespace

Engine::Engine(const EngineOptions& options, std::unique_ptr<Store> store,
               const EngineServices& services)
    : options_(options),
      services_(services),
      read_only_(store->read_only()),
      store_(std::move(store)),
      arena_(std::make_unique<Arena>(
          options.threads > 0 ? options.threads : std::max(1, tbb::info::default_concurrency()))) {}

Engine::~Engine() { Close(); }

Status Engine::Open(const EngineOptions& options, std::unique_ptr<Store> store,
                    std::unique_ptr<Engine>* out) {
  return Open(options, std::move(store), EngineServices(), out);
}

Status Engine::Open(const EngineOptions& options, std::unique_ptr<Store> store,
                    const EngineServices& services, std::unique_ptr<Engine>* out) {
  if (!store) return Status::InvalidArgument("Engine::Open needs a store");
  CF_RETURN_IF_ERROR(options.Validate());
  if ((options.mode == EngineOptions::Mode::kRead) != store->read_only()) {
    return Status::InvalidArgument(options.mode == EngineOptions::Mode::kRead
                                       ? "mode=\"read\" needs a data directory opened for reading"
                                       : "a read-only store needs mode=\"read\"");
  }
  std::string format;
  Status s = store->Get(KeySpace::kMeta, kFormatKey, &format);
  if (s.code() == Status::Code::kNotFound && store->read_only()) {
    // A writer that has not finished creating the directory: nothing to read yet.
  } else if (s.code() == Status::Code::kNotFound) {
    CF_RETURN_IF_ERROR(store->Write(
        {{KeySpace::kMeta, std::string(kFormatKey), std::string(kFormatVersion)}}, true));
  } else if (!s.ok()) {
    return s;
  } else if (format != kFormatVersion) {
    return Status::Corruption("data format '" + format + "' in " + store->Describe() +
                              " is not supported (expected " + std::string(kFormatVersion) + ")");
  }
  std::unique_ptr<Engine> engine(new Engine(options, std::move(store), services));
  CF_RETURN_IF_ERROR(engine->LoadModels());
  CF_RETURN_IF_ERROR(engine->OpenPipelines());
  if (engine->read_only_) {
    Engine* self = engine.get();
    engine->follower_ = std::make_unique<Follower>(
        std::chrono::milliseconds(options.follow_interval_ms), [self] { return self->Refresh(); });
  }
  *out = std::move(engine);
  return Status::OK();
}

Status Engine::LoadModels() {
  GroupedRecords grouped;
  CF_RETURN_IF_ERROR(GroupModelRecords(*store_, "", &grouped));
  for (const auto& [name, records] : grouped) {
    std::shared_ptr<Model> model;
    CF_RETURN_IF_ERROR(Model::FromRecords(name, records, &model).WithContext(store_->Describe()));
    Attach(model);
    models_.emplace(name, std::move(model));
    if (read_only_) {  // what the follower compares the writer's later state with
      Followed& loaded = followed_[name];
      loaded.header = records.at(std::string(kHeaderRecord));  // FromRecords checked it exists
      (void)store_->Get(KeySpace::kMeta, IncarnationKey(name), &loaded.incarnation);
    }
  }
  return Status::OK();
}

void Engine::StoredVersions(Store& store, std::map<std::string, int64_t>* out) {
  GroupedRecords grouped;
  (void)GroupModelRecords(store, "", &grouped);  // what could be read is what is reported
  for (const auto& [name, records] : grouped) {
    std::shared_ptr<Model> model;
    if (Model::FromRecords(name, records, &model).ok()) {
      (*out)[name] = static_cast<int64_t>(model->version());
    } else {
      (*out)[name] = -1;
    }
  }
}

void Engine::NoteLoggedHeader(const std::string& model, std::string_view sealed_header,
                              std::map<std::string, int64_t>* versions) {
  uint64_t version = 0;
  if (!HeaderRecordVersion(sealed_header, &version).ok() || version > INT64_MAX) return;
  auto [it, inserted] = versions->try_emplace(model, static_cast<int64_t>(version));
  if (!inserted) it->second = std::max(it->second, static_cast<int64_t>(version));
}

void Engine::NoteRecovery(const std::map<std::string, int64_t>& before) {
  std::unique_lock lock(mu_);
  recovery_ = RecoveryReport();
  recovery_.performed = true;
  std::map<std::string, RecoveryReport::ModelVersions> merged;
  for (const auto& [name, version] : before) merged[name] = {name, version, -1};
  for (const auto& [name, model] : models_) {
    auto& entry = merged[name];
    entry.model = name;
    entry.after = static_cast<int64_t>(model->version());
  }
  for (auto& [name, entry] : merged) recovery_.models.push_back(entry);
}

RecoveryReport Engine::recovery_report() const {
  std::shared_lock lock(mu_);
  return recovery_;
}

void Engine::Attach(const std::shared_ptr<Model>& model) {
  // Batch calls run on this engine's threads (EngineOptions::threads). From inside the arena
  // (a pipeline's classify stage) execute() runs the work in place.
  model->SetBatchRunner(
      [arena = arena_->arena](const std::function<void()>& work) { arena->execute(work); });
  if (read_only_) {
    model->SetCommitHook(
        [where = store_->Describe()](const ModelRecords&) { return ReadOnlyError(where); });
    return;
  }
  // The hook runs under the model's training lock; Close() and DropModel() invalidate the model
  // (which waits for that lock) before they release the store, so `this` and store_ are alive.
  // `seen` is the store generation this model last wrote under; the hook runs under the model's
  // training lock, which serialises its use.
  model->SetCommitHook(
      [this, m = model.get(), seen = store_->generation()](const ModelRecords& changed) mutable {
        return CommitStep(*m, &seen, changed);
      });
}

// A step that returned an I/O error may still have reached the log (a write that landed before
// its fsync failed), and the store replays it when it reopens. So after a reopen the stored
// model is compared with the one in memory before anything is written on top of it.
Status Engine::CommitStep(Model& model, uint64_t* seen_generation, const ModelRecords& changed) {
  const std::vector<StoreWrite> batch = ToWrites(model.name(), changed);
  for (int attempt = 0; attempt < 2; ++attempt) {
    const uint64_t generation = store_->generation();
    if (generation != *seen_generation) {
      CF_RETURN_IF_ERROR(ReconcileWithStore(model));
      *seen_generation = generation;
    }
    Status s = store_->Write(batch, options_.sync);
    if (s.ok() || store_->generation() == *seen_generation) return s;  // else: reopened, retry
  }
  return Status::IOError("the store of model '" + model.name() +
                         "' keeps reopening after I/O errors");
}

Status Engine::ReconcileWithStore(Model& model) {
  std::shared_ptr<Model> stored;
  CF_RETURN_IF_ERROR(LoadStoredModel(model.name(), &stored));
  if (stored->version() == model.version()) return Status::OK();
  model.FollowFromHook(*stored);
  return Status::IOError("an earlier training step of model '" + model.name() +
                         "' that failed with an I/O error had reached the log; the model was "
                         "reloaded at version " +
                         std::to_string(stored->version()) +
                         " and this step was not applied: retry it");
}

Status Engine::LoadStoredModel(const std::string& name, std::shared_ptr<Model>* out) const {
  GroupedRecords grouped;
  CF_RETURN_IF_ERROR(GroupModelRecords(*store_, RecordKey(name, ""), &grouped));
  return Model::FromRecords(name, grouped[name], out);
}

Status Engine::CheckOpen() const { return store_ ? Status::OK() : ClosedError(); }

Status Engine::CheckWritable() const {
  CF_RETURN_IF_ERROR(CheckOpen());
  return read_only_ ? ReadOnlyError(store_->Describe()) : Status::OK();
}

bool Engine::closed() const {
  std::shared_lock lock(mu_);
  return !store_;
}

Status Engine::Close() {
  std::vector<std::shared_ptr<Model>> models;
  {
    std::unique_lock lock(mu_);
    if (!store_ || closing_) return Status::OK();
    closing_ = true;
  }
  ClosePipelines();   // commits what they hold while models and store still work
  follower_.reset();  // joins the catch-up thread, which takes mu_
  {
    std::shared_lock lock(mu_);
    for (auto& [name, model] : models_) models.push_back(model);
  }
  for (auto& model : models) model->Invalidate(ClosedError());
  std::unique_lock lock(mu_);
  models_.clear();
  // The store's verdict is the caller's: a failed close may mean unsynced writes are not on disk.
  Status closed = store_->Close();
  store_.reset();
  return closed;
}

Status Engine::CreateModel(std::string_view name, const ModelOptions& options,
                           std::shared_ptr<Model>* out) {
  std::unique_lock lock(mu_);
  CF_RETURN_IF_ERROR(CheckWritable());
  if (closing_) return ClosedError();
  if (models_.count(name) != 0) {
    return Status::AlreadyExists("model '" + std::string(name) + "' already exists");
  }
  std::shared_ptr<Model> model;
  CF_RETURN_IF_ERROR(Model::Create(name, options, &model));
  ModelRecords records;
  model->AllRecords(&records);
  std::vector<StoreWrite> batch = ToWrites(name, records);
  batch.push_back({KeySpace::kMeta, IncarnationKey(name), NewIncarnation()});
  CF_RETURN_IF_ERROR(store_->Write(batch, options_.sync));
  Attach(model);
  models_.emplace(std::string(name), model);
  *out = std::move(model);
  return Status::OK();
}

Status Engine::GetModel(std::string_view name, std::shared_ptr<Model>* out) const {
  std::shared_lock lock(mu_);
  CF_RETURN_IF_ERROR(CheckOpen());
  auto it = models_.find(name);
  if (it == models_.end()) return Status::NotFound("no model named '" + std::string(name) + "'");
  *out = it->second;
  return Status::OK();
}

Status Engine::DropModel(std::string_view name) {
  // Held throughout so a concurrent CreateModel of the same name cannot interleave with the
  // deletes. Invalidate() waits for a running training step; the commit hook takes no engine
  // lock, so this cannot deadlock.
  std::unique_lock lock(mu_);
  CF_RETURN_IF_ERROR(CheckWritable());
  auto it = models_.find(name);
  if (it == models_.end()) return Status::NotFound("no model named '" + std::string(name) + "'");
  it->second->Invalidate(Status::NotFound("model '" + std::string(name) + "' was dropped"));
  models_.erase(it);
  std::vector<StoreWrite> deletes;
  CF_RETURN_IF_ERROR(store_->Scan(
      KeySpace::kModels, RecordKey(name, ""), [&](std::string_view key, std::string_view) {
        deletes.push_back({KeySpace::kModels, std::string(key), std::nullopt});
        return Status::OK();
      }));
  deletes.push_back({KeySpace::kMeta, IncarnationKey(name), std::nullopt});
  return store_->Write(deletes, options_.sync);
}

Status Engine::ModelNames(std::vector<std::string>* out) const {
  std::shared_lock lock(mu_);
  CF_RETURN_IF_ERROR(CheckOpen());
  out->clear();
  for (const auto& [name, model] : models_) out->push_back(name);
  return Status::OK();
}

std::string Engine::Describe() const {
  std::shared_lock lock(mu_);
  return store_ ? store_->Describe() : "closed engine";
}

}  // namespace classiflow
