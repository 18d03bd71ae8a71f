// The private _classiflow extension module. Import `classiflow`, not this: the package's
// pure-Python facade (python/classiflow/) is the public, documented API.
#include <string>

#include "binding.h"
#include "classiflow/model.h"

namespace py = pybind11;

PYBIND11_MODULE(_classiflow, m) {
  using namespace classiflow::python;
  m.doc() = "classiflow's compiled core; use the classiflow package instead.";
  m.attr("__version__") = CLASSIFLOW_VERSION_STRING;

  BindErrors(m);  // first: the other parts throw StatusError
  BindModel(m);
  BindPipeline(m);  // before the engine, whose methods return pipelines
  BindEngine(m);

  m.def(
      "set_threads",
      [](int n) {
        if (n < 0) {
          throw StatusError(classiflow::Status::InvalidArgument(
              "set_threads: n must be >= 0 (0 = all cores), got " + std::to_string(n)));
        }
        classiflow::SetMaxThreads(n);
      },
      py::arg("n"),
      R"doc(Cap the threads that batch calls (train_batch, classify_batch, predict_proba) use.

Process-wide; affects later batch calls. The models of an engine are further capped by the
engine's ``threads`` option.

Args:
    n: the maximum number of threads; 0 means all cores.

Raises:
    InvalidArgumentError: n is negative.
)doc");
}
