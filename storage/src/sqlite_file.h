// The identity and the exclusivity of classiflow's SQLite file (sqlite_store.h), as DataDir
// (data_dir.h) gives them to a RocksDB data directory.
//
// classiflow opens only a missing or empty (0-byte) file, which it makes, or an SQLite file
// that carries its mark: a `classiflow_meta` table whose "identity" row is kIdentity and whose
// "format" row is a format this release reads. A new file is built complete — mark, key-value
// table, WAL journal mode — under a temporary name (FILE-new), fsynced, and renamed over the
// empty file, with the directory fsynced: a crash at any point leaves either the empty file or
// a marked database, never a half-made one. Anything else — not an SQLite file, another
// program's SQLite database — is refused with InvalidArgument naming the file, having been
// read through a read-only connection only: nothing in it is written.
//
// A writer holds the file exclusively, whatever spelling of the path it was given: the
// canonical path names a lock file beside it (FILE-lock, kept after close) whose device and
// inode are claimed in the process-wide registry and which is flock'ed (writer_lock.h), so a
// second writer here or in another process gets Busy. The lock is on a file of its own, not on
// the database: a descriptor of the database file opened and closed by classiflow would drop
// the fcntl locks SQLite holds on it for every connection of the process. Readers take neither.
//
// Thread-safety: OpenSqliteFile() may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "classiflow/status.h"
#include "sqlite_db.h"
#include "writer_lock.h"

namespace classiflow {

// What an open of the file gives its store.
struct SqliteFile {
  std::string path;                           // canonical (symlinks, "." and ".." resolved)
  std::unique_ptr<WriterLock> lock;           // a writer's claim and flock; null for a reader
  std::unique_ptr<sqlite::Database> checked;  // the read-only connection that read the mark
};

// Checks `path` and, for a writer, takes the lock and makes the file when it is missing or
// empty. InvalidArgument for an empty path, an embedded NUL, or a file that is not classiflow's
// (naming it); NotSupported for a newer format; Busy when a writer holds it; Corruption for a
// marked file whose tables are damaged or missing; NotFound for a reader when the file is
// missing, Unavailable when it is empty (no writer made it yet); IOError when the file system
// refuses (a writer needs the file and its directory writable, for the journal).
Status OpenSqliteFile(const std::string& path, bool writer, SqliteFile* out);

}  // namespace classiflow
