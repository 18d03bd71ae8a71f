// WriterLock: one writer per database — a RocksDB data directory (data_dir.h), an SQLite file
// (sqlite_store.h) — whatever spelling of its path it was opened by, in this process and in
// every other.
//
// Two parts, taken in this order. Claim() enters the identity (device, inode) of one file
// system object in a process-wide registry: a second writer in this process gets Busy naming
// the spelling that holds it. Lock() then takes an OS lock (flock, exclusive, non-blocking) on
// a lock file: a writer in another process gets Busy. Both are released when the WriterLock is
// destroyed (the flock also when the process dies, whatever killed it).
//
// flock is used, never fcntl record locks: closing any descriptor of a file drops every fcntl
// lock the process holds on it, which would break the locks of a database library that has the
// file open too (SQLite's are fcntl locks).
//
// Thread-safety: Claim() may be called from any thread; a WriterLock belongs to one owner.
#pragma once

#include <memory>
#include <string>

#include "classiflow/status.h"

namespace classiflow {

class WriterLock {
 public:
  // Claims (device, inode) for this process. `what` names the database in messages (e.g. "the
  // data directory '/data/x'"); `spelling` is the path as the caller gave it. Busy when a
  // writer in this process holds the same identity.
  static Status Claim(std::string what, unsigned long long device, unsigned long long inode,
                      const std::string& spelling, std::unique_ptr<WriterLock>* out);
  ~WriterLock();  // releases the OS lock, then the registry entry
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  // Takes the OS lock on `lock_file`, created (mode 0644) when `create` and missing. Busy when
  // another process (or another open of it in this one) holds it; IOError when it cannot be
  // opened. REQUIRES: called at most once.
  Status Lock(const std::string& lock_file, bool create);

 private:
  WriterLock(std::string what, unsigned long long device, unsigned long long inode)
      : what_(std::move(what)), device_(device), inode_(inode) {}

  const std::string what_;
  const unsigned long long device_, inode_;
  int lock_fd_ = -1;  // the flock'ed lock file; -1 until Lock() succeeds
};

}  // namespace classiflow
