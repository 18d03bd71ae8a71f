#include "pipeline/spec_settings.h"

#include "util/json_options.h"

namespace classiflow {
namespace {

using nlohmann::json;

Status SettingError(std::string_view key, std::string_view message) {
  return Status::InvalidArgument("pipeline spec: " + std::string(key) + ": " +
                                 std::string(message));
}

// An integer setting in [min, max].
template <class Int>
Status ReadInt(const std::string& key, const json& value, Int min, Int max, Int* out) {
  Status s = JsonToInteger(key, value, out);
  if (!s.ok() || *out < min || *out > max) {
    return SettingError(key, "must be an integer in [" + std::to_string(min) + ", " +
                                 std::to_string(max) + "], not " + DescribeJson(value));
  }
  return Status::OK();
}

Status ReadDurability(const json& value, Durability* out) {
  const std::string name = value.is_string() ? value.get<std::string>() : "";
  for (Durability d : {Durability::kNone, Durability::kBuffered, Durability::kSync}) {
    if (name == DurabilityName(d)) {
      *out = d;
      return Status::OK();
    }
  }
  return SettingError("durability",
                      "must be \"none\", \"buffered\" or \"sync\", not " + DescribeJson(value));
}

Status ReadBatch(const json& value, PipelineSpec* out) {
  if (!value.is_object()) return SettingError("batch", "must be {max_items, max_delay_ms}");
  for (const auto& item : value.items()) {
    if (item.key() == "max_items") {
      CF_RETURN_IF_ERROR(
          ReadInt<size_t>("batch.max_items", item.value(), 1, 1 << 20, &out->batch_max_items));
    } else if (item.key() == "max_delay_ms") {
      CF_RETURN_IF_ERROR(
          ReadInt<int64_t>("batch.max_delay_ms", item.value(), 0, 60000, &out->batch_max_delay_ms));
    } else {
      return SettingError("batch." + item.key(), "unknown key");
    }
  }
  return Status::OK();
}

Status ReadRetry(const json& value, PipelineSpec* out) {
  if (!value.is_object()) return SettingError("retry", "must be {initial_ms, max_ms}");
  for (const auto& item : value.items()) {
    if (item.key() == "initial_ms") {
      CF_RETURN_IF_ERROR(
          ReadInt<int64_t>("retry.initial_ms", item.value(), 0, 3600000, &out->retry_initial_ms));
    } else if (item.key() == "max_ms") {
      CF_RETURN_IF_ERROR(
          ReadInt<int64_t>("retry.max_ms", item.value(), 0, 86400000, &out->retry_max_ms));
    } else {
      return SettingError("retry." + item.key(), "unknown key");
    }
  }
  if (out->retry_max_ms < out->retry_initial_ms) {
    return SettingError("retry.max_ms", "must be >= retry.initial_ms");
  }
  return Status::OK();
}

}  // namespace

Status ParseSpecSettings(const json& doc, PipelineSpec* out, std::string* entry) {
  for (const auto& item : doc.items()) {
    const std::string& key = item.key();
    const json& value = item.value();
    if (key == "stages") continue;
    if (key == "durability") {
      CF_RETURN_IF_ERROR(ReadDurability(value, &out->durability));
    } else if (key == "batch") {
      CF_RETURN_IF_ERROR(ReadBatch(value, out));
    } else if (key == "retry") {
      CF_RETURN_IF_ERROR(ReadRetry(value, out));
    } else if (key == "max_in_flight") {
      CF_RETURN_IF_ERROR(ReadInt<size_t>(key, value, 1, size_t{1} << 24, &out->max_in_flight));
    } else if (key == "max_attempts") {
      CF_RETURN_IF_ERROR(ReadInt<uint32_t>(key, value, 1, 1000, &out->max_attempts));
    } else if (key == "callback_concurrency") {
      CF_RETURN_IF_ERROR(ReadInt<int>(key, value, 0, 1024, &out->callback_concurrency));
    } else if (key == "analytics") {
      CF_RETURN_IF_ERROR(ParseAnalyticsSpec(value, &out->analytics));
    } else if (key == "entry") {
      if (!value.is_string()) return SettingError("entry", "must be a stage name");
      *entry = value.get<std::string>();
    } else {
      return SettingError(key, "unknown key");
    }
  }
  return Status::OK();
}

const char* DurabilityName(Durability durability) {
  switch (durability) {
    case Durability::kNone:
      return "none";
    case Durability::kBuffered:
      return "buffered";
    case Durability::kSync:
      return "sync";
  }
  return "?";
}

}  // namespace classiflow
