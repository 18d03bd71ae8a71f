// Writes the seed corpora under fuzz/corpus/ from real saved models, so the fuzzers start from
// files that load (and, re-sealed, reach every record decoder) instead of from nothing.
// Usage: make_fuzz_seeds CORPUS_DIR   (writes CORPUS_DIR/<target>/<seed>; see fuzz/README.md)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "classiflow/model.h"
#include "fuzz_util.h"
#include "sealed_model.h"

namespace {

using classiflow::Model;
using classiflow::ModelOptions;

struct SeedModel {
  const char* name;
  const char* options_json;
  std::vector<std::pair<const char*, const char*>> docs;  // label, text
};

const std::vector<SeedModel>& SeedModels() {
  static const std::vector<SeedModel> models = {
      {"spam",
       R"({"labels": ["ham", "spam"], "hash_bits": 10, "ngrams": 2})",
       {{"spam", "cheap pills now, buy cheap pills"},
        {"ham", "meeting tomorrow at 10 about the budget"},
        {"spam", "win money http://spam.example.com now"}}},
      {"topics",
       R"({"hash_bits": 11, "ngrams": 3, "stemmer": "english", "stop_words": true,
           "alpha": 0.5, "fit_prior": false})",
       {{"sport", "the runners were running in the rain"},
        {"politics", "the minister answered questions about taxes"},
        {"tech", "compilers and sanitizers found 3 bugs; mail dev@example.org"}}},
      {"german",
       R"({"hash_bits": 10, "ngrams": 1, "stemmer": "german", "min_confidence": 0.5,
                    "lowercase": false, "normalize_numbers": false})",
       {{"a", "Die Häuser stehen in der Straße"}, {"b", "Ελληνικά и кириллица 日本語"}}},
      {"empty", R"({"hash_bits": 10})", {}},
      {"linear",
       R"({"kind": "linear", "hash_bits": 10, "quantize": true})",
       {{"spam", "cheap pills now"}, {"ham", "meeting at noon"}, {"spam", "win money"}}},
      {"lsi",
       R"({"kind": "lsi", "hash_bits": 10, "rank": 2, "rebuild_after": 0.5})",
       {{"spam", "cheap pills now"},
        {"ham", "meeting at noon"},
        {"spam", "cheap money"},
        {"ham", "lunch at noon"}}},
  };
  return models;
}

void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

bool WriteModelSeeds(const std::filesystem::path& out, const SeedModel& seed) {
  ModelOptions options;
  std::shared_ptr<Model> model;
  classiflow::Status s = ModelOptions::FromJson(seed.options_json, &options);
  if (s.ok()) s = Model::Create(seed.name, options, &model);
  for (const auto& [label, text] : seed.docs) {
    if (s.ok()) s = model->Train(label, text);
  }
  const std::string path = classiflow::fuzz::ScratchDir() + "/seed.cfm";
  if (s.ok()) s = model->Save(path);
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", seed.name, s.ToString().c_str());
    return false;
  }
  const std::string file = ReadFile(path);
  const std::string sealed = classiflow::fuzz::UnsealModelFile(file);
  if (sealed.empty()) {
    std::fprintf(stderr, "%s: the saved file does not unseal\n", seed.name);
    return false;
  }
  WriteFile(out / "model_file_fuzzer" / (std::string(seed.name) + ".cfm"), file);
  WriteFile(out / "model_file_sealed_fuzzer" / seed.name, sealed);
  WriteFile(out / "options_fuzzer" / (std::string(seed.name) + ".json"), options.ToJson());
  return true;
}

void WriteOptionsSeeds(const std::filesystem::path& out) {
  const std::pair<const char*, const char*> seeds[] = {
      {"null.json", "null"},
      {"sync.json", R"({"sync": true})"},
      {"labels.json", R"({"kind": "bayes", "labels": ["a", "b", "c"], "min_confidence": 0.25})"},
      {"nested.json", R"({"labels": [[["x"]]], "alpha": {"a": [1, 2.5e308, -0.0]}})"},
      {"strings.json", R"({"stemmer": "porter", "labels": ["\u00e9t\u00e9", "\ud83d\ude00"]})"},
  };
  for (const auto& [name, json] : seeds) WriteFile(out / "options_fuzzer" / name, json);
}

// Three option bytes (see analyzer_fuzzer.cpp) + a text.
void WriteAnalyzerSeeds(const std::filesystem::path& out) {
  const std::pair<const char*, std::string> seeds[] = {
      {"plain", std::string("\xff\x3f\x0a", 3) + "The quick brown fox jumps over 42 lazy dogs."},
      {"english", std::string("\x00\xff\x00", 3) + "Running runners ran; caresses ponies ties."},
      {"urls", std::string("\xff\x5d\x12", 3) + "see www.example.com, http://a.b/c?d mail x@y.org"},
      {"unicode", std::string("\x05\x41\x08", 3) + "Ελληνικά кириллица Straße 日本語 \xff\xc3"},
      {"stems", std::string("\x10\x21\x00", 3) + "a i o e é ü nyelv szó ő"},
  };
  for (const auto& [name, bytes] : seeds) WriteFile(out / "analyzer_fuzzer" / name, bytes);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  bool ok = true;
  for (const SeedModel& seed : SeedModels()) ok = WriteModelSeeds(out, seed) && ok;
  WriteOptionsSeeds(out);
  WriteAnalyzerSeeds(out);
  return ok ? 0 : 1;
}
