// ErrnoText: the message of an errno value, thread-safe (std::strerror is not, and libstdc++'s
// std::generic_category().message() calls it): engines open and save from many threads.
#pragma once

#include <cstring>
#include <string>

namespace classiflow {
namespace errno_detail {
// strerror_r comes in two kinds: GNU's (g++ defines _GNU_SOURCE) returns the text, XSI's fills
// the buffer and returns 0. These overloads take either result.
[[maybe_unused]] inline const char* Text(int /*xsi_result*/, const char* buffer) { return buffer; }
[[maybe_unused]] inline const char* Text(const char* gnu_text, const char* /*buffer*/) {
  return gnu_text;
}
}  // namespace errno_detail

inline std::string ErrnoText(int err) {
  char buffer[256] = "";
  return errno_detail::Text(::strerror_r(err, buffer, sizeof buffer), buffer);
}

}  // namespace classiflow
