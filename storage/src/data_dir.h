// DataDir: the identity and the exclusivity of a classiflow data directory.
//
// classiflow marks a directory it creates with a small identity file (kMarkFile), written to a
// temporary name, fsynced and linked into place before any database file exists. It opens only
// a missing or empty directory (which it creates and marks) or one that carries the mark.
// Anything else — another program's RocksDB, a folder of the user's files, "/" — is refused
// with InvalidArgument naming the directory and some of what is in it, and nothing in it is
// written, renamed or deleted. A marked directory whose CURRENT file is gone while other
// database files remain is refused as Corruption on every attempt, writing nothing.
//
// A writer holds the directory exclusively, whatever spelling of the path it was given: its
// identity is the canonical path plus device and inode, claimed in the process-wide registry of
// writers (a second writer in this process gets Busy naming the spelling that holds it) and
// locked by the OS (flock on the mark file, so a writer in another process gets Busy too); see
// writer_lock.h. Readers take neither.
//
// Thread-safety: Open() may be called from any thread; a DataDir is immutable afterwards.
#pragma once

#include <memory>
#include <string>

#include "classiflow/status.h"
#include "writer_lock.h"

namespace classiflow {

class DataDir {
 public:
  // The identity file's name and its first line; a later line carries the format version.
  static constexpr const char* kMarkFile = "CLASSIFLOW";

  enum class Access { kWrite, kRead };

  // Checks `path` and, for kWrite, creates and marks it when missing or empty and takes the
  // registry entry and the OS lock. InvalidArgument for an empty path, an embedded NUL or a
  // directory that is not classiflow's; Busy when a writer holds it; Corruption for a marked
  // directory that lost CURRENT; NotFound when a reader finds no data directory; IOError when
  // the file system refuses.
  static Status Open(const std::string& path, Access access, std::unique_ptr<DataDir>* out);
  ~DataDir();  // releases the lock and the registry entry
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;

  // The canonical path (symlinks, "." and ".." resolved).
  const std::string& path() const { return path_; }
  // True when no database exists yet: RocksDB must create one (create_if_missing).
  bool fresh() const { return fresh_; }

 private:
  DataDir(std::string path, bool fresh) : path_(std::move(path)), fresh_(fresh) {}

  std::string path_;
  bool fresh_;
  std::unique_ptr<WriterLock>
      lock_;  // a writer's claim and its flock on the mark; null for readers
};

}  // namespace classiflow
