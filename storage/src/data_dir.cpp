#include "data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "classiflow/store.h"
#include "util/errno_text.h"
#include "writer_lock.h"

namespace classiflow {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kMarkTitle = "classiflow data directory";
constexpr int kMarkFormat = 1;

std::string Quote(std::string_view path) { return "'" + std::string(path) + "'"; }

Status ErrnoError(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + Quote(path) + ": " + ErrnoText(errno));
}

Status CheckPathArg(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("empty data directory path");
  if (path.find('\0') != std::string::npos) {
    return Status::InvalidArgument("data directory path contains a NUL byte");
  }
  return Status::OK();
}

// The directory's entries, sorted (names only).
Status ListEntries(const std::string& dir, std::vector<std::string>* names) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names->push_back(it->path().filename().string());
  }
  if (ec) return Status::IOError("cannot list " + Quote(dir) + ": " + ec.message());
  std::sort(names->begin(), names->end());
  return Status::OK();
}

// "a, b, c and 12 more" — what a refused directory holds, for the error message.
std::string Sample(const std::vector<std::string>& names) {
  std::string out;
  const size_t shown = std::min<size_t>(names.size(), 5);
  for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > shown) out += " and " + std::to_string(names.size() - shown) + " more";
  return out;
}

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  return std::binary_search(names.begin(), names.end(), name);
}

// The column family names an OPTIONS file declares ("[CFOptions \"name\"]" sections).
std::vector<std::string> DeclaredFamilies(const std::string& options_text) {
  constexpr std::string_view kSection = "[CFOptions \"";
  std::vector<std::string> names;
  for (size_t at = options_text.find(kSection); at != std::string::npos;
       at = options_text.find(kSection, at)) {
    at += kSection.size();
    const size_t end = options_text.find("\"]", at);
    if (end == std::string::npos) break;
    names.push_back(options_text.substr(at, end - at));
  }
  return names;
}

// Families a classiflow release may have made: RocksDB's default and the key spaces'. The first
// release had models and meta only, later ones add key spaces, and every one has those two.
bool AreClassiflowFamilies(const std::vector<std::string>& families) {
  auto ours = [](const std::string& name) {
    if (name == "default") return true;
    return std::any_of(std::begin(kKeySpaces), std::end(kKeySpaces),
                       [&](const KeySpaceInfo& info) { return name == info.name; });
  };
  auto has = [&](std::string_view name) {
    return std::find(families.begin(), families.end(), name) != families.end();
  };
  return std::all_of(families.begin(), families.end(), ours) && has("models") && has("meta");
}

// A directory made by classiflow's first release, before the mark existed: a RocksDB whose
// newest OPTIONS file declares only classiflow's column families, models and meta among them.
bool IsUnmarkedClassiflowDirectory(const std::string& dir, const std::vector<std::string>& names) {
  if (!Contains(names, "CURRENT")) return false;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    if (!it->starts_with("OPTIONS-") || it->ends_with(".dbtmp")) continue;
    std::ifstream file(dir + "/" + *it);
    std::stringstream text;
    text << file.rdbuf();
    return AreClassiflowFamilies(DeclaredFamilies(text.str()));
  }
  return false;
}

Status ReadMark(const std::string& dir) {
  std::ifstream file(dir + "/" + DataDir::kMarkFile);
  std::string title, word;
  int format = 0;
  if (!std::getline(file, title) || title != kMarkTitle || !(file >> word >> format) ||
      word != "format") {
    return Status::Corruption(Quote(dir) + " has a damaged identity file " +
                              std::string(DataDir::kMarkFile));
  }
  if (format > kMarkFormat) {
    return Status::NotSupported(Quote(dir) + " was written by a newer classiflow (data format " +
                                std::to_string(format) + "; this one reads " +
                                std::to_string(kMarkFormat) + ")");
  }
  return Status::OK();
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open directory", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : ErrnoError("cannot fsync directory", dir);
}

// Writes the mark under a temporary name and links it into place, so the mark is never seen
// half written; EEXIST means another process marked the directory first, which is fine.
Status WriteMark(const std::string& dir) {
  const std::string tmp = dir + "/" + DataDir::kMarkFile + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot create", tmp);
  const std::string text =
      std::string(kMarkTitle) + "\nformat " + std::to_string(kMarkFormat) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  Status s = written ? Status::OK() : ErrnoError("cannot write", tmp);
  ::close(fd);
  if (s.ok() && ::link(tmp.c_str(), (dir + "/" + DataDir::kMarkFile).c_str()) != 0 &&
      errno != EEXIST) {
    s = ErrnoError("cannot create the identity file in", dir);
  }
  ::unlink(tmp.c_str());
  return s.ok() ? SyncDirectory(dir) : s;
}

// Files that hold no committed data: the mark, locks, and what RocksDB writes while it creates
// a database before its CURRENT file exists. Committed data lives only in *.log and *.sst files,
// so a marked directory holding nothing else was never more than half created.
bool HoldsNoData(const std::string& name) {
  return name == DataDir::kMarkFile || name == "LOCK" || name == "IDENTITY" ||
         name.starts_with(std::string(DataDir::kMarkFile) + ".tmp.") ||
         name.starts_with("MANIFEST-") || name.starts_with("OPTIONS-") || name.ends_with(".dbtmp");
}

// Decides from the entries whether the directory may be opened, and whether a database must
// be created. Writes nothing.
Status Classify(const std::string& dir, const std::vector<std::string>& names, bool* marked,
                bool* fresh) {
  *marked = Contains(names, DataDir::kMarkFile);
  *fresh = false;
  if (!*marked) {
    if (names.empty()) return *fresh = true, Status::OK();
    if (IsUnmarkedClassiflowDirectory(dir, names)) return Status::OK();
    return Status::InvalidArgument(Quote(dir) + " is not a classiflow data directory (it holds " +
                                   Sample(names) +
                                   "); refusing to open it. Use an empty or new "
                                   "directory.");
  }
  CF_RETURN_IF_ERROR(ReadMark(dir));
  if (Contains(names, "CURRENT")) return Status::OK();
  if (std::all_of(names.begin(), names.end(), HoldsNoData)) return *fresh = true, Status::OK();
  return Status::Corruption("the classiflow data directory " + Quote(dir) +
                            " has lost its CURRENT file (it holds " + Sample(names) +
                            "); refusing to open it. Restore it from a backup.");
}

// Lists `dir` and classifies what it holds (see Classify).
Status Inspect(const std::string& dir, bool* marked, bool* fresh) {
  std::vector<std::string> names;
  CF_RETURN_IF_ERROR(ListEntries(dir, &names));
  return Classify(dir, names, marked, fresh);
}

}  // namespace

DataDir::~DataDir() = default;

Status DataDir::Open(const std::string& path, Access access, std::unique_ptr<DataDir>* out) {
  CF_RETURN_IF_ERROR(CheckPathArg(path));
  const bool write = access == Access::kWrite;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (!write) return Status::NotFound("no classiflow data directory at " + Quote(path));
    fs::create_directories(path, ec);
    if (ec)
      return Status::IOError("cannot create data directory " + Quote(path) + ": " + ec.message());
  }
  if (!fs::is_directory(path, ec)) return Status::IOError(Quote(path) + " is not a directory");
  const std::string canonical = fs::canonical(path, ec).string();
  if (ec) return Status::IOError("cannot resolve " + Quote(path) + ": " + ec.message());
  struct stat st {};
  if (::stat(canonical.c_str(), &st) != 0) return ErrnoError("cannot stat", canonical);

  if (write && ::access(canonical.c_str(), W_OK) != 0) {
    return Status::IOError("the data directory " + Quote(canonical) + " is not writable (" +
                           ErrnoText(errno) + "); open it with mode=\"read\" to classify from it");
  }
  std::unique_ptr<DataDir> dir(new DataDir(canonical, false));
  if (write) {
    CF_RETURN_IF_ERROR(WriterLock::Claim("the data directory " + Quote(canonical), st.st_dev,
                                         st.st_ino, path, &dir->lock_));
  }
  bool marked = false, fresh = false;
  CF_RETURN_IF_ERROR(Inspect(canonical, &marked, &fresh));
  if (!write && fresh) {
    return Status::Unavailable("the data directory " + Quote(canonical) +
                               " has no database yet; open it with a writer first");
  }
  if (write) {
    if (!marked) CF_RETURN_IF_ERROR(WriteMark(canonical));
    CF_RETURN_IF_ERROR(dir->lock_->Lock(canonical + "/" + kMarkFile, /*create=*/false));
    // Between listing and locking another process may have created the database; look again
    // under the lock so `fresh` is decided by what the lock protects.
    CF_RETURN_IF_ERROR(Inspect(canonical, &marked, &fresh));
  }
  dir->fresh_ = fresh;
  *out = std::move(dir);
  return Status::OK();
}

}  // namespace classiflow
