// Pipeline entry points: analytics, feedback and exporting results.
#include "internal.h"

using classiflow::FeedbackOptions;
using classiflow::Status;
using classiflow::capi::CopyOut;
using classiflow::capi::Guard;
using classiflow::capi::NotNull;
using classiflow::capi::ResetOut;

extern "C" {

cf_status cf_pipeline_analytics_json(cf_pipeline* p, char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(json, "json"));
    CF_RETURN_IF_ERROR(NotNull(p, "pipeline"));
    std::string out;
    CF_RETURN_IF_ERROR(p->pipeline->AnalyticsJson(&out));
    return CopyOut(out, json);
  });
}

cf_status cf_pipeline_reset_analytics(cf_pipeline* p) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(NotNull(p, "pipeline"));
    return p->pipeline->ResetAnalytics();
  });
}

cf_status cf_pipeline_recount(cf_pipeline* p) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(NotNull(p, "pipeline"));
    return p->pipeline->Recount();
  });
}

cf_status cf_pipeline_feedback(cf_pipeline* p, const char* id, const char* label, const char* stage,
                               const char* text, size_t len) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(NotNull(p, "pipeline"));
    CF_RETURN_IF_ERROR(NotNull(id, "id"));
    CF_RETURN_IF_ERROR(NotNull(label, "label"));
    FeedbackOptions options;
    if (stage != nullptr) options.stage = stage;
    if (text != nullptr) CF_RETURN_IF_ERROR(classiflow::capi::TextArg(text, len, &options.text));
    return p->pipeline->Feedback(id, label, options);
  });
}

cf_status cf_pipeline_retrain(cf_pipeline* p, size_t* trained) {
  return Guard(__func__, [&]() -> Status {
    if (trained != nullptr) *trained = 0;
    CF_RETURN_IF_ERROR(NotNull(p, "pipeline"));
    size_t n = 0;
    CF_RETURN_IF_ERROR(p->pipeline->Retrain(&n));
    if (trained != nullptr) *trained = n;
    return Status::OK();
  });
}

cf_status cf_pipeline_export_sqlite(cf_pipeline* p, const char* path, size_t* written) {
  return Guard(__func__, [&]() -> Status {
    if (written != nullptr) *written = 0;
    CF_RETURN_IF_ERROR(NotNull(p, "pipeline"));
    CF_RETURN_IF_ERROR(NotNull(path, "path"));
    size_t n = 0;
    CF_RETURN_IF_ERROR(p->pipeline->ExportSqlite(path, &n));
    if (written != nullptr) *written = n;
    return Status::OK();
  });
}

}  // extern "C"
