#include "pipeline/analytics/analytics_spec.h"

#include <algorithm>

#include "pipeline/spec.h"
#include "util/json_options.h"

namespace classiflow {
namespace {

using nlohmann::json;

Status AnalyticsError(std::string_view key, std::string_view message) {
  return Status::InvalidArgument("pipeline spec: analytics." + std::string(key) + ": " +
                                 std::string(message));
}

Status ReadCount(const std::string& key, const json& value, uint32_t min, uint32_t max,
                 uint32_t* out) {
  Status s = JsonToInteger(key, value, out);
  if (!s.ok() || *out < min || *out > max) {
    return AnalyticsError(key, "must be an integer in [" + std::to_string(min) + ", " +
                                   std::to_string(max) + "], not " + DescribeJson(value));
  }
  return Status::OK();
}

Status ReadFraction(const std::string& key, const json& value, double* out) {
  if (!value.is_number() || value.get<double>() < 0.0 || value.get<double>() > 1.0) {
    return AnalyticsError(key, "must be a number in [0, 1], not " + DescribeJson(value));
  }
  *out = value.get<double>();
  return Status::OK();
}

Status ReadString(const std::string& key, const json& value, std::string* out) {
  if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
    return AnalyticsError(key, "must be a non-empty string, not " + DescribeJson(value));
  }
  *out = value.get<std::string>();
  return Status::OK();
}

Status ReadUrgent(const json& value, AnalyticsSpec* out) {
  if (!value.is_object()) {
    return AnalyticsError("urgent", "must be {labels, min_confidence, field, stage, keep}");
  }
  UrgentRule& rule = out->urgent;
  for (const auto& item : value.items()) {
    const std::string& key = item.key();
    if (key == "labels") {
      if (!item.value().is_array() || item.value().empty()) {
        return AnalyticsError("urgent.labels", "must be a non-empty list of labels");
      }
      for (const json& label : item.value()) {
        rule.labels.emplace_back();
        CF_RETURN_IF_ERROR(ReadString("urgent.labels[]", label, &rule.labels.back()));
      }
    } else if (key == "min_confidence") {
      CF_RETURN_IF_ERROR(ReadFraction("urgent.min_confidence", item.value(), &rule.min_confidence));
    } else if (key == "field") {
      CF_RETURN_IF_ERROR(ReadString("urgent.field", item.value(), &rule.field));
    } else if (key == "stage") {
      CF_RETURN_IF_ERROR(ReadString("urgent.stage", item.value(), &rule.stage_name));
    } else if (key == "keep") {
      CF_RETURN_IF_ERROR(ReadCount("urgent.keep", item.value(), 1, 10000, &out->urgent_keep));
    } else {
      return AnalyticsError("urgent." + key, "unknown key");
    }
  }
  if (rule.labels.empty()) return AnalyticsError("urgent.labels", "missing");
  std::sort(rule.labels.begin(), rule.labels.end());
  rule.labels.erase(std::unique(rule.labels.begin(), rule.labels.end()), rule.labels.end());
  return Status::OK();
}

Status ReadFeedback(const json& value, AnalyticsSpec* out) {
  if (!value.is_object()) {
    return AnalyticsError("feedback", "must be {train, alert_window, alert_below, alert_min}");
  }
  for (const auto& item : value.items()) {
    const std::string& key = item.key();
    if (key == "train") {
      const std::string mode = item.value().is_string() ? item.value().get<std::string>() : "";
      if (mode != "online" && mode != "later") {
        return AnalyticsError("feedback.train",
                              "must be \"online\" or \"later\", not " + DescribeJson(item.value()));
      }
      out->training = mode == "online" ? FeedbackTraining::kOnline : FeedbackTraining::kLater;
    } else if (key == "alert_window") {
      CF_RETURN_IF_ERROR(
          ReadCount("feedback.alert_window", item.value(), 1, 100000, &out->alert_window));
    } else if (key == "alert_below") {
      CF_RETURN_IF_ERROR(ReadFraction("feedback.alert_below", item.value(), &out->alert_below));
    } else if (key == "alert_min") {
      CF_RETURN_IF_ERROR(ReadCount("feedback.alert_min", item.value(), 1, 100000, &out->alert_min));
    } else {
      return AnalyticsError("feedback." + key, "unknown key");
    }
  }
  if (out->alert_min > out->alert_window) {
    return AnalyticsError("feedback.alert_min", "must be <= feedback.alert_window");
  }
  return Status::OK();
}

}  // namespace

Status ParseAnalyticsSpec(const json& value, AnalyticsSpec* out) {
  if (value.is_boolean()) {
    out->enabled = value.get<bool>();
    return Status::OK();
  }
  if (!value.is_object()) {
    return Status::InvalidArgument(
        "pipeline spec: analytics: must be true, false or an object of settings");
  }
  for (const auto& item : value.items()) {
    const std::string& key = item.key();
    const json& v = item.value();
    if (key == "enabled") {
      if (!v.is_boolean()) return AnalyticsError(key, "must be true or false");
      out->enabled = v.get<bool>();
    } else if (key == "histogram_bins") {
      CF_RETURN_IF_ERROR(ReadCount(key, v, 1, 1000, &out->histogram_bins));
    } else if (key == "minutes") {
      CF_RETURN_IF_ERROR(ReadCount(key, v, 0, 100000, &out->minutes));
    } else if (key == "hours") {
      CF_RETURN_IF_ERROR(ReadCount(key, v, 0, 100000, &out->hours));
    } else if (key == "review_keep") {
      CF_RETURN_IF_ERROR(ReadCount(key, v, 0, 10000, &out->review_keep));
    } else if (key == "urgent") {
      CF_RETURN_IF_ERROR(ReadUrgent(v, out));
    } else if (key == "feedback") {
      CF_RETURN_IF_ERROR(ReadFeedback(v, out));
    } else {
      return AnalyticsError(key, "unknown key");
    }
  }
  return Status::OK();
}

Status ResolveAnalyticsSpec(PipelineSpec* spec) {
  UrgentRule& rule = spec->analytics.urgent;
  if (rule.stage_name.empty()) return Status::OK();
  rule.stage = spec->Find(rule.stage_name);
  if (rule.stage == kNoStage || spec->stages[rule.stage].kind != StageKind::kClassify) {
    return AnalyticsError("urgent.stage", "'" + rule.stage_name + "' is not a classify stage");
  }
  return Status::OK();
}

}  // namespace classiflow
