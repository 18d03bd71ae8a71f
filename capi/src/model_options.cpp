// Model options from the C ABI: the kind as an argument, everything else as flat JSON.
#include "model_options.h"

#include <nlohmann/json.hpp>

namespace classiflow::capi {
namespace {

// A "kind" key in the JSON may repeat the kind argument but not contradict it. The key is
// removed before ModelOptions::FromJson so the C++ parser only sees the keys it documents.
// Malformed JSON passes through untouched: FromJson reports it with its own message.
Status StripKind(std::string_view json, std::string_view kind, std::string* rest) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("kind")) {
    *rest = json;
    return Status::OK();
  }
  const nlohmann::json& value = doc["kind"];
  if (!value.is_string() || value.get<std::string>() != kind) {
    return Status::InvalidArgument("options key \"kind\" is " + value.dump() +
                                   " but the kind argument is \"" + std::string(kind) + "\"");
  }
  doc.erase("kind");
  *rest = doc.dump();
  return Status::OK();
}

}  // namespace

Status ParseModelOptions(const char* kind, const char* options_json, ModelOptions* out) {
  std::string_view kind_arg = kind == nullptr ? std::string_view("bayes") : kind;
  std::string json;
  CF_RETURN_IF_ERROR(StripKind(options_json == nullptr ? "" : options_json, kind_arg, &json));
  CF_RETURN_IF_ERROR(ModelOptions::FromJson(json, out).WithContext("options_json"));
  out->kind = std::string(kind_arg);  // validated with the rest by Engine::CreateModel
  return Status::OK();
}

}  // namespace classiflow::capi
