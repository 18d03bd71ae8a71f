#include "pipeline/sink/sink_files.h"

#include <filesystem>
#include <system_error>

#include "pipeline/clock.h"
#include "pipeline/records.h"
#include "pipeline/sink/row_batch.h"

namespace classiflow {
namespace {

constexpr size_t kRowsPerExportWrite = 8192;

}  // namespace

Status SinkFiles::Resolve(std::string_view path, std::string* out) const {
  if (path.empty()) return Status::InvalidArgument("the SQLite file's path is empty");
  if (path.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("the SQLite file's path contains a NUL byte");
  }
  std::filesystem::path p(path);
  if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(p, ec);
  if (ec) {
    return Status::IOError("cannot resolve '" + std::string(path) + "': " + ec.message());
  }
  *out = absolute.lexically_normal().string();
  return Status::OK();
}

Status SinkFiles::Open(std::string_view path, std::string_view pipeline, bool claim,
                       std::unique_ptr<ResultsSink>* out) const {
  if (!open) {
    return Status::NotSupported(
        "SQLite files need classiflow's storage layer (this engine was opened without it)");
  }
  std::string resolved;
  CF_RETURN_IF_ERROR(Resolve(path, &resolved));
  return open(resolved, pipeline, claim, out);
}

Status ExportResults(Store& store, const std::string& name, const PipelineSpec& spec,
                     ResultsSink& sink, size_t* written) {
  *written = 0;
  const int64_t now = NowMs();
  RowBatch batch(&spec);
  const auto write = [&]() -> Status {
    const size_t rows = batch.size();
    CF_RETURN_IF_ERROR(batch.WriteTo(sink, /*seq=*/0));
    *written += rows;
    return Status::OK();
  };
  const auto unexpired = [now](const ItemState&, int64_t expires_ms) {
    return expires_ms == 0 || expires_ms > now;
  };
  CF_RETURN_IF_ERROR(store.Scan(
      KeySpace::kResults, ItemKey(name, ""),
      [&](std::string_view key, std::string_view value) -> Status {
        CF_RETURN_IF_ERROR(
            batch.Add(IdOfKey(name, key), value, unexpired).WithContext("pipeline '" + name + "'"));
        return batch.size() >= kRowsPerExportWrite ? write() : Status::OK();
      }));
  return batch.empty() ? Status::OK() : write();
}

}  // namespace classiflow
