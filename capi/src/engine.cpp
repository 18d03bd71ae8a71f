// Engine entry points: open / close, model lookup, creation and removal.
#include "classiflow/open.h"
#include "internal.h"
#include "model_options.h"

using classiflow::EngineOptions;
using classiflow::Model;
using classiflow::ModelOptions;
using classiflow::Status;
using classiflow::capi::Guard;
using classiflow::capi::NotNull;
using classiflow::capi::ResetOut;

namespace {

Status EngineArg(const cf_engine* e) { return NotNull(e, "engine"); }

Status ModelNames(cf_engine* e, std::vector<std::string>* names) {
  CF_RETURN_IF_ERROR(EngineArg(e));
  return e->engine->ModelNames(names);
}

}  // namespace

extern "C" {

cf_status cf_engine_open(const char* uri, const char* options_json, cf_engine** out) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(out, "out"));
    EngineOptions options;
    CF_RETURN_IF_ERROR(
        EngineOptions::FromJson(options_json == nullptr ? "" : options_json, &options)
            .WithContext("options_json"));
    std::unique_ptr<classiflow::Engine> engine;
    CF_RETURN_IF_ERROR(classiflow::OpenEngine(uri == nullptr ? "memory:" : uri, options, &engine));
    *out = new cf_engine{std::move(engine)};
    return Status::OK();
  });
}

void cf_engine_close(cf_engine* e) {
  if (e == nullptr) return;
  // Close explicitly (rather than in ~Engine) to record a failure in cf_last_error().
  (void)Guard(__func__, [&]() -> Status {
    std::unique_ptr<cf_engine> owned(e);
    return owned->engine->Close();
  });
}

cf_status cf_engine_recovery_report(cf_engine* e, char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(json, "json"));
    CF_RETURN_IF_ERROR(EngineArg(e));
    return classiflow::capi::CopyOut(e->engine->recovery_report().ToJson(), json);
  });
}

cf_status cf_engine_model_count(cf_engine* e, size_t* n) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(NotNull(n, "n"));
    std::vector<std::string> names;
    CF_RETURN_IF_ERROR(ModelNames(e, &names));
    *n = names.size();
    return Status::OK();
  });
}

cf_status cf_engine_model_name(cf_engine* e, size_t i, char** name) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(name, "name"));
    std::vector<std::string> names;
    CF_RETURN_IF_ERROR(ModelNames(e, &names));
    if (i >= names.size()) {
      return Status::InvalidArgument("model index " + std::to_string(i) + " is out of range (" +
                                     std::to_string(names.size()) + " models)");
    }
    return classiflow::capi::CopyOut(names[i], name);
  });
}

cf_status cf_model_create(cf_engine* e, const char* name, const char* kind,
                          const char* options_json, cf_model** out) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(out, "out"));
    CF_RETURN_IF_ERROR(EngineArg(e));
    CF_RETURN_IF_ERROR(NotNull(name, "name"));
    ModelOptions options;
    CF_RETURN_IF_ERROR(classiflow::capi::ParseModelOptions(kind, options_json, &options));
    std::shared_ptr<Model> model;
    CF_RETURN_IF_ERROR(e->engine->CreateModel(name, options, &model));
    return classiflow::capi::NewModelHandle(std::move(model), out);
  });
}

cf_status cf_model_get(cf_engine* e, const char* name, cf_model** out) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(out, "out"));
    CF_RETURN_IF_ERROR(EngineArg(e));
    CF_RETURN_IF_ERROR(NotNull(name, "name"));
    std::shared_ptr<Model> model;
    CF_RETURN_IF_ERROR(e->engine->GetModel(name, &model));
    return classiflow::capi::NewModelHandle(std::move(model), out);
  });
}

cf_status cf_model_drop(cf_engine* e, const char* name) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(EngineArg(e));
    CF_RETURN_IF_ERROR(NotNull(name, "name"));
    return e->engine->DropModel(name);
  });
}

}  // extern "C"
