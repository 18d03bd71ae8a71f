// Classification entry points. Each answers from one snapshot, as Model::Classify* do.
#include <algorithm>
#include <cmath>

#include "internal.h"

using classiflow::Prediction;
using classiflow::Status;
using classiflow::capi::Guard;
using classiflow::capi::NotNull;

namespace {

Status ClassifyOne(cf_model* m, const char* text, size_t len, Prediction* prediction,
                   const classiflow::ClassifyOptions& options = {}) {
  CF_RETURN_IF_ERROR(NotNull(m, "model"));
  std::string_view view;
  CF_RETURN_IF_ERROR(classiflow::capi::TextArg(text, len, &view));
  return m->model->Classify(view, options, prediction);
}

}  // namespace

extern "C" {

cf_status cf_model_classify(cf_model* m, const char* text, size_t len, char** label,
                            double* confidence) {
  if (label != nullptr) *label = nullptr;  // both outputs are optional (unlike ResetOut's)
  return Guard(__func__, [&]() -> Status {
    Prediction prediction;
    CF_RETURN_IF_ERROR(ClassifyOne(m, text, len, &prediction));
    if (label != nullptr && prediction.has_label()) {
      CF_RETURN_IF_ERROR(classiflow::capi::CopyOut(prediction.label, label));
    }
    if (confidence != nullptr) *confidence = prediction.confidence;
    return Status::OK();
  });
}

cf_status cf_model_classify_top(cf_model* m, const char* text, size_t len, size_t k,
                                double min_confidence, size_t* indices, double* probabilities,
                                size_t* count) {
  if (count != nullptr) *count = 0;
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(NotNull(indices, "indices"));
    CF_RETURN_IF_ERROR(NotNull(count, "count"));
    classiflow::ClassifyOptions options;  // types converted here; the rules are core's
    if (!(min_confidence < 0)) options.min_confidence = min_confidence;  // NaN: core refuses
    options.top_k = k;
    Prediction prediction;
    CF_RETURN_IF_ERROR(ClassifyOne(m, text, len, &prediction, options));
    for (size_t i = 0; i < prediction.top.size(); ++i) {
      indices[i] = prediction.top[i];
      if (probabilities != nullptr)
        probabilities[i] = std::exp(prediction.scores[prediction.top[i]]);
    }
    *count = prediction.top.size();
    return Status::OK();
  });
}

cf_status cf_model_scores(cf_model* m, const char* text, size_t len, double* scores, size_t n) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(NotNull(scores, "scores"));
    Prediction prediction;
    CF_RETURN_IF_ERROR(ClassifyOne(m, text, len, &prediction));
    // Compared with the answering version's count, not a separately read one, so a concurrent
    // new label cannot make us write past the caller's array.
    if (prediction.scores.size() != n) {
      return Status::InvalidArgument("n is " + std::to_string(n) + " but the model has " +
                                     std::to_string(prediction.scores.size()) + " labels");
    }
    std::copy(prediction.scores.begin(), prediction.scores.end(), scores);
    return Status::OK();
  });
}

cf_status cf_model_classify_batch(cf_model* m, const char* const* texts, const size_t* lens,
                                  size_t n, size_t* label_indices, double* confidences) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(classiflow::capi::UsableModel(m));
    if (n == 0) return Status::OK();
    std::vector<std::string_view> views;
    CF_RETURN_IF_ERROR(classiflow::capi::TextsArg(texts, lens, n, &views));
    classiflow::BatchPredictions batch;
    classiflow::ClassifyOptions options;
    options.confidence = confidences != nullptr;  // labels alone skip the normalisation
    CF_RETURN_IF_ERROR(m->model->ClassifyBatch(views, options, &batch));
    for (size_t i = 0; i < n; i++) {
      uint32_t index = batch.label_index[i];
      if (label_indices != nullptr) {
        label_indices[i] = index == Prediction::kNoLabel ? static_cast<size_t>(-1) : index;
      }
      if (confidences != nullptr) confidences[i] = batch.confidence[i];
    }
    return Status::OK();
  });
}

cf_status cf_model_explain(cf_model* m, const char* text, size_t len, size_t n, char** json) {
  return Guard(__func__, [&]() -> Status {
    CF_RETURN_IF_ERROR(classiflow::capi::ResetOut(json, "json"));
    CF_RETURN_IF_ERROR(NotNull(m, "model"));
    std::string_view view;
    CF_RETURN_IF_ERROR(classiflow::capi::TextArg(text, len, &view));
    classiflow::Explanation explanation;
    CF_RETURN_IF_ERROR(m->model->Explain(view, n, &explanation));
    return classiflow::capi::CopyOut(explanation.ToJson(), json);
  });
}

}  // extern "C"
