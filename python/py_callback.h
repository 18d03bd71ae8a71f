// Python callables that the pipeline calls on its own (C++) threads.
//
// The rules this file keeps, so that no callback can deadlock or crash the host:
// - The GIL is held only while the Python function runs (and while its arguments and results
//   are converted); JSON is rendered before it is taken.
// - The pipeline copies and destroys its std::function objects on any thread, without the GIL.
//   They therefore capture a shared_ptr<PyCallback>, never a py::object: copying the shared_ptr
//   touches no Python reference count, and ~PyCallback takes the GIL to release the callable.
// - Once the interpreter is finalizing, a thread other than the finalizing one must not take
//   the GIL (CPython ends such threads with pthread_exit). Callbacks then do not run: enrich and
//   validate fail the attempt (the item stays durable and is retried after reopen), result
//   callbacks count as failed; callables are leaked rather than released.
// - A Python exception never unwinds into the pipeline: enrich and validate turn it into an
//   Internal status ("ValueError: bad sku") that fails the attempt, so the item is retried and
//   dead-lettered with that text; result callbacks report it through sys.unraisablehook and the
//   pipeline counts it in callback_errors.
#pragma once

#include <memory>

#include "binding.h"
#include "classiflow/pipeline.h"

namespace classiflow::python {

class PyCallback {
 public:
  explicit PyCallback(py::function fn) : fn_(std::move(fn)) {}
  ~PyCallback();  // NOLINT(bugprone-exception-escape): only releases a reference
  PyCallback(const PyCallback&) = delete;
  PyCallback& operator=(const PyCallback&) = delete;

  // REQUIRES: the GIL is held.
  const py::function& fn() const { return fn_; }

 private:
  py::function fn_;
};

// True when a library thread may take the GIL: the interpreter runs and is not finalizing.
bool CanEnterPython();

// The Python callables in the facade's calling conventions (python/classiflow/pipeline.py):
//   enrich(item: dict) -> list[tuple[str, str]]   fields as (name, JSON text)
//   validate(item: dict, value_json: str) -> bool
//   on_result(result_json: str); on_results(results_json: list[str]);
//   on_dead_letter(dead_letter_json: str)
// `item` is {"id", "text", "meta": JSON text or None, "predictions": {stage: {"label",
// "confidence", "model", "version"}}, "fields": {name: JSON text}, "attempt"}.
// REQUIRES: the GIL is held (they take a reference to `fn`).
EnrichFn MakeEnrich(py::function fn);
ValidateFn MakeValidator(py::function fn);
ResultFn MakeOnResult(py::function fn);
ResultsFn MakeOnResults(py::function fn);
DeadLetterFn MakeOnDeadLetter(py::function fn);

}  // namespace classiflow::python
