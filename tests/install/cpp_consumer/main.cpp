// Uses the installed C++ API: an in-memory engine, a bayes model, two documents, one answer.
#include <cstdio>
#include <memory>

#include "classiflow/open.h"

namespace {

int Fail(const char* what, const classiflow::Status& status) {
  std::fprintf(stderr, "cpp_consumer: %s: %s\n", what, status.ToString().c_str());
  return 1;
}

}  // namespace

int main() {
  std::unique_ptr<classiflow::Engine> engine;
  classiflow::Status s = classiflow::OpenEngine("memory:", classiflow::EngineOptions{}, &engine);
  if (!s.ok()) return Fail("open", s);
  std::shared_ptr<classiflow::Model> model;
  if (!(s = engine->CreateModel("spam", classiflow::ModelOptions{}, &model)).ok()) {
    return Fail("create", s);
  }
  if (!(s = model->Train("spam", "cheap pills now")).ok()) return Fail("train spam", s);
  if (!(s = model->Train("ham", "meeting at noon")).ok()) return Fail("train ham", s);
  classiflow::Prediction prediction;
  if (!(s = model->Classify("cheap pills", &prediction)).ok()) return Fail("classify", s);
  std::printf("cpp_consumer: %s %.3f v%llu\n", prediction.label.c_str(), prediction.confidence,
              static_cast<unsigned long long>(prediction.version));
  return engine->Close().ok() ? 0 : 1;
}
