#include "sqlite_file.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <vector>

#include "util/errno_text.h"

namespace classiflow {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kIdentity = "classiflow store";
constexpr int kFormat = 1;
constexpr int kBusyTimeoutMs = 5000;

// Made in one transaction, after the journal mode (which lives in the file's header) is WAL.
constexpr const char* kSchema = R"(
PRAGMA journal_mode=WAL;
BEGIN;
CREATE TABLE classiflow_meta(name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
INSERT INTO classiflow_meta VALUES('identity', 'classiflow store'), ('format', '1');
CREATE TABLE kv(space INTEGER NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL,
                PRIMARY KEY(space, key)) WITHOUT ROWID;
COMMIT;
)";

std::string Quote(std::string_view path) { return "'" + std::string(path) + "'"; }

Status ErrnoError(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + Quote(path) + ": " + ErrnoText(errno));
}

Status NotOurs(const std::string& path, const std::string& why) {
  return Status::InvalidArgument(Quote(path) + " is not a classiflow SQLite file (" + why +
                                 "); refusing to open it. Use a new or empty file.");
}

// "a, b, c and 12 more".
std::string Sample(const std::vector<std::string>& names) {
  if (names.empty()) return "no tables";
  std::string out = "tables ";
  const size_t shown = std::min<size_t>(names.size(), 5);
  for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > shown) out += " and " + std::to_string(names.size() - shown) + " more";
  return out;
}

// Reads every row of `sql` (one text column) into *out.
Status Column(sqlite::Database& db, const char* sql, std::vector<std::string>* out) {
  sqlite::Statement statement;
  CF_RETURN_IF_ERROR(db.Prepare(sql, &statement));
  sqlite::Query query(statement);
  for (bool row = true;;) {
    CF_RETURN_IF_ERROR(query.Step("reading", &row));
    if (!row) return Status::OK();
    out->emplace_back(query.Bytes(0));
  }
}

// Reads the mark through `db`, a read-only connection: nothing is written whatever the file.
Status CheckMark(sqlite::Database& db) {
  const std::string& path = db.path();
  std::vector<std::string> tables;
  Status s =
      Column(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name", &tables);
  if (!s.ok() && db.last_error() == SQLITE_NOTADB) {
    return NotOurs(path, "it is not an SQLite database");
  }
  // A hot rollback journal: an SQLite database in rollback mode, which classiflow's never is.
  if (!s.ok() && db.last_error() == SQLITE_READONLY_ROLLBACK) {
    return NotOurs(path, "an SQLite database in rollback-journal mode");
  }
  CF_RETURN_IF_ERROR(s);
  const auto has = [&](std::string_view name) {
    return std::find(tables.begin(), tables.end(), name) != tables.end();
  };
  if (!has("classiflow_meta")) return NotOurs(path, "an SQLite database holding " + Sample(tables));
  std::vector<std::string> mark;
  CF_RETURN_IF_ERROR(Column(
      db,
      "SELECT value FROM classiflow_meta WHERE name IN ('identity', 'format') ORDER BY name DESC",
      &mark));
  if (mark.size() != 2 || mark[0] != kIdentity) {
    return NotOurs(path, "its classiflow_meta table holds no classiflow identity");
  }
  int format = 0;
  const char* end = mark[1].data() + mark[1].size();
  if (std::from_chars(mark[1].data(), end, format).ptr != end) format = 0;
  if (format < 1) return Status::Corruption(Quote(path) + " has a damaged classiflow_meta table");
  if (format > kFormat) {
    return Status::NotSupported(Quote(path) + " was written by a newer classiflow (format " +
                                mark[1] + "; this one reads " + std::to_string(kFormat) + ")");
  }
  if (!has("kv")) return Status::Corruption(Quote(path) + " is marked but has no kv table");
  return Status::OK();
}

Status Check(const std::string& path, std::unique_ptr<sqlite::Database>* db) {
  CF_RETURN_IF_ERROR(
      sqlite::Database::Open(path, sqlite::Database::Mode::kReadOnly, kBusyTimeoutMs, db));
  return CheckMark(**db);
}

Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open", path);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : ErrnoError("cannot fsync", path);
}

// Builds the database under FILE-new and renames it over the empty `path`. REQUIRES: the
// writer's lock held, so that no other process builds or opens it meanwhile.
Status Create(const std::string& path) {
  const std::string tmp = path + "-new";
  // Leftovers of a build a crash cut short, and the journal of whatever the empty file was.
  for (const std::string& name : {tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal", path + "-wal",
                                  path + "-shm", path + "-journal"}) {
    if (::unlink(name.c_str()) != 0 && errno != ENOENT) return ErrnoError("cannot remove", name);
  }
  std::unique_ptr<sqlite::Database> db;
  CF_RETURN_IF_ERROR(
      sqlite::Database::Open(tmp, sqlite::Database::Mode::kReadWriteCreate, kBusyTimeoutMs, &db));
  CF_RETURN_IF_ERROR(db->Exec(kSchema, "creating"));
  CF_RETURN_IF_ERROR(db->Close());  // the last connection: checkpoints into the file
  CF_RETURN_IF_ERROR(SyncPath(tmp, O_RDONLY));
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoError("cannot rename", tmp);
  return SyncPath(fs::path(path).parent_path().string(), O_RDONLY | O_DIRECTORY);
}

// Makes `path` exist (an empty file) for a writer, with its missing parent directories.
Status MakeEmpty(const std::string& path) {
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec)
    return Status::IOError("cannot create directory " + Quote(parent.string()) + ": " +
                           ec.message());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST) return ErrnoError("cannot create", path);
  if (fd >= 0) ::close(fd);
  return Status::OK();
}

// The device and inode of FILE-lock, created if missing: the writer's identity.
Status LockIdentity(const std::string& lock_file, struct stat* st) {
  const int fd = ::open(lock_file.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot create", lock_file);
  const int rc = ::fstat(fd, st);
  ::close(fd);  // the file holds no lock of anyone's; flock is per open file description
  return rc == 0 ? Status::OK() : ErrnoError("cannot stat", lock_file);
}

// Claims and locks the file for a writer, then makes the database if the file is still empty.
Status TakeForWriting(const std::string& spelling, SqliteFile* out) {
  const std::string lock_file = out->path + "-lock";
  struct stat st {};
  CF_RETURN_IF_ERROR(LockIdentity(lock_file, &st));
  CF_RETURN_IF_ERROR(WriterLock::Claim("the SQLite file " + Quote(out->path), st.st_dev, st.st_ino,
                                       spelling, &out->lock));
  CF_RETURN_IF_ERROR(out->lock->Lock(lock_file, /*create=*/true));
  // Under the lock: another process may have made the database since the file was looked at.
  if (::stat(out->path.c_str(), &st) != 0) return ErrnoError("cannot stat", out->path);
  if (st.st_size == 0) CF_RETURN_IF_ERROR(Create(out->path));
  return Check(out->path, &out->checked);
}

}  // namespace

Status OpenSqliteFile(const std::string& path, bool writer, SqliteFile* out) {
  if (path.empty()) return Status::InvalidArgument("empty SQLite file path");
  if (path.find('\0') != std::string::npos) {
    return Status::InvalidArgument("SQLite file path contains a NUL byte");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return ErrnoError("cannot stat", path);
    if (!writer) return Status::NotFound("no classiflow SQLite file at " + Quote(path));
    CF_RETURN_IF_ERROR(MakeEmpty(path));
  }
  std::error_code ec;
  out->path = fs::canonical(path, ec).string();
  if (ec) return Status::IOError("cannot resolve " + Quote(path) + ": " + ec.message());
  if (::stat(out->path.c_str(), &st) != 0) return ErrnoError("cannot stat", out->path);
  if (!S_ISREG(st.st_mode)) return NotOurs(out->path, "it is not a regular file");
  // What is there is refused before anything is created beside it.
  if (st.st_size > 0) CF_RETURN_IF_ERROR(Check(out->path, &out->checked));
  if (!writer) {
    if (st.st_size > 0) return Status::OK();
    return Status::Unavailable("the SQLite file " + Quote(out->path) +
                               " has no database yet; open it with a writer first");
  }
  const std::string dir = fs::path(out->path).parent_path().string();
  if (::access(out->path.c_str(), W_OK) != 0 || ::access(dir.c_str(), W_OK) != 0) {
    return Status::IOError("the SQLite file " + Quote(out->path) + " or its directory is not " +
                           "writable (" + ErrnoText(errno) +
                           "); open it with mode=\"read\" to classify from it");
  }
  out->checked.reset();
  return TakeForWriting(path, out);
}

}  // namespace classiflow
