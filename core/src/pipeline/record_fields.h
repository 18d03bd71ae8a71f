// Field codecs shared by the pipeline's binary records (records.cpp) and the analytics
// records (analytics/aggregates_records.cpp): times, bounded integers and strings.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "util/binary_io.h"

namespace classiflow {

// Times are Unix ms; zig-zag keeps a (theoretical) negative one small.
inline void PutTime(int64_t t, BinaryWriter* w) {
  w->PutVarint((static_cast<uint64_t>(t) << 1) ^ static_cast<uint64_t>(t >> 63));
}
inline bool GetTime(BinaryReader* r, int64_t* t) {
  uint64_t v = 0;
  if (!r->GetVarint(&v)) return false;
  *t = static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  return true;
}

// A varint that must fit `Int`.
template <class Int>
bool GetInt(BinaryReader* r, Int* out) {
  uint64_t v = 0;
  if (!r->GetVarint(&v) || v > static_cast<uint64_t>(std::numeric_limits<Int>::max())) {
    return false;
  }
  *out = static_cast<Int>(v);
  return true;
}

inline bool GetString(BinaryReader* r, std::string* out) {
  std::string_view s;
  if (!r->GetBytes(&s)) return false;
  out->assign(s);
  return true;
}

}  // namespace classiflow
