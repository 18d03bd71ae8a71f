// Parsing of flat JSON option objects ({"key": value, ...}), shared by every *Options::FromJson
// so that empty input, "null", malformed JSON, non-objects, hostile nesting and non-finite
// numbers are treated the same everywhere.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>

#include "classiflow/status.h"

namespace classiflow {

// Options are flat; labels add one level. Anything deeper is hostile, and refusing it before
// nlohmann builds (and later destroys or dumps, recursively) the tree keeps the stack safe.
inline constexpr int kMaxJsonDepth = 64;
// Error messages quote at most this many bytes of a user's value: a 1 MB value must not
// become a 1 MB message.
inline constexpr size_t kMaxQuotedBytes = 60;

// `text` in single quotes, cut to kMaxQuotedBytes on a UTF-8 character boundary ("..." marks
// a cut).
inline std::string QuotePrefix(std::string_view text) {
  size_t cut = text.size();
  if (cut > kMaxQuotedBytes) {
    cut = kMaxQuotedBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  }
  std::string quoted(1, '\'');
  quoted.append(text.data(), cut);
  if (cut < text.size()) quoted.append("...");
  quoted.push_back('\'');
  return quoted;
}

// A short description of a JSON value for an error message: scalars quoted (cut), containers
// by type only. Never dump() a container: its size and depth are the caller's.
inline std::string DescribeJson(const nlohmann::json& value) {
  if (value.is_structured()) return std::string("a JSON ") + value.type_name();
  return QuotePrefix(value.dump());
}

namespace json_detail {

// A linear scan of `json` outside string literals, up to byte `stop`: nesting deeper than
// kMaxJsonDepth, and the non-JSON literals NaN / Infinity / -Infinity (what Python's json.dumps
// writes for float('nan') and float('inf')), are refused naming the top-level key they appear
// under. `key` receives the last top-level key before `stop`. The rest is nlohmann's job.
inline Status PreScan(std::string_view json, std::string_view what, size_t stop,
                      std::string_view* key) {
  int depth = 0;
  bool in_string = false, escaped = false, expect_key = false, reading_key = false;
  size_t key_begin = 0;
  for (size_t i = 0; i < json.size() && i < stop; ++i) {
    const char c = json[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
        if (reading_key) *key = json.substr(key_begin, i - key_begin), reading_key = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      reading_key = depth == 1 && expect_key;
      expect_key = false;
      key_begin = i + 1;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        return Status::InvalidArgument(std::string(what) + " are nested deeper than " +
                                       std::to_string(kMaxJsonDepth) + " levels");
      }
      expect_key = depth == 1 && c == '{';
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',') {
      expect_key = depth == 1;
    } else if (c == 'N' || c == 'I') {  // no JSON token outside a string starts with these
      const std::string where = key->empty() ? std::string(what) : "option " + QuotePrefix(*key);
      return Status::InvalidArgument(where + " must be a finite number, not NaN or infinity");
    }
  }
  return Status::OK();
}

// Parses `json` (already pre-scanned, so no deeper than kMaxJsonDepth). An error names the
// top-level option nlohmann was reading, never quotes its text (e.what() may hold a whole
// token, a 1 MB string).
inline Status Parse(std::string_view json, std::string_view what, nlohmann::json* doc) {
  std::string key;  // the last top-level key the parser reported
  using Event = nlohmann::json::parse_event_t;
  const nlohmann::json::parser_callback_t track = [&key](int depth, Event event,
                                                         nlohmann::json& parsed) {
    if (depth == 1 && event == Event::key) key = parsed.get<std::string>();
    return true;
  };
  try {
    *doc = nlohmann::json::parse(json, track);
  } catch (const nlohmann::json::exception& e) {
    if (key.empty()) return Status::InvalidArgument(std::string(what) + " are not valid JSON");
    constexpr int kNumberOverflow = 406;  // nlohmann's out_of_range.406: 1e400
    if (e.id == kNumberOverflow) {
      return Status::InvalidArgument("option " + QuotePrefix(key) + " must be a finite number");
    }
    return Status::InvalidArgument(std::string(what) + " are not valid JSON (in option " +
                                   QuotePrefix(key) + ")");
  }
  return Status::OK();
}

}  // namespace json_detail

// Calls set(key, value) for each member of the object in `json`; "" and "null" have none.
// InvalidArgument, naming `what`, for malformed JSON, nesting deeper than kMaxJsonDepth, or a
// non-object; NaN, Infinity and overflowing numbers name their option; an error from `set` is
// returned as is.
inline Status ForEachJsonOption(
    std::string_view json, std::string_view what,
    const std::function<Status(const std::string& key, const nlohmann::json& value)>& set) {
  if (json.empty()) return Status::OK();
  std::string_view key;
  CF_RETURN_IF_ERROR(json_detail::PreScan(json, what, json.size(), &key));
  nlohmann::json doc;
  CF_RETURN_IF_ERROR(json_detail::Parse(json, what, &doc));
  if (doc.is_null()) return Status::OK();
  if (!doc.is_object())
    return Status::InvalidArgument(std::string(what) + " must be a JSON object");
  for (const auto& item : doc.items()) CF_RETURN_IF_ERROR(set(item.key(), item.value()));
  return Status::OK();
}

// Reads a JSON number into an integer field without truncation: InvalidArgument naming `key`
// for a non-integer (20.5, "20", true) or a value outside Int's range (2^32 + 20 for an int,
// -1 for an unsigned).
template <class Int>
Status JsonToInteger(const std::string& key, const nlohmann::json& value, Int* out) {
  static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>);
  const auto range_error = [&] {
    return Status::InvalidArgument("option '" + key + "' must be an integer in [" +
                                   std::to_string(std::numeric_limits<Int>::min()) + ", " +
                                   std::to_string(std::numeric_limits<Int>::max()) + "], not " +
                                   DescribeJson(value));
  };
  if (value.is_number_unsigned()) {
    const uint64_t v = value.get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<Int>::max())) return range_error();
    *out = static_cast<Int>(v);
  } else if (value.is_number_integer()) {  // negative: nlohmann keeps >= 0 as unsigned
    const int64_t v = value.get<int64_t>();
    if (!std::is_signed_v<Int> || v < static_cast<int64_t>(std::numeric_limits<Int>::min())) {
      return range_error();
    }
    *out = static_cast<Int>(v);
  } else {
    return range_error();
  }
  return Status::OK();
}

}  // namespace classiflow
