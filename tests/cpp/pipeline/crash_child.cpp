// The process the crash tests kill: it opens an engine on URI (a data directory or
// sqlite:FILE), makes (or reopens) the "soak"
// pipeline, submits N items with fixed ids (again on every run: ids make that idempotent),
// appends each acknowledged id to ACKFILE and each result its callback sees to
// ACKFILE.delivered, flushes and exits 0.
//
//   classiflow_crash_child URI N THREADS ACKFILE [poison]
//
// Odd items are positive and pass the "crm" enrich callback, which fails the first k attempts
// of an item whose meta says {"expect_failures": k}; k >= max_attempts makes a dead letter.
// With "poison", the callback aborts the process on the text "poison". Every fifth item of
// the chunk before gets feedback, its label flipping from run to run (the second feedback
// for an id replaces the first): the verifier's recount covers feedback too. Both sinks mirror
// into the SQLite file results.db beside the store (in the data directory, or beside FILE).
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "classiflow/open.h"

namespace cf = classiflow;

namespace {

const char* kSpec = R"({
  "stages": [
    {"name": "sentiment", "classify": "sentiment", "routes": {"pos": "crm", "*": "negative"}},
    {"name": "crm", "enrich": "crm", "next": "ids"},
    {"name": "ids", "extract": ["gtin"], "next": "check"},
    {"name": "check", "validate": ["gtin"], "next": "positive"},
    {"name": "positive", "sink": {"sqlite": "results.db"}},
    {"name": "negative", "sink": {"ttl_s": 86400, "sqlite": "results.db"}}
  ],
  "max_attempts": 3, "retry": {"initial_ms": 1, "max_ms": 20},
  "batch": {"max_items": 64, "max_delay_ms": 2},
  "analytics": {"urgent": {"labels": ["neg"], "keep": 20}, "review_keep": 20}
})";

int Fail(const cf::Status& s, const char* what) {
  std::cerr << what << ": " << s.ToString() << "\n";
  return 3;
}

cf::Status EnsureModel(cf::Engine& engine) {
  // A kill may land between creating the model and training it: train it whenever it has
  // no version yet (else every item fails to classify and ends as a dead letter).
  std::shared_ptr<cf::Model> model;
  if (!engine.GetModel("sentiment", &model).ok()) {
    CF_RETURN_IF_ERROR(engine.CreateModel("sentiment", cf::ModelOptions(), &model));
  }
  if (model->version() > 0) return cf::Status::OK();
  std::vector<std::string_view> labels, texts;
  for (int i = 0; i < 20; ++i) {
    labels.insert(labels.end(), {"pos", "neg"});
    texts.insert(texts.end(), {"good great fine product", "bad awful poor product"});
  }
  return model->TrainBatch(labels, texts);
}

// Item i: its id, text and meta.
struct Item {
  std::string id, text, meta;
};
Item MakeItem(int i, bool poison) {
  Item item{"i" + std::to_string(i), "bad awful thing " + std::to_string(i), ""};
  if (i % 2 == 1) {
    item.text = "good great product 4006381333931 n" + std::to_string(i);
    const int k = i % 10 == 3 ? 1 : i % 10 == 5 ? 2 : i % 10 == 7 ? 5 : 0;
    if (k > 0) item.meta = "{\"expect_failures\": " + std::to_string(k) + "}";
    if (poison && i == 1) item.text = "good great poison";
  }
  return item;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: classiflow_crash_child URI N THREADS ACKFILE [poison]\n";
    return 2;
  }
  const int n = std::atoi(argv[2]);
  const bool poison = argc > 5 && std::string(argv[5]) == "poison";
  cf::EngineOptions options;
  options.threads = std::atoi(argv[3]);
  std::unique_ptr<cf::Engine> engine;
  if (auto s = cf::OpenEngine(argv[1], options, &engine); !s.ok()) return Fail(s, "open");
  if (auto s = EnsureModel(*engine); !s.ok()) return Fail(s, "model");
  std::shared_ptr<cf::Pipeline> p;
  if (auto s = engine->CreatePipeline("soak", kSpec, &p); !s.ok()) return Fail(s, "pipeline");
  // Every result delivered to a callback is appended to ACKFILE.delivered: across kills each
  // result must be delivered at least once (what a crash cut off is delivered after reopen).
  const int delivered =
      open((std::string(argv[4]) + ".delivered").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  p->OnResult([delivered](const cf::PipelineResult& r) {
    const std::string line = r.id + "\n";
    (void)!write(delivered, line.data(), line.size());
  });
  auto s = p->RegisterEnrich("crm", [](const cf::CallbackItem& item, std::vector<cf::Field>* f) {
    if (item.text.find("poison") != std::string_view::npos) std::abort();
    const size_t at = item.meta.find("\"expect_failures\": ");
    const uint32_t k = at == std::string_view::npos ? 0 : item.meta[at + 19] - '0';
    if (item.attempt <= k) return cf::Status::Unavailable("injected failure");
    f->push_back(cf::Field::String("crm", "seen"));
    return cf::Status::OK();
  });
  if (!s.ok()) return Fail(s, "register");
  const int ack = open(argv[4], O_WRONLY | O_CREAT | O_APPEND, 0644);
  for (int start = 0; start < n; start += 50) {
    std::vector<Item> items;
    std::vector<cf::PipelineItem> views;
    for (int i = start; i < std::min(n, start + 50); ++i) items.push_back(MakeItem(i, poison));
    for (const Item& item : items) views.push_back({item.id, item.text, item.meta});
    std::vector<std::string> ids;
    if (auto st = p->SubmitMany(views, &ids); !st.ok()) return Fail(st, "submit");
    std::string lines;
    for (const std::string& id : ids) lines += id + "\n";
    if (write(ack, lines.data(), lines.size()) != static_cast<ssize_t>(lines.size())) return 4;
    for (int i = std::max(0, start - 50); i < start; i += 5) {
      const char* label = (i / 5 + getpid()) % 2 == 0 ? "pos" : "neg";
      const cf::Status st = p->Feedback("i" + std::to_string(i), label, {});
      if (!st.ok() && st.code() != cf::Status::Code::kNotFound) return Fail(st, "feedback");
    }
  }
  if (auto st = p->Flush(); !st.ok()) return Fail(st, "flush");
  close(ack);
  if (auto st = engine->Close(); !st.ok()) return Fail(st, "close");
  close(delivered);
  return 0;
}
