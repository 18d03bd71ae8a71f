// The C ABI of multilabel models (the linear kind's "multilabel": true): label sets, per-label
// thresholds (their evaluation is in evaluate.cpp). Conversions to and from core's types only.
#include "internal.h"

using classiflow::LabelSet;
using classiflow::Status;
using classiflow::capi::Guard;
using classiflow::capi::NotNull;
using classiflow::capi::UsableModel;

extern "C" {

cf_status cf_model_multilabel(cf_model* m, int* multilabel) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(NotNull(multilabel, "multilabel"));
    CF_RETURN_IF_ERROR(UsableModel(m));
    *multilabel = m->model->snapshot()->multilabel() ? 1 : 0;
    return Status::OK();
  });
}

cf_status cf_model_train_label_sets(cf_model* m, const char* const* labels, const size_t* counts,
                                    const char* const* texts, const size_t* lens, size_t n) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(UsableModel(m));
    if (n == 0) return m->model->TrainLabelSets({}, {});
    classiflow::capi::LabelSetsArg args;
    CF_RETURN_IF_ERROR(args.Read(labels, counts, texts, lens, n));
    return m->model->TrainLabelSets(args.sets, args.texts);
  });
}

cf_status cf_model_fit_label_sets(cf_model* m, const char* const* labels, const size_t* counts,
                                  const char* const* texts, const size_t* lens, size_t n,
                                  int epochs, int threads, cf_fit_progress_fn progress,
                                  void* user) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(UsableModel(m));
    const classiflow::FitOptions options =
        classiflow::capi::FitOptionsArg(epochs, threads, progress, user);
    classiflow::capi::LabelSetsArg args;
    if (n != 0) CF_RETURN_IF_ERROR(args.Read(labels, counts, texts, lens, n));
    return m->model->FitLabelSets(args.sets, args.texts, options);
  });
}

cf_status cf_model_set_thresholds(cf_model* m, const char* const* labels, const double* thresholds,
                                  size_t n) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(UsableModel(m));
    std::vector<std::string_view> label_views;
    if (n != 0) {
      CF_RETURN_IF_ERROR(classiflow::capi::LabelsArg(labels, n, &label_views));
      CF_RETURN_IF_ERROR(NotNull(thresholds, "thresholds"));
    }
    return m->model->SetThresholds(label_views, {thresholds, n});
  });
}

cf_status cf_model_tune_thresholds(cf_model* m, const char* const* labels, const size_t* counts,
                                   const char* const* texts, const size_t* lens, size_t n) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(UsableModel(m));
    classiflow::capi::LabelSetsArg args;
    if (n != 0) CF_RETURN_IF_ERROR(args.Read(labels, counts, texts, lens, n));
    return m->model->TuneThresholds(args.sets, args.texts);
  });
}

cf_status cf_model_thresholds(cf_model* m, double* thresholds, size_t n) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(NotNull(thresholds, "thresholds"));
    CF_RETURN_IF_ERROR(UsableModel(m));
    const auto snap = m->model->snapshot();
    if (!snap->multilabel()) {
      return Status::NotSupported("model '" + m->model->name() + "' is not multilabel");
    }
    if (n != snap->label_count()) {
      return Status::InvalidArgument("n is " + std::to_string(n) + " but the model has " +
                                     std::to_string(snap->label_count()) + " labels");
    }
    for (size_t l = 0; l < n; ++l) thresholds[l] = snap->threshold(l);
    return Status::OK();
  });
}

}  // extern "C"
