#include "sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace classiflow::sqlite {
namespace {

// What each primary result code becomes, and its name for messages (SQLite has no function
// for the name).
struct Kind {
  int code;
  const char* name;
  Status (*make)(std::string_view message);
};
constexpr Kind kKinds[] = {
    {SQLITE_FULL, "SQLITE_FULL", &Status::IOError},
    {SQLITE_IOERR, "SQLITE_IOERR", &Status::IOError},
    {SQLITE_CANTOPEN, "SQLITE_CANTOPEN", &Status::IOError},
    {SQLITE_PERM, "SQLITE_PERM", &Status::IOError},
    {SQLITE_READONLY, "SQLITE_READONLY", &Status::IOError},
    {SQLITE_NOLFS, "SQLITE_NOLFS", &Status::IOError},
    {SQLITE_CORRUPT, "SQLITE_CORRUPT", &Status::Corruption},
    {SQLITE_NOTADB, "SQLITE_NOTADB", &Status::Corruption},
    {SQLITE_BUSY, "SQLITE_BUSY", &Status::Busy},
    {SQLITE_LOCKED, "SQLITE_LOCKED", &Status::Busy},
    {SQLITE_TOOBIG, "SQLITE_TOOBIG", &Status::InvalidArgument},
    {SQLITE_RANGE, "SQLITE_RANGE", &Status::InvalidArgument},
    {SQLITE_CONSTRAINT, "SQLITE_CONSTRAINT", &Status::InvalidArgument},
    {SQLITE_MISMATCH, "SQLITE_MISMATCH", &Status::InvalidArgument},
    {SQLITE_NOMEM, "SQLITE_NOMEM", &Status::Internal},
    {SQLITE_MISUSE, "SQLITE_MISUSE", &Status::Internal},
    {SQLITE_ERROR, "SQLITE_ERROR", &Status::Internal},
};
constexpr Kind kOtherKind = {0, "SQLITE error", &Status::Internal};

const Kind& KindOf(int rc) {
  for (const Kind& kind : kKinds) {
    if (kind.code == (rc & 0xff)) return kind;
  }
  return kOtherKind;
}

}  // namespace

Status ToStatus(int rc, sqlite3* db, std::string_view context, std::string_view file) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return Status::OK();
  // sqlite3_errmsg describes the connection's last error, which is `rc` when called at once.
  const char* text = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const Kind& kind = KindOf(rc);
  return kind.make(std::string(context) + " '" + std::string(file) + "': " + text + " (" +
                   kind.name + ", code " + std::to_string(rc) + ")");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), db_(other.db_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = other.db_;
  }
  return *this;
}

Query::~Query() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::Blob(int index, std::string_view bytes) {
  // A null pointer would bind NULL, not an empty BLOB.
  const int rc = bytes.empty()
                     ? sqlite3_bind_zeroblob(stmt_, index, 0)
                     : sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Query& Query::Text(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(),
                                     SQLITE_STATIC, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Query& Query::Int(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Query& Query::Real(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Query& Query::Null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Status Query::Step(std::string_view context, bool* row) {
  *row = false;
  if (bind_rc_ != SQLITE_OK) return db_->Error(bind_rc_, context);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    *row = true;
    return Status::OK();
  }
  return rc == SQLITE_DONE ? Status::OK() : db_->Error(rc, context);
}

Status Query::Run(std::string_view context) {
  for (bool row = true; row;) CF_RETURN_IF_ERROR(Step(context, &row));
  return Status::OK();
}

std::string_view Query::Bytes(int column) const {
  // The pointer first, then the size (SQLite's rule); a zero-length value has a null pointer.
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return {};
  return {static_cast<const char*>(data), static_cast<size_t>(size)};
}

int64_t Query::Int64(int column) const { return sqlite3_column_int64(stmt_, column); }

Status Database::Open(const std::string& path, Mode mode, int busy_timeout_ms,
                      std::unique_ptr<Database>* out) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  switch (mode) {
    case Mode::kReadOnly:
      flags |= SQLITE_OPEN_READONLY;
      break;
    case Mode::kReadWrite:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case Mode::kReadWriteCreate:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = ToStatus(rc, db, "opening", path);
    sqlite3_close_v2(db);  // a handle comes back on most failures too; null is a no-op
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  out->reset(new Database(db, path));
  (*out)->SetBusyTimeout(busy_timeout_ms);
  return Status::OK();
}

Database::~Database() { sqlite3_close_v2(db_); }

Status Database::Close() {
  const int rc = sqlite3_close_v2(db_);
  Status s = ToStatus(rc, rc == SQLITE_OK ? nullptr : db_, "closing", path_);
  db_ = nullptr;
  return s;
}

Status Database::Exec(std::string_view sql, std::string_view context) {
  const std::string text(sql);
  return Error(sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr), context);
}

Status Database::Prepare(std::string_view sql, Statement* out) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(rc, "preparing a statement on");
  }
  *out = Statement();
  out->stmt_ = stmt;
  out->db_ = this;
  return Status::OK();
}

void Database::SetBusyTimeout(int busy_timeout_ms) { sqlite3_busy_timeout(db_, busy_timeout_ms); }

int Database::last_error() const { return sqlite3_extended_errcode(db_); }

bool Database::autocommit() const { return sqlite3_get_autocommit(db_) != 0; }

Status Database::Error(int rc, std::string_view context) const {
  return ToStatus(rc, db_, context, path_);
}

}  // namespace classiflow::sqlite
