#include "classiflow/status.h"

namespace classiflow {

Status::Status(Code code, std::string_view msg)
    : state_(std::make_shared<const State>(State{code, std::string(msg)})) {}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code())) + ": " + state_->message;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code(), std::string(context) + ": " + state_->message);
}

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "InvalidArgument";
    case Code::kNotFound:
      return "NotFound";
    case Code::kAlreadyExists:
      return "AlreadyExists";
    case Code::kCorruption:
      return "Corruption";
    case Code::kIOError:
      return "IOError";
    case Code::kBusy:
      return "Busy";
    case Code::kUnavailable:
      return "Unavailable";
    case Code::kInternal:
      return "Internal";
    case Code::kNotSupported:
      return "NotSupported";
  }
  return "Unknown";
}

}  // namespace classiflow
