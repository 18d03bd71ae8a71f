// Turns cf_model_create()'s kind and options_json arguments into ModelOptions.
#pragma once

#include "classiflow/model_options.h"
#include "classiflow/status.h"

namespace classiflow::capi {

// NULL kind = "bayes"; NULL options_json = defaults. InvalidArgument for malformed JSON, an
// unknown key, a bad value, or a "kind" key that contradicts `kind`. The kind itself is
// checked later, with the other options, by Engine::CreateModel.
Status ParseModelOptions(const char* kind, const char* options_json, ModelOptions* out);

}  // namespace classiflow::capi
