// The C ABI of a model's items (kind "lsi"): conversions to and from core's types only.
#include <nlohmann/json.hpp>

#include "internal.h"

using classiflow::Status;
using classiflow::capi::Guard;
using classiflow::capi::NotNull;
using classiflow::capi::UsableModel;

namespace {

// Search hits as a JSON array (the C ABI's result type for them).
std::string HitsJson(const std::vector<classiflow::SearchHit>& hits) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& hit : hits) {
    out.push_back({{"id", hit.id},
                   {"score", hit.score},
                   {"label", hit.label.empty() ? nlohmann::json() : nlohmann::json(hit.label)}});
  }
  return out.dump();
}

}  // namespace

extern "C" {

cf_status cf_model_add_items(cf_model* m, const char* const* texts, const size_t* lens,
                             const char* const* labels, const char* const* ids, size_t n,
                             char** ids_json) {
  return Guard(__func__, [&]() -> Status {
    if (ids_json != nullptr) *ids_json = nullptr;
    CF_RETURN_IF_ERROR(UsableModel(m));
    std::vector<std::string_view> text_views;
    if (n != 0) CF_RETURN_IF_ERROR(classiflow::capi::TextsArg(texts, lens, n, &text_views));
    std::vector<classiflow::ItemInput> items(n);
    for (size_t i = 0; i < n; ++i) {
      items[i].text = text_views[i];
      if (labels != nullptr && labels[i] != nullptr) items[i].label = labels[i];
      if (ids != nullptr && ids[i] != nullptr) {
        // An empty id would mean "assign one": refuse it as an id, as core refuses "" labels.
        if (ids[i][0] == '\0') {
          return Status::InvalidArgument("ids[" + std::to_string(i) + "] is empty");
        }
        items[i].id = ids[i];
      }
    }
    std::vector<std::string> assigned;
    CF_RETURN_IF_ERROR(m->model->AddItems(items, &assigned));
    if (ids_json == nullptr) return Status::OK();
    return classiflow::capi::CopyOut(nlohmann::json(assigned).dump(), ids_json);
  });
}

cf_status cf_model_remove_items(cf_model* m, const char* const* ids, size_t n) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(UsableModel(m));
    std::vector<std::string_view> views;
    if (n != 0) CF_RETURN_IF_ERROR(classiflow::capi::LabelsArg(ids, n, &views));
    return m->model->RemoveItems(views);
  });
}

cf_status cf_model_build_index(cf_model* m) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(UsableModel(m));
    return m->model->BuildIndex();
  });
}

cf_status cf_model_search(cf_model* m, const char* query, size_t len, size_t n, char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(classiflow::capi::ResetOut(json, "json"));
    CF_RETURN_IF_ERROR(UsableModel(m));
    std::string_view view;
    CF_RETURN_IF_ERROR(classiflow::capi::TextArg(query, len, &view));
    std::vector<classiflow::SearchHit> hits;
    CF_RETURN_IF_ERROR(m->model->Search(view, n, &hits));
    return classiflow::capi::CopyOut(HitsJson(hits), json);
  });
}

cf_status cf_model_find_related(cf_model* m, const char* id, size_t n, char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(classiflow::capi::ResetOut(json, "json"));
    CF_RETURN_IF_ERROR(UsableModel(m));
    CF_RETURN_IF_ERROR(NotNull(id, "id"));
    std::vector<classiflow::SearchHit> hits;
    CF_RETURN_IF_ERROR(m->model->FindRelated(id, n, &hits));
    return classiflow::capi::CopyOut(HitsJson(hits), json);
  });
}

cf_status cf_model_index_status(cf_model* m, char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(classiflow::capi::ResetOut(json, "json"));
    CF_RETURN_IF_ERROR(UsableModel(m));
    classiflow::IndexStatus status;
    CF_RETURN_IF_ERROR(m->model->GetIndexStatus(&status));
    const nlohmann::json out = {
        {"items", status.items},     {"indexed_items", status.indexed_items},
        {"changes", status.changes}, {"rank", status.rank},
        {"terms", status.terms},     {"rebuilding", status.rebuilding}};
    return classiflow::capi::CopyOut(out.dump(), json);
  });
}

}  // extern "C"
