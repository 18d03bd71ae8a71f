#include "sealed_model.h"

#include <cstdint>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "models/model_records.h"
#include "util/binary_io.h"

namespace classiflow::fuzz {
namespace {

constexpr std::string_view kMagic{"CFMODEL\0", 8};
constexpr uint32_t kFileFormat = 1;

std::vector<std::string_view> Split(std::string_view in) {
  std::vector<std::string_view> fields;
  for (size_t at; (at = in.find(kSealedSeparator)) != std::string_view::npos;) {
    fields.push_back(in.substr(0, at));
    in.remove_prefix(at + kSealedSeparator.size());
  }
  fields.push_back(in);
  return fields;
}

}  // namespace

std::string SealModelFile(std::string_view structured) {
  const std::vector<std::string_view> fields = Split(structured);
  const std::string_view name = fields[0];
  const std::string_view kind = fields.size() > 1 ? fields[1] : "bayes";
  const size_t records = fields.size() > 2 ? (fields.size() - 1) / 2 : 0;
  std::string bytes(kMagic);
  BinaryWriter w(&bytes);
  w.PutU32(kFileFormat);
  w.PutString(kind);
  w.PutString(name);
  w.PutU32(static_cast<uint32_t>(records));
  for (size_t i = 0; i < records; ++i) {
    const size_t key = 2 + 2 * i;
    w.PutString(fields[key]);
    w.PutString(SealRecord(std::string(key + 1 < fields.size() ? fields[key + 1] : "")));
  }
  w.PutU64(XXH64(bytes.data(), bytes.size(), 0));
  return bytes;
}

std::string UnsealModelFile(std::string_view file) {
  if (file.size() < kMagic.size() + sizeof(uint64_t) || file.substr(0, kMagic.size()) != kMagic)
    return "";
  BinaryReader r(file.substr(kMagic.size(), file.size() - kMagic.size() - sizeof(uint64_t)));
  uint32_t format = 0, count = 0;
  std::string_view kind, name;
  if (!r.GetU32(&format) || format != kFileFormat || !r.GetString(&kind) || !r.GetString(&name) ||
      !r.GetU32(&count)) {
    return "";
  }
  std::vector<std::string_view> fields = {name, kind};
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view key, sealed;
    if (!r.GetString(&key) || !r.GetString(&sealed) || sealed.size() < sizeof(uint64_t)) return "";
    fields.push_back(key);
    fields.push_back(sealed.substr(0, sealed.size() - sizeof(uint64_t)));
  }
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].find(kSealedSeparator) != std::string_view::npos) return "";
    if (i > 0) out += kSealedSeparator;
    out += fields[i];
  }
  return out;
}

}  // namespace classiflow::fuzz
