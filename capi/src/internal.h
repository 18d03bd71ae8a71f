// Handle structs behind the opaque C types, and the argument checks every entry point shares.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/classiflow.h"
#include "classiflow/engine.h"
#include "classiflow/model.h"
#include "classiflow/pipeline.h"
#include "classiflow/status.h"
#include "errors.h"

struct cf_engine {
  std::unique_ptr<classiflow::Engine> engine;
};

// Model::status() tells a handle that its engine closed or its model was dropped.
struct cf_model {
  std::shared_ptr<classiflow::Model> model;
};

// A pipeline lives in its engine; the handle only keeps the object alive. After a drop or the
// engine's close, the pipeline's own calls answer Unavailable.
struct cf_pipeline {
  std::shared_ptr<classiflow::Pipeline> pipeline;
};

namespace classiflow::capi {

// InvalidArgument naming `what` when `p` is NULL.
Status NotNull(const void* p, const char* what);

// Checks an out pointer and sets *out to NULL, so that every failure leaves it NULL
// (Conventions 6).
template <typename T>
Status ResetOut(T** out, const char* what) {
  CF_RETURN_IF_ERROR(NotNull(out, what));
  *out = nullptr;
  return Status::OK();
}

// InvalidArgument for a NULL handle; otherwise the model's own state: NotFound after it was
// dropped, Unavailable after its engine closed. Calls whose C++ counterpart cannot fail (the
// accessors) or that return early (an empty batch) check it here, so they answer as the rest do.
Status UsableModel(const cf_model* m);

// A file path: InvalidArgument for NULL or "". Otherwise passed to core as it is.
Status PathArg(const char* path);

// InvalidArgument for n > CF_MAX_BATCH. TextsArg and LabelsArg check it before sizing by n.
Status BatchSizeArg(size_t n);

// A (text, len) pair as a view; InvalidArgument for text == NULL with len > 0.
Status TextArg(const char* text, size_t len, std::string_view* out);
// n texts (NUL-terminated when lens == NULL) and n labels as views. Check n first
// (BatchSizeArg), and an n too large to allocate is InvalidArgument, not CF_INTERNAL.
Status TextsArg(const char* const* texts, const size_t* lens, size_t n,
                std::vector<std::string_view>* out);
Status LabelsArg(const char* const* labels, size_t n, std::vector<std::string_view>* out);

// cf_model_fit's epochs (0 = the model's), threads and progress as core's FitOptions (core
// checks the ranges).
FitOptions FitOptionsArg(int epochs, int threads, cf_fit_progress_fn progress, void* user);

// The C form of n label sets (multilabel models): text i's labels are the next counts[i]
// entries of `labels`; texts as TextsArg.
struct LabelSetsArg {
  std::vector<std::string_view> flat;
  std::vector<LabelSet> sets;
  std::vector<std::string_view> texts;

  Status Read(const char* const* labels, const size_t* counts, const char* const* text_array,
              const size_t* lens, size_t n);
};

// Hands a malloc'ed, NUL-terminated copy of `s` to the caller (freed with cf_free()).
Status CopyOut(std::string_view s, char** out);

// Wraps a model in a new handle stored in *out.
Status NewModelHandle(std::shared_ptr<Model> model, cf_model** out);

}  // namespace classiflow::capi
