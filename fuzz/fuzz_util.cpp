#include "fuzz_util.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "classiflow/prediction.h"

namespace classiflow::fuzz {
namespace {

// Texts that reach the usual analyzer paths: empty, plain words, numbers, a URL and an e-mail
// address, non-ASCII letters, and invalid UTF-8.
constexpr std::string_view kProbeTexts[] = {
    "",
    "cheap pills now cheap",
    "meeting tomorrow at 10 see https://example.com/a?b=c or mail bob@example.org",
    "Ünïcödé Straße naïve ΕΛΛΗΝΙΚΑ кириллица 日本語",
    "bad \xff\xfe utf8 \xc3 end",
};

void RemoveScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(ScratchDir(), ec);
}

// TMPDIR when set (fuzz/run_fuzzers.sh points it at a directory it removes: libFuzzer ends a
// timed run without running atexit handlers), else /dev/shm, else /tmp.
std::string MakeScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp != nullptr && *tmp != '\0' ? tmp : "/dev/shm";
  if (access(base.c_str(), W_OK) != 0) base = "/tmp";
  std::string pattern = base + "/classiflow-fuzz-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    std::fprintf(stderr, "fuzz: cannot create a scratch directory under %s: %s\n", base.c_str(),
                 std::strerror(errno));
    std::abort();
  }
  return pattern;
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Classifies `text` with both models and compares every field a caller can see.
void CheckSamePrediction(const Model& original, const Model& reloaded, std::string_view text) {
  Prediction a, b;
  const Status sa = original.Classify(text, &a);
  const Status sb = reloaded.Classify(text, &b);
  FUZZ_CHECK(sa.code() == sb.code(), sa.ToString() + " vs " + sb.ToString());
  if (!sa.ok()) return;
  FUZZ_CHECK(a.label == b.label && a.label_index == b.label_index, a.label + " vs " + b.label);
  FUZZ_CHECK(SameBits(a.confidence, b.confidence), "confidence differs after save + load");
  FUZZ_CHECK(a.scores.size() == b.scores.size(), "score count differs after save + load");
  for (size_t i = 0; i < a.scores.size(); ++i) {
    FUZZ_CHECK(SameBits(a.scores[i], b.scores[i]),
               "score " + std::to_string(i) + " differs after save + load: " +
                   std::to_string(a.scores[i]) + " vs " + std::to_string(b.scores[i]));
  }
}

void CheckClassifies(const Model& model, std::string_view text) {
  Prediction p;
  const Status s = model.Classify(text, &p);
  if (!s.ok()) return;  // e.g. a model without labels: an error, not a crash
  const size_t labels = p.snapshot ? p.snapshot->label_count() : 0;
  FUZZ_CHECK(p.scores.size() == labels, "one score per label");
  FUZZ_CHECK(!p.has_label() || p.label_index < labels, "label index in range");
}

}  // namespace

void Fail(const char* condition, const char* file, int line, std::string_view detail) {
  std::fprintf(stderr, "\nFUZZ_CHECK failed at %s:%d: %s\n  %.*s\n", file, line, condition,
               static_cast<int>(detail.size()), detail.data());
  std::fflush(stderr);
  std::abort();
}

const std::string& ScratchDir() {
  // Never destroyed: RemoveScratchDir runs from atexit, after static destructors may have run.
  static const std::string* const dir = [] {
    const auto* made = new std::string(MakeScratchDir());
    std::atexit(RemoveScratchDir);
    return made;
  }();
  return *dir;
}

std::string WriteScratchFile(std::string_view name, std::string_view bytes) {
  std::string path = ScratchDir() + "/" + std::string(name);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  file.close();
  if (!file) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

void CheckLoadedModel(Model& model) {
  for (std::string_view text : kProbeTexts) CheckClassifies(model, text);
  const std::vector<std::string> labels = model.labels();
  (void)model.Train(labels.empty() ? "fuzz" : labels.front(), "cheap pills now fuzz 42");
  model.WaitForRebuild();  // an index rebuild the step started must not land after the save

  const std::string path = ScratchDir() + "/saved.cfm";
  const Status saved = model.Save(path);
  FUZZ_CHECK(saved.ok(), "a loaded model must save: " + saved.ToString());
  std::shared_ptr<Model> reloaded;
  const Status loaded = Model::Load(path, &reloaded);
  FUZZ_CHECK(loaded.ok(), "what Save() wrote must load: " + loaded.ToString());
  FUZZ_CHECK(reloaded->name() == model.name(), "name differs after save + load");
  FUZZ_CHECK(reloaded->options() == model.options(), "options differ after save + load");
  FUZZ_CHECK(reloaded->labels() == model.labels(), "labels differ after save + load");
  FUZZ_CHECK(reloaded->version() == model.version(), "version differs after save + load");
  for (std::string_view text : kProbeTexts) CheckSamePrediction(model, *reloaded, text);
}

}  // namespace classiflow::fuzz
