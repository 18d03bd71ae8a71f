// _classiflow.Pipeline: a shared_ptr<classiflow::Pipeline> handle. The public classiflow.Pipeline
// (python/classiflow/pipeline.py) wraps it: it turns dicts into JSON and back, adapts callbacks
// and carries the documentation. Everything here that can wait (on the store, on a full
// pipeline, on callbacks) runs without the GIL, since the pipeline's threads may need it to run
// a Python callback.
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "binding.h"
#include "classiflow/pipeline.h"
#include "py_callback.h"

namespace classiflow::python {
namespace {

using PipelinePtr = std::shared_ptr<Pipeline>;

// Beyond a century is "forever": the wait's deadline (now + ms, in ns) must not overflow.
constexpr int64_t kForeverMs = int64_t{100} * 366 * 24 * 3600 * 1000;

std::string Submit(Pipeline& p, py::handle text, const std::string& id, const std::string& meta,
                   bool block) {
  const std::string_view view = TextView(text, "text");
  std::string out;
  CallWithoutGil(
      [&] { return block ? p.Submit(view, id, meta, &out) : p.TrySubmit(view, id, meta, &out); });
  return out;
}

// Three parallel lists, as the facade flattens the items it was given.
std::vector<std::string> SubmitMany(Pipeline& p, py::handle texts, py::handle ids,
                                    py::handle metas) {
  const TextBatch text_batch(texts, TextBatch::Kind::kText, "texts");
  const TextBatch id_batch(ids, TextBatch::Kind::kLabel, "ids");
  const TextBatch meta_batch(metas, TextBatch::Kind::kLabel, "metas");
  const size_t n = text_batch.size();
  if (id_batch.size() != n || meta_batch.size() != n) {
    throw StatusError(Status::InvalidArgument("texts, ids and metas differ in length"));
  }
  std::vector<std::string> out;
  CallWithoutGil([&] {
    std::vector<PipelineItem> items(n);
    for (size_t i = 0; i < n; ++i) {
      items[i] = {id_batch.views()[i], text_batch.views()[i], meta_batch.views()[i]};
    }
    return p.SubmitMany(items, &out);
  });
  return out;
}

// Texts alone, the common case: no per-item lists of empty ids and metas to build in Python.
std::vector<std::string> SubmitTexts(Pipeline& p, py::handle texts) {
  const TextBatch text_batch(texts, TextBatch::Kind::kText, "items");
  std::vector<std::string> out;
  CallWithoutGil([&] {
    std::vector<PipelineItem> items(text_batch.size());
    for (size_t i = 0; i < items.size(); ++i) items[i].text = text_batch.views()[i];
    return p.SubmitMany(items, &out);
  });
  return out;
}

// True when `items` is a list holding only str and bytes (checked without building anything).
bool IsTextList(py::handle items) {
  if (!PyList_CheckExact(items.ptr())) return false;
  const Py_ssize_t n = PyList_GET_SIZE(items.ptr());
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* item = PyList_GET_ITEM(items.ptr(), i);
    if (!PyUnicode_CheckExact(item) && !PyBytes_CheckExact(item)) return false;
  }
  return true;
}

void Flush(Pipeline& p, int64_t timeout_ms) {
  if (timeout_ms > kForeverMs) timeout_ms = -1;
  CallWithoutGil([&] { return p.Flush(timeout_ms < 0 ? -1 : timeout_ms); });
}

std::string ResultJson(Pipeline& p, const std::string& id) {
  std::string json;
  CallWithoutGil([&] {
    PipelineResult result;
    CF_RETURN_IF_ERROR(p.GetResult(id, &result));
    json = result.ToJson();
    return Status::OK();
  });
  return json;
}

std::string AnalyticsJson(Pipeline& p) {
  std::string json;
  CallWithoutGil([&] { return p.AnalyticsJson(&json); });
  return json;
}

void Feedback(Pipeline& p, const std::string& id, const std::string& label,
              const std::string& stage, const std::string& text) {
  FeedbackOptions options;
  options.stage = stage;
  options.text = text;
  CallWithoutGil([&] { return p.Feedback(id, label, options); });
}

size_t ExportSqlite(Pipeline& p, const std::string& path) {
  size_t written = 0;
  CallWithoutGil([&] { return p.ExportSqlite(path, &written); });
  return written;
}

size_t Retrain(Pipeline& p) {
  size_t trained = 0;
  CallWithoutGil([&] { return p.Retrain(&trained); });
  return trained;
}

// Each element rendered by its ToJson(), without the GIL.
template <class T, class Read>
std::vector<std::string> JsonList(Read&& read) {
  std::vector<std::string> json;
  CallWithoutGil([&] {
    std::vector<T> items;
    CF_RETURN_IF_ERROR(read(&items));
    json.reserve(items.size());
    for (const T& item : items) json.push_back(item.ToJson());
    return Status::OK();
  });
  return json;
}

std::vector<std::string> ResultsJson(Pipeline& p, size_t newest) {
  return JsonList<PipelineResult>(
      [&](std::vector<PipelineResult>* out) { return p.NewestResults(newest, out); });
}

std::vector<std::string> DeadLettersJson(Pipeline& p, size_t limit) {
  return JsonList<DeadLetter>(
      [&](std::vector<DeadLetter>* out) { return p.DeadLetters(limit, out); });
}

// Registration takes the pipeline's locks: without the GIL, like every call that may wait.
// The std::functions hold the callable through PyCallback, so they may be copied (and a
// refused one destroyed) without the GIL.
void OnResults(Pipeline& p, py::function fn, int64_t max_items, int64_t max_delay_ms) {
  ResultsFn results = MakeOnResults(std::move(fn));
  const size_t items = max_items < 1 ? 0 : static_cast<size_t>(max_items);  // 0: refused
  CallWithoutGil([&] { return p.OnResults(std::move(results), items, max_delay_ms); });
}

template <class Fn, class Register>
void RegisterCallback(Fn fn, Register&& reg) {
  CallWithoutGil([&] { return reg(std::move(fn)); });
}

}  // namespace

void BindPipeline(py::module_& m) {
  using py::arg;
  m.def("_is_text_list", &IsTextList, arg("items"));
  py::class_<Pipeline, PipelinePtr>(m, "Pipeline",
                                    "A classiflow::Pipeline; see classiflow.Pipeline.")
      .def_property_readonly("name", &Pipeline::name)
      .def_property_readonly("spec_json", &Pipeline::spec_json)
      .def(
          "submit",
          [](Pipeline& p, py::handle text, const std::string& id, const std::string& meta) {
            return Submit(p, text, id, meta, /*block=*/true);
          },
          arg("text"), arg("id") = "", arg("meta_json") = "")
      .def(
          "try_submit",
          [](Pipeline& p, py::handle text, const std::string& id, const std::string& meta) {
            return Submit(p, text, id, meta, /*block=*/false);
          },
          arg("text"), arg("id") = "", arg("meta_json") = "")
      .def("submit_many", &SubmitMany, arg("texts"), arg("ids"), arg("metas"))
      .def("submit_texts", &SubmitTexts, arg("texts"))
      .def("flush", &Flush, arg("timeout_ms") = -1)
      .def("result_json", &ResultJson, arg("id"))
      .def("results_json", &ResultsJson, arg("newest"))
      .def("dead_letters_json", &DeadLettersJson, arg("limit"))
      .def(
          "requeue",
          [](Pipeline& p, const std::string& id) { CallWithoutGil([&] { return p.Requeue(id); }); },
          arg("id"))
      .def("stats_json", &Pipeline::StatsJson, py::call_guard<py::gil_scoped_release>())
      .def("metrics_text", &Pipeline::MetricsText, py::call_guard<py::gil_scoped_release>())
      .def("analytics_json", &AnalyticsJson)
      .def("reset_analytics",
           [](Pipeline& p) { CallWithoutGil([&] { return p.ResetAnalytics(); }); })
      .def("recount", [](Pipeline& p) { CallWithoutGil([&] { return p.Recount(); }); })
      .def("feedback", &Feedback, arg("id"), arg("label"), arg("stage") = "", arg("text") = "")
      .def("retrain", &Retrain)
      .def("export_sqlite", &ExportSqlite, arg("path"))
      .def(
          "on_result",
          [](Pipeline& p, py::function fn) {
            RegisterCallback(MakeOnResult(std::move(fn)), [&](ResultFn f) {
              p.OnResult(std::move(f));
              return Status::OK();
            });
          },
          arg("fn"))
      .def("on_results", &OnResults, arg("fn"), arg("max_items"), arg("max_delay_ms"))
      .def(
          "on_dead_letter",
          [](Pipeline& p, py::function fn) {
            RegisterCallback(MakeOnDeadLetter(std::move(fn)), [&](DeadLetterFn f) {
              p.OnDeadLetter(std::move(f));
              return Status::OK();
            });
          },
          arg("fn"))
      .def(
          "register_enrich",
          [](Pipeline& p, const std::string& name, py::function fn) {
            RegisterCallback(MakeEnrich(std::move(fn)),
                             [&](EnrichFn f) { return p.RegisterEnrich(name, std::move(f)); });
          },
          arg("name"), arg("fn"))
      .def(
          "register_validator",
          [](Pipeline& p, const std::string& name, py::function fn) {
            RegisterCallback(MakeValidator(std::move(fn)),
                             [&](ValidateFn f) { return p.RegisterValidator(name, std::move(f)); });
          },
          arg("name"), arg("fn"));
}

}  // namespace classiflow::python
