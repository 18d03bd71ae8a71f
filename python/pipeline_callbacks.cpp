// The pipeline's callbacks backed by Python callables (see py_callback.h for the rules).
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "py_callback.h"

namespace classiflow::python {
namespace {

bool Finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing() != 0;
#else
  return _Py_IsFinalizing() != 0;
#endif
}

// Thrown out of a result callback whose Python function raised: the pipeline's delivery thread
// catches it and counts a callback error. The Python exception itself went to
// sys.unraisablehook.
class CallbackRaised : public std::runtime_error {
 public:
  CallbackRaised() : std::runtime_error("a Python result callback raised") {}
};

// Strings from the pipeline are UTF-8 (submitted text is checked); "replace" keeps a stray
// byte from turning into an exception inside a callback.
py::str Utf8(std::string_view s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

py::object Utf8OrNone(std::string_view s) { return s.empty() ? py::object(py::none()) : Utf8(s); }

py::dict ItemDict(const CallbackItem& item) {
  py::dict predictions;
  for (const StagePrediction& p : item.predictions) {
    py::dict d;
    d["label"] = Utf8OrNone(p.label);
    d["confidence"] = p.confidence;
    d["model"] = Utf8(p.model);
    d["version"] = p.version;
    predictions[Utf8(p.stage)] = std::move(d);
  }
  py::dict fields;
  for (const Field& f : item.fields) fields[Utf8(f.name)] = Utf8(f.json);
  py::dict out;
  out["id"] = Utf8(item.id);
  out["text"] = Utf8(item.text);
  out["meta"] = Utf8OrNone(item.meta);
  out["predictions"] = std::move(predictions);
  out["fields"] = std::move(fields);
  out["attempt"] = item.attempt;
  return out;
}

// "ValueError: bad sku": what a dead letter keeps of a Python exception (no traceback; the
// attempt's error is one line of text).
std::string ExceptionText(const py::error_already_set& e) {
  std::string text = "Python exception";
  try {
    text = py::str(e.type().attr("__name__")).cast<std::string>();
    const std::string message = py::str(e.value()).cast<std::string>();
    if (!message.empty()) text += ": " + message;
  } catch (const py::error_already_set&) {  // an unprintable exception: keep its type's name
  } catch (const py::cast_error&) {
  }
  return text;
}

// Runs `call` (returning Status) with the GIL held; exceptions become an Internal status.
template <class Call>
Status CallForStatus(Call&& call) {
  if (!CanEnterPython()) return Status::Unavailable("the Python interpreter is shutting down");
  py::gil_scoped_acquire gil;
  try {
    return call();
  } catch (py::error_already_set& e) {
    return Status::Internal(ExceptionText(e));
  } catch (const std::exception& e) {  // a cast of the facade's return value failed
    return Status::Internal(e.what());
  }
}

// Runs `call` with the GIL held; an exception is reported to sys.unraisablehook and then
// rethrown as CallbackRaised, which the delivery thread counts.
template <class Call>
void CallReporting(Call&& call) {
  if (!CanEnterPython()) throw CallbackRaised();
  py::gil_scoped_acquire gil;
  try {
    call();
  } catch (py::error_already_set& e) {
    e.discard_as_unraisable("classiflow pipeline result callback");
    throw CallbackRaised();
  }
}

}  // namespace

bool CanEnterPython() { return Py_IsInitialized() != 0 && !Finalizing(); }

PyCallback::~PyCallback() {  // NOLINT(bugprone-exception-escape): releasing a reference
  if (Py_IsInitialized() == 0 || Finalizing()) {
    // The interpreter is gone, or taking the GIL now would end this thread (py_callback.h):
    // the reference is left for the interpreter's own teardown.
    (void)fn_.release();
  } else if (PyGILState_Check() != 0) {
    fn_ = py::function();
  } else {
    py::gil_scoped_acquire gil;
    fn_ = py::function();
  }
}

EnrichFn MakeEnrich(py::function fn) {
  auto cb = std::make_shared<PyCallback>(std::move(fn));
  return [cb](const CallbackItem& item, std::vector<Field>* fields) {
    return CallForStatus([&] {
      const py::object pairs = cb->fn()(ItemDict(item));
      for (const py::handle pair : pairs) {
        const auto [name, json] = pair.cast<std::pair<std::string, std::string>>();
        fields->push_back({name, json});
      }
      return Status::OK();
    });
  };
}

ValidateFn MakeValidator(py::function fn) {
  auto cb = std::make_shared<PyCallback>(std::move(fn));
  return [cb](const CallbackItem& item, std::string_view value, bool* valid) {
    return CallForStatus([&] {
      const py::object verdict = cb->fn()(ItemDict(item), Utf8(value));
      *valid = verdict.cast<bool>();
      return Status::OK();
    });
  };
}

ResultFn MakeOnResult(py::function fn) {
  auto cb = std::make_shared<PyCallback>(std::move(fn));
  return [cb](const PipelineResult& result) {
    const std::string json = result.ToJson();  // before taking the GIL
    CallReporting([&] { cb->fn()(Utf8(json)); });
  };
}

ResultsFn MakeOnResults(py::function fn) {
  auto cb = std::make_shared<PyCallback>(std::move(fn));
  return [cb](std::span<const PipelineResult> results) {
    std::vector<std::string> json;
    json.reserve(results.size());
    for (const PipelineResult& r : results) json.push_back(r.ToJson());
    CallReporting([&] {
      py::list list(json.size());
      for (size_t i = 0; i < json.size(); ++i) list[i] = Utf8(json[i]);
      cb->fn()(list);
    });
  };
}

DeadLetterFn MakeOnDeadLetter(py::function fn) {
  auto cb = std::make_shared<PyCallback>(std::move(fn));
  return [cb](const DeadLetter& dead) {
    const std::string json = dead.ToJson();
    CallReporting([&] { cb->fn()(Utf8(json)); });
  };
}

}  // namespace classiflow::python
