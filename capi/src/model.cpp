// Model entry points: handle lifetime, files, training and inspection.
#include "internal.h"

using classiflow::Model;
using classiflow::Status;
using classiflow::capi::Guard;
using classiflow::capi::NotNull;
using classiflow::capi::PathArg;
using classiflow::capi::ResetOut;
using classiflow::capi::TextArg;
using classiflow::capi::UsableModel;

namespace {

Status ModelArg(const cf_model* m) { return NotNull(m, "model"); }

// Train and untrain share their argument checks; the C++ call itself checks the model's state.
Status TrainStep(cf_model* m, const char* label, const char* text, size_t len, bool untrain) {
  CF_RETURN_IF_ERROR(ModelArg(m));
  CF_RETURN_IF_ERROR(NotNull(label, "label"));
  std::string_view view;
  CF_RETURN_IF_ERROR(TextArg(text, len, &view));
  return untrain ? m->model->Untrain(label, view) : m->model->Train(label, view);
}

}  // namespace

extern "C" {

void cf_model_release(cf_model* m) {
  (void)Guard(__func__, [&]() -> Status {
    delete m;
    return Status::OK();
  });
}

cf_status cf_model_name(cf_model* m, char** name) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(name, "name"));
    CF_RETURN_IF_ERROR(UsableModel(m));
    return classiflow::capi::CopyOut(m->model->name(), name);
  });
}

cf_status cf_model_save(cf_model* m, const char* path) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ModelArg(m));
    CF_RETURN_IF_ERROR(PathArg(path));
    return m->model->Save(path);
  });
}

cf_status cf_model_load(const char* path, cf_model** out) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(out, "out"));
    CF_RETURN_IF_ERROR(PathArg(path));
    std::shared_ptr<Model> model;
    CF_RETURN_IF_ERROR(Model::Load(path, &model));
    return classiflow::capi::NewModelHandle(std::move(model), out);
  });
}

cf_status cf_model_train(cf_model* m, const char* label, const char* text, size_t len) {
  return Guard(__func__, [&] { return TrainStep(m, label, text, len, /*untrain=*/false); });
}

cf_status cf_model_untrain(cf_model* m, const char* label, const char* text, size_t len) {
  return Guard(__func__, [&] { return TrainStep(m, label, text, len, /*untrain=*/true); });
}

cf_status cf_model_train_batch(cf_model* m, const char* const* labels, const char* const* texts,
                               const size_t* lens, size_t n) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(UsableModel(m));
    if (n == 0) return Status::OK();  // documented no-op: no empty version is committed
    std::vector<std::string_view> label_views, text_views;
    CF_RETURN_IF_ERROR(classiflow::capi::LabelsArg(labels, n, &label_views));
    CF_RETURN_IF_ERROR(classiflow::capi::TextsArg(texts, lens, n, &text_views));
    return m->model->TrainBatch(label_views, text_views);
  });
}

cf_status cf_model_fit(cf_model* m, const char* const* labels, const char* const* texts,
                       const size_t* lens, size_t n, int epochs, int threads,
                       cf_fit_progress_fn progress, void* user) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(UsableModel(m));
    const classiflow::FitOptions options =
        classiflow::capi::FitOptionsArg(epochs, threads, progress, user);
    std::vector<std::string_view> label_views, text_views;
    if (n != 0) {
      CF_RETURN_IF_ERROR(classiflow::capi::LabelsArg(labels, n, &label_views));
      CF_RETURN_IF_ERROR(classiflow::capi::TextsArg(texts, lens, n, &text_views));
    }
    return m->model->Fit(label_views, text_views, options);
  });
}

cf_status cf_model_label_count(cf_model* m, size_t* n) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(NotNull(n, "n"));
    CF_RETURN_IF_ERROR(UsableModel(m));
    *n = m->model->snapshot()->label_count();
    return Status::OK();
  });
}

cf_status cf_model_label(cf_model* m, size_t i, char** label) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(ResetOut(label, "label"));
    CF_RETURN_IF_ERROR(UsableModel(m));
    std::shared_ptr<const classiflow::Snapshot> snapshot = m->model->snapshot();
    if (i >= snapshot->label_count()) {
      return Status::InvalidArgument("label index " + std::to_string(i) + " is out of range (" +
                                     std::to_string(snapshot->label_count()) + " labels)");
    }
    return classiflow::capi::CopyOut(snapshot->labels()[i], label);
  });
}

cf_status cf_model_version(cf_model* m, uint64_t* version) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(NotNull(version, "version"));
    CF_RETURN_IF_ERROR(UsableModel(m));
    *version = m->model->version();
    return Status::OK();
  });
}

}  // extern "C"
