// Engine: one open data directory and the models in it.
//
// The engine owns a Store (see store.h; storage/open.h makes one from a URI), loads every stored
// model on Open, and persists each model's training steps through it, so models and their
// versions survive close and reopen. Models are handed out as shared_ptr handles; a handle
// outlives Close() or DropModel() safely, but its calls then fail with Unavailable / NotFound.
//
// Thread-safety: all methods may be called concurrently from any thread.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/export.h"
#include "classiflow/model.h"
#include "classiflow/model_options.h"
#include "classiflow/status.h"
#include "classiflow/store.h"

namespace classiflow {

struct CLASSIFLOW_EXPORT EngineOptions {
  // fsync every committed training step. Default: false (the OS flushes; a process crash loses
  // nothing, a power loss may lose the last steps).
  bool sync = false;

  // Parses {"sync": true}; empty or "null" = defaults. InvalidArgument for unknown keys.
  static Status FromJson(std::string_view json, EngineOptions* out);
};

class CLASSIFLOW_EXPORT Engine {
 public:
  // Takes ownership of `store` and loads its models. Corruption when a stored model fails its
  // checks (nothing is opened then).
  static Status Open(const EngineOptions& options, std::unique_ptr<Store> store,
                     std::unique_ptr<Engine>* out);
  ~Engine();  // closes
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Releases the store (and its directory lock). Idempotent. Afterwards every call, on the
  // engine or on a model handle from it, returns Unavailable.
  Status Close();
  bool closed() const;

  // AlreadyExists when the name is taken; InvalidArgument for a bad name or options.
  Status CreateModel(std::string_view name, const ModelOptions& options,
                     std::shared_ptr<Model>* out);
  // NotFound when no such model exists.
  Status GetModel(std::string_view name, std::shared_ptr<Model>* out) const;
  // Deletes the model and its stored records. NotFound when absent.
  Status DropModel(std::string_view name);
  // Names of all models, sorted.
  Status ModelNames(std::vector<std::string>* out) const;

  std::string Describe() const;

 private:
  Engine(const EngineOptions& options, std::unique_ptr<Store> store);
  Status LoadModels();
  Status CheckOpen() const;
  void Attach(const std::shared_ptr<Model>& model);

  const EngineOptions options_;
  mutable std::shared_mutex mu_;
  std::unique_ptr<Store> store_;  // null once closed
  bool closing_ = false;          // set first by Close(); guarded by mu_
  std::map<std::string, std::shared_ptr<Model>, std::less<>> models_;
};

}  // namespace classiflow
