// Pipeline entry points: lifetime, submitting, flushing, results and statistics. Callbacks are
// in pipeline_callbacks.cpp.
#include <cstdlib>
#include <cstring>
#include <new>
#include <nlohmann/json.hpp>

#include "internal.h"

using classiflow::Pipeline;
using classiflow::PipelineItem;
using classiflow::Status;
using classiflow::capi::CopyOut;
using classiflow::capi::Guard;
using classiflow::capi::NotNull;
using classiflow::capi::ResetOut;

namespace {

Status EngineArg(const cf_engine* e) { return NotNull(e, "engine"); }
Status PipelineArg(const cf_pipeline* p) { return NotNull(p, "pipeline"); }

Status NewPipelineHandle(std::shared_ptr<Pipeline> pipeline, cf_pipeline** out) {
  *out = new cf_pipeline{std::move(pipeline)};
  return Status::OK();
}

// NULL stands for "" in the optional string arguments (a generated id, no meta).
std::string_view OrEmpty(const char* s) { return s == nullptr ? std::string_view() : s; }

// Submit and TrySubmit share their argument checks; the pipeline checks the item itself.
Status SubmitOne(cf_pipeline* p, const char* text, size_t len, const char* id,
                 const char* meta_json, char** out_id, bool block) {
  CF_RETURN_IF_ERROR(PipelineArg(p));
  std::string_view view;
  CF_RETURN_IF_ERROR(classiflow::capi::TextArg(text, len, &view));
  std::string assigned;
  Pipeline& pipeline = *p->pipeline;
  CF_RETURN_IF_ERROR(block ? pipeline.Submit(view, OrEmpty(id), OrEmpty(meta_json), &assigned)
                           : pipeline.TrySubmit(view, OrEmpty(id), OrEmpty(meta_json), &assigned));
  return out_id == nullptr ? Status::OK() : CopyOut(assigned, out_id);
}

// n items as views of the caller's arrays; TextsArg checks n and the texts.
Status ItemsArg(const char* const* texts, const size_t* lens, const char* const* ids,
                const char* const* metas, size_t n, std::vector<PipelineItem>* items) {
  std::vector<std::string_view> views;
  CF_RETURN_IF_ERROR(classiflow::capi::TextsArg(texts, lens, n, &views));
  try {
    items->reserve(n);
  } catch (const std::bad_alloc&) {  // the caller's n, not a fault of the library (TextsArg)
    return Status::InvalidArgument("n is " + std::to_string(n) +
                                   "; a batch that large does not fit in memory");
  }
  for (size_t i = 0; i < n; ++i) {
    items->push_back({ids == nullptr ? std::string_view() : OrEmpty(ids[i]), views[i],
                      metas == nullptr ? std::string_view() : OrEmpty(metas[i])});
  }
  return Status::OK();
}

// ONE malloc'ed block: ids.size() pointers, then the NUL-terminated strings they point to, so
// the caller frees everything with a single cf_free().
Status CopyOutIds(const std::vector<std::string>& ids, char*** out) {
  size_t bytes = ids.size() * sizeof(char*);
  for (const std::string& id : ids) bytes += id.size() + 1;
  auto** block = static_cast<char**>(std::malloc(bytes));
  if (block == nullptr) return Status::Internal("out of memory");
  char* next = reinterpret_cast<char*>(block + ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    block[i] = next;
    std::memcpy(next, ids[i].data(), ids[i].size());
    next[ids[i].size()] = '\0';
    next += ids[i].size() + 1;
  }
  *out = block;
  return Status::OK();
}

// "[a,b,...]" from objects that render themselves as JSON.
template <class T>
Status CopyOutArray(const std::vector<T>& items, char** out) {
  std::string json = "[";
  for (const T& item : items) {
    if (json.size() > 1) json.push_back(',');
    json += item.ToJson();
  }
  json.push_back(']');
  return CopyOut(json, out);
}

}  // namespace

extern "C" {

cf_status cf_pipeline_create(cf_engine* e, const char* name, const char* spec_json,
                             cf_pipeline** out) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(out, "out"));
    CF_RETURN_IF_ERROR(EngineArg(e));
    CF_RETURN_IF_ERROR(NotNull(name, "name"));
    CF_RETURN_IF_ERROR(NotNull(spec_json, "spec_json"));
    std::shared_ptr<Pipeline> pipeline;
    CF_RETURN_IF_ERROR(e->engine->CreatePipeline(name, spec_json, &pipeline));
    return NewPipelineHandle(std::move(pipeline), out);
  });
}

cf_status cf_pipeline_get(cf_engine* e, const char* name, cf_pipeline** out) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(out, "out"));
    CF_RETURN_IF_ERROR(EngineArg(e));
    CF_RETURN_IF_ERROR(NotNull(name, "name"));
    std::shared_ptr<Pipeline> pipeline;
    CF_RETURN_IF_ERROR(e->engine->GetPipeline(name, &pipeline));
    return NewPipelineHandle(std::move(pipeline), out);
  });
}

cf_status cf_pipeline_drop(cf_engine* e, const char* name) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(EngineArg(e));
    CF_RETURN_IF_ERROR(NotNull(name, "name"));
    return e->engine->DropPipeline(name);
  });
}

cf_status cf_pipeline_names_json(cf_engine* e, char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(json, "json"));
    CF_RETURN_IF_ERROR(EngineArg(e));
    std::vector<std::string> names;
    CF_RETURN_IF_ERROR(e->engine->PipelineNames(&names));
    return CopyOut(nlohmann::json(names).dump(), json);
  });
}

void cf_pipeline_release(cf_pipeline* p) {
  (void)Guard(__func__, [&]() -> Status {
    delete p;
    return Status::OK();
  });
}

cf_status cf_pipeline_submit(cf_pipeline* p, const char* text, size_t len, const char* id,
                             const char* meta_json, char** out_id) {
  if (out_id != nullptr) *out_id = nullptr;  // optional, so not ResetOut's
  return Guard(__func__,
               [&] { return SubmitOne(p, text, len, id, meta_json, out_id, /*block=*/true); });
}

cf_status cf_pipeline_try_submit(cf_pipeline* p, const char* text, size_t len, const char* id,
                                 const char* meta_json, char** out_id) {
  if (out_id != nullptr) *out_id = nullptr;
  return Guard(__func__,
               [&] { return SubmitOne(p, text, len, id, meta_json, out_id, /*block=*/false); });
}

cf_status cf_pipeline_submit_many(cf_pipeline* p, const char* const* texts, const size_t* lens,
                                  const char* const* ids, const char* const* metas, size_t n,
                                  char*** out_ids) {
  if (out_ids != nullptr) *out_ids = nullptr;
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(PipelineArg(p));
    std::vector<PipelineItem> items;
    // n == 0 still asks the pipeline, so a closed one answers Unavailable as for any n.
    if (n > 0) CF_RETURN_IF_ERROR(ItemsArg(texts, lens, ids, metas, n, &items));
    std::vector<std::string> assigned;
    CF_RETURN_IF_ERROR(p->pipeline->SubmitMany(items, &assigned));
    if (out_ids == nullptr || n == 0) return Status::OK();
    return CopyOutIds(assigned, out_ids);
  });
}

cf_status cf_pipeline_flush(cf_pipeline* p, int64_t timeout_ms) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(PipelineArg(p));
    // A wait past what the clock can add to now (ms -> ns overflows past ~292 years) would
    // time out at once; anything beyond a century is "forever".
    constexpr int64_t kForeverMs = int64_t{100} * 366 * 24 * 3600 * 1000;
    return p->pipeline->Flush(timeout_ms < 0 || timeout_ms > kForeverMs ? -1 : timeout_ms);
  });
}

cf_status cf_pipeline_result_json(cf_pipeline* p, const char* id, char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(json, "json"));
    CF_RETURN_IF_ERROR(PipelineArg(p));
    CF_RETURN_IF_ERROR(NotNull(id, "id"));
    classiflow::PipelineResult result;
    CF_RETURN_IF_ERROR(p->pipeline->GetResult(id, &result));
    return CopyOut(result.ToJson(), json);
  });
}

cf_status cf_pipeline_results_json(cf_pipeline* p, size_t newest, char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(json, "json"));
    CF_RETURN_IF_ERROR(PipelineArg(p));
    std::vector<classiflow::PipelineResult> results;
    CF_RETURN_IF_ERROR(p->pipeline->NewestResults(newest, &results));
    return CopyOutArray(results, json);
  });
}

cf_status cf_pipeline_dead_letters_json(cf_pipeline* p, size_t limit, char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(json, "json"));
    CF_RETURN_IF_ERROR(PipelineArg(p));
    std::vector<classiflow::DeadLetter> dead;
    CF_RETURN_IF_ERROR(p->pipeline->DeadLetters(limit, &dead));
    return CopyOutArray(dead, json);
  });
}

cf_status cf_pipeline_requeue(cf_pipeline* p, const char* id) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(PipelineArg(p));
    CF_RETURN_IF_ERROR(NotNull(id, "id"));
    return p->pipeline->Requeue(id);
  });
}

cf_status cf_pipeline_stats_json(cf_pipeline* p, char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(json, "json"));
    CF_RETURN_IF_ERROR(PipelineArg(p));
    return CopyOut(p->pipeline->StatsJson(), json);
  });
}

cf_status cf_pipeline_metrics_text(cf_pipeline* p, char** text) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(text, "text"));
    CF_RETURN_IF_ERROR(PipelineArg(p));
    return CopyOut(p->pipeline->MetricsText(), text);
  });
}

}  // extern "C"
