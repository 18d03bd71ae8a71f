// Error plumbing shared by every C entry point: the thread-local last error, Status -> cf_status,
// and Guard(), which runs an entry point's body so that no exception crosses the C ABI.
#pragma once

#include <exception>
#include <new>

#include "classiflow/classiflow.h"
#include "classiflow/status.h"

namespace classiflow::capi {

// Records `status` as this thread's last error (prefixed by `function`) unless it is OK, and
// returns its code. Never throws and never allocates, so it is safe inside catch handlers.
cf_status Report(const char* function, const Status& status) noexcept;
// Records an unexpected failure as CF_INTERNAL without constructing a Status (which allocates).
cf_status ReportInternal(const char* function, const char* what) noexcept;

// Runs `body` (a callable returning Status) and maps its outcome to a cf_status, turning every
// exception into CF_INTERNAL. Each extern "C" function is `return Guard(__func__, [&] {...});`
// so that its name prefixes the message cf_last_error() shows.
template <typename Body>
cf_status Guard(const char* function, Body&& body) noexcept {
  try {
    return Report(function, body());
  } catch (const std::bad_alloc&) {
    return ReportInternal(function, "out of memory");
  } catch (const std::exception& e) {
    return ReportInternal(function, e.what());
  } catch (...) {
    return ReportInternal(function, "unknown exception");
  }
}

}  // namespace classiflow::capi
