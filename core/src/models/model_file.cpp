// Model files: "CFMODEL\0", u32 format, kind, name, the model's records, and an XXH64 checksum of
// everything before it. Written to a unique temporary file, fsynced and renamed, so a crash
// never leaves a half-written model under the target name and concurrent saves never mix.
// Read defensively: every count and length is checked against the bytes that remain.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "classiflow/model.h"
#include "models/kinds.h"
#include "util/binary_io.h"
#include "util/errno_text.h"
#include "util/json_options.h"

namespace classiflow {
namespace {

constexpr std::string_view kMagic{"CFMODEL\0", 8};
constexpr uint32_t kFileFormat = 1;

// Reading a missing file is NotFound; every other file-system failure is IOError.
Status ErrnoStatus(const std::string& what, const std::string& path, bool reading,
                   int err = errno) {
  const std::string msg = what + " '" + path + "': " + ErrnoText(err);
  return reading && err == ENOENT ? Status::NotFound(msg) : Status::IOError(msg);
}

// A path arrives as std::string from C and Python too: "" must not mean "somewhere", and an
// embedded NUL would silently cut it short at the system call.
Status CheckPath(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("model file path is empty");
  if (path.find('\0') != std::string::npos) {
    return Status::InvalidArgument("model file path contains a NUL byte");
  }
  return Status::OK();
}

// Reads `count` key/value records; Corruption for a truncated list or a key seen twice.
Status ParseRecords(BinaryReader* r, uint32_t count, std::map<std::string, std::string>* records) {
  // Each record takes at least its two 4-byte lengths: checked before the loop so a count of
  // 2^32-1 in a small file is refused at once.
  if (count > r->remaining() / (2 * sizeof(uint32_t))) {
    return Status::Corruption("model file record count " + std::to_string(count) +
                              " is larger than the file");
  }
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view key, value;
    if (!r->GetString(&key) || !r->GetString(&value)) {
      return Status::Corruption("model file records truncated");
    }
    if (!records->emplace(std::string(key), std::string(value)).second) {
      return Status::Corruption("model file has the record " + QuotePrefix(key) + " twice");
    }
  }
  return Status::OK();
}

Status ParseFile(std::string_view bytes, std::string* name,
                 std::map<std::string, std::string>* records) {
  if (bytes.size() < kMagic.size() || bytes.substr(0, kMagic.size()) != kMagic) {
    return Status::Corruption("not a classiflow model file (bad magic)");
  }
  if (bytes.size() < kMagic.size() + 4 + sizeof(uint64_t))
    return Status::Corruption("model file truncated");
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
  if (FindKind(kind) == nullptr) {
    return Status::Corruption("unknown model kind " + QuotePrefix(kind) +
                              " in file (known: " + KindNames() + ")");
  }
  Status s = ValidateModelName(model_name);
  if (!s.ok()) return Status::Corruption("model file names its model badly: " + s.message());
  CF_RETURN_IF_ERROR(ParseRecords(&r, count, records));
  if (r.remaining() != 0) return Status::Corruption("model file has trailing bytes");
  *name = std::string(model_name);
  return Status::OK();
}

std::string Serialize(std::string_view kind, std::string_view name, const ModelRecords& records) {
  std::string bytes(kMagic);
  BinaryWriter w(&bytes);
  w.PutU32(kFileFormat);
  w.PutString(kind);
  w.PutString(name);
  w.PutU32(static_cast<uint32_t>(records.puts.size()));
  for (const auto& [key, value] : records.puts) {
    w.PutString(key);
    w.PutString(value);
  }
  w.PutU64(XXH64(bytes.data(), bytes.size(), 0));
  return bytes;
}

// Writes all of `bytes` to `fd` and fsyncs it; false with errno set on failure.
bool WriteAllAndSync(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return ::fsync(fd) == 0;
}

// fsync of the directory holding `path`, so the rename that put the file there survives a
// power loss.
Status SyncParentDirectory(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? std::string(".") : parent.string();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open directory", dir, false);
  const bool ok = ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  return ok ? Status::OK() : ErrnoStatus("cannot fsync directory", dir, false, err);
}

// `bytes` become the file at `path` all at once or not at all: a temporary file of its own
// (unique per call, so concurrent saves never share one) in the same directory, fsynced,
// renamed over `path`, then the directory fsynced. The temporary is removed on any failure.
Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return ErrnoStatus("cannot create a temporary file for", path, false);
  // mkstemp makes 0600; a saved model is meant to be shipped and read by other processes, so
  // it gets 0644 (SQLite's default for a new database file).
  bool ok = ::fchmod(fd, 0644) == 0 && WriteAllAndSync(fd, bytes);
  int err = errno;
  if (::close(fd) != 0 && ok) ok = false, err = errno;
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) ok = false, err = errno;
  if (!ok) {
    ::unlink(tmp.c_str());
    return ErrnoStatus("cannot write model file", path, false, err);
  }
  return SyncParentDirectory(path);
}

}  // namespace

Status Model::Save(const std::string& path) const {
  CF_RETURN_IF_ERROR(CheckPath(path));
  CF_RETURN_IF_ERROR(status());
  ModelRecords records;
  AllRecords(&records);
  return WriteFileAtomically(path, Serialize(kind(), name_, records));
}

Status Model::ToBytes(std::string* out) const {
  CF_RETURN_IF_ERROR(status());
  ModelRecords records;
  AllRecords(&records);
  *out = Serialize(kind(), name_, records);
  return Status::OK();
}

Status Model::FromBytes(std::string_view bytes, std::shared_ptr<Model>* out) {
  std::string name;
  std::map<std::string, std::string> records;
  CF_RETURN_IF_ERROR(ParseFile(bytes, &name, &records));
  return FromRecords(name, records, out);
}

Status Model::Load(const std::string& path, std::shared_ptr<Model>* out) {
  CF_RETURN_IF_ERROR(CheckPath(path));
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
