#include <cstdlib>
#include <cstring>

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

Status TextsArg(const char* const* texts, const size_t* lens, size_t n,
                std::vector<std::string_view>* out) {
  CF_RETURN_IF_ERROR(NotNull(texts, "texts"));
  out->resize(n);
  for (size_t i = 0; i < n; i++) {
    if (lens == nullptr && texts[i] == nullptr) {
      return Status::InvalidArgument("texts[" + std::to_string(i) + "] is NULL and lens is NULL");
    }
    size_t len = lens == nullptr ? std::strlen(texts[i]) : lens[i];
    CF_RETURN_IF_ERROR(
        TextArg(texts[i], len, &(*out)[i]).WithContext("texts[" + std::to_string(i) + "]"));
  }
  return Status::OK();
}

Status LabelsArg(const char* const* labels, size_t n, std::vector<std::string_view>* out) {
  CF_RETURN_IF_ERROR(NotNull(labels, "labels"));
  out->resize(n);
  for (size_t i = 0; i < n; i++) {
    std::string what = "labels[" + std::to_string(i) + "]";
    CF_RETURN_IF_ERROR(NotNull(labels[i], what.c_str()));
    (*out)[i] = labels[i];
  }
  return Status::OK();
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
