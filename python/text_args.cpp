// Zero-copy conversion of Python text arguments to std::string_view (see binding.h).
#include <string>

#include "binding.h"

namespace classiflow::python {
namespace {

constexpr size_t kNoIndex = static_cast<size_t>(-1);

// "texts[3]" for a batch item, "text" for a single argument: built only when an error is raised.
std::string ArgName(const char* what, size_t index) {
  return index == kNoIndex ? what : std::string(what) + "[" + std::to_string(index) + "]";
}

std::string TypeName(py::handle obj) { return Py_TYPE(obj.ptr())->tp_name; }

std::string_view Convert(py::handle obj, bool allow_bytes, const char* what, size_t index) {
  PyObject* o = obj.ptr();
  if (PyUnicode_Check(o)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(o, &size);
    if (data == nullptr) {
      // Only a str holding lone surrogates (e.g. from surrogateescape decoding) has no UTF-8 form.
      PyErr_Clear();
      throw StatusError(Status::InvalidArgument(ArgName(what, index) +
                                                " is not valid Unicode (it has lone surrogates)"));
    }
    return {data, static_cast<size_t>(size)};
  }
  if (allow_bytes && PyBytes_Check(o)) {
    return {PyBytes_AS_STRING(o), static_cast<size_t>(PyBytes_GET_SIZE(o))};
  }
  const char* expected = allow_bytes ? " must be str or bytes, not " : " must be str, not ";
  throw py::type_error(ArgName(what, index) + expected + TypeName(obj));
}

}  // namespace

std::string_view TextView(py::handle obj, const char* what) {
  return Convert(obj, /*allow_bytes=*/true, what, kNoIndex);
}

std::string_view LabelView(py::handle obj, const char* what) {
  return Convert(obj, /*allow_bytes=*/false, what, kNoIndex);
}

std::string PathArg(py::handle obj, const char* what) {
  const std::string_view path = TextView(obj, what);
  if (path.empty()) throw StatusError(Status::InvalidArgument(std::string(what) + " is empty"));
  if (const size_t nul = path.find('\0'); nul != std::string_view::npos) {
    throw StatusError(Status::InvalidArgument(std::string(what) + " contains a NUL byte (at byte " +
                                              std::to_string(nul) + ")"));
  }
  return std::string(path);
}

namespace {

// A batch argument as a tuple. TypeError for a str/bytes (one item, not a batch: a likely
// mistake) or a non-iterable; `element` names what the items should be ("strings").
py::tuple BatchTuple(py::handle items, const char* what, const char* element) {
  if (PyUnicode_Check(items.ptr()) || PyBytes_Check(items.ptr())) {
    throw py::type_error(std::string(what) + " must be a list of " + element + ", not a single " +
                         TypeName(items));
  }
  // PySequence_Tuple returns a tuple argument itself (no copy) and accepts any iterable.
  PyObject* tuple = PySequence_Tuple(items.ptr());
  if (tuple == nullptr) {
    // An error raised while iterating (a generator's own exception) is the caller's to see.
    if (!PyErr_ExceptionMatches(PyExc_TypeError)) throw py::error_already_set();
    PyErr_Clear();
    throw py::type_error(std::string(what) + " must be an iterable of " + element + ", not " +
                         TypeName(items));
  }
  return py::reinterpret_steal<py::tuple>(tuple);
}

}  // namespace

TextBatch::TextBatch(py::handle items, Kind kind, const char* what)
    : items_(BatchTuple(items, what, "strings")) {
  PyObject* tuple = items_.ptr();
  const size_t n = static_cast<size_t>(PyTuple_GET_SIZE(tuple));
  views_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    views_.push_back(
        Convert(PyTuple_GET_ITEM(tuple, static_cast<Py_ssize_t>(i)), kind == Kind::kText, what, i));
  }
}

LabelSetBatch::LabelSetBatch(py::handle items, const char* what)
    : items_(BatchTuple(items, what, "label sets")) {
  const size_t n = items_.size();
  std::vector<size_t> begin(1, 0);
  members_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const py::handle item = items_[i];
    const std::string where = std::string(what) + "[" + std::to_string(i) + "]";
    if (PyUnicode_Check(item.ptr())) {
      flat_.push_back(LabelView(item, where.c_str()));
    } else {
      members_.emplace_back(item, TextBatch::Kind::kLabel, where.c_str());
      const auto views = members_.back().views();
      flat_.insert(flat_.end(), views.begin(), views.end());
    }
    begin.push_back(flat_.size());
  }
  sets_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    sets_[i] = std::span<const std::string_view>(flat_).subspan(begin[i], begin[i + 1] - begin[i]);
  }
}

}  // namespace classiflow::python
