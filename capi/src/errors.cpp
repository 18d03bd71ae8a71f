#include "errors.h"

#include <cstdio>

namespace classiflow::capi {
namespace {

using Code = Status::Code;

// The C macros are a second spelling of Status::Code; the numbers are ABI and must agree.
static_assert(CF_OK == static_cast<int>(Code::kOk));
static_assert(CF_INVALID_ARGUMENT == static_cast<int>(Code::kInvalidArgument));
static_assert(CF_NOT_FOUND == static_cast<int>(Code::kNotFound));
static_assert(CF_ALREADY_EXISTS == static_cast<int>(Code::kAlreadyExists));
static_assert(CF_CORRUPTION == static_cast<int>(Code::kCorruption));
static_assert(CF_IO_ERROR == static_cast<int>(Code::kIOError));
static_assert(CF_BUSY == static_cast<int>(Code::kBusy));
static_assert(CF_UNAVAILABLE == static_cast<int>(Code::kUnavailable));
static_assert(CF_INTERNAL == static_cast<int>(Code::kInternal));
static_assert(CF_NOT_SUPPORTED == static_cast<int>(Code::kNotSupported));

// A fixed buffer rather than a std::string: recording an error must not fail or throw, even
// when the error being recorded is an out-of-memory. Longer messages are truncated.
thread_local char tls_last_error[2048] = "";

void Record(const char* function, const char* code_name, const char* message) noexcept {
  // Truncation is intended (see above), so snprintf's result is of no use.
  (void)std::snprintf(tls_last_error, sizeof(tls_last_error), "%s: %s: %s", function, code_name,
                      message);
}

}  // namespace

cf_status Report(const char* function, const Status& status) noexcept {
  if (status.ok()) return CF_OK;
  Record(function, Status::CodeName(status.code()), status.message().c_str());
  return static_cast<cf_status>(status.code());
}

cf_status ReportInternal(const char* function, const char* what) noexcept {
  Record(function, Status::CodeName(Code::kInternal), what);
  return CF_INTERNAL;
}

}  // namespace classiflow::capi

extern "C" {

const char* cf_last_error(void) { return classiflow::capi::tls_last_error; }

const char* cf_status_name(cf_status s) {
  switch (s) {
    case CF_OK:
      return "CF_OK";
    case CF_INVALID_ARGUMENT:
      return "CF_INVALID_ARGUMENT";
    case CF_NOT_FOUND:
      return "CF_NOT_FOUND";
    case CF_ALREADY_EXISTS:
      return "CF_ALREADY_EXISTS";
    case CF_CORRUPTION:
      return "CF_CORRUPTION";
    case CF_IO_ERROR:
      return "CF_IO_ERROR";
    case CF_BUSY:
      return "CF_BUSY";
    case CF_UNAVAILABLE:
      return "CF_UNAVAILABLE";
    case CF_INTERNAL:
      return "CF_INTERNAL";
    case CF_NOT_SUPPORTED:
      return "CF_NOT_SUPPORTED";
  }
  return "CF_UNKNOWN_STATUS";
}

}  // extern "C"
