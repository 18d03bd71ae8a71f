// Model options from the C ABI: the kind as an argument, everything else as flat JSON.
#include "model_options.h"

namespace classiflow::capi {

Status ParseModelOptions(const char* kind, const char* options_json, ModelOptions* out) {
  // One parser for every face: core reconciles the kind argument with a "kind" key.
  return ModelOptions::FromJson(options_json == nullptr ? "" : options_json, out,
                                kind == nullptr ? std::string_view("bayes") : kind)
      .WithContext("options_json");
}

}  // namespace classiflow::capi
