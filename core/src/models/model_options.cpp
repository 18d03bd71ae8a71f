#include "classiflow/model_options.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "analysis/utf8.h"
#include "models/kinds.h"
#include "models/option_table.h"
#include "util/json_options.h"

namespace classiflow {
namespace {

using Json = nlohmann::json;

Status SetLabels(const std::string& key, const Json& value, ModelOptions* o) {
  o->labels.clear();
  if (value.is_null()) return Status::OK();
  if (!value.is_array()) return WrongOptionType(key, "a list of strings", value);
  o->labels.reserve(value.size());
  for (const auto& label : value) {
    if (!label.is_string()) return WrongOptionType(key, "a list of strings", value);
    o->labels.push_back(label.get<std::string>());
  }
  return Status::OK();
}

// The keys every kind has; "kind" itself is resolved before any key is set.
const OptionTable& SharedOptionTable() {
  static const OptionTable kTable = {
      {"kind", Field([](auto* o) -> auto& { return o->kind; })},
      {"labels", {SetLabels, [](const ModelOptions& o) { return Json(o.labels); }}},
      {"min_confidence", Field([](auto* o) -> auto& { return o->min_confidence; })},
      {"lowercase", Field([](auto* o) -> auto& { return o->analyzer.lowercase; })},
      {"stop_words", Field([](auto* o) -> auto& { return o->analyzer.stop_words; })},
      {"stemmer", Field([](auto* o) -> auto& { return o->analyzer.stemmer; })},
      {"normalize_urls", Field([](auto* o) -> auto& { return o->analyzer.normalize_urls; })},
      {"normalize_emails", Field([](auto* o) -> auto& { return o->analyzer.normalize_emails; })},
      {"normalize_numbers", Field([](auto* o) -> auto& { return o->analyzer.normalize_numbers; })},
      {"ngrams", Field([](auto* o) -> auto& { return o->analyzer.ngrams; })},
      {"hash_bits", Field([](auto* o) -> auto& { return o->analyzer.hash_bits; })},
      {"max_text_bytes", Field([](auto* o) -> auto& { return o->analyzer.max_text_bytes; })},
  };
  return kTable;
}

Status UnknownKind(std::string_view kind) {
  return Status::InvalidArgument("unknown model kind " + QuotePrefix(kind) +
                                 " (known: " + KindNames() + ")");
}

// The entry of `key` for a model of `kind`; InvalidArgument naming the key's own kind when it
// belongs to another one, or listing the keys `kind` has.
Status FindOptionKey(const std::string& key, const ModelKind& kind, const OptionKey** out) {
  for (const OptionTable* table : {&SharedOptionTable(), &kind.option_table()}) {
    if (auto it = table->find(key); it != table->end()) {
      *out = &it->second;
      return Status::OK();
    }
  }
  for (const ModelKind& other : AllKinds()) {
    if (other.option_table().count(key) != 0) {
      return Status::InvalidArgument("option " + QuotePrefix(key) + " belongs to kind '" +
                                     std::string(other.name) + "', not '" + std::string(kind.name) +
                                     "'");
    }
  }
  std::string known;
  for (const OptionTable* table : {&SharedOptionTable(), &kind.option_table()}) {
    for (const auto& [name, entry] : *table) known += (known.empty() ? "" : ", ") + name;
  }
  return Status::InvalidArgument("unknown option " + QuotePrefix(key) + " for kind '" +
                                 std::string(kind.name) + "' (known: " + known + ")");
}

std::string HexCodePoint(uint32_t cp) {
  char hex[16];
  (void)std::snprintf(hex, sizeof hex, "%04X", static_cast<unsigned>(cp));  // at most 8 digits
  return hex;
}

}  // namespace

Status ModelOptions::Validate() const {
  const ModelKind* found = FindKind(kind);
  if (found == nullptr) return UnknownKind(kind);
  if (!(min_confidence >= 0.0 && min_confidence <= 1.0)) {
    return Status::InvalidArgument("min_confidence must be in [0, 1]");
  }
  CF_RETURN_IF_ERROR(ValidateLabels(labels, found->max_labels).WithContext("labels"));
  CF_RETURN_IF_ERROR(analyzer.Validate());
  return found->validate(*this);
}

Status ModelOptions::FromJson(std::string_view json, ModelOptions* out,
                              std::optional<std::string_view> kind) {
  // The kind decides which keys exist, and it may come after them: collect, then set.
  std::vector<std::pair<std::string, Json>> entries;
  std::optional<Json> kind_value;
  CF_RETURN_IF_ERROR(
      ForEachJsonOption(json, "options", [&](const std::string& key, const Json& value) {
        if (key == "kind") kind_value = value;
        entries.emplace_back(key, value);
        return Status::OK();
      }));
  ModelOptions options;
  if (kind_value) {
    if (!kind_value->is_string()) return WrongOptionType("kind", "a string", *kind_value);
    if (kind && *kind_value != *kind) {
      return Status::InvalidArgument("options key \"kind\" is " + DescribeJson(*kind_value) +
                                     " but the kind argument is " + QuotePrefix(*kind));
    }
    options.kind = kind_value->get<std::string>();
  } else if (kind) {
    options.kind = std::string(*kind);
  }
  const ModelKind* found = FindKind(options.kind);
  if (found == nullptr) return UnknownKind(options.kind);
  for (const auto& [key, value] : entries) {
    const OptionKey* entry = nullptr;
    CF_RETURN_IF_ERROR(FindOptionKey(key, *found, &entry));
    CF_RETURN_IF_ERROR(entry->set(key, value, &options));
  }
  *out = std::move(options);
  return Status::OK();
}

std::string ModelOptions::ToJson() const {
  Json doc = Json::object();
  const ModelKind* found = FindKind(kind);
  for (const OptionTable* table :
       {&SharedOptionTable(), found ? &found->option_table() : nullptr}) {
    if (table == nullptr) continue;
    for (const auto& [key, entry] : *table) doc[key] = entry.get(*this);
  }
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
