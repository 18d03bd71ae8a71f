// _classiflow.Model: a shared_ptr<classiflow::Model> handle. The public classiflow.Model (in
// python/classiflow/model.py) wraps it and carries the documentation.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "binding.h"
#include "classiflow/evaluation.h"
#include "classiflow/model.h"

namespace classiflow::python {
namespace {

using ModelPtr = std::shared_ptr<Model>;

ClassifyOptions MakeClassifyOptions(std::optional<double> min_confidence) {
  ClassifyOptions options;  // None = the model's own threshold; core checks the range
  options.min_confidence = min_confidence;
  return options;
}

py::object LabelOrNone(const Prediction& prediction) {
  if (!prediction.has_label()) return py::none();
  return py::str(prediction.label);
}

Prediction ClassifyOne(const Model& model, py::handle text, const ClassifyOptions& options) {
  const std::string_view view = TextView(text, "text");
  Prediction prediction;
  CallWithoutGil([&] { return model.Classify(view, options, &prediction); });
  return prediction;
}

py::list TopList(const Prediction& prediction) {
  py::list top;
  for (uint32_t label : prediction.top) top.append(py::str(prediction.snapshot->labels()[label]));
  return top;
}

// k None: core's default (1, or every label of a multilabel model). A list unless one label
// was asked for (k == 1, or None of a single-label model).
py::object Classify(const Model& model, py::handle text, std::optional<int64_t> k,
                    std::optional<double> min_confidence) {
  ClassifyOptions options = MakeClassifyOptions(min_confidence);
  if (k) options.top_k = *k < 0 ? 0 : static_cast<size_t>(*k);  // core refuses 0 (and so k < 1)
  const Prediction prediction = ClassifyOne(model, text, options);
  if (k ? *k == 1 : !prediction.snapshot->multilabel()) return LabelOrNone(prediction);
  return TopList(prediction);
}

py::dict ScoresDict(const Prediction& prediction) {
  const std::vector<std::string>& labels = prediction.snapshot->labels();  // what answered
  py::dict scores;
  for (size_t i = 0; i < labels.size(); ++i) scores[py::str(labels[i])] = prediction.scores[i];
  return scores;
}

// (label or None, confidence, {label: log posterior}, model name, version, [labels])
py::tuple Predict(const Model& model, py::handle text) {
  const Prediction prediction = ClassifyOne(model, text, ClassifyOptions());
  return py::make_tuple(LabelOrNone(prediction), prediction.confidence, ScoresDict(prediction),
                        prediction.model, prediction.version, py::tuple(TopList(prediction)));
}

BatchPredictions ClassifyMany(const Model& model, const TextBatch& texts,
                              const ClassifyOptions& options) {
  BatchPredictions out;
  CallWithoutGil([&] { return model.ClassifyBatch(texts.views(), options, &out); });
  return out;
}

py::list ClassifyBatch(const Model& model, py::handle texts, std::optional<double> min_confidence) {
  const TextBatch batch(texts, TextBatch::Kind::kText, "texts");
  ClassifyOptions options = MakeClassifyOptions(min_confidence);
  options.confidence = false;  // only labels are returned (a threshold still gets its confidence)
  const BatchPredictions out = ClassifyMany(model, batch, options);
  // One str per label, shared by every row that has it; filled through the C API because
  // pybind11's item accessor costs a reference-count round trip per row (measured).
  std::vector<py::object> names;
  for (const std::string& label : out.snapshot->labels()) names.push_back(py::str(label));
  if (out.snapshot->multilabel()) {  // each text's labels
    py::list result;
    for (const std::vector<uint32_t>& set : out.label_sets) {
      py::list labels;
      for (uint32_t l : set) labels.append(names[l]);
      result.append(std::move(labels));
    }
    return result;
  }
  py::list result(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    const uint32_t index = out.label_index[i];
    PyObject* item = index == Prediction::kNoLabel ? Py_None : names[index].ptr();
    Py_INCREF(item);
    PyList_SET_ITEM(result.ptr(), static_cast<Py_ssize_t>(i), item);  // steals the reference
  }
  return result;
}

py::array_t<double> PredictProba(const Model& model, py::handle texts) {
  const TextBatch batch(texts, TextBatch::Kind::kText, "texts");
  ClassifyOptions options;
  options.probabilities = true;
  BatchPredictions out = ClassifyMany(model, batch, options);
  const auto rows = static_cast<py::ssize_t>(batch.size());
  const auto columns = static_cast<py::ssize_t>(out.snapshot->label_count());
  // Hand the probability buffer to numpy without copying; the capsule frees it with the array.
  auto* data = new std::vector<double>(std::move(out.probabilities));
  py::capsule owner(data, [](void* p) { delete static_cast<std::vector<double>*>(p); });
  return py::array_t<double>({rows, columns}, data->data(), owner);
}

void Train(Model& model, py::handle label, py::handle text) {
  const std::string_view label_view = LabelView(label, "label");
  const std::string_view text_view = TextView(text, "text");
  CallWithoutGil([&] { return model.Train(label_view, text_view); });
}

void Untrain(Model& model, py::handle label, py::handle text) {
  const std::string_view label_view = LabelView(label, "label");
  const std::string_view text_view = TextView(text, "text");
  CallWithoutGil([&] { return model.Untrain(label_view, text_view); });
}

// Python's order is (texts, labels), as in scikit-learn's fit(X, y); C++ takes labels first.
void TrainBatch(Model& model, py::handle texts, py::handle labels) {
  const TextBatch text_batch(texts, TextBatch::Kind::kText, "texts");
  const TextBatch label_batch(labels, TextBatch::Kind::kLabel, "labels");
  CallWithoutGil([&] { return model.TrainBatch(label_batch.views(), text_batch.views()); });
}

// progress(done, total, epoch, loss) runs with the GIL taken, on the thread that trains. An
// exception it raises stops further calls and is raised again once the fit returns (the fit
// itself completes: it cannot be abandoned half way).
// `sets`: labels are label sets (FitLabelSets), else one label per text (Fit).
void Fit(Model& model, py::handle texts, py::handle labels, std::optional<int> epochs, int threads,
         py::object progress, bool sets) {
  const TextBatch text_batch(texts, TextBatch::Kind::kText, "texts");
  std::optional<TextBatch> label_batch;
  std::optional<LabelSetBatch> set_batch;
  if (sets) {
    set_batch.emplace(labels, "labels");
  } else {
    label_batch.emplace(labels, TextBatch::Kind::kLabel, "labels");
  }
  FitOptions options;
  options.epochs = epochs;
  options.threads = threads;
  std::optional<py::error_already_set> raised;
  if (!progress.is_none()) {
    options.progress = [&](const FitProgress& p) {
      py::gil_scoped_acquire gil;
      if (raised) return;
      try {
        progress(p.done, p.total, p.epoch, p.loss);
      } catch (py::error_already_set& e) {
        raised.emplace(std::move(e));
      }
    };
  }
  CallWithoutGil([&] {
    return sets ? model.FitLabelSets(set_batch->sets(), text_batch.views(), options)
                : model.Fit(label_batch->views(), text_batch.views(), options);
  });
  if (raised) throw std::move(*raised);
}

void TrainLabelSets(Model& model, py::handle texts, py::handle label_sets) {
  const TextBatch text_batch(texts, TextBatch::Kind::kText, "texts");
  const LabelSetBatch sets(label_sets, "labels");
  CallWithoutGil([&] { return model.TrainLabelSets(sets.sets(), text_batch.views()); });
}

void SetThresholds(Model& model, py::handle labels, const std::vector<double>& thresholds) {
  const TextBatch label_batch(labels, TextBatch::Kind::kLabel, "labels");
  CallWithoutGil([&] { return model.SetThresholds(label_batch.views(), thresholds); });
}

std::vector<double> TuneThresholds(Model& model, py::handle texts, py::handle label_sets) {
  const TextBatch text_batch(texts, TextBatch::Kind::kText, "texts");
  const LabelSetBatch sets(label_sets, "labels");
  std::vector<double> chosen;
  CallWithoutGil([&] { return model.TuneThresholds(sets.sets(), text_batch.views(), &chosen); });
  return chosen;
}

std::vector<double> Thresholds(const Model& model) {
  ThrowIfError(model.status());
  const auto snap = model.snapshot();
  if (!snap->multilabel()) {
    ThrowIfError(Status::NotSupported("model '" + model.name() + "' is not multilabel"));
  }
  std::vector<double> out(snap->label_count());
  for (size_t l = 0; l < out.size(); ++l) out[l] = snap->threshold(l);
  return out;
}

// The labels of an evaluation: one per text, or (multilabel, `sets`) a set per text.
struct EvaluationLabels {
  EvaluationLabels(py::handle labels, bool sets) {
    if (sets) {
      set_batch.emplace(labels, "labels");
    } else {
      label_batch.emplace(labels, TextBatch::Kind::kLabel, "labels");
    }
  }
  // Calls fn(labels) with the span core takes for them.
  template <class Fn>
  Status With(Fn&& fn) const {
    return set_batch ? fn(set_batch->sets()) : fn(label_batch->views());
  }
  std::optional<TextBatch> label_batch;
  std::optional<LabelSetBatch> set_batch;
};

std::string EvaluateJson(const Model& model, py::handle texts, py::handle labels, bool sets) {
  const TextBatch text_batch(texts, TextBatch::Kind::kText, "texts");
  const EvaluationLabels truth(labels, sets);
  std::string json;
  CallWithoutGil([&] {
    return truth.With([&](auto views) {
      Evaluation e;
      CF_RETURN_IF_ERROR(Evaluate(model, text_batch.views(), views, &e));
      json = e.ToJson();
      return Status::OK();
    });
  });
  return json;
}

// One JSON document per fold, of models made with this model's options.
std::vector<std::string> CrossValidateJson(const Model& model, py::handle texts, py::handle labels,
                                           int64_t k, uint64_t seed, bool sets) {
  const TextBatch text_batch(texts, TextBatch::Kind::kText, "texts");
  const EvaluationLabels truth(labels, sets);
  std::vector<std::string> json;
  CallWithoutGil([&] {
    return truth.With([&](auto views) {
      std::vector<Evaluation> folds;
      CF_RETURN_IF_ERROR(CrossValidate(model, text_batch.views(), views,
                                       k < 0 ? 0 : static_cast<size_t>(k), seed, &folds));
      for (const Evaluation& fold : folds) json.push_back(fold.ToJson());
      return Status::OK();
    });
  });
  return json;
}

void Save(const Model& model, py::handle path) {
  const std::string file = PathArg(path, "path");
  CallWithoutGil([&] { return model.Save(file); });
}

ModelPtr Load(py::handle path) {
  const std::string file = PathArg(path, "path");
  ModelPtr model;
  CallWithoutGil([&] { return Model::Load(file, &model); });
  return model;
}

py::list FeatureList(const std::vector<FeatureWeight>& features, bool with_count) {
  py::list out;
  for (const FeatureWeight& f : features) {
    py::dict item;
    item["ngram"] = f.ngram;
    item["feature"] = f.feature;
    if (with_count) item["count"] = f.count;
    item["weight"] = f.weight;
    out.append(std::move(item));
  }
  return out;
}

py::dict Explain(const Model& model, py::handle text, int64_t top_n) {
  const std::string_view view = TextView(text, "text");
  if (top_n < 0) ThrowIfError(Status::InvalidArgument("n must be >= 0 (0 = all)"));
  Explanation e;
  CallWithoutGil([&] { return model.Explain(view, static_cast<size_t>(top_n), &e); });
  py::dict out;
  out["label"] = e.label;
  out["versus"] = e.versus.empty() ? py::object(py::none()) : py::object(py::str(e.versus));
  out["log_odds"] = e.log_odds;
  out["base"] = e.base;
  out["features"] = FeatureList(e.features, true);
  out["version"] = e.snapshot->version();
  return out;
}

py::list TopFeatures(const Model& model, py::handle label, int64_t n, py::handle texts) {
  const std::string_view label_view = LabelView(label, "label");
  const TextBatch batch(texts, TextBatch::Kind::kText, "texts");
  std::vector<FeatureWeight> top;
  CallWithoutGil([&] {
    return model.TopFeatures(label_view, n < 0 ? 0 : static_cast<size_t>(n), batch.views(), &top);
  });
  return FeatureList(top, false);
}

py::bytes ToBytes(const Model& model) {
  std::string bytes;
  CallWithoutGil([&] { return model.ToBytes(&bytes); });
  return py::bytes(bytes);
}

ModelPtr FromBytes(const py::bytes& data) {
  const std::string_view bytes = data;  // a view of the immutable bytes object
  ModelPtr model;
  CallWithoutGil([&] { return Model::FromBytes(bytes, &model); });
  return model;
}

// Items (kind "lsi"). `labels` and `ids` are None or sequences as long as `texts` whose
// elements may be None (no label; an assigned id). Returns the ids.
std::vector<std::string> AddItems(Model& model, py::handle texts, py::object labels,
                                  py::object ids) {
  const TextBatch text_batch(texts, TextBatch::Kind::kText, "texts");
  const size_t n = text_batch.size();
  // The sequences hold the str objects the views point into until the call returns.
  const auto optional_column = [n](const py::object& column, const char* what) {
    std::vector<std::optional<std::string_view>> out(n);
    if (column.is_none()) return out;
    if (py::isinstance<py::str>(column) || !py::isinstance<py::sequence>(column)) {
      throw py::type_error(std::string(what) + " must be a list of str or None");
    }
    const py::sequence seq = column;
    if (seq.size() != n) {
      ThrowIfError(Status::InvalidArgument("got " + std::to_string(n) + " texts but " +
                                           std::to_string(seq.size()) + " " + what));
    }
    for (size_t i = 0; i < n; ++i) {
      const py::handle item = seq[i];
      if (!item.is_none()) out[i] = LabelView(item, what);
    }
    return out;
  };
  const auto label_views = optional_column(labels, "labels");
  const auto id_views = optional_column(ids, "ids");
  std::vector<ItemInput> items(n);
  for (size_t i = 0; i < n; ++i) {
    if (id_views[i] && id_views[i]->empty()) {
      ThrowIfError(Status::InvalidArgument("ids[" + std::to_string(i) + "] is empty"));
    }
    items[i] = {text_batch.views()[i], label_views[i], id_views[i].value_or(std::string_view())};
  }
  std::vector<std::string> assigned;
  CallWithoutGil([&] { return model.AddItems(items, &assigned); });
  return assigned;
}

void RemoveItems(Model& model, py::handle ids) {
  const TextBatch batch(ids, TextBatch::Kind::kLabel, "ids");
  CallWithoutGil([&] { return model.RemoveItems(batch.views()); });
}

// [(id, score, label or None), ...]
py::list HitList(const std::vector<SearchHit>& hits) {
  py::list out;
  for (const SearchHit& hit : hits) {
    out.append(py::make_tuple(hit.id, hit.score,
                              hit.label.empty() ? py::object(py::none()) : py::str(hit.label)));
  }
  return out;
}

size_t CountArg(int64_t n) { return n < 0 ? 0 : static_cast<size_t>(n); }  // core refuses 0

py::list Search(const Model& model, py::handle query, int64_t n) {
  const std::string_view view = TextView(query, "query");
  std::vector<SearchHit> hits;
  CallWithoutGil([&] { return model.Search(view, CountArg(n), &hits); });
  return HitList(hits);
}

py::list FindRelated(const Model& model, py::handle id, int64_t n) {
  const std::string_view view = LabelView(id, "id");
  std::vector<SearchHit> hits;
  CallWithoutGil([&] { return model.FindRelated(view, CountArg(n), &hits); });
  return HitList(hits);
}

py::dict IndexStatusDict(const Model& model) {
  IndexStatus status;
  ThrowIfError(model.GetIndexStatus(&status));
  py::dict out;
  out["items"] = status.items;
  out["indexed_items"] = status.indexed_items;
  out["changes"] = status.changes;
  out["rank"] = status.rank;
  out["terms"] = status.terms;
  out["rebuilding"] = status.rebuilding;
  return out;
}

// The accessors answer from memory, so a dropped model or one whose engine closed would go on
// answering; like the C API's inspection calls they check the model's state first and raise
// NotFoundError / UnavailableError, as every other method does (through the C++ call).
template <class Get>
auto Checked(Get get) {
  return [get](const Model& model) {
    ThrowIfError(model.status());
    return get(model);
  };
}

}  // namespace

void BindModel(py::module_& m) {
  py::class_<Model, ModelPtr>(m, "Model", "A classiflow::Model handle; see classiflow.Model.")
      .def_property_readonly("name", Checked([](const Model& model) { return model.name(); }))
      .def_property_readonly("kind", Checked([](const Model& model) { return model.kind(); }))
      .def_property_readonly("version", Checked([](const Model& model) { return model.version(); }))
      .def_property_readonly("labels", Checked([](const Model& model) { return model.labels(); }))
      .def_property_readonly("options_json",
                             Checked([](const Model& model) { return model.options().ToJson(); }))
      .def("train", &Train, py::arg("label"), py::arg("text"))
      .def("train_batch", &TrainBatch, py::arg("texts"), py::arg("labels"))
      .def_property_readonly(
          "multilabel", Checked([](const Model& model) { return model.snapshot()->multilabel(); }))
      .def("fit", &Fit, py::arg("texts"), py::arg("labels"), py::arg("epochs") = py::none(),
           py::arg("threads") = 0, py::arg("progress") = py::none(), py::arg("sets") = false)
      .def("train_label_sets", &TrainLabelSets, py::arg("texts"), py::arg("labels"))
      .def("set_thresholds", &SetThresholds, py::arg("labels"), py::arg("thresholds"))
      .def("tune_thresholds", &TuneThresholds, py::arg("texts"), py::arg("labels"))
      .def("thresholds", &Thresholds)
      .def("untrain", &Untrain, py::arg("label"), py::arg("text"))
      .def("classify", &Classify, py::arg("text"), py::arg("k") = py::none(),
           py::arg("min_confidence") = py::none())
      .def("classify_batch", &ClassifyBatch, py::arg("texts"),
           py::arg("min_confidence") = py::none())
      .def("predict", &Predict, py::arg("text"))
      .def("predict_proba", &PredictProba, py::arg("texts"))
      .def("evaluate_json", &EvaluateJson, py::arg("texts"), py::arg("labels"),
           py::arg("sets") = false)
      .def("cross_validate_json", &CrossValidateJson, py::arg("texts"), py::arg("labels"),
           py::arg("k"), py::arg("seed"), py::arg("sets") = false)
      .def("save", &Save, py::arg("path"))
      .def_static("load", &Load, py::arg("path"))
      .def("to_bytes", &ToBytes)
      .def("explain", &Explain, py::arg("text"), py::arg("n"))
      .def("top_features", &TopFeatures, py::arg("label"), py::arg("n"), py::arg("texts"))
      .def("add_items", &AddItems, py::arg("texts"), py::arg("labels") = py::none(),
           py::arg("ids") = py::none())
      .def("remove_items", &RemoveItems, py::arg("ids"))
      .def("build_index", [](Model& model) { CallWithoutGil([&] { return model.BuildIndex(); }); })
      .def("search", &Search, py::arg("query"), py::arg("n"))
      .def("find_related", &FindRelated, py::arg("id"), py::arg("n"))
      .def("index_status", &IndexStatusDict)
      .def("wait_for_rebuild",
           [](Model& model) {
             ThrowIfError(model.status());
             py::gil_scoped_release release;
             model.WaitForRebuild();
           })
      .def_static("from_bytes", &FromBytes, py::arg("data"));
}

}  // namespace classiflow::python
