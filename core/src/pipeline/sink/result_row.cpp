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

void ToResultRow(const ItemState& item, const PipelineSpec& spec, int64_t done_ms,
                 int64_t expires_ms, ResultRow* row) {
  row->id = item.id;
  row->sink = item.route.empty() ? std::string_view() : spec.stages[item.route.back()].name;
  row->has_prediction = !item.predictions.empty();
  row->has_label = false;
  if (row->has_prediction) {
    const ItemPrediction& last = item.predictions.back();
    row->has_label = !last.label.empty();
    row->label = last.label;
    row->confidence = last.confidence;
    row->model = spec.stages[last.stage].classify.model;
    row->version = last.version;
  }
  std::string& route = row->route_json;
  route.assign("[");
  for (uint16_t stage : item.route) {
    if (route.size() > 1) route.push_back(',');
    AppendJsonString(spec.stages[stage].name, &route);
  }
  route.push_back(']');
  std::string& predictions = row->predictions_json;
  predictions.assign("{");
  for (const ItemPrediction& p : item.predictions) {
    const StageSpec& stage = spec.stages[p.stage];
    if (predictions.size() > 1) predictions.push_back(',');
    AppendJsonString(stage.name, &predictions);
    predictions.append(":{\"label\":");
    if (p.label.empty()) {
      predictions.append("null");
    } else {
      AppendJsonString(p.label, &predictions);
    }
    predictions.append(",\"confidence\":");
    AppendDouble(p.confidence, &predictions);
    predictions.append(",\"model\":");
    AppendJsonString(stage.classify.model, &predictions);
    predictions.append(",\"version\":").append(std::to_string(p.version)).push_back('}');
  }
  predictions.push_back('}');
  std::string& fields = row->fields_json;
  fields.assign("{");
  for (const ItemField& field : item.fields) {
    if (fields.size() > 1) fields.push_back(',');
    AppendJsonString(field.name, &fields);
    fields.push_back(':');
    fields.append(field.json);  // JSON text already
  }
  fields.push_back('}');
  std::string& valid = row->valid_json;
  valid.assign("{");
  for (const auto& [name, ok] : item.valid) {
    if (valid.size() > 1) valid.push_back(',');
    AppendJsonString(name, &valid);
    valid.append(ok ? ":true" : ":false");
  }
  valid.push_back('}');
  row->meta_json = item.meta;
  row->text = item.text;
  row->attempts = item.max_attempts_used;
  row->submitted_at_ms = item.submitted_at_ms;
  row->done_at_ms = done_ms;
  row->expires_at_ms = expires_ms;
}

}  // namespace classiflow
