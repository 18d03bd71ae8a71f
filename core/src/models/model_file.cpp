// Model files: "CFMODEL\0", u32 format, kind, name, the model's records, and an XXH64 checksum of
// everything before it. Written to a temporary file and renamed, so a crash never leaves a
// half-written model under the target name.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "classiflow/model.h"
#include "util/binary_io.h"

namespace classiflow {
namespace {

constexpr std::string_view kMagic{"CFMODEL\0", 8};
constexpr uint32_t kFileFormat = 1;

// Reading a missing file is NotFound; every other file-system failure is IOError.
Status ErrnoStatus(const std::string& what, const std::string& path, bool reading) {
  const std::string msg = what + " '" + path + "': " + std::strerror(errno);
  return reading && errno == ENOENT ? Status::NotFound(msg) : Status::IOError(msg);
}

Status ParseFile(std::string_view bytes, std::string* name, std::map<std::string, std::string>* records) {
  if (bytes.size() < kMagic.size() || bytes.substr(0, kMagic.size()) != kMagic) {
    return Status::Corruption("not a classiflow model file (bad magic)");
  }
  if (bytes.size() < kMagic.size() + 4 + sizeof(uint64_t)) return Status::Corruption("model file truncated");
  std::string_view body = bytes.substr(0, bytes.size() - sizeof(uint64_t));
  uint64_t stored = 0;
  BinaryReader(bytes.substr(body.size())).GetU64(&stored);
  if (XXH64(body.data(), body.size(), 0) != stored) {
    return Status::Corruption("model file checksum mismatch (truncated or damaged)");
  }
  BinaryReader r(body.substr(kMagic.size()));
  uint32_t format = 0, count = 0;
  std::string_view kind, model_name;
  if (!r.GetU32(&format)) return Status::Corruption("model file truncated");
  if (format != kFileFormat) {
    return Status::Corruption("unsupported model file format " + std::to_string(format));
  }
  if (!r.GetString(&kind) || !r.GetString(&model_name) || !r.GetU32(&count)) {
    return Status::Corruption("model file header truncated");
  }
  if (kind != "bayes") return Status::Corruption("unknown model kind '" + std::string(kind) + "' in file");
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view key, value;
    if (!r.GetString(&key) || !r.GetString(&value)) return Status::Corruption("model file records truncated");
    (*records)[std::string(key)] = std::string(value);
  }
  if (r.remaining() != 0) return Status::Corruption("model file has trailing bytes");
  *name = std::string(model_name);
  return Status::OK();
}

}  // namespace

Status Model::Save(const std::string& path) const {
  CF_RETURN_IF_ERROR(status());
  ModelRecords records;
  AllRecords(&records);
  std::string bytes(kMagic);
  BinaryWriter w(&bytes);
  w.PutU32(kFileFormat);
  w.PutString(kind());
  w.PutString(name_);
  w.PutU32(static_cast<uint32_t>(records.puts.size()));
  for (const auto& [key, value] : records.puts) {
    w.PutString(key);
    w.PutString(value);
  }
  w.PutU64(XXH64(bytes.data(), bytes.size(), 0));
  const std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file) return ErrnoStatus("cannot create", tmp, false);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.flush();
    if (!file) return ErrnoStatus("cannot write", tmp, false);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = ErrnoStatus("cannot rename to", path, false);
    std::remove(tmp.c_str());
    return s;
  }
  return Status::OK();
}

Status Model::Load(const std::string& path, std::shared_ptr<Model>* out) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::IOError("'" + path + "' is a directory, not a model file");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return ErrnoStatus("cannot open model file", path, true);
  std::stringstream buffer;
  buffer << file.rdbuf();
  if (file.bad()) return ErrnoStatus("cannot read model file", path, true);
  const std::string bytes = buffer.str();
  std::string name;
  std::map<std::string, std::string> records;
  CF_RETURN_IF_ERROR(ParseFile(bytes, &name, &records).WithContext(path));
  return FromRecords(name, records, out).WithContext(path);
}

}  // namespace classiflow
