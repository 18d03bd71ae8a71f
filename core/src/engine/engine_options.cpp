// EngineOptions parsing and the recovery report's JSON form.
#include <nlohmann/json.hpp>

#include "classiflow/engine.h"
#include "util/json_options.h"

namespace classiflow {
namespace {

using Json = nlohmann::json;

Status ParseBool(const std::string& key, const Json& value, bool* out) {
  if (!value.is_boolean())
    return Status::InvalidArgument("engine option '" + key + "' must be true or false");
  *out = value.get<bool>();
  return Status::OK();
}

Status ParseMode(const Json& value, EngineOptions::Mode* out) {
  if (value == "write") return *out = EngineOptions::Mode::kWrite, Status::OK();
  if (value == "read") return *out = EngineOptions::Mode::kRead, Status::OK();
  return Status::InvalidArgument("engine option 'mode' must be \"write\" or \"read\"");
}

}  // namespace

Status EngineOptions::FromJson(std::string_view json, EngineOptions* out) {
  EngineOptions options;
  CF_RETURN_IF_ERROR(
      ForEachJsonOption(json, "engine options", [&](const std::string& key, const Json& value) {
        if (key == "sync") return ParseBool(key, value, &options.sync);
        if (key == "recover") return ParseBool(key, value, &options.recover);
        if (key == "mode") return ParseMode(value, &options.mode);
        if (key == "follow_interval_ms")
          return JsonToInteger(key, value, &options.follow_interval_ms);  // never truncated
        if (key == "threads") return JsonToInteger(key, value, &options.threads);
        std::string msg = "unknown engine option '";  // appended: GCC 12 misreports '+' chains
        msg.append(key, 0, 60)
            .append("' (known: sync, mode, recover, follow_interval_ms, threads)");
        return Status::InvalidArgument(msg);
      }));
  if (options.recover && options.mode == Mode::kRead) {
    return Status::InvalidArgument(
        "engine options 'recover' and 'mode': \"read\" exclude each other");
  }
  CF_RETURN_IF_ERROR(options.Validate());
  *out = options;
  return Status::OK();
}

Status EngineOptions::Validate() const {
  if (follow_interval_ms < 1 || follow_interval_ms > 60000) {
    return Status::InvalidArgument("engine option 'follow_interval_ms' must be in 1..60000, not " +
                                   std::to_string(follow_interval_ms));
  }
  if (recover && mode == Mode::kRead) {
    return Status::InvalidArgument(
        "engine options 'recover' and 'mode': \"read\" exclude each other");
  }
  if (threads < 0 || threads > 1024) {
    return Status::InvalidArgument("engine option 'threads' must be in 0..1024, not " +
                                   std::to_string(threads));
  }
  return Status::OK();
}

std::string RecoveryReport::ToJson() const {
  Json models_json = Json::array();
  for (const ModelVersions& m : models) {
    models_json.push_back({{"model", m.model}, {"before", m.before}, {"after", m.after}});
  }
  return Json{{"performed", performed}, {"models", models_json}}.dump();
}

}  // namespace classiflow
