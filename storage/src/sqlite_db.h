// SQLite for classiflow's components that keep data in an SQLite file (the SqliteStore, results
// sinks): a connection and its prepared statements as owning objects, and SQLite's result codes
// as Status.
//
// Errors carry the file and SQLite's own message: "writing 'x.db': database or disk is full
// (SQLITE_FULL, code 13)". Codes map as: SQLITE_FULL, SQLITE_IOERR*, SQLITE_CANTOPEN,
// SQLITE_PERM, SQLITE_READONLY, SQLITE_NOLFS -> IOError; SQLITE_CORRUPT*, SQLITE_NOTADB ->
// Corruption; SQLITE_BUSY*, SQLITE_LOCKED* -> Busy; SQLITE_TOOBIG, SQLITE_RANGE,
// SQLITE_CONSTRAINT*, SQLITE_MISMATCH -> InvalidArgument; anything else -> Internal.
//
// Thread-safety: connections are opened with SQLITE_OPEN_NOMUTEX, so a Database, its
// Statements and the Queries on them are used by one thread at a time (the owner's lock);
// different Databases may be used concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "classiflow/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace classiflow::sqlite {

// SQLite's result code `rc` (primary or extended) as a Status, "<context> '<file>': <message>",
// where the message is sqlite3_errmsg(db) (sqlite3_errstr(rc) when db is null). OK for
// SQLITE_OK, SQLITE_ROW and SQLITE_DONE.
Status ToStatus(int rc, sqlite3* db, std::string_view context, std::string_view file);

class Database;

// A prepared statement; finalized when destroyed. Used through a Query.
class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool prepared() const { return stmt_ != nullptr; }

 private:
  friend class Database;
  friend class Query;
  sqlite3_stmt* stmt_ = nullptr;
  const Database* db_ = nullptr;  // for error messages; outlives the statement
};

// One use of a statement: bind parameters, step through the rows. The statement is reset and
// its bindings cleared when the Query goes out of scope, so a statement never keeps a read
// transaction open between uses, whatever path left the scope.
class Query {
 public:
  explicit Query(Statement& statement) : stmt_(statement.stmt_), db_(statement.db_) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Parameter `index` (1-based) as a BLOB (never NULL, also when empty), TEXT or INTEGER. The
  // bytes are not copied: they must stay valid until the Query ends.
  Query& Blob(int index, std::string_view bytes);
  Query& Text(int index, std::string_view text);
  Query& Int(int index, int64_t value);
  Query& Real(int index, double value);
  Query& Null(int index);

  // Steps once: *row says whether a row is available. A Status names `context` on error.
  Status Step(std::string_view context, bool* row);
  // Steps to the end, ignoring rows (INSERT, DELETE, PRAGMA ...).
  Status Run(std::string_view context);
  // Columns of the current row (0-based). A view is valid until the next Step or the end.
  std::string_view Bytes(int column) const;
  int64_t Int64(int column) const;

 private:
  sqlite3_stmt* stmt_;
  const Database* db_;
  int bind_rc_ = 0;  // the first failed bind, reported by Step
};

// An open connection; closed when destroyed (statements still alive close it when they go).
class Database {
 public:
  enum class Mode { kReadOnly, kReadWrite, kReadWriteCreate };

  // Opens `path` (a plain file name: "file:" URIs are not interpreted) with extended result
  // codes on and a busy timeout of `busy_timeout_ms`. IOError when the file cannot be opened;
  // nothing is read until the first statement runs, so a file that is not a database is found
  // out then (Corruption for SQLITE_NOTADB).
  static Status Open(const std::string& path, Mode mode, int busy_timeout_ms,
                     std::unique_ptr<Database>* out);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs `sql` (any number of statements that return no rows to the caller).
  Status Exec(std::string_view sql, std::string_view context);
  // Compiles `sql` into *out, for repeated use (SQLITE_PREPARE_PERSISTENT).
  Status Prepare(std::string_view sql, Statement* out);
  // Closes the connection now and returns what SQLite reported; later calls are misuse.
  Status Close();

  // How long a statement waits for a lock another connection holds before SQLITE_BUSY.
  void SetBusyTimeout(int busy_timeout_ms);
  // False inside an open transaction (BEGIN ... COMMIT / ROLLBACK).
  bool autocommit() const;
  // The extended result code of the connection's last failed call (sqlite3_extended_errcode),
  // for callers that tell one failure from another.
  int last_error() const;
  // The Status for `rc` as ToStatus makes it, about this connection's file.
  Status Error(int rc, std::string_view context) const;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  const std::string path_;
};

}  // namespace classiflow::sqlite
