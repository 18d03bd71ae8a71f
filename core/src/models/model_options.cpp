#include "classiflow/model_options.h"

#include <nlohmann/json.hpp>

#include "analysis/utf8.h"
#include "util/json_options.h"

#include <cmath>
#include <functional>
#include <map>

namespace classiflow {
namespace {

using Json = nlohmann::json;

// One setter per JSON key; each checks the value's type and stores it.
using Setter = std::function<bool(const Json& value, ModelOptions* options)>;

template <class T>
Setter Set(T member) {
  return [member](const Json& value, ModelOptions* options) {
    auto& field = std::invoke(member, options);
    using Field = std::remove_reference_t<decltype(field)>;
    if constexpr (std::is_same_v<Field, bool>) {
      if (!value.is_boolean()) return false;
    } else if constexpr (std::is_same_v<Field, std::string>) {
      if (!value.is_string() && !value.is_null()) return false;
      field = value.is_null() ? std::string() : value.get<std::string>();
      return true;
    } else if constexpr (std::is_floating_point_v<Field>) {
      if (!value.is_number()) return false;
    } else if constexpr (std::is_unsigned_v<Field>) {
      if (!value.is_number_unsigned()) return false;
    } else {
      if (!value.is_number_integer()) return false;
    }
    field = value.get<Field>();
    return true;
  };
}

const std::map<std::string, Setter>& Setters() {
  static const std::map<std::string, Setter> kSetters = {
      {"kind", Set([](ModelOptions* o) -> std::string& { return o->kind; })},
      {"labels",
       [](const Json& value, ModelOptions* o) {
         if (value.is_null()) return o->labels.clear(), true;
         if (!value.is_array()) return false;
         o->labels.clear();
         for (const auto& label : value) {
           if (!label.is_string()) return false;
           o->labels.push_back(label.get<std::string>());
         }
         return true;
       }},
      {"min_confidence", Set([](ModelOptions* o) -> double& { return o->min_confidence; })},
      {"alpha", Set([](ModelOptions* o) -> double& { return o->bayes.alpha; })},
      {"fit_prior", Set([](ModelOptions* o) -> bool& { return o->bayes.fit_prior; })},
      {"lowercase", Set([](ModelOptions* o) -> bool& { return o->analyzer.lowercase; })},
      {"stop_words", Set([](ModelOptions* o) -> bool& { return o->analyzer.stop_words; })},
      {"stemmer", Set([](ModelOptions* o) -> std::string& { return o->analyzer.stemmer; })},
      {"normalize_urls", Set([](ModelOptions* o) -> bool& { return o->analyzer.normalize_urls; })},
      {"normalize_emails",
       Set([](ModelOptions* o) -> bool& { return o->analyzer.normalize_emails; })},
      {"normalize_numbers",
       Set([](ModelOptions* o) -> bool& { return o->analyzer.normalize_numbers; })},
      {"ngrams", Set([](ModelOptions* o) -> int& { return o->analyzer.ngrams; })},
      {"hash_bits", Set([](ModelOptions* o) -> int& { return o->analyzer.hash_bits; })},
      {"max_text_bytes",
       Set([](ModelOptions* o) -> uint64_t& { return o->analyzer.max_text_bytes; })},
  };
  return kSetters;
}

std::string KnownKeys() {
  std::string keys;
  for (const auto& [key, setter] : Setters()) keys += (keys.empty() ? "" : ", ") + key;
  return keys;
}

}  // namespace

Status ModelOptions::Validate() const {
  if (kind != "bayes") {
    return Status::InvalidArgument("unknown model kind '" + kind + "' (known: bayes)");
  }
  if (!(min_confidence >= 0.0 && min_confidence <= 1.0)) {
    return Status::InvalidArgument("min_confidence must be in [0, 1]");
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    CF_RETURN_IF_ERROR(ValidateLabel(labels[i]).WithContext("labels[" + std::to_string(i) + "]"));
    for (size_t j = 0; j < i; ++j) {
      if (labels[j] == labels[i]) return Status::InvalidArgument("duplicate label '" + labels[i] + "'");
    }
  }
  CF_RETURN_IF_ERROR(analyzer.Validate());
  return bayes.Validate();
}

Status ModelOptions::FromJson(std::string_view json, ModelOptions* out) {
  ModelOptions options;
  CF_RETURN_IF_ERROR(ForEachJsonOption(json, "options", [&](const std::string& key, const Json& value) {
    auto setter = Setters().find(key);
    if (setter == Setters().end()) {
      return Status::InvalidArgument("unknown option '" + key + "' (known: " + KnownKeys() + ")");
    }
    if (!setter->second(value, &options)) {
      return Status::InvalidArgument("option '" + key + "' has the wrong type: " + value.dump());
    }
    return Status::OK();
  }));
  CF_RETURN_IF_ERROR(options.Validate());
  *out = std::move(options);
  return Status::OK();
}

std::string ModelOptions::ToJson() const {
  Json doc = {{"kind", kind},
              {"labels", labels},
              {"min_confidence", min_confidence},
              {"alpha", bayes.alpha},
              {"fit_prior", bayes.fit_prior},
              {"lowercase", analyzer.lowercase},
              {"stop_words", analyzer.stop_words},
              {"stemmer", analyzer.stemmer},
              {"normalize_urls", analyzer.normalize_urls},
              {"normalize_emails", analyzer.normalize_emails},
              {"normalize_numbers", analyzer.normalize_numbers},
              {"ngrams", analyzer.ngrams},
              {"hash_bits", analyzer.hash_bits},
              {"max_text_bytes", analyzer.max_text_bytes}};
  return doc.dump();
}

Status ValidateModelName(std::string_view name) {
  if (name.empty() || name.size() > 128) {
    return Status::InvalidArgument("model name must be 1..128 bytes long");
  }
  if (name[0] == '.') return Status::InvalidArgument("model name must not start with '.'");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("model name '" + std::string(name) +
                                     "' may only contain letters, digits, '_', '.' and '-'");
    }
  }
  return Status::OK();
}

Status ValidateLabel(std::string_view label) {
  if (label.empty() || label.size() > 256) {
    return Status::InvalidArgument("label must be 1..256 bytes long");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(label.data());
  for (size_t i = 0; i < label.size();) {
    if (bytes[i] < 0x20 || bytes[i] == 0x7f) {
      return Status::InvalidArgument("label must not contain control characters or NUL");
    }
    uint32_t code_point = 0;
    const size_t len = bytes[i] < 0x80 ? 1 : utf8::Decode(bytes + i, label.size() - i, &code_point);
    if (len == 0) return Status::InvalidArgument("label must be valid UTF-8");
    i += len;
  }
  return Status::OK();
}

}  // namespace classiflow
