// Pipeline callbacks: C function pointers (plus their `user`) wrapped in the pipeline's C++
// callback types. Results and dead letters cross the ABI as the JSON their ToJson() writes; an
// item given to an enrich or validate callback as the JSON ItemJson() writes.
#include <nlohmann/json.hpp>

#include "internal.h"
#include "util/json_options.h"

// Collects an enrich callback's fields; lives on the callback thread's stack for one call.
struct cf_fields {
  std::vector<classiflow::Field> fields;
};

using classiflow::CallbackItem;
using classiflow::Field;
using classiflow::PipelineResult;
using classiflow::Status;
using classiflow::capi::Guard;
using classiflow::capi::NotNull;
using nlohmann::json;

namespace {

Status PipelineArg(const cf_pipeline* p) { return NotNull(p, "pipeline"); }

// Function pointers do not convert to the void* NotNull takes.
Status FnArg(bool present) {
  return present ? Status::OK() : Status::InvalidArgument("fn must not be NULL");
}

// Field and meta values are JSON text the pipeline checked; anything unparsable is kept as a
// string rather than lost (as PipelineResult::ToJson does).
json ParseOrString(std::string_view text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? json(std::string(text)) : value;
}

// {"id", "text", "meta", "predictions": {stage: {...}}, "fields": {...}, "attempt"}: the shape
// of a result, so a callback reads predictions and fields the way it later reads the result.
std::string ItemJson(const CallbackItem& item) {
  json predictions = json::object();
  for (const classiflow::StagePrediction& p : item.predictions) {
    predictions[p.stage] = {{"label", p.label.empty() ? json() : json(p.label)},
                            {"confidence", p.confidence},
                            {"model", p.model},
                            {"version", p.version}};
  }
  json fields = json::object();
  for (const Field& f : item.fields) fields[f.name] = ParseOrString(f.json);
  const json out = {{"id", std::string(item.id)},
                    {"text", std::string(item.text)},
                    {"meta", item.meta.empty() ? json() : ParseOrString(item.meta)},
                    {"predictions", std::move(predictions)},
                    {"fields", std::move(fields)},
                    {"attempt", item.attempt}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A callback's non-OK return fails the attempt. The pipeline prefixes the callback's name;
// the code is named in the text because a dead letter keeps only the text.
Status Failed(cf_status rc) {
  std::string what = cf_status_name(rc);
  if (what == "CF_UNKNOWN_STATUS") what = std::to_string(rc) + " (not a cf_status)";
  return Status::Unavailable("returned " + what);
}

// InvalidArgument unless `value_json` is one JSON value: the depth cap and the refusal of NaN
// and Infinity are the same as for every other JSON the library reads.
Status ValueArg(std::string_view value_json) {
  std::string_view key;
  CF_RETURN_IF_ERROR(
      classiflow::json_detail::PreScan(value_json, "value_json", value_json.size(), &key));
  if (!json::accept(value_json)) return Status::InvalidArgument("value_json is not valid JSON");
  return Status::OK();
}

Status NameArg(const char* name) {
  CF_RETURN_IF_ERROR(NotNull(name, "name"));
  if (*name == '\0') return Status::InvalidArgument("name must not be empty");
  try {
    (void)json(std::string(name)).dump();  // the strict handler throws on invalid UTF-8
  } catch (const json::type_error&) {
    return Status::InvalidArgument("name is not valid UTF-8");
  }
  return Status::OK();
}

}  // namespace

extern "C" {

cf_status cf_fields_set(cf_fields* out, const char* name, const char* value_json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(NotNull(out, "out"));
    CF_RETURN_IF_ERROR(NameArg(name));
    CF_RETURN_IF_ERROR(NotNull(value_json, "value_json"));
    CF_RETURN_IF_ERROR(ValueArg(value_json).WithContext(std::string("field '") + name + "'"));
    for (Field& f : out->fields) {
      if (f.name == name) {
        f.json = value_json;
        return Status::OK();
      }
    }
    out->fields.push_back({name, value_json});
    return Status::OK();
  });
}

cf_status cf_pipeline_on_result(cf_pipeline* p, cf_result_fn fn, void* user) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(PipelineArg(p));
    CF_RETURN_IF_ERROR(FnArg(fn != nullptr));
    p->pipeline->OnResult([fn, user](const PipelineResult& result) {
      const std::string text = result.ToJson();
      fn(user, text.c_str());
    });
    return Status::OK();
  });
}

cf_status cf_pipeline_on_results(cf_pipeline* p, cf_results_fn fn, void* user, size_t max_items,
                                 int64_t max_delay_ms) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(PipelineArg(p));
    CF_RETURN_IF_ERROR(FnArg(fn != nullptr));
    return p->pipeline->OnResults(
        [fn, user](std::span<const PipelineResult> results) {
          std::vector<std::string> texts;
          std::vector<const char*> pointers;
          texts.reserve(results.size());
          for (const PipelineResult& r : results) texts.push_back(r.ToJson());
          for (const std::string& t : texts) pointers.push_back(t.c_str());
          fn(user, pointers.data(), pointers.size());
        },
        max_items, max_delay_ms);
  });
}

cf_status cf_pipeline_on_dead_letter(cf_pipeline* p, cf_dead_letter_fn fn, void* user) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(PipelineArg(p));
    CF_RETURN_IF_ERROR(FnArg(fn != nullptr));
    p->pipeline->OnDeadLetter([fn, user](const classiflow::DeadLetter& dead) {
      const std::string text = dead.ToJson();
      fn(user, text.c_str());
    });
    return Status::OK();
  });
}

cf_status cf_pipeline_register_enrich(cf_pipeline* p, const char* name, cf_enrich_fn fn,
                                      void* user) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(PipelineArg(p));
    CF_RETURN_IF_ERROR(NotNull(name, "name"));
    CF_RETURN_IF_ERROR(FnArg(fn != nullptr));
    return p->pipeline->RegisterEnrich(
        name, [fn, user](const CallbackItem& item, std::vector<Field>* fields) {
          const std::string text = ItemJson(item);
          cf_fields out;
          const cf_status rc = fn(user, text.c_str(), &out);
          if (rc != CF_OK) return Failed(rc);
          *fields = std::move(out.fields);
          return Status::OK();
        });
  });
}

cf_status cf_pipeline_register_validator(cf_pipeline* p, const char* name, cf_validate_fn fn,
                                         void* user) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(PipelineArg(p));
    CF_RETURN_IF_ERROR(NotNull(name, "name"));
    CF_RETURN_IF_ERROR(FnArg(fn != nullptr));
    return p->pipeline->RegisterValidator(
        name, [fn, user](const CallbackItem& item, std::string_view value, bool* valid) {
          const std::string text = ItemJson(item);
          const std::string value_text(value);
          uint8_t ok = 0;
          const cf_status rc = fn(user, text.c_str(), value_text.c_str(), &ok);
          if (rc != CF_OK) return Failed(rc);
          *valid = ok != 0;
          return Status::OK();
        });
  });
}

}  // extern "C"
