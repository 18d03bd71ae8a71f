// Status: the outcome of every fallible classiflow call.
//
// A Status is either OK or carries a Code and a human-readable message. The codes mirror the
// C ABI's cf_status values and the Python exception classes (see STYLE.md), so an error keeps
// its meaning across all three faces. Status is a small value type; copying is cheap for OK.
//
// Thread-safety: a Status is immutable after construction and may be shared freely.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "classiflow/export.h"

namespace classiflow {

class CLASSIFLOW_EXPORT Status {
 public:
  // The numeric values are part of the C ABI (cf_status) and must never change.
  enum class Code : int {
    kOk = 0,
    kInvalidArgument = 1,  // the caller passed something unusable; nothing changed
    kNotFound = 2,         // a named model, label or file does not exist
    kAlreadyExists = 3,    // creating something whose name is taken
    kCorruption = 4,       // stored or loaded bytes fail their checks
    kIOError = 5,          // the file system or database refused an operation
    kBusy = 6,             // a resource (a data directory) is held by someone else
    kUnavailable = 7,      // a service or the engine is not available (closed, down)
    kInternal = 8,         // a bug or an unexpected exception inside classiflow
    kNotSupported = 9,     // a verb this model kind or engine mode does not have
  };

  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status AlreadyExists(std::string_view msg) { return Status(Code::kAlreadyExists, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status Busy(std::string_view msg) { return Status(Code::kBusy, msg); }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  static Status Internal(std::string_view msg) { return Status(Code::kInternal, msg); }
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }

  bool ok() const { return state_ == nullptr; }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  // The message without the code name; empty for OK.
  const std::string& message() const;
  // "InvalidArgument: message" or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "context: message"; OK stays OK.
  Status WithContext(std::string_view context) const;

  static const char* CodeName(Code code);

 private:
  struct State {
    Code code;
    std::string message;
  };
  Status(Code code, std::string_view msg);

  std::shared_ptr<const State> state_;  // null means OK
};

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define CF_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    ::classiflow::Status cf_status_tmp_ = (expr);    \
    if (!cf_status_tmp_.ok()) return cf_status_tmp_; \
  } while (0)

}  // namespace classiflow
