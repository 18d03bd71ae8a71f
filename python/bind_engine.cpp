// _classiflow.Engine: owns one classiflow::Engine. The public classiflow.Engine (in
// python/classiflow/engine.py) wraps it and carries the documentation.
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "binding.h"
#include "classiflow/engine.h"
#include "classiflow/open.h"

namespace classiflow::python {
namespace {

using ModelPtr = std::shared_ptr<Model>;
using PipelinePtr = std::shared_ptr<Pipeline>;

// Deleting an engine closes it, which joins pipeline threads that may be waiting for the GIL
// to run a Python callback: an engine collected without close() must not hold the GIL then.
struct DeleteWithoutGil {
  void operator()(Engine* engine) const {
    if (Py_IsInitialized() != 0 && PyGILState_Check() != 0) {
      py::gil_scoped_release release;
      delete engine;
    } else {
      delete engine;
    }
  }
};
using EnginePtr = std::unique_ptr<Engine, DeleteWithoutGil>;

// Opening RocksDB reads its files and may replay a log: do it without the GIL. Options arrive
// as JSON, parsed by the same core parser as the C ABI's.
EnginePtr Open(const std::string& uri, const std::string& options_json) {
  EngineOptions options;
  ThrowIfError(EngineOptions::FromJson(options_json, &options));
  std::unique_ptr<Engine> engine;
  CallWithoutGil([&] { return OpenEngine(uri, options, &engine); });
  return EnginePtr(engine.release());
}

ModelPtr CreateModel(Engine& engine, const std::string& name, const std::string& options_json) {
  // Parsing and validating 65,535 labels takes milliseconds: all of it without the GIL.
  ModelPtr model;
  CallWithoutGil([&] {
    ModelOptions options;
    CF_RETURN_IF_ERROR(ModelOptions::FromJson(options_json, &options));
    return engine.CreateModel(name, options, &model);
  });
  return model;
}

ModelPtr GetModel(const Engine& engine, const std::string& name) {
  ModelPtr model;
  ThrowIfError(engine.GetModel(name, &model));
  return model;
}

std::vector<std::string> ModelNames(const Engine& engine) {
  std::vector<std::string> names;
  ThrowIfError(engine.ModelNames(&names));
  return names;
}

// Creating a pipeline stores its spec (synced) and starts its threads; dropping one joins them.
PipelinePtr CreatePipeline(Engine& engine, const std::string& name, const std::string& spec_json) {
  PipelinePtr pipeline;
  CallWithoutGil([&] { return engine.CreatePipeline(name, spec_json, &pipeline); });
  return pipeline;
}

PipelinePtr GetPipeline(const Engine& engine, const std::string& name) {
  PipelinePtr pipeline;
  ThrowIfError(engine.GetPipeline(name, &pipeline));
  return pipeline;
}

std::vector<std::string> PipelineNames(const Engine& engine) {
  std::vector<std::string> names;
  ThrowIfError(engine.PipelineNames(&names));
  return names;
}

}  // namespace

void BindEngine(py::module_& m) {
  // A model handle keeps its engine's Python object alive (keep_alive<0, 1>), so a model obtained
  // from a temporary engine stays usable until the engine is closed explicitly.
  py::class_<Engine, EnginePtr>(m, "Engine", "A classiflow::Engine; see classiflow.Engine.")
      .def(py::init(&Open), py::arg("uri"), py::arg("options_json") = "")
      .def("close", [](Engine& engine) { CallWithoutGil([&] { return engine.Close(); }); })
      .def_property_readonly("closed", &Engine::closed)
      .def_property_readonly("read_only", &Engine::read_only)
      .def("recovery_json", [](const Engine& engine) { return engine.recovery_report().ToJson(); })
      .def("describe", &Engine::Describe)
      .def("create_model", &CreateModel, py::arg("name"), py::arg("options_json"),
           py::keep_alive<0, 1>())
      .def("model", &GetModel, py::arg("name"), py::keep_alive<0, 1>())
      .def("models", &ModelNames)
      .def(
          "drop_model",
          [](Engine& engine, const std::string& name) {
            CallWithoutGil([&] { return engine.DropModel(name); });
          },
          py::arg("name"))
      // Like models, a pipeline handle keeps its engine's Python object alive.
      .def("create_pipeline", &CreatePipeline, py::arg("name"), py::arg("spec_json"),
           py::keep_alive<0, 1>())
      .def("pipeline", &GetPipeline, py::arg("name"), py::keep_alive<0, 1>())
      .def("pipelines", &PipelineNames)
      .def(
          "drop_pipeline",
          [](Engine& engine, const std::string& name) {
            CallWithoutGil([&] { return engine.DropPipeline(name); });
          },
          py::arg("name"));
}

}  // namespace classiflow::python
