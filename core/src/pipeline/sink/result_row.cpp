// Rows are built by hand rather than through nlohmann::json: the sink writes 100k+ rows a
// second on one thread, and four small JSON documents per row through a DOM cost more than
// the SQLite insert itself.
#include "pipeline/sink/result_row.h"

#include <charconv>

namespace classiflow {
namespace {

void AppendDouble(double value, std::string* out) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out->append(buf, ec == std::errc() ? end : buf);
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t plain = 0;  // the start of the run of bytes that need no escape
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
  }
  out->append(text.data() + plain, text.size() - plain);
  out->push_back('"');
}

void ToResultRow(const PipelineResult& result, ResultRow* row) {
  row->id = result.id;
  row->sink = result.route.empty() ? std::string_view() : std::string_view(result.route.back());
  row->has_prediction = !result.predictions.empty();
  row->has_label = false;
  if (row->has_prediction) {
    const StagePrediction& last = result.predictions.back();
    row->has_label = !last.label.empty();
    row->label = last.label;
    row->confidence = last.confidence;
    row->model = last.model;
    row->version = last.version;
  }
  std::string& route = row->route_json;
  route.assign("[");
  for (const std::string& stage : result.route) {
    if (route.size() > 1) route.push_back(',');
    AppendJsonString(stage, &route);
  }
  route.push_back(']');
  std::string& predictions = row->predictions_json;
  predictions.assign("{");
  for (const StagePrediction& p : result.predictions) {
    if (predictions.size() > 1) predictions.push_back(',');
    AppendJsonString(p.stage, &predictions);
    predictions.append(":{\"label\":");
    if (p.label.empty()) {
      predictions.append("null");
    } else {
      AppendJsonString(p.label, &predictions);
    }
    predictions.append(",\"confidence\":");
    AppendDouble(p.confidence, &predictions);
    predictions.append(",\"model\":");
    AppendJsonString(p.model, &predictions);
    predictions.append(",\"version\":").append(std::to_string(p.version)).push_back('}');
  }
  predictions.push_back('}');
  std::string& fields = row->fields_json;
  fields.assign("{");
  for (const Field& field : result.fields) {
    if (fields.size() > 1) fields.push_back(',');
    AppendJsonString(field.name, &fields);
    fields.push_back(':');
    fields.append(field.json);  // JSON text already
  }
  fields.push_back('}');
  std::string& valid = row->valid_json;
  valid.assign("{");
  for (const auto& [name, ok] : result.valid) {
    if (valid.size() > 1) valid.push_back(',');
    AppendJsonString(name, &valid);
    valid.append(ok ? ":true" : ":false");
  }
  valid.push_back('}');
  row->meta_json = result.meta;
  row->text = result.text;
  row->attempts = result.attempts;
  row->submitted_at_ms = result.submitted_at_ms;
  row->done_at_ms = result.done_at_ms;
  row->expires_at_ms = result.expires_at_ms;
}

}  // namespace classiflow
