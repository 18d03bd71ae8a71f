// SQLite sinks: one SinkMirror per file the pipeline's sink stages name, fed after each commit.
#include <map>

#include "pipeline/pipeline_impl.h"
#include "pipeline/sink/sink_files.h"

namespace classiflow {

Status PipelineImpl::StartMirrors() {
  mirror_of_stage_.assign(spec_.stages.size(), -1);
  std::map<std::string, std::vector<uint16_t>> stages_of_file;  // resolved path -> sink stages
  for (size_t i = 0; i < spec_.stages.size(); ++i) {
    const StageSpec& stage = spec_.stages[i];
    if (stage.kind != StageKind::kSink || stage.sqlite.empty()) continue;
    std::string path;
    CF_RETURN_IF_ERROR(env_.sink_files.Resolve(stage.sqlite, &path)
                           .WithContext("pipeline '" + name_ + "': stage '" + stage.name + "'"));
    stages_of_file[path].push_back(static_cast<uint16_t>(i));
  }
  for (auto& [path, stages] : stages_of_file) {
    const std::string context =
        "pipeline '" + name_ + "': stage '" + spec_.stages[stages.front()].name + "': sink.sqlite";
    std::unique_ptr<ResultsSink> sink;
    CF_RETURN_IF_ERROR(
        env_.sink_files.Open(path, name_, /*claim=*/true, &sink).WithContext(context));
    for (uint16_t stage : stages) mirror_of_stage_[stage] = static_cast<int>(mirrors_.size());
    std::unique_ptr<SinkMirror> mirror;
    CF_RETURN_IF_ERROR(SinkMirror::Start(name_, &spec_, env_.store, std::move(sink),
                                         std::move(stages), log_seq_, &mirror)
                           .WithContext(context));
    mirrors_.push_back(std::move(mirror));
  }
  for_mirrors_.resize(mirrors_.size());
  return Status::OK();
}

void PipelineImpl::ForMirror(const ItemState& item, const std::string& record) {
  const int m = mirror_of_stage_[item.route.back()];
  if (m >= 0) for_mirrors_[m].push_back(SinkMirror::Record{item.id, record});
}

void PipelineImpl::HandToMirrors(uint64_t seq) {
  for (size_t m = 0; m < mirrors_.size(); ++m) {
    mirrors_[m]->Committed(seq, std::move(for_mirrors_[m]));
    for_mirrors_[m].clear();
  }
}

Status PipelineImpl::DrainMirrors(int64_t timeout_ms) {
  for (const auto& mirror : mirrors_) CF_RETURN_IF_ERROR(mirror->Drain(timeout_ms));
  return Status::OK();
}

void PipelineImpl::StopMirrors() {
  for (const auto& mirror : mirrors_) mirror->Stop();
}

Status PipelineImpl::ExportSqlite(std::string_view path, size_t* written) {
  *written = 0;
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  std::unique_ptr<ResultsSink> sink;
  CF_RETURN_IF_ERROR(env_.sink_files.Open(path, name_, /*claim=*/false, &sink));
  return ExportResults(*env_.store, name_, spec_, *sink, written);
}

}  // namespace classiflow
