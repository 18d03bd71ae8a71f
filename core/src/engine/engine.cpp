#include "classiflow/engine.h"

#include <mutex>

#include "util/json_options.h"

namespace classiflow {
namespace {

constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kFormatVersion = "1";

// Store key of a model record: "<model>\0<record>"; model names cannot contain NUL.
std::string RecordKey(std::string_view model, std::string_view record) {
  std::string key(model);
  key.push_back('\0');
  key.append(record);
  return key;
}

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

Status ClosedError() { return Status::Unavailable("the engine is closed"); }

}  // namespace

Status EngineOptions::FromJson(std::string_view json, EngineOptions* out) {
  EngineOptions options;
  CF_RETURN_IF_ERROR(ForEachJsonOption(json, "engine options", [&](const std::string& key,
                                                                   const nlohmann::json& value) {
    if (key != "sync") return Status::InvalidArgument("unknown engine option '" + key + "' (known: sync)");
    if (!value.is_boolean()) return Status::InvalidArgument("engine option 'sync' must be true or false");
    options.sync = value.get<bool>();
    return Status::OK();
  }));
  *out = options;
  return Status::OK();
}

Engine::Engine(const EngineOptions& options, std::unique_ptr<Store> store)
    : options_(options), store_(std::move(store)) {}

Engine::~Engine() { Close(); }

Status Engine::Open(const EngineOptions& options, std::unique_ptr<Store> store,
                    std::unique_ptr<Engine>* out) {
  if (!store) return Status::InvalidArgument("Engine::Open needs a store");
  std::string format;
  Status s = store->Get(KeySpace::kMeta, kFormatKey, &format);
  if (s.code() == Status::Code::kNotFound) {
    CF_RETURN_IF_ERROR(store->Write({{KeySpace::kMeta, std::string(kFormatKey), std::string(kFormatVersion)}}, true));
  } else if (!s.ok()) {
    return s;
  } else if (format != kFormatVersion) {
    return Status::Corruption("data format '" + format + "' in " + store->Describe() +
                              " is not supported (expected " + std::string(kFormatVersion) + ")");
  }
  std::unique_ptr<Engine> engine(new Engine(options, std::move(store)));
  CF_RETURN_IF_ERROR(engine->LoadModels());
  *out = std::move(engine);
  return Status::OK();
}

Status Engine::LoadModels() {
  std::map<std::string, std::map<std::string, std::string>> grouped;
  CF_RETURN_IF_ERROR(store_->Scan(KeySpace::kModels, "", [&](std::string_view key, std::string_view value) {
    const size_t sep = key.find('\0');
    if (sep == std::string_view::npos) return Status::Corruption("stray key in the models space");
    grouped[std::string(key.substr(0, sep))][std::string(key.substr(sep + 1))] = std::string(value);
    return Status::OK();
  }));
  for (const auto& [name, records] : grouped) {
    std::shared_ptr<Model> model;
    CF_RETURN_IF_ERROR(Model::FromRecords(name, records, &model).WithContext(store_->Describe()));
    Attach(model);
    models_.emplace(name, std::move(model));
  }
  return Status::OK();
}

void Engine::Attach(const std::shared_ptr<Model>& model) {
  // The hook runs under the model's training lock; Close() and DropModel() invalidate the model
  // (which waits for that lock) before they release the store, so `this` and store_ are alive.
  model->SetCommitHook([this, name = model->name()](const ModelRecords& changed) {
    return store_->Write(ToWrites(name, changed), options_.sync);
  });
}

Status Engine::CheckOpen() const { return store_ ? Status::OK() : ClosedError(); }

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
    for (auto& [name, model] : models_) models.push_back(model);
  }
  for (auto& model : models) model->Invalidate(ClosedError());
  std::unique_lock lock(mu_);
  models_.clear();
  store_.reset();
  return Status::OK();
}

Status Engine::CreateModel(std::string_view name, const ModelOptions& options,
                           std::shared_ptr<Model>* out) {
  std::unique_lock lock(mu_);
  CF_RETURN_IF_ERROR(CheckOpen());
  if (closing_) return ClosedError();
  if (models_.count(name) != 0) {
    return Status::AlreadyExists("model '" + std::string(name) + "' already exists");
  }
  std::shared_ptr<Model> model;
  CF_RETURN_IF_ERROR(Model::Create(name, options, &model));
  ModelRecords records;
  model->AllRecords(&records);
  CF_RETURN_IF_ERROR(store_->Write(ToWrites(name, records), options_.sync));
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
  CF_RETURN_IF_ERROR(CheckOpen());
  auto it = models_.find(name);
  if (it == models_.end()) return Status::NotFound("no model named '" + std::string(name) + "'");
  it->second->Invalidate(Status::NotFound("model '" + std::string(name) + "' was dropped"));
  models_.erase(it);
  std::vector<StoreWrite> deletes;
  CF_RETURN_IF_ERROR(store_->Scan(KeySpace::kModels, RecordKey(name, ""),
                                  [&](std::string_view key, std::string_view) {
                                    deletes.push_back({KeySpace::kModels, std::string(key), std::nullopt});
                                    return Status::OK();
                                  }));
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
