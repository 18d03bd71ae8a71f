// Parsing of flat JSON option objects ({"key": value, ...}), shared by every *Options::FromJson
// so that empty input, "null", malformed JSON and non-objects are treated the same everywhere.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>

#include "classiflow/status.h"

namespace classiflow {

// Calls set(key, value) for each member of the object in `json`; "" and "null" have none.
// InvalidArgument, naming `what`, for malformed JSON or a non-object; an error from `set`
// is returned as is.
inline Status ForEachJsonOption(
    std::string_view json, std::string_view what,
    const std::function<Status(const std::string& key, const nlohmann::json& value)>& set) {
  if (json.empty()) return Status::OK();
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument(std::string(what) + " are not valid JSON");
  if (doc.is_null()) return Status::OK();
  if (!doc.is_object()) return Status::InvalidArgument(std::string(what) + " must be a JSON object");
  for (const auto& item : doc.items()) CF_RETURN_IF_ERROR(set(item.key(), item.value()));
  return Status::OK();
}

}  // namespace classiflow
