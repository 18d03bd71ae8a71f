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
#include "classiflow/status.h"
#include "errors.h"

// shared_ptr (not unique_ptr) so that model handles can watch the engine through a weak_ptr.
struct cf_engine {
  std::shared_ptr<classiflow::Engine> engine;
};

struct cf_model {
  std::shared_ptr<classiflow::Model> model;
  // The engine the model belongs to; empty for a standalone model from cf_model_load(). The C++
  // accessors (version(), labels(), name()) keep answering after Close() / DropModel(), so the
  // inspection calls ask the engine themselves (CheckAttached) to honour Conventions 3.
  std::weak_ptr<classiflow::Engine> engine;
  bool attached = false;
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

// Unavailable when the model's engine is closed, NotFound when the model was dropped (or
// replaced by another of the same name); OK for standalone models. REQUIRES: m != NULL.
Status CheckAttached(const cf_model* m);

// A (text, len) pair as a view; InvalidArgument for text == NULL with len > 0.
Status TextArg(const char* text, size_t len, std::string_view* out);
// n texts (NUL-terminated when lens == NULL) and n labels as views.
Status TextsArg(const char* const* texts, const size_t* lens, size_t n,
                std::vector<std::string_view>* out);
Status LabelsArg(const char* const* labels, size_t n, std::vector<std::string_view>* out);

// Hands a malloc'ed, NUL-terminated copy of `s` to the caller (freed with cf_free()).
Status CopyOut(std::string_view s, char** out);

// Wraps a model in a new handle stored in *out.
Status NewModelHandle(std::shared_ptr<Model> model, const cf_engine* engine, cf_model** out);

}  // namespace classiflow::capi
