#include "pipeline/sink/sink_files.h"

#include <filesystem>
#include <system_error>
#include <vector>

#include "pipeline/clock.h"
#include "pipeline/item.h"
#include "pipeline/records.h"
#include "pipeline/sink/result_row.h"

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
  std::vector<PipelineResult> results;
  std::vector<ResultRow> rows;
  const auto write = [&]() -> Status {
    rows.resize(results.size());
    for (size_t i = 0; i < results.size(); ++i) ToResultRow(results[i], &rows[i]);
    CF_RETURN_IF_ERROR(sink.Write(rows, /*seq=*/0));
    *written += results.size();
    results.clear();
    return Status::OK();
  };
  CF_RETURN_IF_ERROR(
      store.Scan(KeySpace::kResults, ItemKey(name, ""),
                 [&](std::string_view key, std::string_view value) -> Status {
                   ItemState item;
                   int64_t done_ms = 0, expires_ms = 0;
                   CF_RETURN_IF_ERROR(DecodeResultItem(IdOfKey(name, key), value, spec, &item,
                                                       &done_ms, &expires_ms)
                                          .WithContext("pipeline '" + name + "'"));
                   if (expires_ms != 0 && expires_ms <= now) return Status::OK();  // expired
                   results.push_back(ToResult(item, done_ms, expires_ms, spec, /*with_text=*/true));
                   return results.size() >= kRowsPerExportWrite ? write() : Status::OK();
                 }));
  return results.empty() ? Status::OK() : write();
}

}  // namespace classiflow
