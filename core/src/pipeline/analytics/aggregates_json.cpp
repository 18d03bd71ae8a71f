// The aggregates as users read them: a JSON document (Pipeline::AnalyticsJson) and Prometheus
// lines (Pipeline::MetricsText). Means, accuracy and macro-F1 are derived here, at read time,
// from the counts the records keep.
#include <cmath>
#include <sstream>

#include "pipeline/analytics/aggregates.h"

namespace classiflow {
namespace {

using nlohmann::json;

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

// A Prometheus label value: backslash, quote and newline escaped.
std::string Escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

struct Scores {
  uint64_t n = 0;
  double accuracy = 0.0, macro_f1 = 0.0;
};

// Accuracy and macro-F1 (the mean F1 over every label that is a truth or a prediction).
template <class Confusion>
Scores Score(const Confusion& confusion, std::vector<std::string>* labels_out,
             std::vector<std::vector<uint64_t>>* matrix_out) {
  std::vector<std::string> labels;
  for (const auto& [cell, count] : confusion) {
    labels.push_back(cell.first);
    labels.push_back(cell.second);
  }
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  const auto at = [&](const std::string& l) {
    return static_cast<size_t>(std::lower_bound(labels.begin(), labels.end(), l) - labels.begin());
  };
  std::vector<std::vector<uint64_t>> matrix(labels.size(), std::vector<uint64_t>(labels.size()));
  Scores s;
  uint64_t correct = 0;
  for (const auto& [cell, count] : confusion) {
    matrix[at(cell.first)][at(cell.second)] += count;
    s.n += count;
    if (cell.first == cell.second) correct += count;
  }
  double f1_sum = 0.0;
  for (size_t i = 0; i < labels.size(); ++i) {
    uint64_t row = 0, col = 0;
    for (size_t j = 0; j < labels.size(); ++j) row += matrix[i][j], col += matrix[j][i];
    const uint64_t tp = matrix[i][i];
    const uint64_t denominator = row + col;  // 2tp + fp + fn
    f1_sum +=
        denominator == 0 ? 0.0 : 2.0 * static_cast<double>(tp) / static_cast<double>(denominator);
  }
  s.accuracy = s.n == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(s.n);
  s.macro_f1 = labels.empty() ? 0.0 : f1_sum / static_cast<double>(labels.size());
  if (labels_out != nullptr) *labels_out = std::move(labels);
  if (matrix_out != nullptr) *matrix_out = std::move(matrix);
  return s;
}

}  // namespace

json Aggregates::ToJson() const {
  json out = {{"items", items_},
              {"since_seq", base_seq_},
              {"first_at", items_ == 0 ? json() : json(Seconds(first_ms_))},
              {"last_at", items_ == 0 ? json() : json(Seconds(last_ms_))}};
  json stages = json::object();
  for (size_t i = 0; i < spec_->stages.size(); ++i) {
    const StageSpec& spec = spec_->stages[i];
    json stage = {{"kind", StageKindName(spec.kind)},
                  {"items", stage_items_[i]},
                  {"retries", stage_retries_[i]},
                  {"dead_letters", stage_dead_[i]}};
    if (spec.kind == StageKind::kClassify) {
      stage["model"] = spec.classify.model;
      const auto it = classify_.find(static_cast<uint16_t>(i));
      json labels = json::object();
      json series = {{"per_minute", json::array()}, {"per_hour", json::array()}};
      std::vector<uint64_t> histogram(settings_->histogram_bins);
      if (it != classify_.end()) {
        for (const LabelTally& l : it->second.labels) {
          labels[l.label] = {
              {"count", l.count},
              {"mean_confidence",
               l.count == 0 ? 0.0 : l.confidence_sum / static_cast<double>(l.count)}};
        }
        histogram = it->second.histogram;
        for (const auto& [name, buckets, unit_ms] :
             {std::tuple{"per_minute", &minutes_, int64_t{60000}},
              std::tuple{"per_hour", &hours_, int64_t{3600000}}}) {
          for (const auto& [at, bucket] : *buckets) {
            json counts = json::object();
            for (auto cell = bucket.lower_bound(uint64_t{i} << 32);
                 cell != bucket.end() && cell->first >> 32 == i; ++cell) {
              counts[it->second.labels[cell->first & 0xffffffff].label] = cell->second;
            }
            if (!counts.empty())
              series[name].push_back({{"t", Seconds(at * unit_ms)}, {"counts", counts}});
          }
        }
      }
      stage["labels"] = std::move(labels);
      json edges = json::array();
      for (size_t b = 0; b <= histogram.size(); ++b) {
        edges.push_back(static_cast<double>(b) / static_cast<double>(histogram.size()));
      }
      stage["histogram"] = {{"edges", edges}, {"counts", histogram}};
      stage["per_minute"] = std::move(series["per_minute"]);
      stage["per_hour"] = std::move(series["per_hour"]);
    }
    stages[spec.name] = std::move(stage);
  }
  out["stages"] = std::move(stages);
  json routes = json::array();
  for (const auto& [edge, count] : routes_) {
    const size_t from = edge >> 16, to = edge & 0xffff;
    if (from >= spec_->stages.size() || to >= spec_->stages.size()) continue;
    routes.push_back(
        {{"from", spec_->stages[from].name}, {"to", spec_->stages[to].name}, {"count", count}});
  }
  out["routes"] = std::move(routes);
  json fields = json::object();
  for (const auto& [name, f] : fields_) {
    fields[name] = {{"extracted", f.extracted}, {"valid", f.valid}, {"invalid", f.invalid}};
  }
  out["fields"] = std::move(fields);
  const auto entry = [&](const ListEntry& e) {
    json j = {{"id", e.id},
              {"stage", e.stage < spec_->stages.size() ? spec_->stages[e.stage].name : "?"},
              {"label", e.label},
              {"confidence", e.confidence},
              {"done_at", Seconds(e.done_ms)}};
    if (!e.field.empty()) j["field"] = json::parse(e.field, nullptr, false);
    return j;
  };
  json urgent = json::array();
  for (const ListEntry& e : urgent_) urgent.push_back(entry(e));
  out["urgent"] = std::move(urgent);
  json review = json::array();
  for (const ListEntry* e : ReviewInOrder()) review.push_back(entry(*e));
  out["needs_review"] = std::move(review);
  json versions_by_stage = json::object();
  for (const auto& [at, confusion] : confusion_) {
    if (at.first >= spec_->stages.size()) continue;
    std::vector<std::string> labels;
    std::vector<std::vector<uint64_t>> matrix;
    const Scores s = Score(confusion, &labels, &matrix);
    versions_by_stage[spec_->stages[at.first].name][std::to_string(at.second)] = {
        {"n", s.n},
        {"accuracy", s.accuracy},
        {"macro_f1", s.macro_f1},
        {"labels", labels},
        {"confusion", matrix}};
  }
  uint64_t recent_correct = 0;
  for (bool c : recent_) recent_correct += c ? 1 : 0;
  const double recent_accuracy =
      recent_.empty() ? 0.0
                      : static_cast<double>(recent_correct) / static_cast<double>(recent_.size());
  out["feedback"] = {{"total", feedback_total_},
                     {"correct", feedback_correct_},
                     {"accuracy", feedback_total_ == 0 ? 0.0
                                                       : static_cast<double>(feedback_correct_) /
                                                             static_cast<double>(feedback_total_)},
                     {"recent",
                      {{"window", settings_->alert_window},
                       {"n", recent_.size()},
                       {"accuracy", recent_accuracy},
                       {"alert_below", settings_->alert_below},
                       {"alert", Alerting()}}},
                     {"versions", std::move(versions_by_stage)}};
  return out;
}

bool Aggregates::Alerting() const {
  if (settings_->alert_below <= 0.0 || recent_.size() < settings_->alert_min) return false;
  uint64_t correct = 0;
  for (bool c : recent_) correct += c ? 1 : 0;
  return static_cast<double>(correct) <
         settings_->alert_below * static_cast<double>(recent_.size());
}

void Aggregates::AppendMetrics(const std::string& labels, std::string* text) const {
  std::ostringstream out;
  const auto head = [&](const char* name, const char* type, const char* help) {
    out << "# HELP classiflow_pipeline_" << name << " " << help << "\n"
        << "# TYPE classiflow_pipeline_" << name << " " << type << "\n";
  };
  const auto stage_label = [&](size_t stage) {
    return labels + ",stage=\"" + Escape(spec_->stages[stage].name) + "\"";
  };
  head("analytics_items_total", "counter", "Results counted by the analytics since their reset.");
  out << "classiflow_pipeline_analytics_items_total{" << labels << "} " << items_ << "\n";
  head("label_total", "counter",
       "Answers per classify stage and label (\"\" = below min_confidence).");
  for (const auto& [stage, tally] : classify_) {
    for (const LabelTally& l : tally.labels) {
      out << "classiflow_pipeline_label_total{" << stage_label(stage) << ",label=\""
          << Escape(l.label) << "\"} " << l.count << "\n";
    }
  }
  head("label_confidence_mean", "gauge", "Mean confidence per classify stage and label.");
  for (const auto& [stage, tally] : classify_) {
    for (const LabelTally& l : tally.labels) {
      out << "classiflow_pipeline_label_confidence_mean{" << stage_label(stage) << ",label=\""
          << Escape(l.label) << "\"} "
          << (l.count == 0 ? 0.0 : l.confidence_sum / static_cast<double>(l.count)) << "\n";
    }
  }
  head("confidence", "histogram", "Confidence of a classify stage's answers.");
  for (const auto& [stage, tally] : classify_) {
    uint64_t cumulative = 0;
    double sum = 0.0;
    for (const LabelTally& l : tally.labels) sum += l.confidence_sum;
    for (size_t b = 0; b < tally.histogram.size(); ++b) {
      cumulative += tally.histogram[b];
      const double le = static_cast<double>(b + 1) / static_cast<double>(tally.histogram.size());
      out << "classiflow_pipeline_confidence_bucket{" << stage_label(stage) << ",le=\""
          << (b + 1 == tally.histogram.size() ? std::string("+Inf")
                                              : std::to_string(le).substr(0, 6))
          << "\"} " << cumulative << "\n";
    }
    out << "classiflow_pipeline_confidence_sum{" << stage_label(stage) << "} " << sum << "\n"
        << "classiflow_pipeline_confidence_count{" << stage_label(stage) << "} " << cumulative
        << "\n";
  }
  head("route_total", "counter", "Items that went from one stage to the next.");
  for (const auto& [edge, count] : routes_) {
    const size_t from = edge >> 16, to = edge & 0xffff;
    if (from >= spec_->stages.size() || to >= spec_->stages.size()) continue;
    out << "classiflow_pipeline_route_total{" << labels << ",from=\""
        << Escape(spec_->stages[from].name) << "\",to=\"" << Escape(spec_->stages[to].name)
        << "\"} " << count << "\n";
  }
  head("field_total", "counter", "Fields extracted, and validated as valid or invalid.");
  for (const auto& [name, f] : fields_) {
    for (const auto& [outcome, count] :
         {std::pair{"extracted", f.extracted}, {"valid", f.valid}, {"invalid", f.invalid}}) {
      out << "classiflow_pipeline_field_total{" << labels << ",field=\"" << Escape(name)
          << "\",outcome=\"" << outcome << "\"} " << count << "\n";
    }
  }
  head("stage_retries_total", "counter", "Retries scheduled per stage.");
  for (size_t i = 0; i < stage_retries_.size(); ++i) {
    out << "classiflow_pipeline_stage_retries_total{" << stage_label(i) << "} " << stage_retries_[i]
        << "\n";
  }
  head("stage_dead_letters_total", "counter", "Items dead-lettered per stage.");
  for (size_t i = 0; i < stage_dead_.size(); ++i) {
    out << "classiflow_pipeline_stage_dead_letters_total{" << stage_label(i) << "} "
        << stage_dead_[i] << "\n";
  }
  head("urgent_items", "gauge", "Items in the urgent list.");
  out << "classiflow_pipeline_urgent_items{" << labels << "} " << urgent_.size() << "\n";
  head("needs_review_items", "gauge", "Items in the needs-review list.");
  out << "classiflow_pipeline_needs_review_items{" << labels << "} " << review_.size() << "\n";
  head("feedback_total", "counter", "Results with feedback (the true label).");
  out << "classiflow_pipeline_feedback_total{" << labels << "} " << feedback_total_ << "\n";
  head("feedback_accuracy", "gauge",
       "Accuracy per classify stage and model version, from feedback.");
  for (const auto& [at, confusion] : confusion_) {
    if (at.first >= spec_->stages.size()) continue;
    out << "classiflow_pipeline_feedback_accuracy{" << stage_label(at.first) << ",version=\""
        << at.second << "\"} " << Score(confusion, nullptr, nullptr).accuracy << "\n";
  }
  head("feedback_macro_f1", "gauge",
       "Macro-F1 per classify stage and model version, from feedback.");
  for (const auto& [at, confusion] : confusion_) {
    if (at.first >= spec_->stages.size()) continue;
    out << "classiflow_pipeline_feedback_macro_f1{" << stage_label(at.first) << ",version=\""
        << at.second << "\"} " << Score(confusion, nullptr, nullptr).macro_f1 << "\n";
  }
  uint64_t correct = 0;
  for (bool c : recent_) correct += c ? 1 : 0;
  head("feedback_recent_accuracy", "gauge", "Accuracy over the last feedback window.");
  out << "classiflow_pipeline_feedback_recent_accuracy{" << labels << "} "
      << (recent_.empty() ? 0.0
                          : static_cast<double>(correct) / static_cast<double>(recent_.size()))
      << "\n";
  if (Alerting()) {
    head("feedback_alert", "gauge",
         "1: accuracy over the last feedback window fell below the pipeline's alert_below.");
    out << "classiflow_pipeline_feedback_alert{" << labels << ",window=\"" << recent_.size()
        << "\",below=\"" << settings_->alert_below << "\"} 1\n";
  }
  *text += out.str();
}

}  // namespace classiflow
