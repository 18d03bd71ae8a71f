#include "log_scan.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

namespace classiflow {
namespace {

constexpr unsigned char kTypeColumnFamilyValue = 0x05;  // RocksDB WriteBatch: Put into a family
constexpr size_t kMaxKey = 512, kMaxValue = 64u << 20;

// RocksDB's varint32; false when it runs past the end or is too long.
bool GetVarint32(std::string_view bytes, size_t* pos, uint32_t* value) {
  *value = 0;
  for (int shift = 0; shift <= 28 && *pos < bytes.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(bytes[(*pos)++]);
    *value |= uint32_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// Parses a Put at `pos` (just past its type byte); true with key and value on success.
bool ParsePut(std::string_view bytes, size_t pos, uint32_t family_id, std::string_view* key,
              std::string_view* value) {
  uint32_t family = 0, key_len = 0, value_len = 0;
  if (!GetVarint32(bytes, &pos, &family) || family != family_id) return false;
  if (!GetVarint32(bytes, &pos, &key_len) || key_len > kMaxKey || bytes.size() - pos < key_len)
    return false;
  *key = bytes.substr(pos, key_len);
  pos += key_len;
  if (!GetVarint32(bytes, &pos, &value_len) || value_len > kMaxValue ||
      bytes.size() - pos < value_len) {
    return false;
  }
  *value = bytes.substr(pos, value_len);
  return true;
}

}  // namespace

void ScanLoggedHeaders(const std::string& dir, uint32_t family_id,
                       std::vector<std::pair<std::string, std::string>>* out) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".log") continue;
    std::ifstream file(it->path(), std::ios::binary);
    std::stringstream buffer;
    buffer << file.rdbuf();
    const std::string bytes = buffer.str();
    const std::string_view view(bytes);
    for (size_t i = 0; i < view.size(); ++i) {
      if (static_cast<unsigned char>(view[i]) != kTypeColumnFamilyValue) continue;
      std::string_view key, value;
      if (!ParsePut(view, i + 1, family_id, &key, &value)) continue;
      const size_t sep = key.find('\0');
      if (sep == std::string_view::npos || key.substr(sep) != std::string_view("\0h", 2)) continue;
      out->emplace_back(std::string(key.substr(0, sep)), std::string(value));
    }
  }
}

}  // namespace classiflow
