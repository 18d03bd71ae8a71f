// Turns exceptions escaping a block of work into a Status. oneTBB rethrows an exception from a
// worker thread in the thread that called parallel_for, so wrapping the call is enough for
// errors inside parallel batch work to reach the caller as a Status, never std::terminate.
#pragma once

#include <exception>
#include <new>

#include "classiflow/status.h"

namespace classiflow {

template <class Body>
Status Guarded(Body&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Status::Internal("out of memory");
  } catch (const std::exception& e) {
    return Status::Internal(e.what());
  } catch (...) {
    return Status::Internal("unknown exception");
  }
}

}  // namespace classiflow
