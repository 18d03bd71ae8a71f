#include "classiflow/model_options.h"

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "analysis/utf8.h"
#include "models/kinds.h"
#include "util/json_options.h"

namespace classiflow {
namespace {

using Json = nlohmann::json;

// One setter per JSON key; each checks the value's type and range for its field and stores it.
using Setter =
    std::function<Status(const std::string& key, const Json& value, ModelOptions* options)>;

Status WrongType(const std::string& key, const char* expected, const Json& value) {
  return Status::InvalidArgument("option '" + key + "' must be " + expected + ", not " +
                                 DescribeJson(value));
}

template <class T>
Setter Set(T member) {
  return [member](const std::string& key, const Json& value, ModelOptions* options) {
    auto& field = std::invoke(member, options);
    using Field = std::remove_reference_t<decltype(field)>;
    if constexpr (std::is_same_v<Field, bool>) {
      if (!value.is_boolean()) return WrongType(key, "true or false", value);
      field = value.get<bool>();
    } else if constexpr (std::is_same_v<Field, std::string>) {
      if (!value.is_string() && !value.is_null()) return WrongType(key, "a string", value);
      field = value.is_null() ? std::string() : value.get<std::string>();
    } else if constexpr (std::is_floating_point_v<Field>) {
      if (!value.is_number()) return WrongType(key, "a number", value);
      field = value.get<Field>();
      if (!std::isfinite(field)) return WrongType(key, "a finite number", value);
    } else {
      return JsonToInteger(key, value, &field);
    }
    return Status::OK();
  };
}

Status SetLabels(const std::string& key, const Json& value, ModelOptions* o) {
  o->labels.clear();
  if (value.is_null()) return Status::OK();
  if (!value.is_array()) return WrongType(key, "a list of strings", value);
  o->labels.reserve(value.size());
  for (const auto& label : value) {
    if (!label.is_string()) return WrongType(key, "a list of strings", value);
    o->labels.push_back(label.get<std::string>());
  }
  return Status::OK();
}

const std::map<std::string, Setter>& Setters() {
  static const std::map<std::string, Setter> kSetters = {
      {"kind", Set([](ModelOptions* o) -> std::string& { return o->kind; })},
      {"labels", SetLabels},
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

std::string HexCodePoint(uint32_t cp) {
  char hex[16];
  (void)std::snprintf(hex, sizeof hex, "%04X", static_cast<unsigned>(cp));  // at most 8 digits
  return hex;
}

std::string KnownKeys() {
  std::string keys;
  for (const auto& [key, setter] : Setters()) keys += (keys.empty() ? "" : ", ") + key;
  return keys;
}

}  // namespace

Status ModelOptions::Validate() const {
  const ModelKind* found = FindKind(kind);
  if (found == nullptr) {
    return Status::InvalidArgument("unknown model kind " + QuotePrefix(kind) +
                                   " (known: " + KindNames() + ")");
  }
  if (!(min_confidence >= 0.0 && min_confidence <= 1.0)) {
    return Status::InvalidArgument("min_confidence must be in [0, 1]");
  }
  CF_RETURN_IF_ERROR(ValidateLabels(labels, found->max_labels).WithContext("labels"));
  CF_RETURN_IF_ERROR(analyzer.Validate());
  return bayes.Validate();
}

Status ModelOptions::FromJson(std::string_view json, ModelOptions* out,
                              std::optional<std::string_view> kind) {
  ModelOptions options;
  if (kind) options.kind = std::string(*kind);
  CF_RETURN_IF_ERROR(
      ForEachJsonOption(json, "options", [&](const std::string& key, const Json& value) {
        if (key == "kind" && kind && !(value.is_string() && value == *kind)) {
          return Status::InvalidArgument("options key \"kind\" is " + DescribeJson(value) +
                                         " but the kind argument is " + QuotePrefix(*kind));
        }
        auto setter = Setters().find(key);
        if (setter == Setters().end()) {
          return Status::InvalidArgument("unknown option " + QuotePrefix(key) +
                                         " (known: " + KnownKeys() + ")");
        }
        return setter->second(key, value, &options);
      }));
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
    return Status::InvalidArgument("model name must be 1..128 bytes long, not " +
                                   std::to_string(name.size()));
  }
  if (name[0] == '.') return Status::InvalidArgument("model name must not start with '.'");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("model name " + QuotePrefix(name) +
                                     " may only contain letters, digits, '_', '.' and '-'");
    }
  }
  return Status::OK();
}

namespace {

// Code points a label must not hold: they are invisible or reorder, break or end lines when a
// label is printed in a log, a terminal, a CSV or a web page. C0 and DEL are refused earlier.
bool IsForbiddenInLabel(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) ||      // C1 controls, NEL (U+0085) among them
         cp == 0x200E || cp == 0x200F ||    // LRM, RLM
         (cp >= 0x2028 && cp <= 0x202E) ||  // line/paragraph separators, bidi embeddings
         (cp >= 0x2066 && cp <= 0x2069) ||  // bidi isolates
         cp == 0xFEFF;                      // BOM / zero-width no-break space
}

}  // namespace

Status ValidateLabel(std::string_view label) {
  if (label.empty() || label.size() > 256) {
    return Status::InvalidArgument("label must be 1..256 bytes long, not " +
                                   std::to_string(label.size()));
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(label.data());
  for (size_t i = 0; i < label.size();) {
    if (bytes[i] < 0x20 || bytes[i] == 0x7f) {
      return Status::InvalidArgument("label must not contain control characters or NUL");
    }
    uint32_t code_point = bytes[i];
    const size_t len = bytes[i] < 0x80 ? 1 : utf8::Decode(bytes + i, label.size() - i, &code_point);
    if (len == 0) return Status::InvalidArgument("label must be valid UTF-8");
    if (IsForbiddenInLabel(code_point)) {
      return Status::InvalidArgument(
          "label must not contain control, bidi or line-separator "
          "characters (found U+" +
          HexCodePoint(code_point) + ")");
    }
    i += len;
  }
  return Status::OK();
}

Status ValidateLabels(std::span<const std::string> labels, size_t max_count) {
  // The count first: a million labels are refused before any of them is looked at.
  if (labels.size() > max_count) {
    return Status::InvalidArgument("a model holds at most " + std::to_string(max_count) +
                                   " labels, not " + std::to_string(labels.size()));
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    // append, not '+': GCC 12 misreports '+' chains with to_string (-Wrestrict).
    const std::string where = std::string("[").append(std::to_string(i)).append("]");
    CF_RETURN_IF_ERROR(ValidateLabel(labels[i]).WithContext(where));
    if (!seen.insert(labels[i]).second) {
      return Status::InvalidArgument("duplicate label " + QuotePrefix(labels[i]));
    }
  }
  return Status::OK();
}

}  // namespace classiflow
