// Little-endian binary encoding for model records and files. The Reader never reads past its
// input: every Get returns false on truncation, which callers turn into Corruption.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace classiflow {

class BinaryWriter {
 public:
  explicit BinaryWriter(std::string* out) : out_(out) {}
  void PutU32(uint32_t v) { PutRaw(&v, sizeof v); }
  void PutU64(uint64_t v) { PutRaw(&v, sizeof v); }
  void PutF64(double v) { PutRaw(&v, sizeof v); }
  void PutString(std::string_view s) {
    PutU32(static_cast<uint32_t>(s.size()));
    out_->append(s.data(), s.size());
  }
  // LEB128: 7 bits per byte, low bits first; small numbers take one byte.
  void PutVarint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  // A varint length, then the bytes.
  void PutBytes(std::string_view s) {
    PutVarint(s.size());
    out_->append(s.data(), s.size());
  }
  void PutRaw(const void* data, size_t n) {
    static_assert(std::endian::native == std::endian::little, "classiflow assumes little-endian");
    out_->append(static_cast<const char*>(data), n);
  }

 private:
  std::string* out_;
};

class BinaryReader {
 public:
  explicit BinaryReader(std::string_view in) : in_(in) {}
  bool GetU32(uint32_t* v) { return GetRaw(v, sizeof *v); }
  bool GetU64(uint64_t* v) { return GetRaw(v, sizeof *v); }
  bool GetF64(double* v) { return GetRaw(v, sizeof *v); }
  bool GetString(std::string_view* s) {
    uint32_t n = 0;
    if (!GetU32(&n) || n > in_.size()) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool GetVarint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && !in_.empty(); shift += 7) {
      const auto byte = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool GetBytes(std::string_view* s) {
    uint64_t n = 0;
    if (!GetVarint(&n) || n > in_.size()) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool GetRaw(void* out, size_t n) {
    if (in_.size() < n) return false;
    // An empty read may have a null `out` (an empty vector's data()): memcpy must not see it.
    if (n != 0) std::memcpy(out, in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  size_t remaining() const { return in_.size(); }

 private:
  std::string_view in_;
};

}  // namespace classiflow
