// Library-wide entry points: version, memory, threads.
#include <cstdlib>
#include <string_view>

#include "internal.h"

// CLASSIFLOW_PROJECT_VERSION comes from CMake's project(VERSION); the header's macros must not
// drift from it, or cf_version() and CF_VERSION_STRING would disagree about one build.
static_assert(std::string_view(CF_VERSION_STRING) == CLASSIFLOW_PROJECT_VERSION,
              "update the CF_VERSION_* macros in classiflow.h");
static_assert(CF_VERSION_MAJOR == CLASSIFLOW_PROJECT_VERSION_MAJOR &&
                  CF_VERSION_MINOR == CLASSIFLOW_PROJECT_VERSION_MINOR &&
                  CF_VERSION_PATCH == CLASSIFLOW_PROJECT_VERSION_PATCH,
              "update the CF_VERSION_* macros in classiflow.h");

extern "C" {

const char* cf_version(void) { return CF_VERSION_STRING; }

void cf_free(void* p) { std::free(p); }

void cf_set_threads(int n) {
  (void)classiflow::capi::Guard(__func__, [&] {
    classiflow::SetMaxThreads(n < 0 ? 0 : n);
    return classiflow::Status::OK();
  });
}

}  // extern "C"
