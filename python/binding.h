// Private header of the _classiflow extension module: the pieces the Bind*() files share.
//
// The binding is thin on purpose: it converts types, releases the GIL around anything that can
// take long, and turns every non-OK classiflow::Status into one C++ exception (StatusError) that
// a single translator maps to the Python classes of classiflow/errors.py.
#pragma once

#include <pybind11/pybind11.h>

#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/model.h"
#include "classiflow/status.h"

namespace classiflow::python {

namespace py = pybind11;

// Carries a non-OK Status out of a bound function; BindErrors() registers its translation.
class StatusError : public std::exception {
 public:
  explicit StatusError(Status status) : status_(std::move(status)), what_(status_.ToString()) {}
  const Status& status() const { return status_; }
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  Status status_;
  std::string what_;
};

// Throws StatusError unless `status` is OK. The one way bound code reports a classiflow error.
inline void ThrowIfError(const Status& status) {
  if (!status.ok()) throw StatusError(status);
}

// Runs `call` (returning a Status) with the GIL released, then throws the error, if any, with the
// GIL held again. Everything `call` touches must stay valid without the GIL: plain C++ values or
// views whose Python owners the caller keeps referenced.
template <class Call>
void CallWithoutGil(Call&& call) {
  Status status;
  {
    py::gil_scoped_release release;
    status = call();
  }
  ThrowIfError(status);
}

// Borrows the UTF-8 bytes of a text argument: a str (its cached UTF-8 form, no copy) or a bytes
// object (its buffer). The view lives as long as `obj`; str and bytes are immutable. Requires the
// GIL. TypeError for other types; InvalidArgument for a str that has no UTF-8 form (lone
// surrogates). `what` names the argument in messages.
std::string_view TextView(py::handle obj, const char* what);
// Like TextView() but only a str: labels end up in JSON and messages, so they must be valid UTF-8.
std::string_view LabelView(py::handle obj, const char* what);
// A file path (bytes, as os.fsencode() gives, or a str as UTF-8), unmodified. InvalidArgument
// for "" and for an embedded NUL byte, which the OS would silently cut the path at.
std::string PathArg(py::handle obj, const char* what);

// Borrowed views of a batch of texts (or labels), usable with the GIL released.
//
// Construct with the GIL held. The items are copied into a tuple that holds a reference to each,
// so another Python thread mutating the caller's list cannot free a string under us while the
// GIL is released. Destroy with the GIL held (keep it outside the gil_scoped_release scope).
class TextBatch {
 public:
  enum class Kind { kText, kLabel };
  // TypeError when `items` is a str/bytes (a likely mistake: one text, not a batch) or not
  // iterable, or when an item has the wrong type.
  TextBatch(py::handle items, Kind kind, const char* what);

  std::span<const std::string_view> views() const { return views_; }
  size_t size() const { return views_.size(); }

 private:
  py::tuple items_;
  std::vector<std::string_view> views_;
};

// A batch of label sets (multilabel models): each item a str (a set of one) or an iterable of
// str. Holds the Python objects its views point into.
class LabelSetBatch {
 public:
  LabelSetBatch(py::handle items, const char* what);

  std::span<const LabelSet> sets() const { return sets_; }
  size_t size() const { return sets_.size(); }

 private:
  py::tuple items_;
  std::vector<TextBatch> members_;  // the items that are iterables
  std::vector<std::string_view> flat_;
  std::vector<LabelSet> sets_;  // views of flat_
};

// Each registers one part of the module.
void BindErrors(py::module_& m);
void BindModel(py::module_& m);
void BindPipeline(py::module_& m);
void BindEngine(py::module_& m);

}  // namespace classiflow::python
