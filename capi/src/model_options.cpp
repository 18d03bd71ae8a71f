// Model options from the C ABI: the kind as an argument, everything else as flat JSON.
#include "model_options.h"

#include <nlohmann/json.hpp>

#include "util/json_options.h"

namespace classiflow::capi {
namespace {

// A "kind" key in the JSON may repeat the kind argument but not contradict it. The key is
// removed before ModelOptions::FromJson so the C++ parser only sees the keys it documents. The
// JSON is read by core's option reader, which caps nesting and quotes values briefly.
Status StripKind(std::string_view json, std::string_view kind, std::string* rest) {
  nlohmann::json kept = nlohmann::json::object();
  CF_RETURN_IF_ERROR(
      ForEachJsonOption(json, "options", [&](const std::string& key, const nlohmann::json& value) {
        if (key != "kind") {
          kept[key] = value;
          return Status::OK();
        }
        if (value.is_string() && value.get<std::string>() == kind) return Status::OK();
        return Status::InvalidArgument("options key \"kind\" is " + DescribeJson(value) +
                                       " but the kind argument is " + QuotePrefix(kind));
      }));
  *rest = kept.dump();
  return Status::OK();
}

}  // namespace

Status ParseModelOptions(const char* kind, const char* options_json, ModelOptions* out) {
  std::string_view kind_arg = kind == nullptr ? std::string_view("bayes") : kind;
  std::string json;
  CF_RETURN_IF_ERROR(StripKind(options_json == nullptr ? "" : options_json, kind_arg, &json)
                         .WithContext("options_json"));
  CF_RETURN_IF_ERROR(ModelOptions::FromJson(json, out).WithContext("options_json"));
  out->kind = std::string(kind_arg);  // validated with the rest by Engine::CreateModel
  return Status::OK();
}

}  // namespace classiflow::capi
