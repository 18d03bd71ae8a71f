// Engine: creating, finding, dropping and reopening pipelines.
#include "engine/engine_pipelines.h"

#include "engine/engine_arena.h"
#include "pipeline/records.h"
#include "pipeline/spec.h"

namespace classiflow {
namespace {

Status ReadOnlyPipelines() {
  return Status::NotSupported(
      "the engine was opened with mode=\"read\": pipelines are created "
      "and dropped by the engine that writes the data directory");
}

bool IsPipelineKey(std::string_view key) { return key.find('\0') == std::string_view::npos; }

}  // namespace

Status Engine::OpenPipelines() {
  // REQUIRES: called once from Open(), before the engine is shared.
  pipelines_ = std::make_unique<Pipelines>();
  if (read_only_) return Status::OK();  // views are made on demand (ViewPipeline)
  std::vector<std::pair<std::string, std::string>> stored;
  CF_RETURN_IF_ERROR(
      store_->Scan(KeySpace::kPipelines, "", [&](std::string_view key, std::string_view value) {
        if (IsPipelineKey(key)) stored.emplace_back(key, value);
        return Status::OK();
      }));
  for (auto& [name, spec_json] : stored) {
    PipelineSpec spec;
    // Models are not checked: one dropped since is a per-item failure, not a reason to refuse
    // the whole engine.
    CF_RETURN_IF_ERROR(ParseSpec(spec_json, nullptr, &spec)
                           .WithContext("stored pipeline '" + name + "' in " + Describe()));
    std::unique_ptr<PipelineImpl> p;
    CF_RETURN_IF_ERROR(PipelineImpl::Open(name, std::move(spec), PipelineEnvFor(), &p));
    pipelines_->running.emplace(name, std::move(p));
  }
  return Status::OK();
}

PipelineEnv Engine::PipelineEnvFor() {
  PipelineEnv env;
  env.store = store_.get();
  env.models = [this](std::string_view model, std::shared_ptr<Model>* out) {
    return GetModel(model, out);
  };
  env.arena = arena_->arena.get();
  env.threads = arena_->threads;
  env.sink_files = SinkFiles{services_.open_results_sink, services_.base_dir};
  return env;
}

void Engine::ClosePipelines() {
  if (!pipelines_) return;
  std::map<std::string, std::shared_ptr<PipelineImpl>, std::less<>> running;
  std::vector<std::weak_ptr<PipelineView>> views;
  {
    std::lock_guard<std::mutex> lock(pipelines_->mu);
    running.swap(pipelines_->running);
    views.swap(pipelines_->views);
  }
  for (auto& [name, p] : running) (void)p->Close();
  for (auto& view : views) {
    if (auto v = view.lock()) v->Release();
  }
}

Status Engine::ViewPipeline(std::string_view name, std::shared_ptr<Pipeline>* out) const {
  // kRead: what the writer last committed. A view per call: it holds nothing but the spec.
  std::string spec_json;
  Status s = store_->Get(KeySpace::kPipelines, name, &spec_json);
  if (s.code() == Status::Code::kNotFound || !IsPipelineKey(name)) {
    return Status::NotFound("no pipeline named '" + std::string(name) + "' in " + Describe());
  }
  CF_RETURN_IF_ERROR(s);
  PipelineSpec spec;
  CF_RETURN_IF_ERROR(
      ParseSpec(spec_json, nullptr, &spec)
          .WithContext("stored pipeline '" + std::string(name) + "' in " + Describe()));
  auto view =
      std::make_shared<PipelineView>(store_.get(), std::string(name), std::move(spec),
                                     SinkFiles{services_.open_results_sink, services_.base_dir});
  std::lock_guard<std::mutex> lock(pipelines_->mu);
  std::erase_if(pipelines_->views, [](const auto& v) { return v.expired(); });
  pipelines_->views.push_back(view);
  *out = std::move(view);
  return Status::OK();
}

Status Engine::CreatePipeline(std::string_view name, std::string_view spec_json,
                              std::shared_ptr<Pipeline>* out) {
  CF_RETURN_IF_ERROR(CheckOpen());
  if (read_only_) return ReadOnlyPipelines();
  CF_RETURN_IF_ERROR(CheckPipelineName(name));
  PipelineSpec spec;
  CF_RETURN_IF_ERROR(ParseSpec(
      spec_json,
      [this](std::string_view model) {
        std::shared_ptr<Model> m;
        return GetModel(model, &m).ok();
      },
      &spec));
  std::lock_guard<std::mutex> lock(pipelines_->mu);
  if (auto it = pipelines_->running.find(name); it != pipelines_->running.end()) {
    if (it->second->spec_json() != spec.canonical_json) {
      return Status::AlreadyExists("pipeline '" + std::string(name) +
                                   "' exists with another spec; drop it first");
    }
    *out = it->second;
    return Status::OK();
  }
  CF_RETURN_IF_ERROR(store_->Write({{KeySpace::kPipelines, std::string(name), spec.canonical_json}},
                                   /*sync=*/true));
  std::unique_ptr<PipelineImpl> p;
  Status s = PipelineImpl::Open(std::string(name), std::move(spec), PipelineEnvFor(), &p);
  if (!s.ok()) {
    (void)PipelineImpl::DeleteStored(*store_, name);
    return s;
  }
  std::shared_ptr<PipelineImpl> shared = std::move(p);
  pipelines_->running.emplace(std::string(name), shared);
  *out = std::move(shared);
  return Status::OK();
}

Status Engine::GetPipeline(std::string_view name, std::shared_ptr<Pipeline>* out) const {
  CF_RETURN_IF_ERROR(CheckOpen());
  if (read_only_) return ViewPipeline(name, out);
  std::lock_guard<std::mutex> lock(pipelines_->mu);
  auto it = pipelines_->running.find(name);
  if (it == pipelines_->running.end()) {
    return Status::NotFound("no pipeline named '" + std::string(name) + "'");
  }
  *out = it->second;
  return Status::OK();
}

Status Engine::DropPipeline(std::string_view name) {
  CF_RETURN_IF_ERROR(CheckOpen());
  if (read_only_) return ReadOnlyPipelines();
  std::shared_ptr<PipelineImpl> p;
  {
    std::lock_guard<std::mutex> lock(pipelines_->mu);
    auto it = pipelines_->running.find(name);
    if (it == pipelines_->running.end()) {
      return Status::NotFound("no pipeline named '" + std::string(name) + "'");
    }
    p = std::move(it->second);
    pipelines_->running.erase(it);
  }
  (void)p->Close();
  return PipelineImpl::DeleteStored(*store_, name);
}

Status Engine::PipelineNames(std::vector<std::string>* out) const {
  CF_RETURN_IF_ERROR(CheckOpen());
  out->clear();
  if (read_only_) {
    return store_->Scan(KeySpace::kPipelines, "", [&](std::string_view key, std::string_view) {
      if (IsPipelineKey(key)) out->emplace_back(key);
      return Status::OK();
    });
  }
  if (!pipelines_) return Status::OK();
  std::lock_guard<std::mutex> lock(pipelines_->mu);
  for (const auto& [name, p] : pipelines_->running) out->push_back(name);
  return Status::OK();
}

}  // namespace classiflow
