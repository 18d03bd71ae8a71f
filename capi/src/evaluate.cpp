// Evaluation entry points: metrics and cross-validation as JSON (classiflow/evaluation.h).
#include "classiflow/evaluation.h"
#include "internal.h"

using classiflow::LabelSet;
using classiflow::Status;
using classiflow::capi::Guard;
using classiflow::capi::UsableModel;

namespace {

Status PairsArg(cf_model* m, const char* const* labels, const char* const* texts,
                const size_t* lens, size_t n, std::vector<std::string_view>* label_views,
                std::vector<std::string_view>* text_views) {
  CF_RETURN_IF_ERROR(UsableModel(m));
  if (n == 0) return Status::InvalidArgument("nothing to evaluate: n is 0");
  CF_RETURN_IF_ERROR(classiflow::capi::LabelsArg(labels, n, label_views));
  return classiflow::capi::TextsArg(texts, lens, n, text_views);
}

std::string FoldsJson(const std::vector<classiflow::Evaluation>& folds) {
  std::string array = "[";
  for (size_t i = 0; i < folds.size(); ++i) array += (i ? "," : "") + folds[i].ToJson();
  return array + "]";
}

// PairsArg for label sets (multilabel models).
Status SetsArg(cf_model* m, const char* const* labels, const size_t* counts,
               const char* const* texts, const size_t* lens, size_t n,
               classiflow::capi::LabelSetsArg* args) {
  CF_RETURN_IF_ERROR(UsableModel(m));
  if (n == 0) return Status::InvalidArgument("nothing to evaluate: n is 0");
  return args->Read(labels, counts, texts, lens, n);
}

}  // namespace

extern "C" {

cf_status cf_model_evaluate(cf_model* m, const char* const* labels, const char* const* texts,
                            const size_t* lens, size_t n, char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(classiflow::capi::ResetOut(json, "json"));
    std::vector<std::string_view> label_views, text_views;
    CF_RETURN_IF_ERROR(PairsArg(m, labels, texts, lens, n, &label_views, &text_views));
    classiflow::Evaluation e;
    CF_RETURN_IF_ERROR(classiflow::Evaluate(*m->model, text_views, label_views, &e));
    return classiflow::capi::CopyOut(e.ToJson(), json);
  });
}

cf_status cf_model_cross_validate(cf_model* m, const char* const* labels, const char* const* texts,
                                  const size_t* lens, size_t n, size_t k, uint64_t seed,
                                  char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(classiflow::capi::ResetOut(json, "json"));
    std::vector<std::string_view> label_views, text_views;
    CF_RETURN_IF_ERROR(PairsArg(m, labels, texts, lens, n, &label_views, &text_views));
    std::vector<classiflow::Evaluation> folds;
    CF_RETURN_IF_ERROR(
        classiflow::CrossValidate(*m->model, text_views, label_views, k, seed, &folds));
    return classiflow::capi::CopyOut(FoldsJson(folds), json);
  });
}

cf_status cf_model_evaluate_label_sets(cf_model* m, const char* const* labels, const size_t* counts,
                                       const char* const* texts, const size_t* lens, size_t n,
                                       char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(classiflow::capi::ResetOut(json, "json"));
    classiflow::capi::LabelSetsArg args;
    CF_RETURN_IF_ERROR(SetsArg(m, labels, counts, texts, lens, n, &args));
    classiflow::Evaluation e;
    CF_RETURN_IF_ERROR(
        classiflow::Evaluate(*m->model, args.texts, std::span<const LabelSet>(args.sets), &e));
    return classiflow::capi::CopyOut(e.ToJson(), json);
  });
}

cf_status cf_model_cross_validate_label_sets(cf_model* m, const char* const* labels,
                                             const size_t* counts, const char* const* texts,
                                             const size_t* lens, size_t n, size_t k, uint64_t seed,
                                             char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(classiflow::capi::ResetOut(json, "json"));
    classiflow::capi::LabelSetsArg args;
    CF_RETURN_IF_ERROR(SetsArg(m, labels, counts, texts, lens, n, &args));
    std::vector<classiflow::Evaluation> folds;
    CF_RETURN_IF_ERROR(classiflow::CrossValidate(
        *m->model, args.texts, std::span<const LabelSet>(args.sets), k, seed, &folds));
    return classiflow::capi::CopyOut(FoldsJson(folds), json);
  });
}

}  // extern "C"
