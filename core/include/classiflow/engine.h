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
#include "classiflow/pipeline.h"
#include "classiflow/results_sink.h"
#include "classiflow/status.h"
#include "classiflow/store.h"

namespace classiflow {

struct PipelineEnv;  // core/src/pipeline/pipeline_impl.h

struct CLASSIFLOW_EXPORT EngineOptions {
  enum class Mode { kWrite, kRead };

  // fsync every committed training step. Default: false (the OS flushes; a process crash loses
  // nothing, a power loss may lose the last steps).
  bool sync = false;
  // kWrite: the one writer of a data directory. kRead: a reader that classifies from a
  // directory another engine (in this or another process) writes, and follows its new model
  // versions every follow_interval_ms; writing verbs are NotSupported. A read-only directory
  // opens in this mode. Default: kWrite.
  Mode mode = Mode::kWrite;
  // Recovery open: a data directory whose log is damaged opens at its last consistent point
  // instead of being refused as Corruption; recovery_report() tells what was dropped.
  // Default: false.
  bool recover = false;
  // kRead: how often to look for the writer's new versions, in ms. REQUIRES: 1..60000.
  // Default: 5.
  int follow_interval_ms = 5;
  // Threads the engine's pipelines and its models' batch calls (TrainBatch, ClassifyBatch) run
  // on: the engine's own oneTBB arena, so two engines in one process do not share a setting.
  // Pipeline callbacks have their own threads. 0 = one per core. REQUIRES: 0..1024. Default: 0.
  int threads = 0;

  // InvalidArgument naming the option for a follow_interval_ms out of range, or recover in
  // mode kRead.
  Status Validate() const;
  // Parses {"sync": true, "mode": "read", "recover": false, "follow_interval_ms": 5,
  // "threads": 0}; empty or
  // "null" = defaults. InvalidArgument naming the key for an unknown key or a bad value.
  static Status FromJson(std::string_view json, EngineOptions* out);
};

// What a recovery open (EngineOptions::recover) dropped: per model, the newest version found
// in the damaged log and the version it was recovered to. -1 = absent (or unreadable before).
struct CLASSIFLOW_EXPORT RecoveryReport {
  struct ModelVersions {
    std::string model;
    int64_t before = -1;
    int64_t after = -1;
  };
  bool performed = false;  // the engine was opened with recover = true
  std::vector<ModelVersions> models;
  // {"performed": true, "models": [{"model": "m", "before": 10, "after": 3}, ...]}
  std::string ToJson() const;
};

// What the storage layer lends an engine besides its store (OpenEngine fills it in): how to
// open the SQLite file a pipeline's sink names, since the core is built without SQLite, and
// the directory relative sink paths resolve against.
struct EngineServices {
  ResultsSinkOpener open_results_sink;  // null: sinks naming a file are refused (NotSupported)
  std::string base_dir;                 // "" = the process's working directory
};

class CLASSIFLOW_EXPORT Engine {
 public:
  // Takes ownership of `store` and loads its models. Corruption when a stored model fails its
  // checks (nothing is opened then). A read-only store makes a kRead engine, which starts
  // following the store's writer.
  static Status Open(const EngineOptions& options, std::unique_ptr<Store> store,
                     std::unique_ptr<Engine>* out);
  static Status Open(const EngineOptions& options, std::unique_ptr<Store> store,
                     const EngineServices& services, std::unique_ptr<Engine>* out);
  // The newest stored version of every model in `store` that loads; for recovery reports.
  static void StoredVersions(Store& store, std::map<std::string, int64_t>* out);
  // Raises (*versions)[model] to the version in `sealed_header` (a model's "h" record found in
  // a damaged log) when its checksum holds; ignores it otherwise.
  static void NoteLoggedHeader(const std::string& model, std::string_view sealed_header,
                               std::map<std::string, int64_t>* versions);
  ~Engine();  // closes
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Releases the store (and its directory lock) and returns the store's close status: an
  // IOError means writes made without `sync` may not have reached the disk. The store is
  // released either way. A second Close() returns OK. Afterwards every call, on the engine or
  // on a model handle from it, returns Unavailable.
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

  // Creates pipeline `name` from `spec_json` (docs/pipeline.md) and starts it; the spec is
  // stored, and the pipeline reopens with the engine. Creating it again with the same spec
  // returns the running pipeline; AlreadyExists when the name holds another spec.
  // InvalidArgument naming the stage and field for a bad spec (unknown model or stage, a
  // cycle, an unreachable stage, a bad regex, ...); NotSupported in mode kRead.
  Status CreatePipeline(std::string_view name, std::string_view spec_json,
                        std::shared_ptr<Pipeline>* out);
  // NotFound when no such pipeline exists. In mode kRead: a read-only view of the stored
  // pipeline (what its writer last committed: results, dead letters, analytics, the stats
  // snapshot); its writing verbs are NotSupported.
  Status GetPipeline(std::string_view name, std::shared_ptr<Pipeline>* out) const;
  // Stops the pipeline and deletes everything it stored (queue, results, dead letters).
  // Handles to it then return Unavailable. NotFound when absent.
  Status DropPipeline(std::string_view name);
  // Names of all pipelines, sorted.
  Status PipelineNames(std::vector<std::string>* out) const;

  std::string Describe() const;
  bool read_only() const { return read_only_; }

  // After a recovery open: compares `before` (StoredVersions of the damaged log) with the
  // models now loaded.
  void NoteRecovery(const std::map<std::string, int64_t>& before);
  RecoveryReport recovery_report() const;

 private:
  class Follower;
  struct Arena;      // engine_arena.h
  struct Pipelines;  // engine_pipelines.h
  Status OpenPipelines();
  Status ViewPipeline(std::string_view name, std::shared_ptr<Pipeline>* out) const;
  void ClosePipelines();
  PipelineEnv PipelineEnvFor();
  Engine(const EngineOptions& options, std::unique_ptr<Store> store,
         const EngineServices& services);
  Status LoadModels();
  Status CheckOpen() const;
  Status CheckWritable() const;
  void Attach(const std::shared_ptr<Model>& model);
  // The commit hook of a writer's model: persists one training step.
  Status CommitStep(Model& model, uint64_t* seen_generation, const ModelRecords& changed);
  Status ReconcileWithStore(Model& model);
  Status LoadStoredModel(const std::string& name, std::shared_ptr<Model>* out) const;
  // kRead: loads every model whose stored header changed since the last call.
  Status Refresh();
  // kRead: what identifies the stored state of a model last loaded.
  struct Followed {
    std::string incarnation;  // "" for models created before incarnations existed
    std::string header;       // its sealed header record
    bool operator==(const Followed&) const = default;
  };
  Status FollowModel(const std::string& name, const Followed& stored);

  const EngineOptions options_;
  const EngineServices services_;
  const bool read_only_;
  mutable std::shared_mutex mu_;
  std::unique_ptr<Store> store_;  // null once closed
  bool closing_ = false;          // set first by Close(); guarded by mu_
  std::map<std::string, std::shared_ptr<Model>, std::less<>> models_;
  std::map<std::string, Followed, std::less<>> followed_;  // kRead: per model
  RecoveryReport recovery_;                                // guarded by mu_
  bool refresh_failed_ = false;                            // kRead: retry on the next tick
  std::unique_ptr<Follower> follower_;                     // kRead: the catch-up thread
  std::unique_ptr<Arena> arena_;                           // pipelines and batch calls
  std::unique_ptr<Pipelines> pipelines_;                   // running pipelines, or views
};

}  // namespace classiflow
