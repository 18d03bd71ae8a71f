// options_fuzzer: any bytes as options JSON, through the C++ parsers (ModelOptions::FromJson,
// EngineOptions::FromJson) and the C ABI (cf_engine_open, cf_model_create on an in-memory
// engine). Invariants: no crash or escaping exception; options FromJson accepts survive
// ToJson -> FromJson unchanged; C and C++ agree on whether model options are valid.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "classiflow/classiflow.h"
#include "classiflow/engine.h"
#include "classiflow/model_options.h"
#include "fuzz_util.h"

namespace {

using classiflow::ModelOptions;

// Returns whether the C++ side accepts `json` as model options: FromJson parses it (it checks
// types and ranges of fields) and Validate() accepts the result (as Model::Create does).
bool CheckModelOptions(std::string_view json, bool* is_bayes) {
  ModelOptions options;
  if (!ModelOptions::FromJson(json, &options).ok()) return false;
  ModelOptions again;
  const classiflow::Status reparsed = ModelOptions::FromJson(options.ToJson(), &again);
  FUZZ_CHECK(reparsed.ok(), "ToJson output does not parse: " + reparsed.ToString());
  FUZZ_CHECK(again == options, "options change through ToJson -> FromJson: " + options.ToJson());
  *is_bayes = options.kind == "bayes";
  return options.Validate().ok();
}

// Creates model "m" from `json` on a fresh in-memory engine; returns whether that succeeded.
bool CreateWithC(const char* json) {
  cf_engine* engine = nullptr;
  FUZZ_CHECK(cf_engine_open("memory:", nullptr, &engine) == CF_OK, cf_last_error());
  cf_model* model = nullptr;
  const cf_status created = cf_model_create(engine, "m", nullptr, json, &model);
  FUZZ_CHECK(created == CF_OK || created == CF_INVALID_ARGUMENT,
             std::string(cf_status_name(created)) + ": " + cf_last_error());
  FUZZ_CHECK((created == CF_OK) == (model != nullptr), "handle set exactly on success");
  if (created == CF_OK) {
    cf_model_release(model);
    FUZZ_CHECK(cf_model_drop(engine, "m") == CF_OK, cf_last_error());
  }
  cf_engine_close(engine);
  return created == CF_OK;
}

void CheckEngineOptions(std::string_view json, const char* c_json) {
  classiflow::EngineOptions options;
  (void)classiflow::EngineOptions::FromJson(json, &options);
  cf_engine* engine = nullptr;
  const cf_status opened = cf_engine_open("memory:", c_json, &engine);
  FUZZ_CHECK(opened == CF_OK || opened == CF_INVALID_ARGUMENT,
             std::string(cf_status_name(opened)) + ": " + cf_last_error());
  cf_engine_close(engine);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string json(reinterpret_cast<const char*>(data), size);  // NUL-terminated for C
  bool is_bayes = false;
  const bool cpp_ok = CheckModelOptions(json, &is_bayes);
  const bool c_ok = CreateWithC(json.c_str());
  // C sees the bytes up to the first NUL only, and creates kind "bayes" (the kind argument).
  if (json.find('\0') == std::string::npos) {
    FUZZ_CHECK(c_ok == (cpp_ok && is_bayes), "C and C++ disagree on options: " + json);
  }
  CheckEngineOptions(json, json.c_str());
  return 0;
}
