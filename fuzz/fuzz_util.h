// Helpers shared by the fuzz targets: the check that turns a broken invariant into a crash, a
// scratch directory private to the process, and the round trip every loaded model must survive.
//
// A target reports a bug by crashing: a sanitizer report, an uncaught exception, or FUZZ_CHECK.
// libFuzzer then saves the input; the regression driver (regression_main.cpp) fails on it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "classiflow/model.h"

namespace classiflow::fuzz {

// Prints where and why, then aborts.
[[noreturn]] void Fail(const char* condition, const char* file, int line, std::string_view detail);

// Aborts unless `condition` holds; `detail` (a string) is printed with the report.
#define FUZZ_CHECK(condition, detail) \
  ((condition) ? static_cast<void>(0) \
               : ::classiflow::fuzz::Fail(#condition, __FILE__, __LINE__, (detail)))

// A directory of this process's own, on tmpfs (/dev/shm) where there is one, else under
// TMPDIR or /tmp; removed at normal exit (a crashed run leaves a "classiflow-fuzz-*" behind).
const std::string& ScratchDir();

// Writes `bytes` to ScratchDir()/name (replacing it) and returns the path. Aborts on an I/O
// error: that is the machine's fault, not the input's, and must not pass as a clean run.
std::string WriteScratchFile(std::string_view name, std::string_view bytes);

// What must hold for any model Load() accepted: it classifies (scores per label, a label index in
// range), trains one document (or refuses with a Status), saves, loads again, and the reloaded
// model has the same name, options, labels and version and scores every probe text bit for bit
// like the model in memory.
void CheckLoadedModel(Model& model);

}  // namespace classiflow::fuzz
