#include "pipeline/crash_point.h"

#ifdef CLASSIFLOW_CRASH_POINTS
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace classiflow {
namespace {

struct Armed {
  std::string point;
  long hit = 1;
  std::atomic<long> passes{0};
};

Armed* Parse() {
  // Read once, by the first thread to pass a crash point (a function-local static).
  const char* spec = std::getenv("CLASSIFLOW_CRASH_AT");  // NOLINT(concurrency-mt-unsafe)
  if (spec == nullptr || *spec == '\0') return nullptr;
  auto* armed = new Armed();  // lives for the process
  const char* colon = std::strchr(spec, ':');
  armed->point.assign(spec, colon ? static_cast<size_t>(colon - spec) : std::strlen(spec));
  if (colon) armed->hit = std::max(1L, std::strtol(colon + 1, nullptr, 10));
  return armed;
}

}  // namespace

void CrashPoint(const char* point) {
  static Armed* const armed = Parse();
  if (armed == nullptr || armed->point != point) return;
  if (armed->passes.fetch_add(1) + 1 == armed->hit) {
    (void)std::fprintf(stderr, "classiflow: crash point %s reached, aborting\n", point);
    std::abort();
  }
}

}  // namespace classiflow
#endif
