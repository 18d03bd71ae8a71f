#include <cstdlib>
#include <cstring>
#include <new>

#include "internal.h"

namespace classiflow::capi {

Status NotNull(const void* p, const char* what) {
  if (p != nullptr) return Status::OK();
  return Status::InvalidArgument(std::string(what) + " must not be NULL");
}

Status TextArg(const char* text, size_t len, std::string_view* out) {
  if (text == nullptr && len > 0) {
    return Status::InvalidArgument("text is NULL but len is " + std::to_string(len));
  }
  *out = text == nullptr ? std::string_view() : std::string_view(text, len);
  return Status::OK();
}

Status UsableModel(const cf_model* m) {
  CF_RETURN_IF_ERROR(NotNull(m, "model"));
  return m->model->status();
}

Status PathArg(const char* path) {
  CF_RETURN_IF_ERROR(NotNull(path, "path"));
  if (*path == '\0') return Status::InvalidArgument("path must not be empty");
  return Status::OK();
}

Status BatchSizeArg(size_t n) {
  if (n <= CF_MAX_BATCH) return Status::OK();
  return Status::InvalidArgument("n is " + std::to_string(n) + "; a batch holds at most " +
                                 std::to_string(CF_MAX_BATCH) + " items (CF_MAX_BATCH)");
}

namespace {

// Sizes `out` for n views. n <= CF_MAX_BATCH can still be more than this process can allocate
// (2^32 views are 64 GiB): that too is the caller's n, not a fault of the library.
Status ReserveViews(size_t n, std::vector<std::string_view>* out) {
  CF_RETURN_IF_ERROR(BatchSizeArg(n));
  try {
    out->reserve(n);
  } catch (const std::bad_alloc&) {
    return Status::InvalidArgument("n is " + std::to_string(n) +
                                   "; a batch that large does not fit in memory");
  }
  out->clear();
  return Status::OK();
}

}  // namespace

Status TextsArg(const char* const* texts, const size_t* lens, size_t n,
                std::vector<std::string_view>* out) {
  CF_RETURN_IF_ERROR(NotNull(texts, "texts"));
  CF_RETURN_IF_ERROR(ReserveViews(n, out));
  for (size_t i = 0; i < n; i++) {
    if (lens == nullptr && texts[i] == nullptr) {
      return Status::InvalidArgument("texts[" + std::to_string(i) + "] is NULL and lens is NULL");
    }
    size_t len = lens == nullptr ? std::strlen(texts[i]) : lens[i];
    std::string_view view;
    // The context is built only for a bad text: building it for every text cost ~7 % of a
    // labels-only classify_batch of short texts.
    if (Status s = TextArg(texts[i], len, &view); !s.ok()) {
      return s.WithContext("texts[" + std::to_string(i) + "]");
    }
    out->push_back(view);
  }
  return Status::OK();
}

Status LabelsArg(const char* const* labels, size_t n, std::vector<std::string_view>* out) {
  CF_RETURN_IF_ERROR(NotNull(labels, "labels"));
  CF_RETURN_IF_ERROR(ReserveViews(n, out));
  for (size_t i = 0; i < n; i++) {
    if (labels[i] == nullptr) {
      return Status::InvalidArgument("labels[" + std::to_string(i) + "] must not be NULL");
    }
    out->push_back(labels[i]);
  }
  return Status::OK();
}

FitOptions FitOptionsArg(int epochs, int threads, cf_fit_progress_fn progress, void* user) {
  FitOptions options;
  if (epochs != 0) options.epochs = epochs;
  options.threads = threads;
  if (progress != nullptr) {
    options.progress = [progress, user](const FitProgress& p) {
      progress(p.done, p.total, p.epoch, p.loss, user);
    };
  }
  return options;
}

Status LabelSetsArg::Read(const char* const* labels, const size_t* counts,
                          const char* const* text_array, const size_t* lens, size_t n) {
  CF_RETURN_IF_ERROR(BatchSizeArg(n));
  CF_RETURN_IF_ERROR(NotNull(counts, "counts"));
  size_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (counts[i] > CF_MAX_BATCH - total) {
      return Status::InvalidArgument("counts add up to more than CF_MAX_BATCH labels");
    }
    total += counts[i];
  }
  if (total != 0) CF_RETURN_IF_ERROR(LabelsArg(labels, total, &flat));
  sets.resize(n);
  for (size_t i = 0, at = 0; i < n; at += counts[i], ++i) {
    sets[i] = std::span<const std::string_view>(flat).subspan(at, counts[i]);
  }
  return TextsArg(text_array, lens, n, &texts);
}

Status CopyOut(std::string_view s, char** out) {
  char* copy = static_cast<char*>(std::malloc(s.size() + 1));
  if (copy == nullptr) return Status::Internal("out of memory");
  std::memcpy(copy, s.data(), s.size());
  copy[s.size()] = '\0';
  *out = copy;
  return Status::OK();
}

Status NewModelHandle(std::shared_ptr<Model> model, cf_model** out) {
  *out = new cf_model{std::move(model)};
  return Status::OK();
}

}  // namespace classiflow::capi
