// The one mapping from classiflow::Status codes to the Python exception classes.
//
// The classes live in classiflow/errors.py (pure Python, so they can inherit from both
// classiflow.Error and a builtin such as ValueError); errors._BY_CODE names each one by the
// Status code name. This file looks them up once at import and translates StatusError.
#include <string>
#include <string_view>

#include "binding.h"

namespace classiflow::python {
namespace {

constexpr int kFirstError = static_cast<int>(Status::Code::kInvalidArgument);
constexpr int kLastError = static_cast<int>(Status::Code::kNotSupported);
constexpr int kInternalCode = static_cast<int>(Status::Code::kInternal);

// Strong references to the exception classes, indexed by code. Never released on purpose: a
// static py::object would be decref'd after the interpreter has finalised.
PyObject* g_classes[kLastError + 1] = {};

void SetPythonError(const Status& status) {
  const int code = static_cast<int>(status.code());
  PyObject* type = (code >= kFirstError && code <= kLastError) ? g_classes[code] : nullptr;
  if (type == nullptr) type = g_classes[kInternalCode];  // an unknown code is our bug
  const std::string& message = status.message();
  // Messages may quote user bytes (a file name, a bytes text); never fail on invalid UTF-8.
  PyObject* text =
      PyUnicode_DecodeUTF8(message.data(), static_cast<Py_ssize_t>(message.size()), "replace");
  if (text == nullptr) return;  // MemoryError is already set
  PyErr_SetObject(type, text);
  Py_DECREF(text);
}

}  // namespace

void BindErrors(py::module_& m) {
  py::dict by_code = py::module_::import("classiflow.errors").attr("_BY_CODE");
  for (int code = kFirstError; code <= kLastError; ++code) {
    const char* name = Status::CodeName(static_cast<Status::Code>(code));
    if (!by_code.contains(name)) {
      throw py::import_error(std::string("classiflow.errors has no class for code ") + name);
    }
    g_classes[code] = py::object(by_code[name]).release().ptr();
  }
  // Local: StatusError is private to this module, so no other module needs to see it.
  py::register_local_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const StatusError& e) {
      SetPythonError(e.status());
    }
  });

  // Test hook: raises what a Status of `code` maps to, so every mapping (even Internal, which no
  // well-behaved call returns) is testable from Python.
  m.def(
      "_raise_status",
      [](int code, std::string_view message) {
        using Code = Status::Code;
        switch (static_cast<Code>(code)) {
          case Code::kInvalidArgument:
            throw StatusError(Status::InvalidArgument(message));
          case Code::kNotFound:
            throw StatusError(Status::NotFound(message));
          case Code::kAlreadyExists:
            throw StatusError(Status::AlreadyExists(message));
          case Code::kCorruption:
            throw StatusError(Status::Corruption(message));
          case Code::kIOError:
            throw StatusError(Status::IOError(message));
          case Code::kBusy:
            throw StatusError(Status::Busy(message));
          case Code::kUnavailable:
            throw StatusError(Status::Unavailable(message));
          case Code::kInternal:
            throw StatusError(Status::Internal(message));
          case Code::kNotSupported:
            throw StatusError(Status::NotSupported(message));
          case Code::kOk:
            break;
        }
        throw py::value_error("not an error code: " + std::to_string(code));
      },
      py::arg("code"), py::arg("message"));
}

}  // namespace classiflow::python
